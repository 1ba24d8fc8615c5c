"""The "care.missing_observation" reminder: yesterday unobserved, a task for the psychologist."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.care import services as care_svc
from kawal.care.services import missing_observation_rule
from kawal.cases import extensions
from kawal.cases import services as svc
from kawal.cases.models import CaseMember, CaseStatus, Task, TaskStatus
from tests.care.conftest import MARKERS, NOTE_MARKER, add_member, backdate, plant, scores
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_the_rule_is_registered():
    assert "care.missing_observation" in {rule.key for rule in extensions.reminder_rules()}


def test_a_missed_day_gives_the_psychologist_one_task(world):
    backdate(world.case, 5)
    today = timezone.localdate()
    # Joined the team before yesterday.
    CaseMember.objects.filter(user=world.psychologist).update(
        added_at=timezone.now() - timedelta(days=3)
    )
    plant(world.case, today - timedelta(days=2), world.psychologist, note=NOTE_MARKER)
    assert missing_observation_rule(today) == 1
    assert missing_observation_rule(today) == 0  # the key holds: once per case and day
    task = Task.objects.get(reminder_key__startswith="care.missing_observation:")
    yesterday = today - timedelta(days=1)
    assert task.reminder_key == f"care.missing_observation:{world.case.pk}:{yesterday.isoformat()}"
    assert task.assignee == world.psychologist and task.due_on == today
    assert yesterday.strftime("%d/%m/%Y") in task.title
    # A title is basic: never the child's name nor a clinical fact.
    assert MARKERS["identity"] not in task.title and NOTE_MARKER not in task.title
    assert "Markerputri" not in task.title
    # "My tasks" shows it to the psychologist, without the note.
    client = Client()
    sign_in(client, world.psychologist)
    body = client.get(reverse("cases:my_tasks")).content.decode()
    assert task.title in body and NOTE_MARKER not in body


def test_no_task_when_yesterday_was_observed(world):
    backdate(world.case, 5)
    CaseMember.objects.filter(user=world.psychologist).update(
        added_at=timezone.now() - timedelta(days=3)
    )
    today = timezone.localdate()
    plant(world.case, today - timedelta(days=1), world.psychologist)
    assert missing_observation_rule(today) == 0


def test_no_task_outside_daily_care_or_before_the_psychologist_joined(world):
    today = timezone.localdate()
    # The case was opened today: yesterday it did not exist.
    assert missing_observation_rule(today) == 0
    backdate(world.case, 5)
    # The psychologist joined today: yesterday was not theirs.
    assert missing_observation_rule(today) == 0
    CaseMember.objects.filter(user=world.psychologist).update(
        added_at=timezone.now() - timedelta(days=3)
    )
    world.case.status = CaseStatus.MONITORING
    world.case.save(update_fields=["status"])
    assert missing_observation_rule(today) == 0
    world.case.status = CaseStatus.INTERVENTION
    world.case.save(update_fields=["status"])
    assert missing_observation_rule(today) == 1


def test_only_a_psychologist_who_may_record_is_reminded(world):
    backdate(world.case, 5)
    svc.member_remove(CaseMember.objects.get(user=world.psychologist), acting_user=world.owner)
    clinical_only = add_member(world.case, world.owner, Role.PSYCHOLOGIST, ["clinical"])
    CaseMember.objects.filter(case=world.case).update(added_at=timezone.now() - timedelta(days=3))
    assert missing_observation_rule(timezone.localdate()) == 0
    recorder = add_member(world.case, world.owner, Role.PSYCHOLOGIST, ["clinical", "progress"])
    CaseMember.objects.filter(case=world.case).update(added_at=timezone.now() - timedelta(days=3))
    assert missing_observation_rule(timezone.localdate()) == 1
    assert Task.objects.get(reminder_key__isnull=False).assignee == recorder
    assert clinical_only != recorder


def test_kawal_remind_runs_the_rule(world):
    backdate(world.case, 5)
    CaseMember.objects.filter(user=world.psychologist).update(
        added_at=timezone.now() - timedelta(days=3)
    )
    out = StringIO()
    day = timezone.localdate().isoformat()
    call_command("remind", "--date", day, "--rule", "care.missing_observation", stdout=out)
    assert "care.missing_observation: 1 new task(s)" in out.getvalue()


def test_recording_an_observation_closes_the_missed_day_reminders(world):
    backdate(world.case, 5)
    CaseMember.objects.filter(user=world.psychologist).update(
        added_at=timezone.now() - timedelta(days=3)
    )
    today = timezone.localdate()
    assert missing_observation_rule(today) == 1
    other = svc.task_remind(
        world.case, key="other.rule:1", title="x", assignee=world.owner, due_on=today
    )[0]
    # The missed day, recorded late, settles the reminder in the same transaction.
    care_svc.observation_record(
        world.case,
        care_svc.ObservationInput(observed_on=today - timedelta(days=1), scores=scores()),
        acting_user=world.psychologist,
    )
    task = Task.objects.get(reminder_key__startswith="care.missing_observation:")
    assert task.status == TaskStatus.DONE
    other.refresh_from_db()
    assert other.status == TaskStatus.OPEN
