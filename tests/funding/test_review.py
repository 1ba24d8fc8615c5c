"""Regressions found in review: four eyes, transfers, budgets, months not begun, exports, logs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kawal.access.catalogue import ROLES, Capability, DataClass
from kawal.access.models import AccessLog
from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import Commitment, Cycle, CycleStatus, Entitlement
from kawal.institutions.models import Institution
from kawal.placement.models import Placement
from tests.funding.conftest import bank, commit, mark, month_days, run
from tests.helpers import sign_in
from tests.monitoring.conftest import make_institution

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def _paid_days() -> list:
    """Every (child, programme, day) the live ledger pays, with repeats."""
    return [
        (e.child_id, e.programme_id, day)
        for e in Entitlement.objects.filter(live=True)
        for day in e.day_list()
    ]


# --- Four eyes ---------------------------------------------------------------------------


def test_whoever_computed_the_cycle_cannot_approve_it_after_a_colleague_submits(fund):
    commit(fund, rate=1000)
    mark(fund.placement, month_days(fund.month)[:4], fund.staff)
    cycle = svc.cycle_compute(fund.institution, fund.month, acting_user=fund.finance).cycle
    assert cycle.computed_by == fund.finance
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    with pytest.raises(PermissionDenied):
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    page = client_for(fund.finance).get(reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid}))
    assert b"another finance officer approves it" in page.content
    assert b"action=approve" not in page.content and "/approve/" not in page.content.decode()
    approved = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert approved.status == CycleStatus.APPROVED


def test_the_approver_who_sent_back_and_recomputed_cannot_approve_the_resubmission(fund):
    commit(fund, rate=1000)
    days = month_days(fund.month)
    mark(fund.placement, days[:4], fund.staff)
    cycle = run(fund).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    cycle = svc.cycle_return(
        cycle,
        reason="Cek absensi (sintetis)",
        expected_version=cycle.version,
        acting_user=fund.finance,
    )
    mark(fund.placement, days[4:6], fund.staff)
    cycle = svc.cycle_compute(fund.institution, fund.month, acting_user=fund.finance).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    with pytest.raises(PermissionDenied):
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)


# --- Transfers ---------------------------------------------------------------------------


def _transfer(fund, last_day):
    """The placement app's transfer: the old home ends the day before the new begins."""
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=last_day)
    fund.placement.refresh_from_db()
    other = bank(make_institution(None, "Panti Tujuan Sintetis"))
    new = Placement.objects.create(
        case=fund.case,
        child=fund.case.child,
        institution=other,
        started_on=last_day + timedelta(days=1),
        placed_by=fund.worker,
    )
    return other, new


def test_after_a_transfer_the_new_home_is_funded_without_clawing_back_the_old(fund):
    days = month_days(fund.month)
    # Committed before anyone knew of the transfer: to the end of the month.
    old = commit(fund, rate=1000, start=fund.month, end=days[-1])
    mark(fund.placement, days, fund.staff)
    other, new_placement = _transfer(fund, days[14])
    new = commit(fund, placement=new_placement, rate=2000, start=days[15])
    mark(new_placement, days[15:], fund.staff)
    svc.cycles_compute_month(fund.month, acting_user=fund.worker)
    assert not Commitment.objects.get(pk=old.pk).is_cancelled
    paid = _paid_days()
    assert len(paid) == len(set(paid)) == len(days)
    assert sum(e.amount for e in Entitlement.objects.filter(commitment=old)) == 15 * 1000
    assert (
        sum(e.amount for e in Entitlement.objects.filter(commitment=new)) == (len(days) - 15) * 2000
    )
    assert {c.institution_id for c in Cycle.objects.all()} == {fund.institution.pk, other.pk}


def test_one_run_for_every_institution_never_pays_a_day_at_both_homes(fund):
    days = month_days(fund.month)
    commit(fund, rate=1000, start=fund.month, end=days[-1])
    mark(fund.placement, days, fund.staff)
    _other, new_placement = _transfer(fund, days[14])
    commit(fund, placement=new_placement, rate=2000, start=days[15])
    mark(new_placement, days[15:], fund.staff)
    # The old home's exit date is corrected afterwards to five days later:
    # the two placements now share days 16 to 20.
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=days[19])
    svc.cycles_compute_month(fund.month, acting_user=fund.worker)
    paid = _paid_days()
    assert len(paid) == len(set(paid)) == len(days)
    # And the run is stable: a second one writes nothing.
    assert all(
        r.written == 0 for r in svc.cycles_compute_month(fund.month, acting_user=fund.worker)
    )


