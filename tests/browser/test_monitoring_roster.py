"""At the LKSA on a 360x740 phone: the staff mark today's roster, one tap a child."""

from __future__ import annotations

import re

import pytest

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.monitoring.models import Presence
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.browser.test_front_door_layout import Layout
from tests.cases.conftest import open_case
from tests.helpers import agency_for, make_user
from tests.monitoring.conftest import make_institution, place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_institution_staff_mark_presence_with_one_tap(phones):
    owner = make_user(Role.CASE_MANAGER, username="mr-manajer", full_name="Rina Sintetis")
    worker = make_user(Role.SOCIAL_WORKER, username="mr-dinsos", full_name="Maya Sintetis")
    agency = agency_for(Role.INSTITUTION_STAFF)
    staff = make_user(
        Role.INSTITUTION_STAFF, username="mr-lksa", full_name="Ratna Sintetis", agency=agency
    )
    institution = make_institution(agency, "LKSA Harapan Sintetis")
    first = place(open_case(owner, name="Anggrek Panjang Namanya Sintetis"), institution, worker)
    second = place(open_case(owner, name="Bayu Sintetis"), institution, worker, days_ago=5)

    phone = phones()
    sign_in(phone, staff)
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    layout = Layout()
    phone.goto(phone.base_url + "/")
    assert "Children in our care" in phone.inner_text("main")
    layout.check(phone, "home")
    phone.click("main a[href='/asuhan/absensi/']")
    phone.wait_for_url(re.compile(r"/asuhan/absensi/$"))
    layout.check(phone, "roster-before")

    row = phone.locator(f"#r-{first.uuid}")
    row.locator("button.present").click()
    # htmx swaps the row in place: no page load, the button shows it is pressed.
    phone.wait_for_selector(f"#r-{first.uuid}.is-present")
    assert phone.url.endswith("/asuhan/absensi/")
    phone.locator(f"#r-{second.uuid} button.absent").click()
    phone.wait_for_selector(f"#r-{second.uuid}.is-absent")
    assert phone.locator(f"#r-{first.uuid} button.present").get_attribute("aria-pressed") == "true"
    layout.check(phone, "roster-after")

    marks = dict(Presence.objects.values_list("placement_id", "present"))
    assert marks == {first.pk: True, second.pk: False}
    assert set(Presence.objects.values_list("recorded_by_id", flat=True)) == {staff.pk}

    # Tapping again changes the one row of the day.
    phone.locator(f"#r-{second.uuid} button.present").click()
    phone.wait_for_selector(f"#r-{second.uuid}.is-present")
    assert Presence.objects.filter(placement=second).count() == 1
    assert Presence.objects.get(placement=second).present is True

    # The child's card, from the list.
    phone.goto(phone.base_url + "/asuhan/anak/")
    layout.check(phone, "children")
    phone.click(f"a[href='/asuhan/anak/{first.uuid}/']")
    phone.wait_for_url(re.compile(r"/asuhan/anak/[0-9a-f-]+/$"))
    assert "Anggrek Panjang Namanya Sintetis" in phone.inner_text("main")
    layout.check(phone, "child")
    phone.goto(phone.base_url + f"/asuhan/anak/{first.uuid}/kejadian/")
    layout.check(phone, "incident")
    layout.assert_ok()

    # Dinas Sosial, on the case team, records a visit and sees the card on the case page.
    case = first.case
    case.sharing_basis = SharingBasis.LEGAL_OBLIGATION
    case.save(update_fields=["sharing_basis"])
    case_svc.member_add(
        case,
        user=worker,
        case_role="Dinas Sosial",
        data_classes=["identity", "whereabouts"],
        acting_user=owner,
    )
    office = phones()
    sign_in(office, worker)
    office.context.add_cookies([{"name": "kawal_language", "value": "en", "url": office.base_url}])
    office.goto(office.base_url + f"/pemantauan/{first.uuid}/kunjungan/")
    office.fill("#id_visitors", "Maya Sintetis, Dinas Sosial")
    office.fill("#id_findings", "Kamar bersih, anak ceria (sintetis)")
    office.check("input[name='child_seen_alone'][value='yes']")
    office.click("main button.primary")
    office.wait_for_url(re.compile(r"/kasus/[0-9a-f-]+/"))
    card = office.inner_text("#monitoring")
    assert "Kamar bersih, anak ceria (sintetis)" in card
    assert "present 1 of 1 days marked" in card
    no_horizontal_scroll(office)
