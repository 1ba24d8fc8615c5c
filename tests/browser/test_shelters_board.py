"""At the shelter's door on a 360x740 phone: admit a child and see them on the board."""

from __future__ import annotations

import re
import time

import pytest

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.shelters.models import Stay
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.browser.test_front_door_layout import Layout
from tests.cases.conftest import open_case
from tests.helpers import agency_for, make_user
from tests.shelters.conftest import admit, make_shelter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shared(owner, name: str):
    case = open_case(owner, name=name)
    return case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )


def test_shelter_staff_admit_a_child_and_see_the_board(phones):
    owner = make_user(Role.CASE_MANAGER, username="sb-manajer", full_name="Rina Sintetis")
    uptd = agency_for(Role.SHELTER_STAFF)
    staff = make_user(Role.SHELTER_STAFF, username="sb-uptd", full_name="Siti Sintetis")
    _shelter, girls, _boys, _teens = make_shelter(uptd, name="Rumah Aman Sintetis")
    staying = shared(owner, "Anggrek Sudah Tinggal Sintetis")
    arriving = shared(owner, "Melati Baru Datang Sintetis")
    for case in (staying, arriving):
        # The case manager puts the UPTD PPA on the team: that is what lets its staff admit.
        case_svc.member_add(
            case,
            agency=uptd,
            case_role="Rumah aman",
            data_classes=["identity", "whereabouts"],
            acting_user=owner,
        )
    admit(staying, girls.beds.get(label="G1"), staff, days_ago=35)
    target = girls.beds.get(label="G2")

    phone = phones()
    sign_in(phone, staff)
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    layout = Layout()
    phone.goto(phone.base_url + "/")
    # The home card leads to the board.
    phone.click("main a[href='/rumah-aman/']")
    phone.wait_for_url(phone.base_url + "/rumah-aman/")
    assert "Anggrek Sudah Tinggal Sintetis" in phone.inner_text("main")
    assert phone.locator("li.bed.long").count() == 1  # past the 30-day limit
    layout.check(phone, "board-before")

    started = time.monotonic()
    phone.click(f"a[href$='?tempat={target.uuid}']")
    phone.wait_for_url(re.compile(r"/rumah-aman/terima/"))
    assert phone.input_value("#id_bed") == str(target.uuid)
    layout.check(phone, "admit-form")
    phone.select_option("#id_case", str(arriving.uuid))
    phone.select_option("#id_arrived_from", "police")
    phone.fill("#id_brought_by", "Bripka Sintetis, Polsek Balikpapan Kota")
    phone.fill("#id_reason", "Ditemukan mengemis pukul 23.00 tanpa pendamping (sintetis)")
    phone.check("#id_health_done")
    phone.fill("#id_temperature", "36.9")
    phone.fill("#id_items-0-description", "Tas ransel biru")
    phone.click("button.add-belonging")  # the fourth row comes from the page's script
    phone.fill("#id_items-3-description", "Boneka kecil")
    no_horizontal_scroll(phone)
    phone.click("main button.primary")
    phone.wait_for_url(phone.base_url + "/rumah-aman/")
    seconds = time.monotonic() - started

    main = phone.inner_text("main")
    assert "Melati Baru Datang Sintetis" in main
    assert "Melati · G2" not in main  # the board groups by room, bed labels alone
    row = phone.locator("li.bed", has_text="Melati Baru Datang Sintetis")
    assert row.locator(".bed-label").inner_text() == "G2"
    assert phone.locator(".room-state.full").count() == 0
    assert phone.locator(".room-state.nearly-full").count() == 1  # Melati: one bed left
    layout.check(phone, "board-after")

    stay = Stay.objects.get(case=arriving)
    assert stay.bed == target and stay.admitted_by == staff
    assert sorted(stay.belongings.values_list("description", flat=True)) == [
        "Boneka kecil",
        "Tas ransel biru",
    ]

    # The stay page, from the board.
    row.locator("a").click()
    phone.wait_for_url(re.compile(r"/rumah-aman/tinggal/[0-9a-f-]+/$"))
    assert "36.9 °C" in phone.inner_text("main")
    layout.check(phone, "stay")
    stay_url = phone.url
    for name, suffix in (("edit", "ubah/"), ("transfer", "pindah/"), ("discharge", "keluar/")):
        phone.goto(stay_url + suffix)
        layout.check(phone, name)

    # The case manager sees the stay on the case page.
    manager_phone = phones()
    sign_in(manager_phone, owner)
    manager_phone.goto(manager_phone.base_url + f"/kasus/{arriving.uuid}/")
    assert "Rumah Aman Sintetis · Melati · G2" in manager_phone.inner_text("#h-shelter-stays + p")
    # The whole case page belongs to other apps too; here only that it fits.
    no_horizontal_scroll(manager_phone)
    layout.assert_ok()
    print(
        f"\nadmission on a 360 px phone, from the board's link to the board again: {seconds:.1f} s"
    )
