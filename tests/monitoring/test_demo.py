"""The monitoring demo: nothing without placements, a roster and records with them, once."""

from __future__ import annotations

from datetime import timedelta

from kawal.cases.models import Task
from kawal.demo.monitoring import demo_load_monitoring
from kawal.monitoring.models import (
    AfterCareFollowUp,
    Incident,
    MonitoringVisit,
    PlacementReview,
    Presence,
)
from kawal.placement.models import ExitReason, Placement
from tests.monitoring.conftest import place, social_worker_on
from tests.shelters.conftest import shared_case


def test_nothing_without_placements(db):
    assert demo_load_monitoring() == 0
    assert not Presence.objects.exists()


def test_the_demo_fills_the_roster_and_records_once(placed):
    went_home = shared_case(placed.world.owner, name="Anak Pulang Sintetis")
    social_worker_on(went_home, placed.world.owner, username="dinsos-2")
    placed.worker = went_home.members.get(user__username="dinsos-2").user
    gone = place(went_home, placed.institution, placed.worker, days_ago=200)
    Placement.objects.filter(pk=gone.pk).update(
        ended_on=placed.today - timedelta(days=45),
        exit_reason=ExitReason.REUNIFICATION,
        ended_by=placed.worker,
    )
    made = demo_load_monitoring()
    assert made > 30
    days = set(placed.placement.presences.values_list("day", flat=True))
    assert placed.today not in days  # left for the demo user to tap
    assert min(days) == placed.placement.started_on
    assert max(days) == placed.today - timedelta(days=1)
    assert placed.placement.presences.filter(present=False).exists()
    gone.refresh_from_db()
    assert not Presence.objects.filter(placement=gone, day__gt=gone.ended_on).exists()
    assert Incident.objects.filter(placement=placed.placement).count() == 1
    assert PlacementReview.objects.count() == 1
    assert MonitoringVisit.objects.count() == 1
    assert AfterCareFollowUp.objects.get(placement=gone).milestone == 1
    assert Task.objects.filter(reminder_key__startswith="monitoring.review:").exists()
    assert demo_load_monitoring() == 0
