"""On a phone in the street: a capture finds the child already known and links to them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency
from kawal.outreach.models import Capture
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user
from tests.identity.conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def capture(page, name: str, age: str) -> None:
    page.click("a[href$='/temuan/']")
    page.fill("#id_name_as_told", name)
    page.fill("#id_age_estimate", age)
    page.select_option("#id_sex", "M")
    page.select_option("#id_activity", "tissues")
    page.fill("#id_place", "Simpang empat (sintetis)")
    page.select_option("#id_taken_to", "home")
    page.click("main button.primary")


def test_outreach_capture_finds_the_known_child_and_links_to_it(phones):
    manager = make_user(Role.CASE_MANAGER, username="ij-manajer", full_name="Rina Sintetis")
    satpol = Agency.objects.create(name="Satpol PP Sintetis", kind="satpol_pp")
    patrol = make_user(
        Role.PATROL_OFFICER, username="ij-satpol", full_name="Joko Sintetis", agency=satpol
    )
    known = register(
        manager, "Muhammad Riski bin Darman", aliases=["Kiki"], birth_date=date(2015, 4, 9)
    )

    phone = phones()
    sign_in(phone, manager)
    phone.goto(phone.base_url + "/penjangkauan/baru/")
    no_horizontal_scroll(phone)
    phone.fill("#id_title", "Operasi Simpang Rapak (sintetis)")
    phone.fill("#id_starts_at", "2026-11-20T19:00")
    phone.select_option("#id_area", "64.71.06.1004")
    phone.check(f"input[name='agencies'][value='{satpol.pk}']")
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/penjangkauan/[0-9a-f-]+/$"))
    operation_url = phone.url

    # The patrol officer may not see the child's file: only whom to ask.
    street = phones()
    sign_in(street, patrol)
    street.goto(operation_url)
    capture(street, "Moh. Rizky", "10")
    panel = street.locator("#candidates")
    panel.wait_for()
    assert "Rina Sintetis" in panel.inner_text()
    assert "Muhammad Riski" not in street.content() and known.number not in street.content()
    no_horizontal_scroll(street)

    # The case manager on the same operation sees who it is, and why.
    capture(phone, "Kiki", "10")
    panel = phone.locator("#candidates")
    panel.wait_for()
    assert "Muhammad Riski bin Darman" in panel.inner_text()
    assert known.number in panel.inner_text()
    phone.click("#candidates summary")  # "why this match"
    assert phone.locator("table.explain").is_visible()
    no_horizontal_scroll(phone)
    phone.check(f"input[name='identity_choice'][value='link:{known.child.uuid}']")
    phone.click("main button.primary")
    phone.wait_for_url(operation_url)
    assert known.number in phone.inner_text("main")
    linked = Capture.objects.get()
    assert linked.child_id == known.child_id and linked.case_id == known.pk
    assert known.events.filter(kind="outreach.found").exists()
