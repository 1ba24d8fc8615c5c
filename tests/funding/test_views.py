"""Funding pages: who sees what, bad input is a 4xx with the form, downloads are safe."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kawal.access.catalogue import DataClass, Role
from kawal.access.models import AccessLog
from kawal.funding import services as svc
from kawal.funding.models import Budget, Claim, Commitment, Cycle, CycleStatus
from kawal.institutions.models import Institution
from tests.cases.conftest import MARKERS
from tests.funding.conftest import close, commit, mark, month_days, run
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db
NAME = MARKERS[DataClass.IDENTITY]


def client_for(user) -> Client:
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def _approved(fund) -> Cycle:
    commit(fund, rate=25_000)
    mark(fund.placement, month_days(fund.month)[:6], fund.staff)
    cycle = run(fund).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    return svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)


# --- Budgets ---------------------------------------------------------------------------


def test_the_finance_officer_sets_a_budget_line(fund):
    client = client_for(fund.finance)
    url = reverse("funding:budgets") + "?tahun=2031"
    response = client.post(url, {"programme": "permakanan", "amount": "1.250.000.000"})
    assert response.status_code == 302
    assert (
        Budget.objects.get(fiscal_year=2031, programme__code="permakanan").amount == 1_250_000_000
    )
    page = client.get(url)
    assert page.status_code == 200 and "Meals" in page.content.decode()


@pytest.mark.parametrize("amount", ["12,5", "abc", "-3", "9" * 30, ""])
def test_a_bad_budget_amount_is_a_form_error(fund, amount):
    response = client_for(fund.finance).post(
        reverse("funding:budgets"), {"programme": "permakanan", "amount": amount}
    )
    assert response.status_code == 400
    assert "rupiah" in response.content.decode() or "required" in response.content.decode()


def test_an_unknown_programme_is_a_form_error(fund):
    response = client_for(fund.finance).post(
        reverse("funding:budgets"), {"programme": "nope", "amount": "5"}
    )
    assert response.status_code == 400


def test_the_social_worker_reads_budgets_but_does_not_set_them(fund):
    client = client_for(fund.worker)
    assert client.get(reverse("funding:budgets")).status_code == 200
    response = client.post(reverse("funding:budgets"), {"programme": "permakanan", "amount": "5"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r not in (Role.SOCIAL_WORKER, Role.FINANCE_OFFICER)],
)
def test_funding_pages_are_the_funding_desks_only(fund, role):
    client = client_for(make_user(role))
    for name in ("funding:budgets", "funding:cycles"):
        assert client.get(reverse(name)).status_code == 403


# --- Commitments -----------------------------------------------------------------------


def _commit_form(fund, **extra) -> dict[str, str]:
    budget = Budget.objects.get(fiscal_year=fund.month.year, programme=fund.meals)
    data = {
        "placement": str(fund.placement.uuid),
        "budget": str(budget.uuid),
        "rate_kind": "daily",
        "rate": "45.000",
        "starts_on": fund.month.isoformat(),
        "ends_on": fund.month.replace(day=28).isoformat(),
        "overrun_reason": "",
    }
    data.update(extra)
    return data


def test_commit_from_the_case_page(fund):
    client = client_for(fund.worker)
    case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": fund.case.uuid}))
    assert 'id="h-funding"' in case_page.content.decode()
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    assert client.get(url).status_code == 200
    response = client.post(url, _commit_form(fund))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Commitment.objects.get().rate == 45_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rate", "empat puluh"),
        ("rate", "45000,50"),
        ("starts_on", "31/31/2020"),
        ("placement", "not-a-uuid"),
        ("budget", str(10**30)),
        ("rate_kind", "yearly"),
    ],
)
def test_bad_commitment_input_keeps_the_form(fund, field, value):
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    response = client_for(fund.worker).post(url, _commit_form(fund, **{field: value}))
    assert response.status_code == 400
    assert not Commitment.objects.exists()


def test_an_overrun_is_shown_and_needs_a_reason(fund):
    Budget.objects.filter(fiscal_year=fund.month.year, programme=fund.meals).update(amount=1000)
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    client = client_for(fund.worker)
    response = client.post(url, _commit_form(fund))
    assert response.status_code == 400
    assert "would overrun its budget line" in response.content.decode()
    response = client.post(url, _commit_form(fund, overrun_reason="Darurat (sintetis)"))
    assert response.status_code == 302
    page = client_for(fund.finance).get(reverse("funding:budgets") + f"?tahun={fund.month.year}")
    assert "over budget" in page.content.decode()


def test_the_case_manager_sees_the_funding_but_cannot_commit(fund):
    commit(fund)
    client = client_for(fund.world.owner)
    page = client.get(reverse("cases:detail", kwargs={"case_uuid": fund.case.uuid})).content
    assert b'id="h-funding"' in page
    assert b"Commit funds" not in page
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    assert client.get(url).status_code == 403


def test_the_psychologist_does_not_see_the_funding(fund):
    commit(fund)
    page = client_for(fund.world.psychologist).get(
        reverse("cases:detail", kwargs={"case_uuid": fund.case.uuid})
    )
    assert b'id="h-funding"' not in page.content


def test_a_social_worker_off_the_case_gets_a_404(fund):
    url = reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    assert client_for(make_user(Role.SOCIAL_WORKER)).get(url).status_code == 404


def test_cancel_page(fund):
    c = commit(fund)
    client = client_for(fund.worker)
    url = reverse("funding:commitment_cancel", kwargs={"commitment_uuid": c.uuid})
    assert client.post(url, {"reason": "", "expected_version": c.version}).status_code == 400
    stale = client.post(url, {"reason": "x", "expected_version": c.version + 5})
    assert stale.status_code == 409
    ok = client.post(url, {"reason": "Tarif salah (sintetis)", "expected_version": c.version})
    assert ok.status_code == 302
    assert client.get(url).status_code == 403  # already cancelled
    missing = reverse("funding:commitment_cancel", kwargs={"commitment_uuid": "nope"})
    assert client.get(missing).status_code == 404


# --- Cycles ------------------------------------------------------------------------------


def test_run_a_month_from_the_cycles_page(fund):
    commit(fund)
    mark(fund.placement, month_days(fund.month)[:3], fund.staff)
    client = client_for(fund.worker)
    response = client.post(reverse("funding:cycles"), {"month": fund.month.strftime("%Y-%m")})
    assert response.status_code == 302
    assert Cycle.objects.get().entries.count() == 1
    assert client.post(reverse("funding:cycles"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("funding:cycles") + "?bulan=garbage").status_code == 200


def test_the_finance_officer_may_not_run_without_manage_funding_but_reads(fund):
    client = client_for(fund.finance)
    assert client.get(reverse("funding:cycles")).status_code == 200


def test_the_cycle_page_names_case_numbers_not_children_and_is_logged(fund):
    commit(fund)
    mark(fund.placement, month_days(fund.month)[:3], fund.staff)
    cycle = run(fund).cycle
    response = client_for(fund.finance).get(
        reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert fund.case.number in body and NAME not in body
    row = AccessLog.objects.filter(user=fund.finance, action="view").latest("at")
    assert "financial" in row.data_classes


def test_unknown_cycle_and_action(fund):
    client = client_for(fund.finance)
    assert client.get(reverse("funding:cycle", kwargs={"cycle_uuid": "x"})).status_code == 404
    commit(fund)
    cycle = run(fund).cycle
    url = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "explode"})
    assert client.post(url).status_code == 403


def test_approve_through_the_page_respects_four_eyes(fund):
    commit(fund)
    mark(fund.placement, month_days(fund.month)[:3], fund.staff)
    cycle = run(fund).cycle
    finance = client_for(fund.finance)
    submit = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "submit"})
    assert finance.post(submit, {"expected_version": cycle.version}).status_code == 302
    cycle.refresh_from_db()
    approve = reverse(
        "funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "approve"}
    )
    assert finance.post(approve, {"expected_version": cycle.version}).status_code == 403
    page = finance.get(reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid}))
    assert b"another finance officer approves it" in page.content
    other = client_for(fund.finance2)
    assert other.post(approve, {"expected_version": cycle.version - 1}).status_code == 409
    assert other.post(approve, {"expected_version": cycle.version}).status_code == 302
    cycle.refresh_from_db()
    pay = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "pay"})
    bad = other.post(pay, {"expected_version": cycle.version, "reference": "", "paid_on": "x"})
    assert bad.status_code == 400
    good = other.post(
        pay,
        {
            "expected_version": cycle.version,
            "reference": "SP2D-9 (sintetis)",
            # The local day of approval: in UTC it is the day before between 16:00 and 24:00.
            "paid_on": timezone.localdate(cycle.approved_at).isoformat(),
        },
    )
    assert good.status_code == 302
    cycle.refresh_from_db()
    lock = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "lock"})
    assert other.post(lock, {"expected_version": cycle.version}).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.LOCKED


def test_payment_lists_only_after_approval(fund):
    commit(fund)
    cycle = run(fund).cycle
    url = reverse("funding:payment_csv", kwargs={"cycle_uuid": cycle.uuid})
    assert client_for(fund.finance).get(url).status_code == 403


def test_payment_lists_are_formula_safe(fund):
    Institution.objects.filter(pk=fund.institution.pk).update(
        name='=HYPERLINK("http://x")', bank_account_holder="+62 Yayasan"
    )
    fund.institution.refresh_from_db()
    cycle = _approved(fund)
    client = client_for(fund.finance2)
    response = client.get(reverse("funding:payment_csv", kwargs={"cycle_uuid": cycle.uuid}))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Cycle month", "Institution", "Bank"]
    assert rows[1][1].startswith("'=") and rows[1][4].startswith("'+")
    assert rows[1][7] == fund.case.number and rows[1][-1] == str(6 * 25_000)
    assert rows[-1][5] == "Total to transfer" and rows[-1][-1] == str(6 * 25_000)
    assert rows[1][9] == "entitlement"
    assert NAME not in response.content.decode()
    xlsx = client.get(reverse("funding:payment_xlsx", kwargs={"cycle_uuid": cycle.uuid}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and str(cell.value).startswith("'=")
    assert sheet.cell(row=2, column=12).value == 6 * 25_000
    assert AccessLog.objects.filter(user=fund.finance2, action="download").count() == 2


# --- The institution's claim -----------------------------------------------------------------


def test_institution_staff_file_a_claim_and_finance_sees_the_difference(fund):
    commit(fund, rate=10_000)
    mark(fund.placement, month_days(fund.month)[:5], fund.staff)
    cycle = run(fund).cycle
    client = client_for(fund.staff)
    home = client.get("/")
    assert b"Monthly claim" in home.content
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    page = client.get(url)
    assert page.status_code == 200 and NAME in page.content.decode()
    key = fund.placement.pk
    response = client.post(url, {f"days_{key}": "6", f"amount_{key}": "60.000", "note": ""})
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.lines.get().amount == 60_000
    detail = client_for(fund.finance).get(
        reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid})
    )
    assert detail.context["view"].lines[0].difference == 10_000
    assert detail.context["view"].difference == 10_000


@pytest.mark.parametrize(
    "data",
    [
        {"days_{key}": "40", "amount_{key}": "1"},
        {"days_{key}": "x", "amount_{key}": "1"},
        {"amount_{key}": "1,5"},
        {"total_amount": ""},
    ],
)
def test_bad_claims_keep_the_form(fund, data):
    key = fund.placement.pk
    posted = {name.format(key=key): value for name, value in data.items()}
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    assert client_for(fund.staff).post(url, posted).status_code == 400
    assert not Claim.objects.exists()


def test_staff_of_another_institution_see_none_of_these_children(fund):
    from kawal.access.catalogue import AgencyKind
    from tests.cases.conftest import other_agency
    from tests.monitoring.conftest import make_institution

    elsewhere = other_agency(AgencyKind.CHILD_CARE_INSTITUTION)
    make_institution(elsewhere, "LKSA Lain Sintetis")
    other = make_user(Role.INSTITUTION_STAFF, agency=elsewhere)
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    client = client_for(other)
    page = client.get(url)
    assert page.status_code == 200 and NAME not in page.content.decode()
    key = fund.placement.pk
    client.post(url, {f"days_{key}": "3", f"amount_{key}": "3", "total_amount": "3"})
    assert not Claim.objects.filter(lines__placement=fund.placement).exists()
    with pytest.raises(PermissionDenied):
        svc.claim_file(svc.ClaimInput(month=fund.month, lines={key: (3, 3)}), acting_user=other)


def test_a_claim_is_frozen_once_the_cycle_is_submitted(fund):
    commit(fund)
    cycle = run(fund).cycle
    close(fund, cycle)
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    response = client_for(fund.staff).post(url, {"total_amount": "5"})
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_staff_without_an_institution_are_refused(fund):
    staff = make_user(Role.INSTITUTION_STAFF, agency=None)
    assert client_for(staff).get(reverse("funding:claim")).status_code == 403
