"""Reminder rules in the configuration console: on/off and lead time, by the admin only;
the runs listed read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from kawal.reminders import rules
from kawal.reminders.models import ReminderRun, ReminderSetting, RunStatus
from kawal.reminders.services import settings_sync
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db
BASE = "/admin/reminders/remindersetting/"


@pytest.fixture
def console():
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(Role.SYSTEM_ADMIN, username="rm-admin"))
    client.cookies["kawal_language"] = "en"
    return client


def row(key: str) -> ReminderSetting:
    settings_sync()
    return ReminderSetting.objects.get(rule_key=key)


def test_the_console_registers_the_settings_and_the_runs():
    from kawal.accounts.admin_site import admin_site

    registered = {model._meta.label for model in admin_site._registry}
    assert {"reminders.ReminderSetting", "reminders.ReminderRun"} <= registered


def test_the_admin_sets_a_lead_time_and_switches_a_rule_off(console):
    setting = row(rules.APPROVAL_WAITING)
    listing = console.get(BASE)
    assert listing.status_code == 200
    assert b"Approvals waiting" in listing.content and b"2 (default)" in listing.content
    url = f"{BASE}{setting.pk}/change/"
    page = console.get(url)
    assert b"Leave empty for the default (2 days)" in page.content
    response = console.post(url, {"lead_days": "4", "expected_version": setting.version})
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.lead_days == 4 and setting.enabled is False  # unticked box: off
    assert setting.changed_by.username == "rm-admin" and setting.changed_at is not None
    assert AuditEvent.objects.filter(
        kind="configuration.changed", target=f"reminders.ReminderSetting:{setting.pk}"
    ).exists()


def test_a_stale_form_a_lead_time_where_none_exists_and_nonsense_are_refused(console):
    approvals = row(rules.APPROVAL_WAITING)
    url = f"{BASE}{approvals.pk}/change/"
    stale = console.post(
        url, {"enabled": "on", "lead_days": "3", "expected_version": approvals.version - 1}
    )
    assert stale.status_code == 200 and stale.context["adminform"].form.errors
    for bad in ("-1", "abc", "9999"):
        response = console.post(
            url, {"enabled": "on", "lead_days": bad, "expected_version": approvals.version}
        )
        assert response.status_code == 200, bad
        assert "lead_days" in response.context["adminform"].form.errors
    overdue = row(rules.TASK_OVERDUE)
    # The field is disabled for a rule without a lead time: a posted number is ignored.
    console.post(
        f"{BASE}{overdue.pk}/change/",
        {"enabled": "on", "lead_days": "3", "expected_version": overdue.version},
    )
    overdue.refresh_from_db()
    assert overdue.lead_days is None
    approvals.refresh_from_db()
    assert approvals.lead_days is None


def test_rules_are_neither_added_nor_deleted_and_runs_are_read_only(console):
    setting = row(rules.TASK_OVERDUE)
    assert console.get(f"{BASE}add/").status_code == 403
    assert console.get(f"{BASE}{setting.pk}/delete/").status_code == 403
    from datetime import date

    from django.utils import timezone

    run = ReminderRun.objects.create(
        job=rules.TASK_OVERDUE,
        day=date(2026, 12, 1),
        status=RunStatus.FAILED,
        queued_at=timezone.now(),
        error="builtins.RuntimeError",
    )
    runs = console.get("/admin/reminders/reminderrun/")
    assert runs.status_code == 200 and b"builtins.RuntimeError" in runs.content
    detail = console.get(f"/admin/reminders/reminderrun/{run.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert console.post(f"/admin/reminders/reminderrun/{run.pk}/change/", {}).status_code == 403
    assert console.get("/admin/reminders/reminderrun/add/").status_code == 403


def test_only_the_configuration_role_may_open_them():
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(Role.SUPERVISOR, username="rm-sup"))
    setting = row(rules.TASK_OVERDUE)
    for url in (BASE, f"{BASE}{setting.pk}/change/", "/admin/reminders/reminderrun/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"reminders.task_overdue" not in response.content
