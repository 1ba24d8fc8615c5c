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


def planned_with_a_patrol(phones):
    """A case manager's phone on the operation they planned, a patrol officer's on
    the same, the boy known to the manager, and the operation's address."""
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
    street = phones()
    sign_in(street, patrol)
    street.goto(phone.url)
    return phone, street, known, phone.url


def test_outreach_capture_finds_the_known_child_and_links_to_it(phones):
    phone, street, known, operation_url = planned_with_a_patrol(phones)

    # The patrol officer may not see the child's file: saved for review, nothing told.
    capture(street, "Moh. Rizky", "10")
    street.wait_for_url(operation_url)
    assert street.locator("#candidates").count() == 0
    assert "Muhammad Riski" not in street.content() and known.number not in street.content()
    assert "Rina Sintetis" not in street.content()
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
    linked = Capture.objects.get(outcome="linked")
    assert linked.child_id == known.child_id and linked.case_id == known.pk
    assert known.events.filter(kind="outreach.found").exists()


def test_supervisor_reviews_a_pair_merges_and_undoes_on_a_phone(phones):
    from kawal.identity import services as identity_svc
    from kawal.identity.matching import Scorer, make_record
    from kawal.people.models import Person
    from tests.identity.conftest import close

    manager = make_user(Role.CASE_MANAGER, username="rv-manajer", full_name="Rina Sintetis")
    boss = make_user(Role.SUPERVISOR, username="rv-boss", full_name="Hendra Sintetis")
    earlier = register(
        manager, "Muhammad Riski bin Darman", supervisor=boss, birth_date=date(2015, 4, 9)
    )
    close(earlier)
    later = register(manager, "Moh. Rizky", supervisor=boss, age_min=10, age_max=11)
    score = Scorer().score(
        make_record(1, full_name="Muhammad Riski", birth_date=date(2015, 4, 9), sex="M"),
        make_record(2, full_name="Moh. Rizky", age_min=10, age_max=11, sex="M"),
    )
    identity_svc.pair_raise(earlier.child_id, later.child_id, score, source="batch")

    phone = phones()
    sign_in(phone, boss)
    phone.goto(phone.base_url + "/identitas/duplikat/")
    no_horizontal_scroll(phone)
    phone.click("a[href*='/identitas/duplikat/']:not([href$='/duplikat/'])")
    phone.wait_for_url(re.compile(r"/identitas/duplikat/[0-9a-f-]+/$"))
    no_horizontal_scroll(phone)
    assert "Muhammad Riski bin Darman" in phone.inner_text("main")
    phone.fill("#reason", "Ibu dan alamat sama (sintetis)")
    phone.click("button[value='keep_first']")
    phone.wait_for_url(re.compile(r"/identitas/duplikat/$"))
    absorbed = Person.objects.get(pk=later.child_id)
    assert absorbed.merged_into_id == earlier.child_id
    phone.fill("input[name='reason']", "Salah gabung (sintetis)")
    phone.click("form[action*='/batal/'] button")
    phone.wait_for_url(re.compile(r"/identitas/duplikat/$"))
    absorbed.refresh_from_db()
    assert absorbed.merged_into_id is None
    no_horizontal_scroll(phone)


def test_a_child_found_who_has_an_open_case_is_added_to_it_on_a_phone(phones):
    phone, street, known, operation_url = planned_with_a_patrol(phones)
    capture(street, "Moh. Rizky", "10")
    street.wait_for_url(operation_url)
    saved = Capture.objects.get()

    # The case manager opens the case-opening form from the capture and sees
    # the boy already has an open case: the capture is added to it.
    phone.goto(operation_url)
    phone.click(f"a[href$='?temuan={saved.uuid}']")
    phone.fill("#id_full_name", "Muhammad Riski")
    phone.fill("#id_birth_date", "2015-04-09")
    phone.select_option("#id_school_status", "dropped_out")
    phone.check("input[name='forms_'][value='forced_selling']")
    phone.click("main button.primary")
    choice = phone.locator(f"input[name='identity_choice'][value='attach:{known.uuid}']")
    choice.wait_for()
    assert known.number in phone.inner_text("#candidates")
    no_horizontal_scroll(phone)
    choice.check()
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(rf"/kasus/{known.uuid}/$"))
    assert known.number in phone.inner_text("main")
    saved.refresh_from_db()
    assert saved.case_id == known.pk
    phone.goto(operation_url)
    assert known.number in phone.inner_text("main")
