"""The school liaison on a 360x740 phone: refused before the clearance, then
enrols the child and records the month's attendance."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from tests.browser.test_case_journey import sign_in
from tests.browser.test_front_door_layout import Layout
from tests.cases.conftest import open_case
from tests.helpers import make_user
from tests.schooling.conftest import clear

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_enrols_once_cleared_and_records_attendance(phones):
    owner = make_user(Role.CASE_MANAGER, username="sc-manajer", full_name="Rina Sintetis")
    boss = make_user(Role.SUPERVISOR, username="sc-boss", full_name="Hendra Sintetis")
    psy = make_user(Role.PSYCHOLOGIST, username="sc-psy", full_name="Dewi Sintetis")
    liaison = make_user(Role.SCHOOL_LIAISON, username="sc-sekolah", full_name="Yusuf Sintetis")
    case = open_case(owner, boss, name="Melati Panjang Namanya Sintetis")
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        agency=liaison.agency,
        case_role="Dinas Pendidikan",
        data_classes=[DataClass.IDENTITY],
        acting_user=owner,
    )
    phone = phones()
    sign_in(phone, liaison)
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    layout = Layout()
    phone.goto(phone.base_url + "/sekolah/")
    assert "Not cleared yet" in phone.inner_text("main")
    layout.check(phone, "list-before")
    phone.goto(phone.base_url + f"/kasus/{case.uuid}/sekolah/daftar/")
    assert "not yet cleared as safe" in phone.inner_text("main")

    clear(case, psy, boss, days_ago=40)
    phone.goto(phone.base_url + "/")
    assert "waiting to be enrolled" in phone.inner_text("main")
    phone.click("main a[href='/sekolah/']")
    phone.wait_for_url(re.compile(r"/sekolah/$"))
    phone.click(f"a[href='/kasus/{case.uuid}/sekolah/']")
    phone.wait_for_url(re.compile(r"/sekolah/$"))
    layout.check(phone, "case-cleared")
    phone.click(f"a[href='/kasus/{case.uuid}/sekolah/daftar/']")
    phone.fill("#id_school_name", "SD Negeri 012 Balikpapan Selatan (sintetis)")
    phone.fill("#id_npsn", "3040120")  # seven digits: refused, input kept
    phone.select_option("#id_level", "sd")
    phone.fill("#id_grade", "4")
    phone.fill("#id_enrolled_on", (timezone.localdate() - timedelta(days=35)).isoformat())
    phone.click("main button[type=submit]")
    phone.wait_for_selector("p.error")
    assert "8-digit" in phone.inner_text("main")
    assert phone.input_value("#id_school_name").startswith("SD Negeri 012")
    layout.check(phone, "enrol-error")
    phone.fill("#id_npsn", "30401201")
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r"/sekolah/$"))
    assert Enrolment.objects.get().arranged_by == liaison

    phone.click(f"main a[href='/kasus/{case.uuid}/sekolah/kehadiran/']")
    phone.fill("#id_school_days", "20")
    phone.fill("#id_days_absent", "6")
    phone.select_option("#id_reason", "work")
    phone.click("main button[type=submit]")
    phone.wait_for_url(re.compile(r"/sekolah/$"))
    assert "under the minimum" in phone.inner_text("main")
    assert "70%" in phone.inner_text("main")
    layout.check(phone, "case-attendance")
    assert AttendanceFollowUp.objects.count() == 1
    layout.assert_ok()
