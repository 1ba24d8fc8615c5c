"""Who reads a stay: the case's leads and whereabouts readers, except institution staff,
and shelter staff only in their own agency's shelters.

Regression tests for the review finding M2: institution staff (LKSA) on the
case with identity and whereabouts read the stay page and "Staying now" on
the case page, and shelter staff of another UPTD PPA read the stay page.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, DataClass, Role
from kawal.access.models import AccessLog
from kawal.cases import services as case_svc
from kawal.shelters import services as svc
from kawal.shelters.models import Stay
from tests.cases.conftest import other_agency
from tests.helpers import make_user, sign_in
from tests.shelters.conftest import ShelterWorld, admit, make_shelter, staff_on

pytestmark = pytest.mark.django_db

PLACE = "Rumah Aman Sintetis · Melati · G1"
ELSEWHERE = "Rumah Aman Lain Sintetis · Melati · G1"


def english_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def section_of(page: str) -> str:
    """The case page's stays card, or "" when the page has none."""
    start = page.find('id="h-shelter-stays"')
    if start < 0:
        return ""
    return page[start : page.find("</section>", start)]


def on_team(sw: ShelterWorld, role: Role, **extra) -> object:
    user = make_user(role, **extra)
    case_svc.member_add(
        sw.case,
        user=user,
        case_role="x",
        data_classes=["identity", "whereabouts"],
        acting_user=sw.world.owner,
    )
    return user


def reads(user, stay: Stay) -> tuple[int, str]:
    client = english_client(user)
    page = client.get(reverse("shelters:stay", kwargs={"stay_uuid": stay.uuid}))
    case = client.get(reverse("cases:detail", kwargs={"case_uuid": stay.case.uuid}))
    assert case.status_code == 200
    return page.status_code, section_of(case.content.decode())


def test_institution_staff_on_the_case_read_no_stay(shelter_world):
    lksa = on_team(shelter_world, Role.INSTITUTION_STAFF)
    status, section = reads(lksa, shelter_world.stay)
    assert status == 404
    assert section == ""  # no "Staying now", no shelter, room or bed
    # The refusal is logged like any other.
    assert AccessLog.objects.filter(user=lksa, action="denied").exists()
    # Nor any of the stay's other pages.
    client = english_client(lksa)
    for page in ("edit", "discharge", "transfer"):
        url = reverse(f"shelters:{page}", kwargs={"stay_uuid": shelter_world.stay.uuid})
        assert client.get(url).status_code == 404, page


def test_shelter_staff_of_another_uptd_ppa_read_no_stay_of_ours(shelter_world):
    elsewhere = other_agency(AgencyKind.UPTD_PPA)
    make_shelter(elsewhere, name="Rumah Aman Lain Sintetis")
    stranger = on_team(shelter_world, Role.SHELTER_STAFF, agency=elsewhere)
    status, section = reads(stranger, shelter_world.stay)
    assert status == 404
    assert "Staying now" not in section and PLACE not in section
    # The child stays somewhere: not offered for admission here either.
    assert "Admit to a shelter" not in section
    client = english_client(stranger)
    for page in ("edit", "discharge", "transfer"):
        url = reverse(f"shelters:{page}", kwargs={"stay_uuid": shelter_world.stay.uuid})
        assert client.get(url).status_code == 404, page


def test_leads_and_other_whereabouts_readers_read_the_stay(shelter_world):
    world = shelter_world.world
    readers = [
        world.owner,
        world.supervisor,
        world.psychologist,  # on the team with whereabouts
        shelter_world.staff,  # shelter staff of the shelter's own agency
        on_team(shelter_world, Role.INVESTIGATOR),
        on_team(shelter_world, Role.SOCIAL_WORKER),
    ]
    for user in readers:
        status, section = reads(user, shelter_world.stay)
        assert status == 200, user.role
        assert "Staying now" in section and PLACE in section, user.role


def test_each_uptd_ppa_reads_the_stays_in_its_own_shelters(shelter_world):
    """The child moves from our shelter to another agency's: each reads its own part."""
    world = shelter_world.world
    elsewhere = other_agency(AgencyKind.UPTD_PPA)
    _shelter, girls, _boys, _teens = make_shelter(elsewhere, name="Rumah Aman Lain Sintetis")
    their_staff = staff_on(world.case, world.owner, agency=elsewhere)
    ours = shelter_world.stay
    svc.stay_discharge(
        ours,
        expected_version=ours.version,
        at=timezone.now(),
        reason="other_shelter",
        destination="Rumah Aman Lain Sintetis",
        acting_user=shelter_world.staff,
    )
    theirs = admit(world.case, girls.beds.get(label="G1"), their_staff, days_ago=0)
    ours.refresh_from_db()

    status, section = reads(shelter_world.staff, theirs)
    assert status == 404
    assert ELSEWHERE not in section and "Staying now" not in section
    assert PLACE in section  # our own earlier stay
    assert reads(shelter_world.staff, ours)[0] == 200

    status, section = reads(their_staff, theirs)
    assert status == 200
    assert "Staying now" in section and ELSEWHERE in section
    assert PLACE not in section  # not their shelter
    assert reads(their_staff, ours)[0] == 404

    # The case manager reads both.
    _status, section = reads(world.owner, theirs)
    assert ELSEWHERE in section and PLACE in section


def test_reads_stay_matches_every_role_on_the_team(shelter_world):
    """The rule itself, for all 13 roles on the team with every class."""
    from kawal.cases.policy import case_access

    stay = shelter_world.stay
    shelter = stay.bed.room.shelter
    for role in Role:
        user = make_user(role)
        case_svc.member_add(
            shelter_world.case,
            user=user,
            case_role="x",
            data_classes=list(DataClass.values),
            acting_user=shelter_world.world.owner,
        )
        access = case_access(user, shelter_world.case)
        whereabouts = access is not None and access.can_read(DataClass.WHEREABOUTS)
        expected = whereabouts and role != Role.INSTITUTION_STAFF
        if role == Role.SHELTER_STAFF:
            expected = expected and user.agency_id == shelter.agency_id
        assert svc.reads_stay(user, access, shelter) == expected, role
