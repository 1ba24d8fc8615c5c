"""The reminders demo: today's run, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.cases import services as case_svc
from kawal.demo.reminders import demo_load_reminders
from kawal.reminders.models import ReminderRun, RunStatus

pytestmark = pytest.mark.django_db


def test_the_demo_runs_today_once(small):
    case_svc.task_create(
        small.case,
        title="Kunjungan rumah",
        assignee=small.owner,
        assignee_agency=None,
        due_on=timezone.localdate() - timedelta(days=3),
        acting_user=small.owner,
    )
    assert demo_load_reminders() >= 1
    assert ReminderRun.objects.filter(day=timezone.localdate(), status=RunStatus.DONE).exists()
    assert demo_load_reminders() == 0
