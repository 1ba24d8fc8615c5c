"""The issue's journey at 360x740, each user signing in through the login page:

Dinas Sosial is refused by the religion rule (legal basis shown), places the
child in a fitting LKSA and commits funding; the LKSA staff mark the child
present; the month's cycle is computed and submitted by Dinas Sosial and
approved by finance for rate x days present; once school readiness is
confirmed, the school liaison records the re-enrolment without ever seeing
where the child lives.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.db.models import Sum
from django.utils import timezone, translation
from PIL import Image

from kawal.funding.models import Commitment, Cycle, CycleStatus, Entitlement
from kawal.institutions.models import Institution
from kawal.monitoring.models import Presence
from kawal.placement.models import DecisionStatus, Placement, PlacementDecision
from kawal.schooling.models import Enrolment
from tests.browser.journey_setup import LKSA, LKSA_ADDRESS, Journey, build, clear_for_school
from tests.browser.test_case_journey import no_horizontal_scroll
from tests.browser.test_front_door_layout import Layout
from tests.helpers import PASSWORD, add_totp, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATE = 75_000
NPSN = "30401201"
SCHOOL = "SD Negeri 012 Balikpapan Selatan (sintetis)"
PLACEMENT_CARD = "section[aria-labelledby='h-placement']"
FUNDING_CARD = "section[aria-labelledby='h-funding']"


class Steps:
    """Every page of the journey must fit the phone: no sideways scroll (asserted on the
    spot), nothing cut off, clipped, off screen or covered (reported at the end).

    Tap-target sizes are the layout tests' business (test_*_layout.py); they are
    left out here so this journey fails on what it owns: the pages fit at 360 px."""

    def __init__(self) -> None:
        self.layout = Layout()

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        no_horizontal_scroll(page)
        self.layout.check(page, name)

    def assert_fits(self) -> None:
        problems = {
            page: [found for found in problems if "tap target" not in found]
            for page, problems in self.layout.problems.items()
        }
        problems = {page: found for page, found in problems.items() if found}
        assert not problems, "\n".join(
            f"{page}:\n  " + "\n  ".join(found) for page, found in problems.items()
        )


def sign_in(page, user, steps: Steps) -> None:
    device = add_totp(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "kawal_language", "value": "en", "url": page.base_url}])
    page.goto(page.base_url + "/masuk/")
    steps.check(page, f"sign-in {user.username}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/masuk/verifikasi/"))
    page.fill("#id_code", current_code(device))
    page.click("main button.primary")
    page.wait_for_url(page.base_url + "/")
    steps.check(page, f"home {user.username}")


def institution_label(institution: Institution) -> str:
    with translation.override("en"):
        return f"{institution.name} — {institution.get_kind_display()}"


def fill_decision(page, institution: Institution) -> None:
    page.select_option("#id_institution", label=institution_label(institution))
    page.fill("#id_document_number", "460/077/DINSOS-BPN/2026 (sintetis)")
    page.fill("#id_conference_participants", "Manajer kasus; psikolog; Dinas Sosial (sintetis)")
    page.fill("#id_child_views", "Ingin tinggal dekat sekolah dan tetap salat (sintetis).")
    page.fill("#id_last_resort_parents", "Orang tua belum mampu walau didukung (sintetis).")
    page.fill("#id_last_resort_kinship", "Tidak ada kerabat yang bersedia (sintetis).")
    page.fill("#id_last_resort_foster", "Belum ada orang tua asuh tersedia (sintetis).")
    page.fill("#id_religion_respect", "Pengasuh muslim, waktu salat dan makanan halal (sintetis).")
    page.select_option("#id_contact_frequency", "weekly")
    page.select_option("#id_contact_supervision", "supervised")
    page.fill("#id_school_distance_km", "3")


def agreement_file(tmp_path) -> tuple[str, str]:
    """A scanned agreement on disk; returns its path and sha256."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (240, 240, 230)).save(buffer, format="PNG")
    path = tmp_path / "kesepakatan-penempatan.png"
    path.write_bytes(buffer.getvalue())
    return str(path), hashlib.sha256(buffer.getvalue()).hexdigest()


def assert_no_whereabouts(page, journey: Journey) -> None:
    html = page.content()
    assert LKSA not in html, page.url
    assert LKSA_ADDRESS not in html, page.url
    assert journey.church_lksa.name not in html, page.url


