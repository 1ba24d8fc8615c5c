"""The placement demo: placed children, a full LKSA, refusals with their rules, an override
waiting, a temporary placement and a return home."""

from __future__ import annotations

import pytest

from kawal.cases.models import Task
from kawal.demo.assessments import demo_load_assessments
from kawal.demo.cases import demo_load_cases
from kawal.demo.families import demo_load_families
from kawal.demo.institutions import demo_load_institutions
from kawal.demo.placement import BUNDA, KASIH_IBU, NURUL_ILMI, TUNAS, demo_load_placement
from kawal.demo.services import demo_load
from kawal.placement.models import DecisionStatus, Placement, PlacementDecision

pytestmark = pytest.mark.django_db


def _failed(decision: PlacementDecision) -> list[str]:
    return [e["code"] for e in decision.rule_results if e["outcome"] != "pass"]


def test_the_demo_placements_load_once_and_show_every_situation():
    demo_load(password="kawal-demo-test")
    demo_load_cases(count=60)
    demo_load_assessments()
    demo_load_families()
    demo_load_institutions()
    made = demo_load_placement()
    assert made >= 8
    assert demo_load_placement() == 0  # idempotent
    active = Placement.objects.active()
    assert active.filter(institution__name=BUNDA).count() >= 3
    tunas = active.filter(institution__name=TUNAS)
    assert tunas.count() == tunas.first().institution.capacity
    religion = PlacementDecision.objects.get(institution__name=NURUL_ILMI)
    assert religion.status == DecisionStatus.REFUSED and _failed(religion) == ["religion"]
    expired = PlacementDecision.objects.get(institution__name=KASIH_IBU)
    assert expired.status == DecisionStatus.REFUSED and "registration" in _failed(expired)
    waiting = PlacementDecision.objects.get(status=DecisionStatus.AWAITING_OVERRIDE)
    assert _failed(waiting) == ["siblings"]
    temporary = active.get(temporary_until__isnull=False)
    assert Task.objects.filter(reminder_key=f"placement.temporary:{temporary.uuid}").exists()
    assert Placement.objects.filter(exit_reason="reunification").count() == 1
