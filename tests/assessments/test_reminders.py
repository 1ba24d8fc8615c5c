"""The "assessments due" reminder rule: tasks for the case manager, once per key."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from kawal.assessments.reminders import (
    BIOPSYCHOSOCIAL_DUE_DAYS,
    RULE_KEY,
    SAFETY_REVIEW_DAYS,
    assessments_due,
)
from kawal.cases import services as case_svc
from kawal.cases.extensions import reminder_rules
from kawal.cases.models import Case, CaseEvent, CaseStatus, Task
from tests.assessments.builders import complete_answers, fill_and_sign

pytestmark = pytest.mark.django_db


def to_assessment(world):
    case_svc.case_transition(
        world.case, target=CaseStatus.ASSESSMENT, reason="", acting_user=world.owner
    )
    world.case.refresh_from_db()
    return timezone.localdate()


def reminders(world):
    return Task.objects.filter(case=world.case, reminder_key__startswith=RULE_KEY)


def test_the_rule_is_registered():
    assert RULE_KEY in {rule.key for rule in reminder_rules()}


def test_biopsychosocial_due_after_n_days_in_the_assessment_stage(world):
    entered = to_assessment(world)
    assert assessments_due(entered + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS - 1)) == 0
    due_day = entered + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS)
    assert assessments_due(due_day) == 1
    assert assessments_due(due_day + timedelta(days=3)) == 0  # once per key
    task = reminders(world).get()
    assert task.assignee == world.owner and task.created_by is None
    assert task.due_on == due_day
    assert "biopsychosocial" in task.title.lower() or "biopsikososial" in task.title.lower()
    # The title names what is due, never the child.
    assert world.case.child.full_name.split()[0] not in task.title


def test_a_signed_biopsychosocial_assessment_stops_the_reminder(world):
    entered = to_assessment(world)
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    fill_and_sign(world.case, world.psychologist, BIOPSYCHOSOCIAL_CODE, complete_answers(bio))
    assert assessments_due(entered + timedelta(days=30)) == 0
    assert not reminders(world).exists()


def test_a_case_that_reenters_assessment_is_reminded_again(world):
    entered = to_assessment(world)
    assessments_due(entered + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS))
    later = timezone.now() + timedelta(days=40)
    CaseEvent.objects.create(
        case=world.case,
        kind="case.status_changed",
        payload={"before": "plan", "after": "assessment"},
    )
    CaseEvent.objects.filter(case=world.case, payload__after="assessment").order_by("-id").update(
        at=later
    )
    day = timezone.localdate(later) + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS)
    assert assessments_due(day) == 1
    assert reminders(world).count() == 2


def test_a_child_in_care_needs_a_fresh_safety_assessment(world):
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.INTERVENTION)
    world.case.refresh_from_db()
    today = timezone.localdate()
    # Never assessed: counted from the opening of the case.
    opened = world.case.opened_on
    assert assessments_due(opened + timedelta(days=SAFETY_REVIEW_DAYS)) == 1
    safety = Instrument.objects.get(code=SAFETY_RISK_CODE)
    fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, complete_answers(safety))
    assert assessments_due(today + timedelta(days=SAFETY_REVIEW_DAYS - 1)) == 0
    assert assessments_due(today + timedelta(days=SAFETY_REVIEW_DAYS)) == 1
    assert assessments_due(today + timedelta(days=SAFETY_REVIEW_DAYS + 5)) == 0
    keys = sorted(reminders(world).values_list("reminder_key", flat=True))
    assert keys == [
        f"{RULE_KEY}:{SAFETY_RISK_CODE}:{world.case.pk}:opened-{opened.isoformat()}",
        f"{RULE_KEY}:{SAFETY_RISK_CODE}:{world.case.pk}:signed-{today.isoformat()}",
    ]


def test_closed_and_identified_cases_are_left_alone(world):
    assert world.case.status == CaseStatus.IDENTIFIED
    assert assessments_due(timezone.localdate() + timedelta(days=400)) == 0
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.CLOSED)
    assert assessments_due(timezone.localdate() + timedelta(days=400)) == 0


def test_kawal_remind_runs_the_rule(world):
    entered = to_assessment(world)
    day = (entered + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS)).isoformat()
    out = StringIO()
    call_command("remind", "--date", day, "--rule", RULE_KEY, stdout=out)
    call_command("remind", "--date", day, "--rule", RULE_KEY, stdout=out)
    assert f"{RULE_KEY}: 1 new task(s)" in out.getvalue()
    assert f"{RULE_KEY}: 0 new task(s)" in out.getvalue()


def test_signing_closes_the_reminder_that_asked_for_it(world):
    from kawal.cases.models import TaskStatus

    entered = to_assessment(world)
    assert assessments_due(entered + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS)) == 1
    bio = Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE)
    fill_and_sign(world.case, world.psychologist, BIOPSYCHOSOCIAL_CODE, complete_answers(bio))
    assert reminders(world).get().status == TaskStatus.DONE
