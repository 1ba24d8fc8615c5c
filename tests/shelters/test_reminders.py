"""A stay past the limit makes one task for the case manager (rule "shelters.long_stay")."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kawal.access.catalogue import DataClass
from kawal.cases.extensions import reminder_rules
from kawal.cases.models import Task
from kawal.shelters import services as svc
from kawal.shelters.models import Stay
from tests.cases.conftest import MARKERS

pytestmark = pytest.mark.django_db


def began(stay: Stay, days_ago: int) -> None:
    moment = timezone.now() - timedelta(days=days_ago)
    Stay.objects.filter(pk=stay.pk).update(began_at=moment, admitted_at=moment)
    stay.refresh_from_db()


def test_the_rule_is_registered():
    assert "shelters.long_stay" in {rule.key for rule in reminder_rules()}


def test_a_stay_past_the_limit_reminds_the_case_manager_once(shelter_world):
    stay = shelter_world.stay
    today = timezone.localdate()
    began(stay, 30)
    assert svc.stay_long_reminders(today) == 0  # 30 days is the limit, not past it
    began(stay, 31)
    assert svc.stay_long_reminders(today) == 1
    assert svc.stay_long_reminders(today) == 0
    assert svc.stay_long_reminders(today + timedelta(days=5)) == 0
    task = Task.objects.get(reminder_key__startswith="shelters.long_stay:")
    assert task.case == shelter_world.case and task.assignee == shelter_world.world.owner
    assert task.created_by is None
    assert task.due_on == timezone.localdate(stay.began_at) + timedelta(days=31)
    # The title is basic: no child, no shelter, no room.
    assert MARKERS[DataClass.IDENTITY] not in task.title
    assert "Rumah Aman" not in task.title and "Melati" not in task.title
    assert "30" in task.title


def test_a_transfer_does_not_restart_the_count_nor_remind_twice(shelter_world):
    stay = shelter_world.stay
    began(stay, 40)
    today = timezone.localdate()
    assert svc.stay_long_reminders(today) == 1
    moved = svc.stay_transfer(
        stay,
        expected_version=stay.version,
        bed=shelter_world.bed(shelter_world.girls, "G2"),
        at=timezone.now(),
        reason="Pindah kamar",
        acting_user=shelter_world.staff,
    )
    assert moved.days(today) == 40
    assert svc.stay_long_reminders(today) == 0
    assert Task.objects.filter(reminder_key__startswith="shelters.long_stay:").count() == 1


def test_discharged_stays_and_a_new_stay_later(shelter_world, settings):
    stay = shelter_world.stay
    began(stay, 50)
    svc.stay_discharge(
        stay,
        expected_version=stay.version,
        at=timezone.now(),
        reason="home",
        destination="Rumah (sintetis)",
        acting_user=shelter_world.staff,
    )
    assert svc.stay_long_reminders(timezone.localdate()) == 0
    settings.KAWAL_SHELTER_STAY_LIMIT_DAYS = 10
    assert svc.stay_limit_days() == 10
    settings.KAWAL_SHELTER_STAY_LIMIT_DAYS = "nonsense"
    assert svc.stay_limit_days() == 30


def test_kawal_remind_runs_the_rule(shelter_world):
    began(shelter_world.stay, 35)
    out = StringIO()
    today = timezone.localdate().isoformat()
    call_command("remind", "--date", today, "--rule", "shelters.long_stay", stdout=out)
    call_command("remind", "--date", today, "--rule", "shelters.long_stay", stdout=out)
    assert "shelters.long_stay: 1 new task(s)" in out.getvalue()
    assert "shelters.long_stay: 0 new task(s)" in out.getvalue()
