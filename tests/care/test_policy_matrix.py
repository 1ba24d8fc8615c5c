"""The policy matrix for every care page and action: 13 roles x relation to the case.

Markers are planted per class: the clinical note and what was done about an
incident (clinical), the readiness rationale (progress). Each page shows a
class only to who may read it, and every action refused writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.care import services as care_svc
from kawal.care.models import Observation, ReadinessDecision
from kawal.cases.models import CaseEvent
from tests.care.conftest import (
    ACTION_MARKER,
    NOTE_MARKER,
    RATIONALE_MARKER,
    backdate,
    plant,
    record_today,
)
from tests.cases.test_policy_matrix import COMBINATIONS, actor, expected
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

CLINICAL_MARKERS = (NOTE_MARKER, ACTION_MARKER)


def seed(world):
    """A day observed today, a week observed before, and a decision awaiting confirmation."""
    backdate(world.case, 20)
    today = timezone.localdate()
    for offset in range(1, 9):
        plant(world.case, today - timedelta(days=offset), world.psychologist, value=3)
    observation = record_today(world)
    decision = care_svc.readiness_decide(
        world.case,
        safe=False,
        assessment_uuids=[],
        period_from=today - timedelta(days=8),
        period_to=today,
        rationale=RATIONALE_MARKER,
        acting_user=world.psychologist,
    )
    return observation, decision


def rights(world, user, role: Role, relation: str) -> dict[str, bool]:
    readable, writable, _leads = expected(role, relation)
    spec = ROLES[role]
    progress = DataClass.PROGRESS in readable
    return {
        "progress": progress,
        "clinical": DataClass.CLINICAL in readable,
        "record": DataClass.PROGRESS in writable,
        "decide": progress
        and bool({Capability.RECORD_CLINICAL, Capability.MANAGE_PLACEMENT} & spec.capabilities),
        "confirm": progress
        and Capability.APPROVE in spec.capabilities
        and (
            user.pk == world.case.supervisor_id
            or (user.agency_id is not None and user.agency_id == world.owner.agency_id)
        ),
        "today": Capability.RECORD_CLINICAL in spec.capabilities,
    }


def urls(world, observation, decision) -> dict[str, str]:
    case = {"case_uuid": world.case.uuid}
    return {
        "case": reverse("care:case", kwargs=case),
        "record": reverse("care:record", kwargs=case),
        "edit": reverse("care:edit", kwargs={**case, "observation_uuid": observation.uuid}),
        "readiness": reverse("care:readiness", kwargs=case),
        "revoke": reverse("care:readiness_revoke", kwargs={**case, "decision_uuid": decision.uuid}),
        "confirm": reverse(
            "care:readiness_confirm", kwargs={**case, "decision_uuid": decision.uuid}
        ),
    }


def expected_get(page: str, can: dict[str, bool]) -> int:
    if not can["progress"]:
        return 404
    if page == "record":
        # Today is recorded already: the one tap lands on today's observation.
        return 302 if can["record"] else 403
    if page == "edit":
        return 200 if can["record"] else 403
    if page == "revoke":
        return 200 if can["decide"] or can["confirm"] else 403
    return 200


def check_markers(body: str, can: dict[str, bool], where: str) -> None:
    for marker in CLINICAL_MARKERS:
        if not can["clinical"]:
            assert marker not in body, (where, marker)
    if not can["progress"]:
        assert RATIONALE_MARKER not in body, where
        assert "care-trend-data" not in body, where


@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_care_pages(world, role, relation):
    observation, decision = seed(world)
    user = actor(world, role, relation)
    can = rights(world, user, role, relation)
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    pages = urls(world, observation, decision)
    for page in ("case", "record", "edit", "readiness", "revoke"):
        response = client.get(pages[page])
        status = expected_get(page, can)
        assert response.status_code == status, (page, response.status_code, status)
        check_markers(response.content.decode(), can, page)
    # The care page: scores and trend for progress readers, notes for clinicians only.
    if can["progress"]:
        body = client.get(pages["case"]).content.decode()
        assert "care-trend-data" in body
        for marker in CLINICAL_MARKERS:
            assert (marker in body) == can["clinical"], marker
        assert "Aggression towards others" in body  # the incident marker: progress
        readiness = client.get(pages["readiness"]).content.decode()
        assert RATIONALE_MARKER in readiness
        assert ("Confirm</button>" in readiness) == can["confirm"]
        assert ("Revoke</a>" in readiness) == (can["decide"] or can["confirm"])
    # The case page: the care cards (progress) and their timeline, never a note.
    detail = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    if detail.status_code == 200:
        body = detail.content.decode()
        assert NOTE_MARKER not in body and ACTION_MARKER not in body
        assert ("h-care-observations" in body) == can["progress"]
        assert ("h-care-readiness" in body) == can["progress"]
        assert ("aily observation recorded" in body) == can["progress"]
        check_markers(body, can, "detail")
    # The psychologist's own list and home card.
    today = client.get(reverse("care:today"))
    assert today.status_code == (200 if can["today"] else 403)
    home = client.get(reverse("web:home")).content.decode()
    check_markers(today.content.decode(), can, "today")
    check_markers(home, can, "home")
    for body in (home, today.content.decode()):
        assert NOTE_MARKER not in body and ACTION_MARKER not in body
    on_card = world.case.number in home and "h-care-today" in home
    assert on_card == (can["today"] and can["record"] and relation == "team")


def post_payloads(world, observation) -> dict[str, dict[str, str]]:
    today = timezone.localdate()
    base = {
        "observed_on": today.isoformat(),
        "note": "refused write",
        "expected_version": str(observation.version),
        "incident-TOTAL_FORMS": "0",
        "incident-INITIAL_FORMS": "0",
        "incident-MIN_NUM_FORMS": "0",
        "incident-MAX_NUM_FORMS": "10",
        **{
            f"score_{s.indicator.code}": "1" for s in observation.scores.select_related("indicator")
        },
    }
    return {
        "record": base,
        "edit": base,
        "readiness": {
            "safe": "no",
            "period_from": (today - timedelta(days=8)).isoformat(),
            "period_to": today.isoformat(),
        },
        "confirm": {},
        "revoke": {"reason": "refused write"},
    }


@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_care_actions_refused_write_nothing(world, role, relation):
    observation, decision = seed(world)
    user = actor(world, role, relation)
    can = rights(world, user, role, relation)
    allowed = {
        "record": can["record"],
        "edit": can["record"],
        "readiness": can["decide"],
        "confirm": can["confirm"],
        "revoke": can["decide"] or can["confirm"],
    }
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    pages = urls(world, observation, decision)
    payloads = post_payloads(world, observation)
    for page, may in allowed.items():
        if may:
            # Allowed: answered (saved, or a form error such as "already recorded").
            response = client.post(pages[page], payloads[page])
            assert response.status_code in (302, 400), (page, response.status_code)
            continue
        events = CaseEvent.objects.count()
        state = (
            Observation.objects.count(),
            Observation.objects.get(pk=observation.pk).version,
            list(ReadinessDecision.objects.values_list("confirmed_at", "revoked_at")),
            ReadinessDecision.objects.count(),
        )
        response = client.post(pages[page], payloads[page])
        assert response.status_code == (404 if not can["progress"] else 403), (
            page,
            response.status_code,
        )
        assert CaseEvent.objects.count() == events, page
        assert state == (
            Observation.objects.count(),
            Observation.objects.get(pk=observation.pk).version,
            list(ReadinessDecision.objects.values_list("confirmed_at", "revoked_at")),
            ReadinessDecision.objects.count(),
        ), page


@pytest.mark.parametrize("role", list(Role))
def test_the_observation_list_follows_the_catalogue(role):
    from tests.helpers import make_user

    client = Client(raise_request_exception=False)
    sign_in(client, make_user(role))
    allowed = Capability.RECORD_CLINICAL in ROLES[role].capabilities
    assert client.get(reverse("care:today")).status_code == (200 if allowed else 403)
