"""On a 360 px phone: the case manager fills in the safety and risk assessment.

Answers are autosaved as they are tapped, survive a reload, and the signed
assessment shows the server's score and band.
"""

from __future__ import annotations

import importlib
import re
import time

import pytest

from kawal.access.catalogue import Role
from kawal.assessments.models import SAFETY_RISK_CODE, Assessment, AssessmentStatus, Instrument
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.cases.conftest import open_case
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shipped_instruments() -> None:
    """Transactional tests flush the data migration's instruments; load them again."""
    if not Instrument.objects.filter(code=SAFETY_RISK_CODE).exists():
        from django.apps import apps

        migration = importlib.import_module("kawal.assessments.migrations.0002_shipped_instruments")
        migration.load(apps, None)


def english(page, language: str = "en") -> None:
    page.context.add_cookies([{"name": "kawal_language", "value": language, "url": page.base_url}])


def small_targets(page, selector: str) -> list[float]:
    heights = page.eval_on_selector_all(
        selector, "els => els.map(e => e.getBoundingClientRect().height)"
    )
    return [height for height in heights if height < 44]


def test_case_manager_fills_in_the_safety_assessment_on_a_phone(phones):
    shipped_instruments()
    manager = make_user(Role.CASE_MANAGER, username="as-manajer", full_name="Rina Sintetis")
    case = open_case(manager, name="Melati Sintetis binti Contoh")
    phone = phones()
    sign_in(phone, manager)
    english(phone)

    phone.goto(f"{phone.base_url}/kasus/{case.uuid}/")
    no_horizontal_scroll(phone)
    started = time.monotonic()
    phone.click("form:has(input[value='safety-risk']) button")
    phone.wait_for_url(re.compile(r"/asesmen/[0-9a-f-]+/isi/$"))
    fill_url = phone.url
    no_horizontal_scroll(phone)
    # The Indonesian questions (the default) are longer: still no sideways scroll.
    english(phone, "id")
    phone.reload()
    assert "Ada orang di rumah yang pernah menyakiti" in phone.inner_text("main")
    no_horizontal_scroll(phone)
    english(phone)
    phone.reload()
    assert small_targets(phone, "label.option") == []
    assert small_targets(phone, ".save-bar button") == []

    # Tap the first half of the answers; autosave stores them without a button.
    questions = phone.locator("fieldset.question")
    count = questions.count()
    assert count == 14
    for index in range(7):
        questions.nth(index).locator("label.option").nth(index % 3).click()
    phone.locator("#autosave-status", has_text=re.compile("^Saved at")).wait_for()
    draft = Assessment.objects.get(case=case)
    deadline = time.monotonic() + 10
    while len(draft.answers) < 7 and time.monotonic() < deadline:
        time.sleep(0.2)
        draft.refresh_from_db()
    assert len(draft.answers) == 7 and draft.status == AssessmentStatus.DRAFT

    # Later (here: a reload), the answers are there to carry on.
    phone.goto(fill_url)
    assert phone.locator("input[type=radio]:checked").count() == 7
    for index in range(7, count):
        questions.nth(index).locator("label.option").nth(index % 3).click()
    phone.fill("#id_q_wishes-kata-anak", "Aku mau sekolah lagi (sintetis).")
    phone.fill("#id_q_langkah-pengamanan", "Kunjungan rumah bersama Ketua RT (sintetis).")
    phone.click("button[value=review]")
    phone.wait_for_url(re.compile(r"/tanda-tangan/$"))
    no_horizontal_scroll(phone)
    assert "Result" in phone.inner_text("main")

    phone.check("#id_confirm")
    phone.click("main form button.primary")
    phone.wait_for_url(re.compile(r"/asesmen/[0-9a-f-]+/$"))
    elapsed = time.monotonic() - started
    no_horizontal_scroll(phone)
    signed = Assessment.objects.get(case=case)
    assert signed.status == AssessmentStatus.SIGNED and signed.signed_by == manager
    assert signed.total is not None and signed.band_code in {"low", "medium", "high"}
    main = phone.inner_text("main")
    assert "Safety and risk assessment" in main and "Aku mau sekolah lagi" in main
    band = signed.result["band"]["label_en"]
    assert band in main
    # The case page lists it with its result.
    phone.goto(f"{phone.base_url}/kasus/{case.uuid}/")
    assert band in phone.inner_text("#h-assessments + *, section[aria-labelledby=h-assessments]")
    no_horizontal_scroll(phone)
    print(f"safety assessment on a phone: {count + 2} answers, signed in {elapsed:.1f} s")