# --- Budgets -----------------------------------------------------------------------------


def test_a_budget_line_cannot_drop_below_its_commitments(fund):
    c = commit(fund, rate=10_000)
    with pytest.raises(ValidationError) as error:
        svc.budget_set(
            fiscal_year=fund.budget.fiscal_year,
            programme=fund.meals,
            amount=c.committed_amount - 1,
            acting_user=fund.finance,
        )
    assert "amount" in error.value.message_dict
    svc.budget_set(
        fiscal_year=fund.budget.fiscal_year,
        programme=fund.meals,
        amount=c.committed_amount,
        acting_user=fund.finance,
    )
    assert not svc.utilisation([fund.budget])[0].overrun


# --- Months ------------------------------------------------------------------------------


def test_a_month_not_begun_is_not_computed_and_is_a_form_error(fund):
    commit(fund)
    coming = calc.next_month(calc.month_start(timezone.localdate()))
    with pytest.raises(ValidationError):
        svc.cycle_compute(fund.institution, coming, acting_user=fund.worker)
    with pytest.raises(ValidationError):
        svc.cycles_compute_month(coming, acting_user=fund.worker)
    response = client_for(fund.worker).post(
        reverse("funding:cycles"), {"month": coming.strftime("%Y-%m")}
    )
    assert response.status_code == 400
    assert b"month that has begun" in response.content
    assert not Cycle.objects.exists()


def test_the_current_month_is_not_locked_before_it_ends(fund):
    today = timezone.localdate()
    cycle = svc.cycle_compute(fund.institution, today, acting_user=fund.worker).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    cycle = svc.cycle_record_payment(
        cycle,
        reference="SP2D-1 (sintetis)",
        paid_on=today,
        expected_version=cycle.version,
        acting_user=fund.finance,
    )
    with pytest.raises(ValidationError):
        svc.cycle_lock(cycle, expected_version=cycle.version, acting_user=fund.finance)
    assert not svc.day_locked(fund.placement, calc.month_end(today))


# --- Payment lists -----------------------------------------------------------------------


def test_payment_lists_survive_control_characters_and_blank_led_formulas(fund):
    Institution.objects.filter(pk=fund.institution.pk).update(
        name='\x01=HYPERLINK("http://x")', bank_account_holder=' =1+1 "Yayasan"'
    )
    fund.institution.refresh_from_db()
    commit(fund, rate=25_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    client = client_for(fund.finance2)
    response = client.get(reverse("funding:payment_csv", kwargs={"cycle_uuid": cycle.uuid}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][4].startswith("'")
    xlsx = client.get(reverse("funding:payment_xlsx", kwargs={"cycle_uuid": cycle.uuid}))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    for column in (2, 5):
        cell = sheet.cell(row=2, column=column)
        assert cell.data_type == "s" and str(cell.value).startswith("'"), cell.value


# --- Who sees what -----------------------------------------------------------------------


def test_the_commit_form_does_not_tell_a_finance_officer_where_the_child_lives(fund):
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    finance = client_for(fund.finance).get(url)
    assert finance.status_code == 200
    assert fund.institution.name not in finance.content.decode()
    row = AccessLog.objects.filter(user=fund.finance, action="view").latest("at")
    assert "whereabouts" not in row.data_classes
    worker = client_for(fund.worker).get(url)
    assert fund.institution.name in worker.content.decode()


def test_the_cancel_page_is_access_logged(fund):
    c = commit(fund)
    url = reverse("funding:commitment_cancel", kwargs={"commitment_uuid": c.uuid})
    assert client_for(fund.worker).get(url).status_code == 200
    row = AccessLog.objects.filter(user=fund.worker, action="view").latest("at")
    assert "financial" in row.data_classes and row.case_number == fund.case.number


def test_every_role_at_the_funding_desk_may_read_financial_data():
    # Payment pages and lists show bank accounts: the desk must read FINANCIAL.
    for spec in ROLES.values():
        if {Capability.MANAGE_FUNDING, Capability.RECORD_PAYMENT} & spec.capabilities:
            assert DataClass.FINANCIAL in spec.read
