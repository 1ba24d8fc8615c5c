"""Fixes from the user walk-through and the security review (issue 11 follow-up).

Recovery cycles, submitting stale figures, committed amounts after a placement
ends early, last year's budget lines, case links, the claim page's states,
the direction of a difference, translated payment lists, number formats and
tap targets.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kawal.cases.policy import case_access
from kawal.funding import calc
from kawal.funding import selectors as sel
from kawal.funding import services as svc
from kawal.funding.models import Budget, Claim, Cycle, CycleStatus, Entitlement, Programme
from kawal.funding.money import claim_difference, rupiah
from kawal.placement.models import Placement
from tests.funding.conftest import close, commit, mark, month_days, run
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["kawal_language"] = language
    sign_in(client, user)
    return client


def cycle_url(cycle: Cycle) -> str:
    return reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid})


# --- 1. A cycle of reversals only is money to recover -------------------------------------


def _recovery_cycle(fund) -> Cycle:
    """Last month paid and closed, then its commitment cancelled: this month's
    cycle holds the reversal alone (a negative total)."""
    wrong = commit(fund, rate=30_000)
    mark(fund.placement, month_days(fund.month)[:4], fund.staff)
    close(fund, run(fund).cycle)
    svc.commitment_cancel(
        wrong,
        reason="Salah program (sintetis)",
        expected_version=wrong.version,
        acting_user=fund.worker,
    )
    cycle = run(fund, calc.next_month(fund.month)).cycle
    assert svc.cycle_total(cycle) == -120_000
    return svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)


def test_a_cycle_of_reversals_only_is_flagged_and_needs_an_acknowledgement(fund):
    cycle = _recovery_cycle(fund)
    client = client_for(fund.finance2)
    page = client.get(cycle_url(cycle)).content.decode()
    assert "money to recover, not a bank transfer" in page
    assert 'name="recovery_acknowledged"' in page
    assert "Approve the recovery" in page
    listing = client.get(reverse("funding:cycles")).content.decode()
    assert "to recover, not a transfer" in listing
    with pytest.raises(ValidationError) as refused:
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert "120,000" in " ".join(refused.value.messages)
    url = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "approve"})
    response = client.post(url, {"expected_version": cycle.version})
    assert response.status_code == 400
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED
    response = client.post(url, {"expected_version": cycle.version, "recovery_acknowledged": "yes"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.APPROVED


def test_a_recovery_cycle_lists_money_to_recover_not_a_transfer(fund):
    cycle = _recovery_cycle(fund)
    cycle = svc.cycle_approve(
        cycle,
        expected_version=cycle.version,
        acting_user=fund.finance2,
        recovery_acknowledged=True,
    )
    client = client_for(fund.finance2)
    page = client.get(cycle_url(cycle)).content.decode()
    assert "Recovery statement (CSV)" in page and "Payment list (CSV)" not in page
    response = client.get(reverse("funding:payment_csv", kwargs={"cycle_uuid": cycle.uuid}))
    assert "pengembalian-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[-1][5] == "Total to recover from the institution (not a transfer)"
    assert rows[-1][-1] == "-120000"
    assert rows[1][9] == "reversal"


def test_an_ordinary_cycle_needs_no_acknowledgement(fund):
    commit(fund, rate=1_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    page = client_for(fund.finance2).get(cycle_url(cycle)).content.decode()
    assert "recovery_acknowledged" not in page
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert cycle.status == CycleStatus.APPROVED


# --- 2. Submitting computes again ----------------------------------------------------------


def test_submitting_after_a_roster_change_recomputes_and_does_not_submit(fund):
    commit(fund, rate=1_000)
    days = month_days(fund.month)
    mark(fund.placement, days[:3], fund.staff)
    cycle = run(fund).cycle
    mark(fund.placement, days[3:5], fund.staff)
    with pytest.raises(svc.FiguresChanged):
        svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.finance)
    cycle.refresh_from_db()
    # The new figures are kept, the cycle is still open, and the one who
    # submitted now counts as having computed it.
    assert cycle.status == CycleStatus.OPEN
    assert Entitlement.objects.get(cycle=cycle).day_count == 5
    assert cycle.computed_by == fund.finance
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.finance)
    assert cycle.status == CycleStatus.SUBMITTED


def test_four_eyes_hold_after_a_recomputing_submit(fund):
    commit(fund, rate=1_000)
    days = month_days(fund.month)
    mark(fund.placement, days[:3], fund.staff)
    cycle = run(fund).cycle  # computed by the social worker
    mark(fund.placement, days[3:4], fund.staff)
    with pytest.raises(svc.FiguresChanged):
        svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.finance)
    cycle.refresh_from_db()
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    # The finance officer wrote the figures at submit time: not theirs to approve.
    assert (cycle.prepared_by, cycle.computed_by) == (fund.worker, fund.finance)
    with pytest.raises(PermissionDenied):
        svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance)
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    assert cycle.status == CycleStatus.APPROVED


def test_the_submit_button_reports_recomputed_figures(fund):
    commit(fund, rate=1_000)
    days = month_days(fund.month)
    mark(fund.placement, days[:3], fund.staff)
    cycle = run(fund).cycle
    mark(fund.placement, days[3:6], fund.staff)
    client = client_for(fund.worker)
    url = reverse("funding:cycle_action", kwargs={"cycle_uuid": cycle.uuid, "action": "submit"})
    response = client.post(url, {"expected_version": cycle.version}, follow=True)
    assert "The roster changed since the figures were computed" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    assert response.context["view"].lines[0].entitled_days == 6


# --- 3. Committed counts only up to the placement's end -------------------------------------


def test_committed_stops_at_the_placements_end(fund):
    start = fund.month
    end = calc.month_end(fund.month)
    commit(fund, rate=10_000, start=start, end=end)
    full = calc.days_in_month(fund.month) * 10_000
    assert svc.utilisation([fund.budget])[0].committed == full
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=start + timedelta(days=9))
    figures = svc.utilisation([fund.budget])[0]
    assert figures.committed == 10 * 10_000
    assert figures.remaining == fund.budget.amount - 10 * 10_000


def test_a_placement_ended_before_the_commitment_began_commits_nothing(fund):
    start = fund.month + timedelta(days=14)
    commit(fund, rate=10_000, start=start, end=calc.month_end(fund.month))
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=fund.month + timedelta(days=3))
    assert svc.utilisation([fund.budget])[0].committed == 0


# --- 4. Last year's budget lines -------------------------------------------------------------


def test_last_years_lines_are_offered_in_january_and_while_money_remains(fund):
    meals = Programme.objects.get(code="permakanan")
    education = Programme.objects.exclude(pk=meals.pk).filter(is_active=True).first()
    assert education is not None
    for year in (2044, 2045, 2046):
        Budget.objects.create(fiscal_year=year, programme=meals, amount=0 if year == 2044 else 10)
        Budget.objects.create(fiscal_year=year, programme=education, amount=1_000)

    def offered(day: date) -> list[tuple[int, str]]:
        return [
            (line.budget.fiscal_year, line.budget.programme.code)
            for line in sel.budgets_for_commitment(fund.finance, day)
        ]

    january = offered(date(2045, 1, 15))
    assert (2044, meals.code) in january and (2044, education.code) in january
    march = offered(date(2045, 3, 1))
    assert (2044, education.code) in march and (2044, meals.code) not in march
    assert march[0][0] == 2045  # this year's lines come first
    assert {year for year, _code in offered(date(2046, 3, 1))} == {2045, 2046}


# --- 5. Case numbers link only for those who may open the case --------------------------------


def test_case_numbers_link_only_for_those_who_may_see_the_case(fund):
    commit(fund, rate=1_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    case_href = reverse("cases:detail", kwargs={"case_uuid": fund.case.uuid})
    assert case_access(fund.finance2, fund.case) is None
    outsider = client_for(fund.finance2)
    assert outsider.get(case_href).status_code == 404
    page = outsider.get(cycle_url(cycle)).content.decode()
    assert fund.case.number in page and case_href not in page
    member = client_for(fund.worker).get(cycle_url(cycle)).content.decode()
    assert f'<a class="tap" href="{case_href}">' in member


# --- 6. The claim page's states ----------------------------------------------------------------


def test_a_locked_month_without_a_claim_is_read_only_and_says_so(fund):
    commit(fund, rate=1_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    close(fund, run(fund).cycle)
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    page = client_for(fund.staff).get(url).content.decode()
    assert "No claim was filed for this month and the month is closed" in page
    assert "can no longer be changed" not in page and "submitted" not in page.lower()
    key = fund.placement.pk
    assert re.search(rf'<input[^>]*name="days_{key}"[^>]*disabled', page)
    assert "File the claim" not in page


def test_a_submitted_cycle_with_a_claim_says_submitted(fund):
    commit(fund, rate=1_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    key = fund.placement.pk
    svc.claim_file(
        svc.ClaimInput(month=fund.month, lines={key: (2, 2_000)}), acting_user=fund.staff
    )
    svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    url = reverse("funding:claim") + f"?bulan={fund.month:%Y-%m}"
    page = client_for(fund.staff).get(url).content.decode()
    assert "submitted this month&#x27;s cycle for approval" in page
    assert "File the claim" not in page
    with pytest.raises(ValidationError) as refused:
        svc.claim_file(
            svc.ClaimInput(month=fund.month, lines={key: (3, 3_000)}), acting_user=fund.staff
        )
    assert "submitted" in " ".join(refused.value.messages)


def test_only_months_with_a_placement_are_offered_for_a_claim(fund):
    Placement.objects.filter(pk=fund.placement.pk).update(started_on=fund.month)
    today = timezone.localdate()
    months = sel.claim_months(fund.staff, today)
    assert months == [calc.month_start(today), fund.month]
    before = calc.previous_month(calc.previous_month(fund.month))
    url = reverse("funding:claim") + f"?bulan={before:%Y-%m}"
    client = client_for(fund.staff)
    page = client.get(url).content.decode()
    assert f"?bulan={before:%Y-%m}" not in page
    assert "File the claim" not in page
    assert client.post(url, {"total_amount": "5"}).status_code == 400
    with pytest.raises(ValidationError):
        svc.claim_file(
            svc.ClaimInput(month=before, lines={}, total_amount=5), acting_user=fund.staff
        )
    assert not Claim.objects.exists()


# --- 7. Which way the claim differs ---------------------------------------------------------------


def test_the_difference_says_which_way(fund):
    commit(fund, rate=100_000)
    mark(fund.placement, month_days(fund.month)[:5], fund.staff)
    cycle = run(fund).cycle
    key = fund.placement.pk
    svc.claim_file(
        svc.ClaimInput(month=fund.month, lines={key: (4, 80_000)}), acting_user=fund.staff
    )
    page = client_for(fund.finance).get(cycle_url(cycle)).content.decode()
    assert "The claim is Rp 420,000 lower than the roster." in page
    assert "In total the claim is Rp 420,000 lower than the roster." in page
    assert "Rp -420" not in page
    with translation.override("en"):
        assert claim_difference(5) == "The claim is Rp 5 higher than the roster."


# --- 8. The payment list speaks the user's language ---------------------------------------------


def test_the_payment_list_has_translated_headers_and_labels(fund):
    commit(fund, rate=25_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fund.finance2)
    client = client_for(fund.finance2)
    xlsx = client.get(reverse("funding:payment_xlsx", kwargs={"cycle_uuid": cycle.uuid}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Cycle month" and header[-1] == "Amount (Rp)"
    assert not any("_" in str(value) for value in header)
    assert sheet.cell(row=2, column=10).value == "entitlement"
    assert sheet.cell(row=2, column=12).value == 50_000  # a number, not text
    assert sheet.cell(row=3, column=6).value == "Total to transfer"
    with translation.override("id"):
        assert sel.payment_header()[0] != "cycle_month"


# --- 9. One number format, the page's language ---------------------------------------------------


def test_rupiah_follow_the_language():
    with translation.override("id"):
        assert rupiah(2_380_750_000) == "2.380.750.000"
        assert rupiah(-850_000) == "-850.000"
    with translation.override("en"):
        assert rupiah(2_380_750_000) == "2,380,750,000"


def test_indonesian_pages_and_messages_use_indonesian_separators(fund):
    page = client_for(fund.worker, "id").get(
        reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid})
    )
    text = page.content.decode()
    assert "Rp 10.000.000.000" in text and "10,000,000,000" not in text
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        svc.commitment_check(
            svc.NewCommitment(
                placement=fund.placement,
                budget=fund.budget,
                rate_kind="daily",
                rate=0,
                starts_on=fund.month,
                ends_on=fund.month,
            )
        )
    assert "50.000.000" in " ".join(refused.value.messages)
    Budget.objects.filter(pk=fund.budget.pk).update(amount=120_000_000)
    with translation.override("id"), pytest.raises(ValidationError) as over:
        commit(fund, rate=50_000_000, start=fund.month, end=fund.month + timedelta(days=4))
    assert "250.000.000" in " ".join(over.value.messages)
    assert "120.000.000" in " ".join(over.value.messages)


# --- 10. Tap targets ------------------------------------------------------------------------


def test_standalone_links_are_tap_targets(fund):
    commit(fund, rate=1_000)
    mark(fund.placement, month_days(fund.month)[:2], fund.staff)
    cycle = run(fund).cycle
    client = client_for(fund.worker)
    for url in (
        reverse("funding:commit", kwargs={"case_uuid": fund.case.uuid}),
        cycle_url(cycle),
    ):
        main = client.get(url).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        anchors = re.findall(r"<a\s[^>]*>", main)
        assert anchors
        bare = [a for a in anchors if 'class="tap' not in a and 'class="button' not in a]
        assert bare == [], bare
