"""On phones (360x740): a psychologist records a home visit, the RT head confirms it.

The RT head sees a parent's name, the date and who went (name and role title,
never their office): never the child, the case, what was found or where the
child is.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.families import services as svc
from kawal.families.models import HomeVisit, RtConfirmation
from kawal.regions.models import Region
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user
from tests.identity.conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANGGAR = "64.71.01.1001"
CHILD = "Melati Rahasia binti Sintetis"
SCHOOL = "SD Negeri Rahasia 009"
MOTHER = "Sumarni Sintetis"


def english(page) -> None:
    page.context.add_cookies([{"name": "kawal_language", "value": "en", "url": page.base_url}])


def test_rt_head_confirms_a_home_visit_from_a_phone(phones):
    manager = make_user(Role.CASE_MANAGER, username="fr-manajer", full_name="Rina Sintetis")
    psychologist = make_user(Role.PSYCHOLOGIST, username="fr-psikolog", full_name="Dewi Sintetis")
    neighbourhood = Agency.objects.create(
        name="RT 012 Manggar (sintetis)",
        short_name="RT 012 Manggar",
        kind=AgencyKind.NEIGHBOURHOOD,
        region=Region.objects.get(code=MANGGAR),
    )
    rt_head = make_user(
        Role.RT_HEAD, username="fr-rt", full_name="Pak Slamet Sintetis", agency=neighbourhood
    )
    case = register(
        manager,
        CHILD,
        kelurahan=Region.objects.get(code=MANGGAR),
        school_name=SCHOOL,
        school_status="in_school",
        parents=[("mother", MOTHER)],
    )
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=manager,
    )
    case_svc.member_add(
        case,
        user=psychologist,
        case_role="psikolog orang tua",
        data_classes=["identity", "clinical", "progress"],
        acting_user=manager,
    )
    mother = case.child.relatives.get().relative
    programme = svc.programme_start(
        case,
        facilitator=psychologist,
        started_on=timezone.localdate() - timedelta(days=14),
        planned_sessions=4,
        goals="",
        parents=[mother],
        acting_user=manager,
    )

    # The psychologist records the visit on their phone and asks the RT to confirm it.
    phone = phones()
    sign_in(phone, psychologist)
    english(phone)
    phone.goto(phone.base_url + f"/pola-asuh/{programme.uuid}/")
    no_horizontal_scroll(phone)
    phone.click("a[href$='/kunjungan/baru/']")
    phone.wait_for_url(re.compile(r"/kunjungan/baru/$"))
    no_horizontal_scroll(phone)
    phone.fill("#id_findings", "Rumah bersih; ibu kooperatif (sintetis)")
    phone.check("input[name='found_safe'][value='yes']")
    assert phone.input_value("#id_confirming_agency") == str(neighbourhood.pk)
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/pola-asuh/[0-9a-f-]+/$"))
    assert "Waiting for the RT head" in phone.inner_text("main")
    visit = HomeVisit.objects.get(programme=programme)
    assert visit.rt_status == RtConfirmation.PENDING

    # The RT head, on their own phone: home card, the family, one answer, send.
    rt = phones()
    sign_in(rt, rt_head)
    english(rt)
    started = time.monotonic()
    rt.goto(rt.base_url + "/")
    no_horizontal_scroll(rt)
    card = rt.locator("a.button.primary[href$='/rt/kunjungan/']")
    assert "1 home visit in your neighbourhood" in rt.inner_text("main")
    card.click()  # tap 1
    rt.wait_for_url(re.compile(r"/rt/kunjungan/$"))
    no_horizontal_scroll(rt)
    listing = rt.inner_text("main")
    assert f"Family of {MOTHER}" in listing
    assert "Dewi Sintetis (Psychologist)" in listing
    for secret in (CHILD, "Melati", SCHOOL, case.number, "Rumah bersih", str(psychologist.agency)):
        assert secret not in rt.content(), secret
    rt.click("a.rt-visit")  # tap 2
    rt.wait_for_url(re.compile(r"/rt/kunjungan/[0-9a-f-]+/$"))
    no_horizontal_scroll(rt)
    for secret in (CHILD, SCHOOL, case.number, "Rumah bersih"):
        assert secret not in rt.content(), secret
    # Tap targets: every radio's label and the button are at least 44 px high.
    radios = rt.locator("main label:has(input[type=radio])").all()
    assert len(radios) == 3
    for box in radios:
        assert box.bounding_box()["height"] >= 44
    button = rt.locator("main button.primary")
    assert button.bounding_box()["height"] >= 44
    rt.check(f"input[name='outcome'][value='{RtConfirmation.CONFIRMED}']")  # tap 3
    button.click()  # tap 4
    rt.wait_for_url(re.compile(r"/rt/kunjungan/$"))
    elapsed = time.monotonic() - started
    assert "Your answer was sent" in rt.inner_text("main")
    assert "No home visit is waiting for your answer." in rt.inner_text("main")
    no_horizontal_scroll(rt)
    print(f"\nRT confirmation: 4 taps, {elapsed:.2f} s from the home page")
    visit.refresh_from_db()
    assert visit.rt_status == RtConfirmation.CONFIRMED and visit.rt_confirmed_by == rt_head

    # The RT head still reads nothing of the case.
    rt.goto(rt.base_url + f"/kasus/{case.uuid}/")
    assert CHILD not in rt.content()
    rt.goto(rt.base_url + f"/pola-asuh/{programme.uuid}/")
    assert MOTHER not in rt.content() and "Rumah bersih" not in rt.content()

    # Back on the psychologist's phone the confirmation shows on the programme.
    phone.reload()
    assert "Confirmed by the RT head" in phone.inner_text("main")
    no_horizontal_scroll(phone)
