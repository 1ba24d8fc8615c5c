"""Committing funds on a case: who may, inside the placement and fiscal year, and the budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kawal.access.catalogue import Role
from kawal.cases.models import CaseEvent
from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import Commitment, Programme
from kawal.placement.models import Placement
from tests.funding.conftest import budget_for, commit
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_the_social_worker_on_the_team_commits_and_the_timeline_says_so(fund):
    c = commit(fund, rate=35_000)
    days = calc.days_in_month(fund.month)
    assert c.committed_amount == 35_000 * days
    assert c.child_id == fund.case.child_id and c.programme == fund.meals
    event = CaseEvent.objects.get(case=fund.case, kind="funding.committed")
    assert event.data_class == "financial" and event.payload["amount"] == c.committed_amount


def test_a_finance_officer_on_the_team_may_commit(fund):
    assert commit(fund, by=fund.finance).committed_by == fund.finance


@pytest.mark.parametrize(
    "role", [Role.CASE_MANAGER, Role.SUPERVISOR, Role.INSTITUTION_STAFF, Role.PSYCHOLOGIST]
)
def test_others_on_the_case_may_not_commit(fund, role):
    from kawal.cases import services as case_svc

    user = make_user(role)
    if role not in (Role.CASE_MANAGER, Role.SUPERVISOR):
        case_svc.member_add(
            fund.case,
            user=user,
            case_role="x",
            data_classes=["financial", "whereabouts"],
            acting_user=fund.world.owner,
        )
    with pytest.raises(PermissionDenied):
        commit(fund, by=user)


def test_a_social_worker_not_on_the_case_may_not_commit(fund):
    with pytest.raises(PermissionDenied):
        commit(fund, by=make_user(Role.SOCIAL_WORKER))


def test_a_finance_officer_not_on_the_case_may_not_commit(fund):
    with pytest.raises(PermissionDenied):
        commit(fund, by=fund.finance2)


def test_the_commitment_stays_inside_the_placement(fund):
    with pytest.raises(ValidationError) as error:
        commit(fund, start=fund.placement.started_on - timedelta(days=1))
    assert "starts_on" in error.value.message_dict
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=fund.month + timedelta(days=4))
    fund.placement.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        commit(fund, end=fund.month + timedelta(days=5))
    assert "ends_on" in error.value.message_dict
    assert commit(fund, end=fund.month + timedelta(days=4))


def test_the_commitment_stays_inside_the_fiscal_year(fund):
    budget = budget_for(fund.meals, fund.month.year)
    with pytest.raises(ValidationError):
        svc.commitment_create(
            svc.NewCommitment(
                placement=fund.placement,
                budget=budget,
                rate_kind="daily",
                rate=1000,
                starts_on=fund.month,
                ends_on=fund.month.replace(year=fund.month.year + 1),
            ),
            acting_user=fund.worker,
        )


@pytest.mark.parametrize("rate", [0, -5, 10**12, True])
def test_bad_rates_are_refused(fund, rate):
    with pytest.raises(ValidationError) as error:
        commit(fund, rate=rate)
    assert "rate" in error.value.message_dict


def test_two_commitments_of_one_programme_never_overlap(fund):
    commit(fund)
    with pytest.raises(ValidationError):
        commit(fund, start=fund.month + timedelta(days=3))
    # Another programme may run beside it.
    assert commit(fund, programme=Programme.objects.get(code="kesehatan"))


def test_an_overrun_needs_a_written_reason(fund):
    clothing = Programme.objects.get(code="sandang")
    budget = budget_for(clothing, fund.month.year)
    svc.budget_set(
        fiscal_year=budget.fiscal_year,
        programme=clothing,
        amount=100_000,
        acting_user=fund.finance,
    )
    with pytest.raises(ValidationError) as error:
        commit(fund, programme=clothing, rate=10_000)  # a month at Rp 10,000 > 100,000
    assert "overrun_reason" in error.value.message_dict
    assert not Commitment.objects.filter(programme=clothing).exists()
    made = commit(fund, programme=clothing, rate=10_000, reason="Seragam sekolah (sintetis)")
    assert made.overrun_reason
    budget.refresh_from_db()
    figure = svc.utilisation([budget])[0]
    assert figure.overrun and figure.remaining < 0


def test_cancelling_needs_a_reason_and_the_current_version(fund):
    from kawal.core.models import StaleVersion

    c = commit(fund)
    with pytest.raises(ValidationError):
        svc.commitment_cancel(c, reason=" ", expected_version=c.version, acting_user=fund.worker)
    with pytest.raises(StaleVersion):
        svc.commitment_cancel(
            c, reason="x", expected_version=c.version + 1, acting_user=fund.worker
        )
    with pytest.raises(PermissionDenied):
        svc.commitment_cancel(c, reason="x", expected_version=c.version, acting_user=fund.finance2)
    done = svc.commitment_cancel(
        c, reason="Salah program (sintetis)", expected_version=c.version, acting_user=fund.worker
    )
    assert done.is_cancelled
    assert CaseEvent.objects.filter(case=fund.case, kind="funding.cancelled").exists()


def test_budgets_are_set_by_payment_holders_only(fund):
    with pytest.raises(PermissionDenied):
        svc.budget_set(fiscal_year=2030, programme=fund.meals, amount=1, acting_user=fund.worker)
    with pytest.raises(ValidationError):
        svc.budget_set(fiscal_year=2030, programme=fund.meals, amount=-1, acting_user=fund.finance)
    budget = svc.budget_set(
        fiscal_year=2030, programme=fund.meals, amount=5, acting_user=fund.finance
    )
    assert (
        svc.budget_set(
            fiscal_year=2030, programme=fund.meals, amount=7, acting_user=fund.finance
        ).pk
        == budget.pk
    )
