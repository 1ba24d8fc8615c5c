"""Every monitoring page x all 13 roles x relation to the case, plus the institution staff cases.

The world case's child is placed with "LKSA Bunda Sintetis", whose agency is
the institution staff's test agency. Institution staff of that institution see
the child (name, age, care needs, contact plan, school) and nothing of the
case file; staff of another institution, and the same staff after the child
left, see nothing of the child. Dinas Sosial's forms open for the social
worker on the case team only.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import ROLES, AgencyKind, Capability, DataClass, Role
from kawal.accounts.models import User
from kawal.cases import services as case_svc
from kawal.monitoring import services as svc
from kawal.monitoring.models import ReviewOutcome
from kawal.placement.models import ExitReason, Placement
from tests.cases.conftest import MARKERS, other_agency
from tests.helpers import agency_for, make_user, sign_in
from tests.monitoring.conftest import PlacedWorld

RELATIONS = ("team", "none")
COMBINATIONS = [(role, relation) for role in Role for relation in RELATIONS]
NAME = MARKERS[DataClass.IDENTITY]
# What institution staff must never read on a child's card or roster.
FORBIDDEN = [
    MARKERS[c]
    for c in (
        DataClass.CLINICAL,
        DataClass.PROGRESS,
        DataClass.INVESTIGATION,
        DataClass.REPORTER,
        DataClass.FINANCIAL,
        DataClass.BASIC,
    )
]
STAFF_PAGES = ("children", "child", "roster", "incident", "mark")
WORKER_PAGES = ("review_new", "visit_new", "review_edit")


def actor(pw: PlacedWorld, role: Role, relation: str) -> User:
    if relation == "team":
        user = make_user(role)
        case_svc.member_add(
            pw.case,
            user=user,
            case_role="x",
            data_classes=list(DataClass.values),
            acting_user=pw.world.owner,
        )
        return user
    kinds = sorted(ROLES[role].agency_kinds)
    return make_user(role, agency=agency_for(role) if kinds else other_agency(AgencyKind.OTHER))


def urls(pw: PlacedWorld) -> dict[str, str]:
    p = pw.placement
    review = svc.review_record(
        p,
        reviewed_on=pw.today - timedelta(days=1),
        outcome=ReviewOutcome.CONTINUE,
        notes="",
        next_review_on=pw.today + timedelta(days=170),
        acting_user=pw.worker,
    )
    return {
        "children": reverse("monitoring:children"),
        "child": reverse("monitoring:child", kwargs={"placement_uuid": p.uuid}),
        "roster": reverse("monitoring:roster"),
        "incident": reverse("monitoring:incident", kwargs={"placement_uuid": p.uuid}),
        "mark": reverse(
            "monitoring:mark", kwargs={"placement_uuid": p.uuid, "day": pw.today.isoformat()}
        ),
        "review_new": reverse("monitoring:review_new", kwargs={"placement_uuid": p.uuid}),
        "visit_new": reverse("monitoring:visit_new", kwargs={"placement_uuid": p.uuid}),
        "review_edit": reverse("monitoring:review_edit", kwargs={"record_uuid": review.uuid}),
        "case": reverse("cases:detail", kwargs={"case_uuid": pw.case.uuid}),
    }


def fetch(client: Client, name: str, url: str):
    if name == "mark":
        return client.post(url, {"present": "1"})
    return client.get(url)


def reads_wh(role: Role, relation: str) -> bool:
    return relation == "team" and DataClass.WHEREABOUTS in ROLES[role].read


@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_pages_by_role_and_relation(placed, role, relation):
    links = urls(placed)
    user = actor(placed, role, relation)
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    carer = role == Role.INSTITUTION_STAFF  # the staff's test agency runs the institution
    for name in STAFF_PAGES:
        response = fetch(client, name, links[name])
        if not carer:
            assert response.status_code == 403, (name, response.status_code)
            continue
        assert response.status_code == (302 if name == "mark" else 200), name
        if name != "mark":
            body = response.content.decode()
            assert NAME in body, name
            for marker in FORBIDDEN:
                assert marker not in body, (name, marker)
    records = role == Role.SOCIAL_WORKER and relation == "team"
    reads = reads_wh(role, relation) and Capability.CARE_FOR_PLACED not in ROLES[role].capabilities
    for name in WORKER_PAGES:
        status = fetch(client, name, links[name]).status_code
        expected = 200 if records else 403 if reads else 404
        assert status == expected, (name, status, expected)
    case_page = client.get(links["case"])
    shown = case_page.status_code == 200 and "Placement monitoring" in case_page.content.decode()
    assert shown == reads


def test_staff_of_another_institution_see_nothing_of_the_child(placed):
    links = urls(placed)
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.other_staff)
    for name in ("children", "roster"):
        response = client.get(links[name])
        assert response.status_code == 200
        assert NAME not in response.content.decode()
    for name in ("child", "incident", "mark"):
        assert fetch(client, name, links[name]).status_code == 404, name
    assert not placed.placement.presences.exists()


def test_staff_lose_the_child_after_exit(placed):
    links = urls(placed)
    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=placed.today - timedelta(days=1), exit_reason=ExitReason.REUNIFICATION
    )
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.staff)
    for name in ("children", "roster"):
        response = client.get(links[name])
        assert response.status_code == 200
        assert NAME not in response.content.decode()
    for name in ("child", "incident", "mark"):
        assert fetch(client, name, links[name]).status_code == 404, name


def test_staff_pages_are_access_logged(placed):
    from kawal.access.models import AccessLog

    links = urls(placed)
    client = Client()
    sign_in(client, placed.staff)
    before = AccessLog.objects.filter(user=placed.staff, case_id=placed.case.pk).count()
    client.get(links["child"])
    client.get(links["children"])
    rows = AccessLog.objects.filter(user=placed.staff, case_id=placed.case.pk)
    assert rows.count() == before + 2
    assert set(rows.last().data_classes) == {"basic", "identity", "whereabouts"}


def test_the_child_card_shows_care_needs_contact_plan_and_school(placed):
    from kawal.placement.models import PlacementDecision

    PlacementDecision.objects.create(
        case=placed.case,
        child=placed.case.child,
        institution=placed.institution,
        placement_type="lksa",
        status="placed",
        placement=placed.placement,
        decided_by=placed.worker,
        decided_on=placed.placement.started_on,
        starts_on=placed.placement.started_on,
        document_number="SK-1 (sintetis)",
        document_date=placed.placement.started_on,
        conference_participants="Tim (sintetis)",
        child_views="Mau sekolah",
        contact_frequency="weekly",
        contact_supervision="supervised",
        contact_restriction="alleged_perpetrator",
        contact_note="Hanya ibu, tidak dengan ayah",
        care_allergies="Alergi kacang",
        care_health_needs="Asma ringan",
    )
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.staff)
    body = client.get(urls(placed)["child"]).content.decode()
    for text in (
        "Alergi kacang",
        "Asma ringan",
        "Contact is restricted",
        "A parent is the alleged perpetrator",
        "Every week",
        "Hanya ibu, tidak dengan ayah",
        "Not enrolled in a school yet.",
    ):
        assert text in body, text
    # Nothing of the decision beyond daily care: not the child's views, not the SK.
    assert "Mau sekolah" not in body
    assert "SK-1" not in body
