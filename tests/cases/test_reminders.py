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

    def rule(today, lead_days=None):
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


@pytest.mark.django_db
def test_settling_what_a_reminder_was_about_closes_it(world):
    task, _ = svc.task_remind(world.case, key="test.due:a:1", title="Something is due")
    other, _ = svc.task_remind(world.case, key="test.due:b:1", title="Something else")
    assert svc.reminders_resolve(world.case, key_prefix="test.due:a:") == 1
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.status == TaskStatus.DONE and other.status == TaskStatus.OPEN
    assert svc.reminders_resolve(world.case, key_prefix="test.due:a:") == 0


@pytest.mark.django_db
def test_my_tasks_come_in_pages_and_only_the_page_shown_is_logged(world):
    from django.test import Client
    from django.urls import reverse

    from kawal.access.models import AccessLog
    from kawal.cases.selectors import MY_TASKS_PAGE_SIZE
    from tests.cases.conftest import open_case
    from tests.helpers import sign_in

    for index in range(MY_TASKS_PAGE_SIZE + 5):
        case = world.case if index == 0 else open_case(world.owner, name=f"Anak Sintetis {index}")
        svc.task_remind(case, key=f"test.page:{index}", title="Due", assignee=world.owner)
    client = Client()
    sign_in(client, world.owner)
    first = client.get(reverse("cases:my_tasks"))
    assert len(first.context["listing"].page.object_list) == MY_TASKS_PAGE_SIZE
    total = first.context["listing"].open_count
    assert total >= MY_TASKS_PAGE_SIZE + 5
    # One row per case on the page shown, not per case of every page.
    shown = {task.case_id for task, _access in first.context["listing"].page.object_list}
    logged = AccessLog.objects.filter(user=world.owner, action="list").count()
    assert logged == len(shown)
    second = client.get(reverse("cases:my_tasks"), {"page": 2})
    assert len(second.context["listing"].page.object_list) == total - MY_TASKS_PAGE_SIZE
