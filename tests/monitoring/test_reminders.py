"""Review and after-care reminders: due when they should be, once per key, closed by the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kawal.cases.extensions import reminder_rules
from kawal.cases.models import CaseEvent, Task, TaskStatus
from kawal.monitoring import reminders
from kawal.monitoring import services as svc
from kawal.monitoring.models import IncidentKind, InSchool, ReviewOutcome
from kawal.monitoring.selectors import add_months
from kawal.placement.models import ExitReason, Placement


def review_tasks(pw):
    return Task.objects.filter(case=pw.case, reminder_key__startswith="monitoring.review:")


def aftercare_tasks(pw):
    return Task.objects.filter(case=pw.case, reminder_key__startswith="monitoring.aftercare:")


def test_rules_are_registered():
    keys = {rule.key for rule in reminder_rules()}
    assert {"monitoring.placement_review", "monitoring.aftercare"} <= keys


def test_review_due_after_six_months_once_and_closed_by_the_review(placed):
    started = placed.placement.started_on
    due = add_months(started, 6)
    assert reminders.review_due(due - timedelta(days=15)) == 0
    assert reminders.review_due(due - timedelta(days=14)) == 1
    assert reminders.review_due(due) == 0
    assert reminders.review_due(due + timedelta(days=3)) == 0
    task = review_tasks(placed).get()
    assert task.due_on == due
    # The social worker who placed the child, still on the team, is reminded.
    assert task.assignee == placed.worker
    assert "Zulaikha" not in task.title
    svc.review_record(
        placed.placement,
        reviewed_on=placed.today,
        outcome=ReviewOutcome.CONTINUE,
        notes="Baik (sintetis)",
        next_review_on=placed.today + timedelta(days=90),
        acting_user=placed.worker,
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    # The next review is due on the date the review set, and reminds once again.
    assert reminders.review_due(placed.today + timedelta(days=80)) == 1
    assert reminders.review_due(placed.today + timedelta(days=80)) == 0
    assert review_tasks(placed).filter(status=TaskStatus.OPEN).get().due_on == (
        placed.today + timedelta(days=90)
    )


def test_the_review_interval_is_configurable(placed, settings):
    settings.KAWAL_PLACEMENT_REVIEW_MONTHS = 1
    due = add_months(placed.placement.started_on, 1)
    assert due <= placed.today
    assert reminders.review_due(placed.today) == 1


def test_ended_placements_get_no_review(placed):
    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=placed.today, exit_reason=ExitReason.AGE_18
    )
    assert reminders.review_due(placed.today + timedelta(days=400)) == 0


def _exit(pw, days_ago, reason=ExitReason.REUNIFICATION):
    Placement.objects.filter(pk=pw.placement.pk).update(
        ended_on=pw.today - timedelta(days=days_ago), exit_reason=reason, ended_by=pw.worker
    )
    pw.placement.refresh_from_db()


def test_aftercare_at_one_three_and_six_months(placed):
    _exit(placed, 0)
    ended = placed.placement.ended_on
    assert reminders.aftercare_due(ended) == 0
    one = add_months(ended, 1)
    assert reminders.aftercare_due(one - timedelta(days=7)) == 1
    assert reminders.aftercare_due(one) == 0
    assert reminders.aftercare_due(add_months(ended, 3)) == 1
    assert reminders.aftercare_due(add_months(ended, 6)) == 1
    assert reminders.aftercare_due(add_months(ended, 6)) == 0
    keys = set(aftercare_tasks(placed).values_list("reminder_key", flat=True))
    assert {key.rsplit(":", 1)[1] for key in keys} == {"1m", "3m", "6m"}


def test_a_recorded_follow_up_closes_its_task_and_is_not_reminded(placed):
    _exit(placed, 40)
    assert reminders.aftercare_due(placed.today) == 1
    svc.follow_up_record(
        placed.placement,
        milestone=1,
        followed_up_on=placed.today,
        wellbeing="Sehat, tinggal dengan ibu (sintetis)",
        in_school=InSchool.YES,
        risk_signs="",
        notes="",
        acting_user=placed.worker,
    )
    assert aftercare_tasks(placed).get().status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        svc.follow_up_record(
            placed.placement,
            milestone=1,
            followed_up_on=placed.today,
            wellbeing="Lagi",
            in_school=InSchool.YES,
            acting_user=placed.worker,
        )


def test_no_aftercare_after_a_transfer(placed):
    _exit(placed, 40, ExitReason.TRANSFER)
    assert reminders.aftercare_due(placed.today + timedelta(days=200)) == 0


def test_an_incident_makes_a_task_for_the_case_owner_and_a_bare_timeline_line(placed):
    incident = svc.incident_record(
        placed.placement,
        svc.NewIncident(
            occurred_at=timezone.now() - timedelta(hours=2),
            kind=IncidentKind.ILLNESS,
            what_happened="Demam tinggi MARKER-INCIDENT (sintetis)",
            action_taken="Dibawa ke puskesmas",
        ),
        acting_user=placed.staff,
    )
    task = Task.objects.get(reminder_key=f"monitoring.incident:{incident.uuid}")
    assert task.assignee == placed.world.owner
    event = CaseEvent.objects.get(case=placed.case, kind="monitoring.incident")
    assert event.payload == {"incident_kind": "illness"}
    assert event.data_class == "whereabouts"
    assert "MARKER-INCIDENT" not in task.title
