"""A Dinas Sosial social worker on a phone (360x740): refused by the religion rule with the
legal basis shown, then places the child in a fitting LKSA; every placement page fits."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.institutions.models import InstitutionKind
from kawal.placement import rules
from kawal.placement.models import DecisionStatus, PlacementDecision
from tests.browser.test_case_journey import sign_in
from tests.browser.test_shelters_care_layout import Checker
from tests.cases.conftest import open_case
from tests.helpers import make_user
from tests.placement.conftest import make_institution, set_child

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTION = "section[aria-labelledby='h-placement']"


def _png(tmp_path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 90)).save(buffer, format="PNG")
    path = tmp_path / "kesepakatan.png"
    path.write_bytes(buffer.getvalue())
    return str(path)


def _fill(page, institution_label: str) -> None:
    page.select_option("#id_institution", label=institution_label)
    page.fill("#id_document_number", "460/001/DINSOS-BPN/2026")
    page.fill("#id_conference_participants", "Manajer kasus; psikolog; Dinas Sosial")
    page.fill("#id_child_views", "Ingin tetap sekolah (sintetis).")
    page.fill("#id_last_resort_parents", "Orang tua belum mampu walau didukung (sintetis).")
    page.fill("#id_last_resort_kinship", "Tidak ada kerabat yang bersedia (sintetis).")
    page.fill("#id_last_resort_foster", "Belum ada orang tua asuh tersedia (sintetis).")
    page.select_option("#id_contact_frequency", "weekly")
    page.select_option("#id_contact_supervision", "supervised")
    page.fill("#id_school_distance_km", "3")


def test_refused_by_religion_then_placed(phone, monkeypatch, tmp_path):
    signed = [
        SimpleNamespace(instrument_code=code, signed_at=timezone.now() - timedelta(days=2))
        for code in rules.DEFAULTS["assessment"]["parameters"]["instruments"]
    ]
    monkeypatch.setattr(rules, "signed_assessments", lambda case: signed)
    owner = make_user(Role.CASE_MANAGER, username="pl-manajer")
    supervisor = make_user(Role.SUPERVISOR, username="pl-supervisor")
    worker = make_user(Role.SOCIAL_WORKER, username="pl-dinsos", full_name="Maya Sintetis")
    case = open_case(owner, supervisor, name="Yohana Sintetis binti Contoh")
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        user=worker,
        case_role="Pekerja sosial",
        data_classes=["identity", "whereabouts", "progress"],
        acting_user=owner,
    )
    set_child(case, religion="Kristen")
    make_institution(
        "Pondok Pesantren Uji (sintetis)", kind=InstitutionKind.PESANTREN, nsp_number="51"
    )
    make_institution("LKSA Harapan Uji (sintetis)")
    checker = Checker()

    sign_in(phone, worker)
    # The translations are compiled by the integrator: the page is read in English.
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/")
    checker.check(phone, "case-card", SECTION)
    phone.click(f"{SECTION} a:has-text('Prepare a placement decision')")
    phone.wait_for_url(re.compile(r"/penempatan/kasus/.+/baru/"))
    checker.check(phone, "decide-empty")
    _fill(phone, "Pondok Pesantren Uji (sintetis) — Boarding school (pesantren)")
    phone.click("button[value='preview']")
    refused = phone.locator("li.rule.fail[data-rule='religion']")
    refused.wait_for()
    assert "Article 37(3)" in refused.inner_text()
    checker.check(phone, "decide-refused")
    assert not PlacementDecision.objects.exists()

    # The summary at the top of the results names the failing rule.
    assert "Refused: The child's religion" in phone.inner_text(".rule-summary")
    phone.select_option(
        "#id_institution",
        label="LKSA Harapan Uji (sintetis) — LKSA / children's home (panti asuhan)",
    )
    # The agreement is on the form from the start; a file chosen before the
    # preview is still chosen after it (the preview swaps the form in place).
    phone.set_input_files("#id_agreement", _png(tmp_path))
    phone.fill("#id_agreement_signed_on", timezone.localdate().isoformat())
    phone.click("button[value='preview']")
    phone.locator("li.rule.pass[data-rule='religion']").wait_for()
    assert phone.locator("li.rule.fail").count() == 0
    assert phone.eval_on_selector("#id_agreement", "input => input.files.length") == 1
    # The page has moved to the results.
    assert phone.eval_on_selector("#rules-result", "e => e.getBoundingClientRect().top") < 300
    checker.check(phone, "decide-preview")
    phone.click("button[value='commit']")
    phone.wait_for_url(re.compile(r"/penempatan/keputusan/"))
    checker.check(phone, "decision")
    decision = PlacementDecision.objects.get()
    assert decision.status == DecisionStatus.PLACED and decision.placement.is_active
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/")
    checker.check(phone, "case-card-placed", SECTION)
    phone.click(f"{SECTION} a:has-text('End the placement')")
    checker.check(phone, "exit")
    checker.assert_ok()
