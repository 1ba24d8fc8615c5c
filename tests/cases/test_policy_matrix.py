"""The full policy matrix: every role x every case page x relation to the case.

For each combination the test asserts the status code of every case page and
that marker strings planted in each class of data appear only to those whose
role *and* relation allow that class.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.accounts.models import User
from tests.cases.conftest import MARKERS, World
from tests.helpers import make_user, sign_in

RELATIONS = ("own", "team", "other_agency", "none")

CASE_PAGES = [
    "detail",
    "edit",
    "child_edit",
    "police_edit",
    "note_add",
    "attachment_add",
    "member_add",
    "referral_add",
    "transition",
    "approval_request",
    "task_add",
    "transfer",
    "relative_add",
    "perpetrator_add",
    "access_log",
]


def actor(world: World, role: Role, relation: str) -> User | None:
    if relation == "own":
        return {Role.CASE_MANAGER: world.owner, Role.SUPERVISOR: world.supervisor}.get(role)
    if relation == "team":
        from kawal.cases import services as svc

        user = make_user(role)
        svc.member_add(
            world.case,
            user=user,
            case_role="x",
            data_classes=list(DataClass.values),
            acting_user=world.owner,
        )
        return user
    if relation == "other_agency":
        from tests.cases.conftest import other_agency

        spec = ROLES[role]
        user = make_user(role)
        if not spec.agency_kinds:
            user.agency = other_agency()
            user.save()
        return user
    # "none": the owner's own agency where the role fits there, else its own agency.
    user = make_user(role)
    if not ROLES[role].agency_kinds or world.owner.agency.kind in ROLES[role].agency_kinds:
        user.agency = world.owner.agency
        user.save()
    return user


def expected(role: Role, relation: str) -> tuple[set[str], set[str], bool]:
    """(readable, writable, leads) for a role in a relation, from first principles."""
    spec = ROLES[role]
    if relation in ("other_agency", "none") or DataClass.BASIC not in spec.read:
        return set(), set(), False
    # Owners, supervisors and team members granted every class get what the role allows.
    return set(spec.read), set(spec.write), relation == "own"


def expected_status(
    page: str, readable: set[str], writable: set[str], leads: bool, role: Role
) -> int:
    if page == "access_log":
        return 200 if leads or Capability.VIEW_ACCESS_LOG in ROLES[role].capabilities else 404
    if DataClass.BASIC not in readable:
        return 404
    need_read = {
        "child_edit": DataClass.IDENTITY,
        "relative_add": DataClass.IDENTITY,
        "police_edit": DataClass.INVESTIGATION,
        "perpetrator_add": DataClass.INVESTIGATION,
    }
    if page in need_read and need_read[page] not in readable:
        return 404
    if page == "detail":
        return 200
    if page in need_read:
        return 200 if need_read[page] in writable else 403
    if page == "task_add":
        return 200 if DataClass.BASIC in writable else 403
    if page in ("note_add", "attachment_add"):
        return 200 if writable else 403
    return 200 if leads else 403


# Only case managers own cases and only supervisors supervise them.
COMBINATIONS = [
    (role, relation)
    for role in Role
    for relation in RELATIONS
    if relation != "own" or role in (Role.CASE_MANAGER, Role.SUPERVISOR)
]


def linked_pages(world: World) -> dict[str, str]:
    """Pages that name a record of the case besides the case itself."""
    case = world.case
    relative = case.child.relatives.get()
    attachment = case.attachments.get()
    return {
        "relative_edit": reverse(
            "cases:relative_edit", kwargs={"case_uuid": case.uuid, "relation_uuid": relative.uuid}
        ),
        "attachment_download": reverse(
            "cases:attachment_download",
            kwargs={"case_uuid": case.uuid, "attachment_uuid": attachment.uuid},
        ),
    }


def linked_status(page: str, readable: set[str], writable: set[str]) -> int:
    # Both name identity data: the relative, and a photo filed as identity.
    if DataClass.IDENTITY not in readable:
        return 404
    if page == "relative_edit":
        return 200 if DataClass.IDENTITY in writable else 403
    return 200


def outside_schooling_card(role: Role, body: str) -> str:
    """The page without the schooling card, for the school liaison.

    The liaison reads basic data only, yet the schooling card names the child
    it asks them to enrol (schooling.policy.sees_child, tested in
    tests/schooling); the rest of the page must not.
    """
    if Capability.SCHOOL_REENROLMENT not in ROLES[role].capabilities:
        return body
    return re.sub(r'<section[^>]*id="schooling".*?</section>', "", body, flags=re.S)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_matrix(world, role, relation):
    user = actor(world, role, relation)
    assert user is not None
    readable, writable, leads = expected(role, relation)
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    for page in CASE_PAGES:
        response = client.get(reverse(f"cases:{page}", kwargs={"case_uuid": world.case.uuid}))
        status = expected_status(page, readable, writable, leads, role)
        assert response.status_code == status, (page, response.status_code, status)
        body = response.content.decode() if response.status_code != 302 else ""
        body = outside_schooling_card(role, body)
        for data_class, marker in MARKERS.items():
            if data_class not in readable:
                assert marker not in body, (page, data_class)
    for page, url in linked_pages(world).items():
        response = client.get(url)
        assert response.status_code == linked_status(page, readable, writable), page
    detail = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    if readable:
        body = detail.content.decode()
        body = outside_schooling_card(role, body)
        for data_class, marker in MARKERS.items():
            assert (marker in body) == (data_class in readable), (data_class, "detail")
        if DataClass.IDENTITY not in readable:
            assert "Z.M." in body  # initials and age only

    # Lists and search show the case exactly when the detail page does.
    listing = client.get(reverse("cases:list"))
    if DataClass.BASIC in ROLES[role].read:
        assert listing.status_code == 200
        assert (world.case.number in listing.content.decode()) == bool(readable)
        found = client.post(reverse("cases:search"), {"q": world.case.number})
        numbers = [row.case.number for row in found.context["rows"]]
        assert (world.case.number in numbers) == bool(readable)
        by_name = client.post(reverse("cases:search"), {"q": "Markerputri"})
        assert (world.case.number in by_name.content.decode()) == (DataClass.IDENTITY in readable)
    else:
        assert listing.status_code == 403
    for data_class, marker in MARKERS.items():
        if data_class not in readable:
            assert marker not in listing.content.decode()


@pytest.mark.django_db
def test_removed_member_loses_access_on_the_next_request(world):
    from kawal.cases import services as svc
    from kawal.cases.models import CaseMember

    client = Client()
    sign_in(client, world.psychologist)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    assert client.get(url).status_code == 200
    member = CaseMember.objects.get(case=world.case, user=world.psychologist)
    svc.member_remove(member, acting_user=world.owner)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_agency_membership_grants_its_users(world):
    from kawal.cases import services as svc

    shelter = make_user(Role.SHELTER_STAFF)
    client = Client()
    sign_in(client, shelter)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    assert client.get(url).status_code == 404
    svc.member_add(
        world.case,
        agency=shelter.agency,
        case_role="rumah aman",
        data_classes=["identity", "whereabouts"],
        acting_user=world.owner,
    )
    body = client.get(url).content.decode()
    assert MARKERS[DataClass.IDENTITY] in body and MARKERS[DataClass.WHEREABOUTS] in body
    assert MARKERS[DataClass.CLINICAL] not in body


@pytest.mark.django_db
def test_membership_grant_limits_what_the_role_could_see(world):
    from kawal.cases import services as svc

    psychologist = make_user(Role.PSYCHOLOGIST)
    svc.member_add(
        world.case,
        user=psychologist,
        case_role="observer",
        data_classes=[],
        acting_user=world.owner,
    )
    client = Client()
    sign_in(client, psychologist)
    body = client.get(
        reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    ).content.decode()
    assert MARKERS[DataClass.BASIC] in body
    assert MARKERS[DataClass.IDENTITY] not in body and MARKERS[DataClass.CLINICAL] not in body


@pytest.mark.django_db
def test_unknown_case_and_forbidden_case_look_the_same(world):
    import uuid

    outsider = make_user(Role.CASE_MANAGER)
    client = Client()
    sign_in(client, outsider)
    forbidden = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    missing = client.get(reverse("cases:detail", kwargs={"case_uuid": uuid.uuid4()}))
    assert forbidden.status_code == missing.status_code == 404
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", missing.content)


POST_PAGES = [
    "edit",
    "child_edit",
    "police_edit",
    "note_add",
    "attachment_add",
    "member_add",
    "referral_add",
    "transition",
    "approval_request",
    "task_add",
    "transfer",
    "relative_add",
    "perpetrator_add",
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_unrelated_users_cannot_act_and_nothing_is_written(world, role):
    from kawal.cases.models import CaseEvent

    user = actor(world, role, "other_agency")
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    events = CaseEvent.objects.count()
    version = world.case.version
    payload = {
        "body": "x",
        "data_class": "basic",
        "kind": "general",
        "target": "assessment",
        "reason": "x",
        "title": "x",
        "case_role": "x",
        "full_name": "x",
        "relation": "father",
        "expected_version": version,
    }
    case = world.case
    urls = [reverse(f"cases:{page}", kwargs={"case_uuid": case.uuid}) for page in POST_PAGES]
    urls.append(linked_pages(world)["relative_edit"])  # the download is GET-only
    member = case.members.filter(removed_at__isnull=True).first()
    urls += [
        reverse("cases:member_remove", kwargs={"case_uuid": case.uuid, "member_uuid": member.uuid}),
        reverse(
            "cases:approval_decide",
            kwargs={"case_uuid": case.uuid, "approval_uuid": case.approvals.get().uuid},
        ),
        reverse(
            "cases:task_status", kwargs={"case_uuid": case.uuid, "task_uuid": case.tasks.get().uuid}
        ),
        reverse(
            "cases:attachment_delete",
            kwargs={"case_uuid": case.uuid, "attachment_uuid": case.attachments.get().uuid},
        ),
    ]
    for url in urls:
        response = client.post(url, {**payload, "decision": "yes", "status": "done"})
        assert response.status_code == 404, (url, response.status_code)
    assert CaseEvent.objects.count() == events
    world.case.refresh_from_db()
    assert world.case.version == version


GLOBAL_PAGES = {
    # page: who may open it, from the catalogue
    "cases:list": lambda spec: DataClass.BASIC in spec.read,
    "cases:search": lambda spec: DataClass.BASIC in spec.read,
    "cases:my_tasks": lambda spec: DataClass.BASIC in spec.read,
    "cases:referral_inbox": lambda spec: DataClass.BASIC in spec.read,
    "cases:open": lambda spec: Capability.OPEN_CASE in spec.capabilities,
    "cases:break_glass": lambda spec: Capability.BREAK_GLASS in spec.capabilities,
    "cases:break_glass_queue": lambda spec: bool(
        {Capability.REVIEW_BREAK_GLASS, Capability.APPROVE} & spec.capabilities
    ),
    "identity:queue": lambda spec: Capability.REVIEW_DUPLICATES in spec.capabilities,
    "outreach:list": lambda spec: Capability.LOG_OUTREACH in spec.capabilities,
    "outreach:new": lambda spec: Capability.LOG_OUTREACH in spec.capabilities,
    "reports:triage": lambda spec: Capability.TRIAGE_REPORTS in spec.capabilities,
    "reports:take_in": lambda spec: Capability.TAKE_REPORT in spec.capabilities,
    "hotspots:map": lambda spec: Capability.VIEW_HOTSPOT_MAP in spec.capabilities,
    "hotspots:data": lambda spec: Capability.VIEW_HOTSPOT_MAP in spec.capabilities,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_pages_outside_a_case_follow_the_catalogue(role):
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(role))
    for page, allowed in GLOBAL_PAGES.items():
        response = client.get(reverse(page))
        assert response.status_code == (200 if allowed(ROLES[role]) else 403), (
            page,
            response.status_code,
        )
