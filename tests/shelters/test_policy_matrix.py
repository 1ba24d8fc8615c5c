"""Every shelter page and action x all 13 roles x relation to the case.

The world case's child stays in bed G1 of the test UPTD PPA's shelter,
admitted by a shelter staff member on the case team in person. Marker strings
of every class are planted (the stay's reason and health notes carry the
whereabouts marker, the child's name is the identity marker); each must reach
exactly those whose role and relation allow its class.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import ROLES, AgencyKind, Capability, DataClass, Role
from kawal.accounts.models import User
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent
from kawal.shelters.models import Stay
from tests.cases.conftest import MARKERS, other_agency
from tests.helpers import agency_for, make_user, sign_in
from tests.shelters.conftest import ShelterWorld

RELATIONS = ("own", "team", "other_agency", "none")
COMBINATIONS = [
    (role, relation)
    for role in Role
    for relation in RELATIONS
    if relation != "own" or role in (Role.CASE_MANAGER, Role.SUPERVISOR)
]
# Shelter staff of another UPTD PPA on the team with every class: they read the
# case, but not a stay in a shelter that is not their agency's.
COMBINATIONS.append((Role.SHELTER_STAFF, "team_elsewhere"))
STAY_PAGES = ("stay", "edit", "discharge", "transfer")
PLACE = "Rumah Aman Sintetis · Melati · G1"


def actor(sw: ShelterWorld, role: Role, relation: str) -> User:
    world = sw.world
    if relation == "own":
        return {Role.CASE_MANAGER: world.owner, Role.SUPERVISOR: world.supervisor}[role]
    if relation in ("team", "team_elsewhere"):
        elsewhere = relation == "team_elsewhere"
        user = (
            make_user(role, agency=other_agency(AgencyKind.UPTD_PPA))
            if elsewhere
            else make_user(role)
        )
        case_svc.member_add(
            world.case,
            user=user,
            case_role="x",
            data_classes=list(DataClass.values),
            acting_user=world.owner,
        )
        return user
    if relation == "other_agency":
        kinds = sorted(ROLES[role].agency_kinds)
        return make_user(role, agency=other_agency(kinds[0] if kinds else AgencyKind.OTHER))
    # "none": the owner's agency where the role fits there, else the role's own
    # test agency (for shelter staff: the agency running the shelter).
    fits = not ROLES[role].agency_kinds or world.owner.agency.kind in ROLES[role].agency_kinds
    return make_user(role, agency=world.owner.agency if fits else agency_for(role))


def readable_for(role: Role, relation: str) -> set[str]:
    spec = ROLES[role]
    if relation in ("other_agency", "none") or DataClass.BASIC not in spec.read:
        return set()
    return set(spec.read)


def acts(role: Role, relation: str) -> bool:
    """Shelter staff of the shelter's agency on the team with whereabouts to write."""
    return role == Role.SHELTER_STAFF and relation == "team"


def reads_stay(role: Role, relation: str, readable: set[str]) -> bool:
    """The case's leads and whereabouts readers, except institution staff; shelter staff
    only in their own agency's shelter ("team": the shelter's agency)."""
    if relation == "team_elsewhere":
        return False
    return DataClass.WHEREABOUTS in readable and role != Role.INSTITUTION_STAFF


def stay_status(page: str, readable: set[str], acting: bool, reads: bool) -> int:
    if not reads:
        return 404
    if page == "stay":
        return 200
    return 200 if acting else 403


def section_of(page: str) -> str:
    """The case page's stays card, or "" when the page has none."""
    start = page.find('id="h-shelter-stays"')
    if start < 0:
        return ""
    return page[start : page.find("</section>", start)]


