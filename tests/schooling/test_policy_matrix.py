"""Every schooling page and action x all 13 roles x relation to the case.

The world case's child stays in a shelter bed and is placed in an
institution (whereabouts); the child is back at school with a monthly
follow-up. The school is whereabouts for everyone except the education
office's liaison; the liaison never sees any other whereabouts, even when
the case lead ticked every class for the office.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import ROLES, AgencyKind, DataClass, Role
from kawal.accounts.models import User
from kawal.cases import services as case_svc
from kawal.schooling import services as svc
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from tests.cases.conftest import MARKERS, other_agency
from tests.helpers import make_user
from tests.schooling.conftest import (
    INSTITUTION,
    INSTITUTION_ADDRESS,
    NPSN,
    SCHOOL,
    SHELTER,
    SchoolWorld,
    clear,
    english_client,
    enrol,
    follow_up_input,
    months_back,
)

RELATIONS = ("own", "team", "none")
COMBINATIONS = [
    (role, relation)
    for role in Role
    for relation in RELATIONS
    if relation != "own" or role in (Role.CASE_MANAGER, Role.SUPERVISOR)
]
# The liaison through the education office the lead added to the team.
COMBINATIONS.append((Role.SCHOOL_LIAISON, "agency"))
# Record on a case they are on: leads, the liaison, and the team's case
# managers, supervisors and Dinas Sosial social workers.
RECORDERS = {Role.CASE_MANAGER, Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.SCHOOL_LIAISON}
ABSENCE_MARKER = "MARKER-ABSENCE-6120"
WHEREABOUTS_NAMES = (INSTITUTION, INSTITUTION_ADDRESS, SHELTER, "Melati")


def actor(school: SchoolWorld, role: Role, relation: str) -> User:
    if relation == "own":
        return {Role.CASE_MANAGER: school.owner, Role.SUPERVISOR: school.supervisor}[role]
    if relation == "agency":
        return school.liaison
    kinds = sorted(ROLES[role].agency_kinds)
    if relation == "team":
        user = make_user(role, agency=other_agency(kinds[0] if kinds else AgencyKind.OTHER))
        case_svc.member_add(
            school.case,
            user=user,
            case_role="x",
            data_classes=list(DataClass.values),
            acting_user=school.owner,
        )
        return user
    return make_user(role, agency=other_agency(kinds[0] if kinds else AgencyKind.OTHER))


def readable_for(role: Role, relation: str) -> set[str]:
    spec = ROLES[role]
    if relation == "none" or DataClass.BASIC not in spec.read:
        return set()
    return set(spec.read)


def sees_school(role: Role, readable: set[str]) -> bool:
    return bool(readable) and (DataClass.WHEREABOUTS in readable or role == Role.SCHOOL_LIAISON)


def sees_child(role: Role, readable: set[str]) -> bool:
    """The child's name: identity readers, and the liaison on the team through
    the schooling app's own policy (their role reads basic only)."""
    return DataClass.IDENTITY in readable or (bool(readable) and role == Role.SCHOOL_LIAISON)


def records(role: Role, relation: str, readable: set[str]) -> bool:
    return bool(readable) and role in RECORDERS


@pytest.fixture
def schooled(cleared) -> SchoolWorld:
    enrolment = enrol(cleared, by=cleared.owner)
    svc.follow_up_record(
        enrolment,
        follow_up_input(months_back(2), 20, 6, reason="other", reason_text=ABSENCE_MARKER),
        acting_user=cleared.owner,
    )
    return cleared


