"""Four eyes, for every pair of roles: the preparer never approves their own cycle."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.funding import services as svc
from kawal.funding.models import Cycle, CycleStatus
from tests.funding.conftest import commit, mark, month_days, run
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _submitted(fund, preparer) -> Cycle:
    commit(fund, rate=1000)
    mark(fund.placement, month_days(fund.month)[:4], fund.staff)
    cycle = run(fund).cycle
    return svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=preparer)


@pytest.mark.parametrize("preparer_role", list(Role))
def test_every_preparer_and_approver_pair(fund, preparer_role):
    preparer = make_user(preparer_role, username=f"prep-{preparer_role.value}")
    if Capability.MANAGE_FUNDING not in ROLES[preparer_role].capabilities:
        commit(fund, rate=1000)
        cycle = run(fund).cycle
        with pytest.raises(PermissionDenied):
            svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=preparer)
        return
    cycle = _submitted(fund, preparer)
    candidates = [(preparer, False)] + [
        (
            make_user(role, username=f"appr-{role.value}"),
            Capability.RECORD_PAYMENT in ROLES[role].capabilities,
        )
        for role in Role
    ]
    for approver, allowed in candidates:
        with transaction.atomic():
            if allowed:
                approved = svc.cycle_approve(
                    cycle, expected_version=cycle.version, acting_user=approver
                )
                assert approved.status == CycleStatus.APPROVED
                assert approved.approved_by != approved.prepared_by
            else:
                with pytest.raises(PermissionDenied):
                    svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=approver)
                assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.SUBMITTED
            transaction.set_rollback(True)


def test_a_finance_officer_who_prepared_cannot_approve_but_a_colleague_can(fund):
    cycle = _submitted(fund, fund.finance)
    with pytest.raises(PermissionDenied):
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    approved = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert approved.approved_by == fund.finance2
    # The bank account is kept as it was at approval.
    assert approved.bank_account_number == fund.institution.bank_account_number


def test_sending_back_clears_the_preparer_and_the_next_preparer_is_checked_again(fund):
    cycle = _submitted(fund, fund.finance)
    cycle = svc.cycle_return(
        cycle,
        reason="Klaim belum cocok (sintetis)",
        expected_version=cycle.version,
        acting_user=fund.finance2,
    )
    assert cycle.prepared_by is None and cycle.status == CycleStatus.OPEN
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    with pytest.raises(PermissionDenied):
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert (
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance).status
        == CycleStatus.APPROVED
    )


def test_payment_and_lock_follow_approval_in_order(fund):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from kawal.core.models import StaleVersion

    cycle = _submitted(fund, fund.worker)
    with pytest.raises(ValidationError):
        svc.cycle_lock(cycle, expected_version=cycle.version, acting_user=fund.finance)
    with pytest.raises(ValidationError):
        svc.cycle_record_payment(
            cycle,
            reference="X",
            paid_on=timezone.localdate(),
            expected_version=cycle.version,
            acting_user=fund.finance,
        )
    with pytest.raises(StaleVersion):
        svc.cycle_approve(cycle, expected_version=cycle.version - 1, acting_user=fund.finance)
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    with pytest.raises(ValidationError):
        svc.cycle_record_payment(
            cycle,
            reference="  ",
            paid_on=timezone.localdate(),
            expected_version=cycle.version,
            acting_user=fund.finance,
        )
    cycle = svc.cycle_record_payment(
        cycle,
        reference="SP2D-77 (sintetis)",
        paid_on=timezone.localdate(),
        expected_version=cycle.version,
        acting_user=fund.finance,
    )
    cycle = svc.cycle_lock(cycle, expected_version=cycle.version, acting_user=fund.finance)
    assert cycle.status == CycleStatus.LOCKED and cycle.payment_reference == "SP2D-77 (sintetis)"
