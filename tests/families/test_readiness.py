"""Reunification readiness: the checklist a "return home" exit requires."""

from __future__ import annotations

import dataclasses
import sys
import types
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kawal.families import services as svc
from kawal.families.selectors import ReunificationReadiness, reunification_readiness
from tests.families.conftest import days_ago
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@dataclasses.dataclass(frozen=True)
class Summary:
    """The shape kawal.assessments.selectors.latest_signed returns (AssessmentSummary)."""

    uuid: uuid.UUID
    instrument_code: str
    instrument_name: str
    instrument_version: int
    signed_at: object
    signed_by_id: int
    total: float
    band_code: str
    band_label: str
    subscales: dict


@pytest.fixture
def assessment(monkeypatch):
    """Stand in for kawal.assessments.selectors with a chosen latest safety/risk assessment."""
    state: dict[str, object] = {"summary": None, "asked": []}

    def latest_signed(case, instrument_code):
        state["asked"].append((case.pk, instrument_code))
        return state["summary"]

    module = types.ModuleType("kawal.assessments.selectors")
    module.latest_signed = latest_signed
    monkeypatch.setitem(sys.modules, "kawal.assessments.selectors", module)

    def signed(days: int, band: str = "low") -> None:
        state["summary"] = Summary(
            uuid=uuid.uuid4(),
            instrument_code="safety-risk",
            instrument_name="Safety and risk",
            instrument_version=1,
            signed_at=timezone.now() - timedelta(days=days),
            signed_by_id=1,
            total=3.0,
            band_code=band,
            band_label={"low": "Low", "medium": "Medium", "high": "High", "": ""}[band],
            subscales={},
        )

    state["signed"] = signed
    return state


def items(readiness: ReunificationReadiness) -> dict[str, tuple[bool, str]]:
    return {item.code: (item.met, item.detail) for item in readiness.items}


def test_without_a_programme_nothing_is_met(world, assessment):
    with override("en"):
        readiness = reunification_readiness(world.case)
    assert not readiness.ready
    found = items(readiness)
    assert set(found) == {"sessions", "undertakings", "home_visit", "assessment"}
    assert found["sessions"] == (False, "No parent programme yet.")
    assert found["assessment"] == (False, "No safety and risk assessment signed yet.")
    assert assessment["asked"] == [(world.case.pk, "safety-risk")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        readiness.ready = True  # type: ignore[misc]


def test_each_item_from_the_records(family, assessment, settings):
    settings.KAWAL_REUNIFICATION_MIN_SESSIONS = 4
    with override("en"):
        found = items(reunification_readiness(family.case))
    assert found["sessions"] == (False, "1 of 4 attended.")
    assert found["undertakings"] == (True, "1 signed, none broken since.")
    assert found["home_visit"][0] is True
    assert found["assessment"][0] is False


def test_ready_when_everything_is_in_place(family, assessment, settings):
    settings.KAWAL_REUNIFICATION_MIN_SESSIONS = 1
    settings.KAWAL_REUNIFICATION_ASSESSMENT_DAYS = 30
    assessment["signed"](5, "medium")
    readiness = reunification_readiness(family.case)
    assert readiness.ready and readiness.missing == []
    code, _label, met, _detail = readiness.items[0]  # plain tuples for the exit step
    assert code == "sessions" and met


@pytest.mark.parametrize(
    ("days", "band", "met"),
    [
        (5, "low", True),
        (30, "low", True),
        (31, "low", False),
        (2, "medium", True),
        (2, "high", False),
        (2, "", False),  # not scorable: no risk level, no clearance
    ],
)
def test_a_fresh_assessment_that_is_not_high_risk(family, assessment, settings, days, band, met):
    settings.KAWAL_REUNIFICATION_ASSESSMENT_DAYS = 30
    assessment["signed"](days, band)
    assert items(reunification_readiness(family.case))["assessment"][0] is met


def test_a_broken_undertaking_or_a_disputed_visit_blocks(family, assessment):
    svc.visit_confirm(
        family.visit,
        outcome="not_confirmed",
        note="Keluarga tidak dikenal di RT ini (sintetis)",
        acting_user=family.rt_head,
    )
    svc.undertaking_set_state(
        family.undertaking,
        state="broken",
        on=days_ago(1),
        note="Anak kembali ke jalan (sintetis)",
        expected_version=family.undertaking.version,
        acting_user=family.world.owner,
    )
    with override("en"):
        found = items(reunification_readiness(family.case))
    assert found["home_visit"][0] is False and "disputed" in found["home_visit"][1]
    assert found["undertakings"][0] is False and "Broken on" in found["undertakings"][1]


def test_the_case_page_shows_what_is_missing(family, assessment, settings):
    settings.KAWAL_REUNIFICATION_MIN_SESSIONS = 4
    client = Client()
    sign_in(client, family.world.owner)
    client.cookies["kawal_language"] = "en"
    body = client.get(
        reverse("cases:detail", kwargs={"case_uuid": family.case.uuid})
    ).content.decode()
    assert "Ready to return home?" in body
    assert "2 things are missing before a return home." in body
    assert "Parents attended at least 4 sessions" in body


def test_without_the_assessments_module_the_item_says_so(family, monkeypatch):
    monkeypatch.setitem(sys.modules, "kawal.assessments.selectors", None)
    with override("en"):
        found = items(reunification_readiness(family.case))
    assert found["assessment"] == (False, "Assessments are not available yet.")
