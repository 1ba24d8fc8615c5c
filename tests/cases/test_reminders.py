"""Reminder tasks made by the system are created once per key."""

from __future__ import annotations

import pytest

from kawal.cases import services as svc
from kawal.cases.models import Task, TaskStatus


@pytest.mark.django_db
def test_a_reminder_is_created_once_per_key(world):
    task, created = svc.task_remind(
        world.case, key="test.rule:1:2026-12-01", title="Something is due", assignee=world.owner
    )
    assert created and task.created_by is None
    again, created_again = svc.task_remind(
        world.case, key="test.rule:1:2026-12-01", title="Something is due", assignee=world.owner
    )
    assert not created_again and again.pk == task.pk
    # Done or cancelled, the same key still does not come back.
    svc.task_set_status(
        task, status=TaskStatus.DONE, expected_version=task.version, acting_user=world.owner
    )
    svc.task_remind(world.case, key="test.rule:1:2026-12-01", title="Something is due")
    assert Task.objects.filter(reminder_key="test.rule:1:2026-12-01").count() == 1
    assert world.case.events.filter(kind="task.created", payload__reminder=True).count() == 1


@pytest.mark.django_db
def test_a_reminder_needs_a_key_and_a_title(world):
    with pytest.raises(ValueError):
        svc.task_remind(world.case, key="", title="x")
    with pytest.raises(ValueError):
        svc.task_remind(world.case, key="k", title=" ")


@pytest.mark.django_db
def test_kawal_remind_runs_registered_rules_once_per_key(world):
    from io import StringIO

    from django.core.management import call_command

    from kawal.cases import extensions

    def rule(today):
        return int(svc.task_remind(world.case, key=f"test.cmd:{today}", title="Check the file")[1])

    extensions.register_reminder_rule(extensions.ReminderRule("test.cmd", "test", rule))
    try:
        out = StringIO()
        call_command("remind", "--date", "2026-12-01", "--rule", "test.cmd", stdout=out)
        call_command("remind", "--date", "2026-12-01", "--rule", "test.cmd", stdout=out)
        assert "test.cmd: 1 new task(s)" in out.getvalue()
        assert "test.cmd: 0 new task(s)" in out.getvalue()
        assert Task.objects.filter(reminder_key="test.cmd:2026-12-01").count() == 1
    finally:
        extensions._REMINDERS.pop("test.cmd")
