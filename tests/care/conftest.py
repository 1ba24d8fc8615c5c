"""Care tests: the case world of tests/cases, observations, and signed assessments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.care import services as care_svc
from kawal.care.models import Incident, Indicator, Observation, ObservationScore
from kawal.cases import services as svc
from kawal.cases.models import Case
from tests.cases.conftest import MARKERS, World, other_agency, world
from tests.helpers import make_user

# Markers planted in care data: the clinical ones must reach clinicians only.
NOTE_MARKER = "MARKER-CARE-NOTE-6612"
ACTION_MARKER = "MARKER-CARE-ACTION-7723"
RATIONALE_MARKER = "MARKER-CARE-RATIONALE-8834"


@dataclass
class Summary:
    """What ``kawal.assessments.selectors.signed_assessments`` returns, for tests."""

    instrument_code: str = "biopsychosocial"
    instrument_name: str = "Asesmen biopsikososial awal (sintetis)"
    instrument_version: int = 1
    signed_at: datetime = field(default_factory=timezone.now)
    signed_by_id: int = 0
    total: Decimal | None = Decimal("12")
    band_code: str = "low"
    band_label: str = "Risiko rendah"
    subscales: dict[str, Any] = field(default_factory=dict)
    uuid: uuid.UUID = field(default_factory=uuid.uuid4)


REAL_SIGNED_ASSESSMENTS = care_svc.signed_assessments_of


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages in English, whatever an earlier request in this thread
    left active: the interface defaults to Indonesian since the catalogue merged."""
    with translation.override("en"):
        yield


@pytest.fixture
def real_assessments(monkeypatch) -> None:
    """Read the assessments app itself (integration tests)."""
    monkeypatch.setattr(care_svc, "signed_assessments_of", REAL_SIGNED_ASSESSMENTS)


@pytest.fixture(autouse=True)
def signed(monkeypatch) -> list[Summary]:
    """The signed assessments every case has in a test (none unless a test adds some).

    The assessments app is built alongside; care reads it through one function.
    """
    found: list[Summary] = []
    monkeypatch.setattr(care_svc, "signed_assessments_of", lambda case: list(found))
    return found


def scores(value: int = 3, **overrides: int) -> dict[str, int]:
    values = {indicator.code: value for indicator in Indicator.objects.filter(is_active=True)}
    values.update(overrides)
    return values


def backdate(case: Case, days: int) -> Case:
    """Open the case ``days`` ago, so observations can go back that far."""
    Case.objects.filter(pk=case.pk).update(opened_on=timezone.localdate() - timedelta(days=days))
    case.refresh_from_db()
    return case


def plant(
    case: Case,
    day: date,
    by: Any,
    *,
    value: int | dict[str, int] = 3,
    note: str = "",
    incidents: tuple[tuple[str, time, str], ...] = (),
) -> Observation:
    """An observation written straight to the database (read-side tests; any date)."""
    observation = Observation.objects.create(case=case, observed_on=day, note=note, recorded_by=by)
    values = value if isinstance(value, dict) else scores(value)
    indicators = {i.code: i for i in Indicator.objects.all()}
    ObservationScore.objects.bulk_create(
        ObservationScore(observation=observation, indicator=indicators[code], value=v)
        for code, v in values.items()
    )
    Incident.objects.bulk_create(
        Incident(observation=observation, kind=kind, occurred_at=at, action_taken=action)
        for kind, at, action in incidents
    )
    return observation


def add_member(case: Case, owner: Any, role: Role, classes: list[str], **extra: Any) -> Any:
    user = make_user(role, **extra)
    svc.member_add(case, user=user, case_role="x", data_classes=classes, acting_user=owner)
    return user


def record_today(world: World, **overrides: Any) -> Observation:
    data = care_svc.ObservationInput(
        observed_on=timezone.localdate(),
        scores=scores(overrides.pop("value", 3)),
        note=overrides.pop("note", NOTE_MARKER),
        incidents=overrides.pop(
            "incidents",
            [care_svc.IncidentInput("aggression", time(0, 0), ACTION_MARKER)],
        ),
    )
    return care_svc.observation_record(world.case, data, acting_user=world.psychologist)


__all__ = [
    "MARKERS",
    "World",
    "add_member",
    "backdate",
    "other_agency",
    "plant",
    "record_today",
    "scores",
    "world",
]