def test_placed_by_the_rules_funded_paid_and_back_at_school(phones, tmp_path):
    journey = build()
    case = journey.case
    today = timezone.localdate()
    steps = Steps()

    # 1. Dinas Sosial tries the church-based LKSA for a Muslim child: refused, basis shown.
    office = phones()
    sign_in(office, journey.worker, steps)
    office.goto(office.base_url + f"/kasus/{case.uuid}/")
    steps.check(office, "case")
    office.click(f"{PLACEMENT_CARD} a:has-text('Prepare a placement decision')")
    office.wait_for_url(re.compile(r"/penempatan/kasus/.+/baru/$"))
    steps.check(office, "decide")
    fill_decision(office, journey.church_lksa)
    office.click("button[value='preview']")
    religion = office.locator("li.rule.fail[data-rule='religion']")
    religion.wait_for()
    assert "23/2002" in religion.inner_text() and "Article 37(3)" in religion.inner_text()
    # The religion rule alone refuses it: every other rule is met.
    assert office.locator("li.rule.fail, li.rule.needs_override").count() == 1
    assert "Refused: a hard rule is not met" in office.inner_text("main")
    # The agreement is on the form from the start; a refusal is recorded without it.
    assert "Record the refusal" in office.inner_text("button[value='commit']")
    steps.check(office, "decide-refused")
    office.click("button[value='commit']")  # "Record the refusal"
    office.wait_for_url(re.compile(r"/penempatan/keputusan/[^/]+/$"))
    assert "Article 37(3)" in office.inner_text("main")
    steps.check(office, "decision-refused")
    refusal = PlacementDecision.objects.get()
    assert refusal.status == DecisionStatus.REFUSED
    assert refusal.institution == journey.church_lksa
    assert not Placement.objects.exists()

    # 2. The fitting LKSA: every rule met, the signed agreement attached, the child placed.
    office.goto(office.base_url + f"/penempatan/kasus/{case.uuid}/baru/")
    fill_decision(office, journey.lksa)
    office.click("button[value='preview']")
    office.locator("li.rule.pass[data-rule='religion']").wait_for()
    office.locator("li.rule.pass[data-rule='assessment']").wait_for()
    office.locator("li.rule.pass[data-rule='last_resort']").wait_for()
    assert office.locator("li.rule.fail, li.rule.needs_override").count() == 0
    steps.check(office, "decide-preview")
    path, sha256 = agreement_file(tmp_path)
    office.set_input_files("#id_agreement", path)
    office.fill("#id_agreement_signed_on", today.isoformat())
    office.click("button[value='commit']")
    office.wait_for_url(re.compile(r"/penempatan/keputusan/[^/]+/$"))
    steps.check(office, "decision-placed")
    decision = PlacementDecision.objects.exclude(pk=refusal.pk).get()
    assert decision.status == DecisionStatus.PLACED
    assert decision.agreement_sha256 == sha256
    placement = Placement.objects.active().get(child=case.child)
    assert placement.institution == journey.lksa and placement.started_on == today

    # 3. Funding for the placement, at a daily rate, from the case's funding card.
    office.goto(office.base_url + f"/kasus/{case.uuid}/")
    office.click(f"{FUNDING_CARD} a[href$='/dana/komitmen/']")
    office.wait_for_url(re.compile(r"/dana/komitmen/$"))
    steps.check(office, "commit")
    assert office.input_value("#id_placement") == str(placement.uuid)
    assert office.input_value("#id_starts_on") == today.isoformat()
    office.select_option("#id_budget", str(journey.budget.uuid))
    office.select_option("#id_rate_kind", "daily")
    office.fill("#id_rate", f"{RATE}")
    office.click("main button.primary:has-text('Commit')")
    office.wait_for_url(re.compile(rf"/kasus/{case.uuid}/$"))
    assert f"Rp {RATE:,}" in office.inner_text(FUNDING_CARD)
    steps.check(office, "case-funded")
    commitment = Commitment.objects.get()
    assert (commitment.placement, commitment.rate_kind, commitment.rate) == (
        placement,
        "daily",
        RATE,
    )

    # 4. The LKSA staff mark the child present with one tap.
    lksa = phones()
    sign_in(lksa, journey.staff, steps)
    lksa.click("main a[href='/asuhan/absensi/']")
    lksa.wait_for_url(re.compile(r"/asuhan/absensi/$"))
    steps.check(lksa, "roster")
    lksa.locator(f"#r-{placement.uuid} button.present").click()
    lksa.wait_for_selector(f"#r-{placement.uuid}.is-present")
    steps.check(lksa, "roster-marked")
    marked = Presence.objects.get()
    assert (marked.placement, marked.day, marked.present, marked.recorded_by) == (
        placement,
        today,
        True,
        journey.staff,
    )

    # 5. Dinas Sosial computes and submits the month; finance (another user) approves.
    office.goto(office.base_url + "/dana/siklus/")
    steps.check(office, "cycles")
    office.fill("#id_month", f"{today:%Y-%m}")
    office.select_option("#id_institution", str(journey.lksa.uuid))
    office.click("main button.primary:has-text('Compute')")
    office.wait_for_url(re.compile(r"/dana/siklus/\?bulan="))
    cycle = Cycle.objects.get(institution=journey.lksa, month=today.replace(day=1))
    office.click(f"main a[href='/dana/siklus/{cycle.uuid}/']")
    office.wait_for_url(re.compile(rf"/dana/siklus/{cycle.uuid}/$"))
    steps.check(office, "cycle-open")
    office.click("main button:has-text('Submit for approval')")
    office.wait_for_selector("text=Submitted for approval.")
    assert office.locator("main button:has-text('Approve')").count() == 0
    steps.check(office, "cycle-submitted")

    finance = phones()
    sign_in(finance, journey.finance, steps)
    assert "1 cycle waits for your approval." in finance.inner_text("main")
    finance.click("main a[href='/dana/siklus/']")
    finance.wait_for_url(re.compile(r"/dana/siklus/$"))
    steps.check(finance, "cycles-finance")
    finance.click(f"main a[href='/dana/siklus/{cycle.uuid}/']")
    finance.wait_for_url(re.compile(rf"/dana/siklus/{cycle.uuid}/$"))
    steps.check(finance, "cycle-to-approve")
    finance.click("main button.primary:has-text('Approve')")
    finance.wait_for_selector("text=Approved. The payment list can be downloaded.")
    steps.check(finance, "cycle-approved")

    present_days = Presence.objects.filter(
        placement=placement, present=True, day__year=today.year, day__month=today.month
    ).count()
    assert present_days == 1  # the one tap
    expected = RATE * present_days
    total_due = finance.locator("dt:has-text('Total due') + dd").inner_text()
    assert total_due == f"Rp {expected:,}", total_due
    line = finance.locator("section[aria-labelledby='h-lines'] li.money-line").inner_text()
    assert f"{present_days} day · Rp {expected:,}" in line, line
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.APPROVED
    assert (cycle.prepared_by, cycle.approved_by) == (journey.worker, journey.finance)
    assert Entitlement.objects.filter(cycle=cycle).aggregate(total=Sum("amount"))["total"] == (
        expected
    )

    # 6. The school liaison: refused before the clearance, then enrols the child.
    school = phones()
    sign_in(school, journey.liaison, steps)
    assert_no_whereabouts(school, journey)
    school.goto(school.base_url + f"/kasus/{case.uuid}/sekolah/daftar/")
    assert "not yet cleared as safe" in school.inner_text("main")
    assert_no_whereabouts(school, journey)
    steps.check(school, "enrol-refused")

    clear_for_school(journey)
    school.goto(school.base_url + "/")
    assert "waiting to be enrolled" in school.inner_text("main")
    school.click("main a[href='/sekolah/']")
    school.wait_for_url(re.compile(r"/sekolah/$"))
    assert_no_whereabouts(school, journey)
    steps.check(school, "schooling-list")
    school.click(f"main a[href='/kasus/{case.uuid}/sekolah/']")
    school.wait_for_url(re.compile(rf"/kasus/{case.uuid}/sekolah/$"))
    assert_no_whereabouts(school, journey)
    steps.check(school, "schooling-case")
    school.click(f"main a[href='/kasus/{case.uuid}/sekolah/daftar/']")
    school.wait_for_url(re.compile(r"/sekolah/daftar/$"))
    assert_no_whereabouts(school, journey)
    steps.check(school, "enrol")
    school.fill("#id_school_name", SCHOOL)
    school.fill("#id_npsn", NPSN)
    school.select_option("#id_level", "sd")
    school.fill("#id_grade", "4")
    school.fill("#id_enrolled_on", today.isoformat())
    school.click("main button[type=submit]")
    school.wait_for_url(re.compile(rf"/kasus/{case.uuid}/sekolah/$"))
    assert SCHOOL in school.inner_text("main")
    assert_no_whereabouts(school, journey)
    steps.check(school, "enrolled")
    enrolment = Enrolment.objects.get()
    assert (enrolment.case, enrolment.npsn, enrolment.arranged_by) == (
        case,
        NPSN,
        journey.liaison,
    )
    # The case page the liaison may open shows no trace of the institution either.
    response = school.goto(school.base_url + f"/kasus/{case.uuid}/")
    assert response is not None and response.status == 200
    assert SCHOOL in school.inner_text("main")
    assert_no_whereabouts(school, journey)
    steps.check(school, "case-liaison")

    steps.assert_fits()
