"""A case manager opens a case and builds a team; each member sees only their part."""

from __future__ import annotations

import re

import pytest

from kawal.access.catalogue import Role
from kawal.cases.models import Case
from tests.helpers import PASSWORD, add_totp, current_code, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLINICAL = "Anak mulai tidur nyenyak (observasi sintetis)"
POLICE_LP = "LP/B/123/2026/SPKT-SINTETIS"


def sign_in(page, user) -> None:
    device = add_totp(user)
    page.context.clear_cookies()
    page.goto(page.base_url + "/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/masuk/verifikasi/"))
    page.fill("#id_code", current_code(device))
    page.click("main button.primary")
    page.wait_for_url(page.base_url + "/")


def no_horizontal_scroll(page) -> None:
    # Called right after clicks that navigate: measure the new page once it is there.
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def add_member(page, user, role_in_case: str, classes: list[str]) -> None:
    page.click("a[href$='/tim/']")
    page.select_option("#id_user", label=str(user))
    page.fill("#id_case_role", role_in_case)
    for data_class in classes:
        page.check(f"input[name='data_classes'][value='{data_class}']")
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))


def test_case_manager_builds_a_team_and_each_sees_only_their_part(phones):
    phone = phones()
    manager = make_user(Role.CASE_MANAGER, username="jr-manajer", full_name="Rina Sintetis")
    supervisor = make_user(Role.SUPERVISOR, username="jr-supervisor", full_name="Hendra Sintetis")
    psychologist = make_user(Role.PSYCHOLOGIST, username="jr-psikolog", full_name="Dewi Sintetis")
    investigator = make_user(Role.INVESTIGATOR, username="jr-polisi", full_name="Agus Sintetis")
    del supervisor

    sign_in(phone, manager)
    manager_phone = phone
    phone.goto(phone.base_url + "/kasus/baru/")
    no_horizontal_scroll(phone)
    phone.fill("#id_full_name", "Melati Sintetis binti Contoh")
    phone.fill("#id_aliases", "Mel")
    phone.select_option("#id_sex", "F")
    phone.fill("#id_age_min", "8")
    phone.fill("#id_age_max", "9")
    phone.select_option("#id_school_status", "dropped_out")
    phone.select_option("#id_kelurahan", "64.71.06.1004")
    phone.select_option("#id_intake_channel", "outreach")
    phone.check("input[name='forms_'][value='forced_selling']")
    phone.select_option("#id_supervisor", label="Hendra Sintetis")
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    case = Case.objects.get()
    assert case.number in phone.inner_text("h1")
    no_horizontal_scroll(phone)

    # Sharing outside DP3AKB needs a recorded basis first.
    phone.click("a[href$='/ubah/']")
    phone.select_option("#id_sharing_basis", "legal_obligation")
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    add_member(phone, psychologist, "Psikolog pendamping", ["identity", "whereabouts", "clinical"])
    add_member(phone, investigator, "Penyidik", ["identity", "investigation"])
    assert "Dewi Sintetis" in phone.inner_text("main") and "Agus Sintetis" in phone.inner_text(
        "main"
    )

    # The psychologist, on her own phone, writes a clinical note and sees no police section.
    psy_phone = phones()
    sign_in(psy_phone, psychologist)
    phone = psy_phone
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/")
    assert "Melati Sintetis" in phone.inner_text("main")
    phone.click("a[href$='/catatan/']")
    phone.select_option("#id_data_class", "clinical")
    phone.fill("#id_body", CLINICAL)
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    assert CLINICAL in phone.inner_text("main")
    assert phone.locator("#h-police").count() == 0

    # The investigator records the police report and never sees the clinical note.
    phone = phones()
    sign_in(phone, investigator)
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/")
    phone.click("a[href$='/polisi/']")
    phone.fill("#id_police_report_number", POLICE_LP)
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    main = phone.inner_text("main")
    assert POLICE_LP in main and "Melati Sintetis" in main
    assert CLINICAL not in phone.content()
    no_horizontal_scroll(phone)

    # Back to the psychologist: the police report stays out of sight.
    psy_phone.goto(psy_phone.base_url + f"/kasus/{case.uuid}/")
    assert POLICE_LP not in psy_phone.content()

    # The case manager sees the police section but not the clinical note.
    phone = manager_phone
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/")
    assert POLICE_LP in phone.content() and CLINICAL not in phone.content()
    # And can see who looked at the file.
    phone.click("a[href$='/akses/']")
    assert "Dewi Sintetis" in phone.inner_text("main") and "Agus Sintetis" in phone.inner_text(
        "main"
    )