def assert_no_leak(body: str, readable: set[str], where: str, *, child: bool = False) -> None:
    for data_class, marker in MARKERS.items():
        if data_class == DataClass.IDENTITY and child:
            continue
        if data_class not in readable:
            assert marker not in body, (where, data_class)
    if where != "case page":
        # No schooling page shows what the psychologists, the police or finance wrote.
        for data_class in (DataClass.CLINICAL, DataClass.INVESTIGATION, DataClass.FINANCIAL):
            assert MARKERS[data_class] not in body, (where, data_class)
    if DataClass.WHEREABOUTS not in readable:
        for name in WHEREABOUTS_NAMES:
            assert name not in body, (where, name)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_matrix(schooled, role, relation):
    user = actor(schooled, role, relation)
    readable = readable_for(role, relation)
    school = sees_school(role, readable)
    child = sees_child(role, readable)
    client = english_client(user)
    case_uuid = schooled.case.uuid

    detail = client.get(reverse("cases:detail", kwargs={"case_uuid": case_uuid}))
    assert detail.status_code == (200 if readable else 404)
    body = detail.content.decode()
    assert_no_leak(body, readable, "case page", child=child)
    assert (MARKERS[DataClass.IDENTITY] in body) == child
    if readable:
        assert 'id="h-schooling"' in body
        assert "grade 4" in body
        assert (SCHOOL in body) == school
        assert (NPSN in body) == school
        assert "Enrolled in school: SD" in body  # the timeline line, basic
        assert ("Record attendance" in body) == records(role, relation, readable)
    else:
        assert SCHOOL not in body

    page = client.get(reverse("schooling:case", kwargs={"case_uuid": case_uuid}))
    assert page.status_code == (200 if readable else 404)
    body = page.content.decode()
    assert_no_leak(body, readable, "schooling page", child=child)
    assert (SCHOOL in body) == school
    assert (ABSENCE_MARKER in body) == school
    if readable:
        assert "Cleared for school" in body
        assert (MARKERS[DataClass.IDENTITY] in body) == child

    listing = client.get(reverse("schooling:children"))
    assert listing.status_code == (200 if role == Role.SCHOOL_LIAISON else 403)
    assert_no_leak(listing.content.decode(), readable, "list", child=child)
    if role == Role.SCHOOL_LIAISON:
        assert (MARKERS[DataClass.IDENTITY] in listing.content.decode()) == bool(readable)

    expected_write = 302 if records(role, relation, readable) else (403 if readable else 404)
    form = client.get(reverse("schooling:follow_up", kwargs={"case_uuid": case_uuid}))
    assert form.status_code == (200 if expected_write == 302 else expected_write)
    assert_no_leak(form.content.decode(), readable, "follow-up form", child=child)
    posted = client.post(
        reverse("schooling:follow_up", kwargs={"case_uuid": case_uuid}),
        {"month": f"{months_back(1):%Y-%m}", "school_days": 20, "days_absent": 0, "reason": "none"},
    )
    assert posted.status_code == expected_write
    assert AttendanceFollowUp.objects.count() == (2 if expected_write == 302 else 1)

    enrolment = Enrolment.objects.get()
    changed = client.post(
        reverse("schooling:enrol", kwargs={"case_uuid": case_uuid}),
        {
            "school_name": "SMP Negeri 9 (sintetis)",
            "npsn": "30405099",
            "level": "smp",
            "grade": 7,
            "enrolled_on": timezone.localdate().isoformat(),
            "current_version": enrolment.version,
        },
    )
    assert changed.status_code == expected_write, changed.content.decode()[:2000]
    assert Enrolment.objects.count() == (2 if expected_write == 302 else 1)


@pytest.mark.django_db
def test_the_liaison_never_sees_whereabouts_even_with_every_class_granted(schooled):
    liaison = schooled.liaison
    client = english_client(liaison)
    for url in (
        reverse("cases:detail", kwargs={"case_uuid": schooled.case.uuid}),
        reverse("schooling:case", kwargs={"case_uuid": schooled.case.uuid}),
        reverse("schooling:children"),
        reverse("web:home"),
    ):
        body = client.get(url).content.decode()
        for name in (*WHEREABOUTS_NAMES, MARKERS[DataClass.WHEREABOUTS]):
            assert name not in body, (url, name)
    body = client.get(reverse("schooling:case", kwargs={"case_uuid": schooled.case.uuid}))
    assert SCHOOL in body.content.decode()


@pytest.mark.django_db
def test_a_closed_gate_shows_no_enrol_button_and_refuses(school):
    client = english_client(school.liaison)
    page = client.get(reverse("schooling:case", kwargs={"case_uuid": school.case.uuid}))
    assert "Not cleared yet" in page.content.decode()
    assert "Enrol in a school" not in page.content.decode().split("</h1>", 1)[1]
    clear(school.case, school.psychologist, school.supervisor, confirmed=False)
    page = client.get(reverse("schooling:case", kwargs={"case_uuid": school.case.uuid}))
    assert "Waiting for the supervisor" in page.content.decode()


@pytest.mark.django_db
def test_the_liaison_sees_the_childs_name_but_no_other_identity(schooled):
    """The issue: "this section and the child's basic identity only". The case page
    used to show the liaison the home address, aliases and the parents."""
    client = english_client(schooled.liaison)
    body = client.get(reverse("cases:detail", kwargs={"case_uuid": schooled.case.uuid}))
    text = body.content.decode()
    for leak in ("Jl. Sintetis 1", "Ayah Sintetis", "Ika"):
        assert leak not in text, leak
    section = text.split('id="h-schooling"', 1)[1]
    assert MARKERS[DataClass.IDENTITY] in section and "Female" in section
    from kawal.access.models import AccessLog

    row = AccessLog.objects.filter(user=schooled.liaison, action="view").latest("at")
    assert "identity" in row.data_classes


@pytest.mark.django_db
def test_no_name_for_the_liaison_through_emergency_access_or_off_the_team(school):
    from kawal.cases.policy import CaseAccess, Relation
    from kawal.schooling import policy

    def access(relations):
        return CaseAccess(
            relations=frozenset(relations),
            readable=frozenset({DataClass.BASIC}),
            writable=frozenset(),
            capabilities=frozenset({policy.C.SCHOOL_REENROLMENT}),
        )

    assert policy.sees_child(access({Relation.AGENCY_MEMBER}))
    assert policy.sees_child(access({Relation.MEMBER}))
    assert not policy.sees_child(access({Relation.BREAK_GLASS}))
    assert not policy.reads_school(access({Relation.BREAK_GLASS}))