def english_client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def assert_markers(body: str, readable: set[str], where: str) -> None:
    for data_class, marker in MARKERS.items():
        if data_class not in readable:
            assert marker not in body, (where, data_class)
    # No shelter page shows what the psychologists, the police or finance wrote.
    for data_class in (DataClass.CLINICAL, DataClass.INVESTIGATION, DataClass.FINANCIAL):
        assert MARKERS[data_class] not in body, (where, data_class)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_matrix(shelter_world, role, relation):
    user = actor(shelter_world, role, relation)
    readable = readable_for(role, relation)
    acting = acts(role, relation)
    client = english_client(user)
    stay = shelter_world.stay

    for page in STAY_PAGES:
        response = client.get(reverse(f"shelters:{page}", kwargs={"stay_uuid": stay.uuid}))
        expected = stay_status(page, readable, acting, reads_stay(role, relation, readable))
        assert response.status_code == expected, (page, response.status_code, expected)
        body = response.content.decode()
        assert_markers(body, readable, page)
        if expected == 200:
            # The stay page and its edit form show the reason (it holds the marker).
            if page in ("stay", "edit"):
                assert MARKERS[DataClass.WHEREABOUTS] in body, page
            assert PLACE in body, page
            assert (MARKERS[DataClass.IDENTITY] in body) == (DataClass.IDENTITY in readable)
        else:
            assert PLACE not in body

    # The board and the admission form: shelter staff only; names only for their cases.
    record_care = Capability.RECORD_CARE in ROLES[role].capabilities
    board = client.get(reverse("shelters:board"))
    assert board.status_code == (200 if record_care else 403)
    body = board.content.decode()
    assert_markers(body, readable, "board")
    runs_it = record_care and user.agency_id == shelter_world.agency.pk
    assert ("Melati" in body) == runs_it
    assert (MARKERS[DataClass.IDENTITY] in body) == (runs_it and acting)
    if runs_it and not acting:
        assert "Occupied" in body
    admit = client.get(reverse("shelters:admit"))
    assert admit.status_code == (200 if record_care else 403)
    # The world child is staying already: not offered for admission to anyone.
    assert MARKERS[DataClass.IDENTITY] not in admit.content.decode()
    assert_markers(admit.content.decode(), readable, "admit")

    # The case page: the stays section follows the stay's readers, the timeline lines
    # their classes.
    detail = client.get(reverse("cases:detail", kwargs={"case_uuid": shelter_world.case.uuid}))
    if readable:
        assert detail.status_code == 200
        page = detail.content.decode()
        sees_where = DataClass.WHEREABOUTS in readable
        section = section_of(page)
        assert bool(section) == reads_stay(role, relation, readable)
        assert ("Staying now" in section) == reads_stay(role, relation, readable)
        assert (PLACE in section) == reads_stay(role, relation, readable)
        assert "Admitted to a shelter" in page
        # The timeline's whereabouts line is read as the stay is.
        assert sees_where or not reads_stay(role, relation, readable)
        assert ("Admitted to Rumah Aman Sintetis" in page) == reads_stay(role, relation, readable)
        assert ("Move to another bed" in page) == acting
    else:
        assert detail.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_actions_write_nothing_for_those_who_may_not(shelter_world, role, relation):
    user = actor(shelter_world, role, relation)
    if acts(role, relation):
        _the_one_who_may(shelter_world, english_client(user))
        return
    readable = readable_for(role, relation)
    client = english_client(user)
    stay = shelter_world.stay
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    other_bed = shelter_world.bed(shelter_world.girls, "G2")
    payload = {
        "expected_version": stay.version,
        "discharged_at": now,
        "moved_at": now,
        "reason": "home",
        "destination": "Rumah (sintetis)",
        "bed": str(other_bed.uuid),
        "arrived_from": "police",
        "brought_by": "x",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }
    events = CaseEvent.objects.count()
    for page in ("edit", "discharge", "transfer"):
        response = client.post(
            reverse(f"shelters:{page}", kwargs={"stay_uuid": stay.uuid}), payload
        )
        expected = 403 if reads_stay(role, relation, readable) else 404
        assert response.status_code == expected, (page, response.status_code)
    admission = client.post(
        reverse("shelters:admit"),
        {
            **payload,
            "case": str(shelter_world.case.uuid),
            "admitted_at": now,
            "reason": "x",
        },
    )
    record_care = Capability.RECORD_CARE in ROLES[role].capabilities
    assert admission.status_code == (400 if record_care else 403)
    stay.refresh_from_db()
    assert stay.is_active and stay.version == shelter_world.stay.version
    assert Stay.objects.count() == 1
    assert CaseEvent.objects.count() == events


def _the_one_who_may(shelter_world: ShelterWorld, client: Client) -> None:
    """Shelter staff on the team: correct the stay, move the child, then discharge."""
    stay = shelter_world.stay
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("shelters:edit", kwargs={"stay_uuid": stay.uuid}),
        {
            "expected_version": stay.version,
            "arrived_from": "police",
            "brought_by": "Polsek Sintetis",
            "reason": stay.reason,
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    stay.refresh_from_db()
    response = client.post(
        reverse("shelters:transfer", kwargs={"stay_uuid": stay.uuid}),
        {
            "expected_version": stay.version,
            "bed": str(shelter_world.bed(shelter_world.girls, "G2").uuid),
            "moved_at": now,
            "reason": "Pindah kamar",
        },
    )
    assert response.status_code == 302
    moved = Stay.objects.get(previous=stay)
    response = client.post(
        reverse("shelters:discharge", kwargs={"stay_uuid": moved.uuid}),
        {
            "expected_version": moved.version,
            "discharged_at": now,
            "reason": "home",
            "destination": "Rumah (sintetis)",
        },
    )
    assert response.status_code == 302
    assert not Stay.objects.active().exists()


@pytest.mark.django_db
def test_missing_and_forbidden_stays_look_the_same(shelter_world):
    import re
    import uuid

    outsider = make_user(Role.CASE_MANAGER)
    client = english_client(outsider)
    forbidden = client.get(reverse("shelters:stay", kwargs={"stay_uuid": shelter_world.stay.uuid}))
    missing = client.get(reverse("shelters:stay", kwargs={"stay_uuid": uuid.uuid4()}))
    garbage = client.get(reverse("shelters:stay", kwargs={"stay_uuid": "not-a-uuid"}))
    assert forbidden.status_code == missing.status_code == garbage.status_code == 404
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", missing.content)


@pytest.mark.django_db
def test_removal_from_the_team_closes_the_stay_on_the_next_request(shelter_world):
    from kawal.cases.models import CaseMember

    client = english_client(shelter_world.staff)
    url = reverse("shelters:stay", kwargs={"stay_uuid": shelter_world.stay.uuid})
    assert client.get(url).status_code == 200
    member = CaseMember.objects.get(case=shelter_world.case, user=shelter_world.staff)
    case_svc.member_remove(member, acting_user=shelter_world.world.owner)
    assert client.get(url).status_code == 404
    board = client.get(reverse("shelters:board")).content.decode()
    assert MARKERS[DataClass.IDENTITY] not in board and "Occupied" in board
