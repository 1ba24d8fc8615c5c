"""The front door, on phones: a citizen reports, the case manager sends an operation,
Satpol PP captures two siblings (one already known), and a case is opened for the other."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency
from kawal.cases.models import Case
from kawal.identity.models import DuplicatePair
from kawal.outreach.models import Capture
from kawal.reports.models import Report
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user
from tests.identity.conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def capture(page, name: str, age: str, sex: str, report: Report) -> None:
    page.click("a[href$='/temuan/']")
    page.fill("#id_name_as_told", name)
    page.fill("#id_age_estimate", age)
    page.select_option("#id_sex", sex)
    page.select_option("#id_activity", "tissues")
    page.select_option("#id_taken_to", "home")
    page.select_option("#id_report", str(report.uuid))
    page.click("main button.primary")


def test_citizen_report_to_operation_to_captures_to_case(phones):
    manager = make_user(Role.CASE_MANAGER, username="fd-manajer", full_name="Rina Sintetis")
    satpol = Agency.objects.create(name="Satpol PP Sintetis", kind="satpol_pp")
    patrol = make_user(
        Role.PATROL_OFFICER, username="fd-satpol", full_name="Joko Sintetis", agency=satpol
    )
    known = register(
        manager, "Muhammad Riski bin Darman", aliases=["Kiki"], birth_date=date(2015, 4, 9)
    )

    # A citizen, no account.
    citizen = phones()
    citizen.goto(citizen.base_url + "/lapor/")
    citizen.check("input[name='seen'][value='tissues']")
    citizen.fill("#id_children_count", "2")
    citizen.fill("#id_youngest_age", "7")
    citizen.fill("#id_oldest_age", "11")
    when = (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    citizen.fill("#id_seen_at", when)
    citizen.select_option("#id_kelurahan", "64.71.06.1004")
    citizen.fill("#id_landmark", "Lampu merah Klandasan (sintetis)")
    citizen.click("main button.primary")
    citizen.wait_for_url(re.compile(r"/lapor/terima-kasih/$"))
    report = Report.objects.get()

    # The case manager plans an operation and sends it to the report.
    desk = phones()
    sign_in(desk, manager)
    desk.goto(desk.base_url + "/penjangkauan/baru/")
    desk.fill("#id_title", "Operasi Klandasan (sintetis)")
    desk.fill("#id_starts_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    desk.select_option("#id_area", "64.71.06.1004")
    desk.check(f"input[name='agencies'][value='{satpol.pk}']")
    desk.click("main button.primary")
    desk.wait_for_url(re.compile(r"/penjangkauan/[0-9a-f-]+/$"))
    operation_url = desk.url
    desk.goto(desk.base_url + "/laporan/")
    no_horizontal_scroll(desk)
    desk.click(f"a[href$='/laporan/{report.uuid}/']")
    desk.click("button[value='assign']")
    desk.wait_for_url(re.compile(rf"/laporan/{report.uuid}/$"))
    report.refresh_from_db()
    assert report.operation is not None and report.status == "in_progress"

    # Satpol PP in the street: two siblings. The first is already known.
    street = phones()
    sign_in(street, patrol)
    street.goto(operation_url)
    capture(street, "Kiki", "10", "M", report)
    # The officer may not see the known child's file: not even told it exists.
    street.wait_for_url(operation_url)
    assert street.locator("#candidates").count() == 0
    assert "Muhammad Riski" not in street.content()
    assert "Rina Sintetis" not in street.content()
    capture(street, "Wulan", "7", "F", report)
    street.wait_for_url(operation_url)
    no_horizontal_scroll(street)
    first, second = Capture.objects.order_by("created_at")
    assert first.outcome == "ask" and second.outcome == "new"
    assert first.report == report and second.report == report
    pair = DuplicatePair.objects.get()
    assert {pair.first_id, pair.second_id} == {known.child_id, first.child_id}

    # Back at the desk: a case for the sister, from her capture.
    desk.goto(operation_url)
    desk.click(f"a[href$='?temuan={second.uuid}']")
    desk.fill("#id_full_name", "Wulan Sintetis binti Darman")
    desk.fill("#id_age_min", "6")
    desk.fill("#id_age_max", "8")
    desk.select_option("#id_school_status", "dropped_out")
    desk.check("input[name='forms_'][value='forced_selling']")
    desk.click("main button.primary")
    if desk.locator("#candidates").count():
        desk.check("input[name='identity_choice'][value='new']")
        desk.fill("#id_new_child_reason", "Adik perempuan, bukan anak yang sama (sintetis)")
        desk.click("main button.primary")
    desk.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/$"))
    case = Case.objects.exclude(pk=known.pk).get()
    second.refresh_from_db()
    assert case.child_id == second.child_id and second.case_id == case.pk
    no_horizontal_scroll(desk)
