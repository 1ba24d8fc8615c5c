"""A break-glass grant, its access-log row and the supervisor's alert exist together or not at all.

Outside review: the grant and the alert were committed before the log row was
written, so a failing access log left an unlogged emergency access behind.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases import services as svc
from kawal.cases.models import BreakGlassGrant, CaseEvent
from kawal.notify.models import Notification, OutboxMessage
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db
REASON = "Anak dilaporkan hilang dari rumah aman malam ini"


def _boss_client():
    boss = make_user(Role.SUPERVISOR, username="other-boss")
    client = Client(raise_request_exception=False)
    sign_in(client, boss)
    return boss, client


def _open(client, case):
    return client.post(reverse("cases:break_glass"), {"number": case.number, "reason": REASON})


def _nothing_left(case):
    assert not BreakGlassGrant.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.filter(kind="break_glass_used").exists()
    assert not AccessLog.objects.filter(action="break_glass").exists()
    assert not CaseEvent.objects.filter(case=case, kind="break_glass.opened").exists()


def _fail_bulk_create(monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("synthetic: access log unavailable")

    monkeypatch.setattr(AccessLog.objects, "bulk_create", fail)


def test_a_failing_access_log_leaves_no_grant_and_no_alert(world, monkeypatch):
    _, client = _boss_client()
    _fail_bulk_create(monkeypatch)
    response = _open(client, world.case)
    assert response.status_code == 503
    assert "Location" not in response
    _nothing_left(world.case)


def test_a_missing_access_log_table_leaves_no_grant_and_no_alert(world):
    """A real database error inside the log's savepoint must undo the whole opening."""
    _, client = _boss_client()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE access_accesslog RENAME TO access_accesslog_gone")
    try:
        response = _open(client, world.case)
        assert response.status_code == 503
        assert BreakGlassGrant.objects.count() == 0
        assert OutboxMessage.objects.count() == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE access_accesslog_gone RENAME TO access_accesslog")
    _nothing_left(world.case)


def test_a_failing_alert_leaves_no_log_row_and_no_grant(world, monkeypatch):
    _, client = _boss_client()
    logged_before_alert = []

    def fail(**kwargs):
        # The alert comes after the log row, inside the same transaction.
        logged_before_alert.append(AccessLog.objects.filter(action="break_glass").exists())
        raise DatabaseError("synthetic: outbox unavailable")

    # The alert goes through the notifications service (kawal.notify).
    monkeypatch.setattr(svc, "notify_users", fail)
    response = _open(client, world.case)
    assert response.status_code == 500
    assert logged_before_alert == [True]
    _nothing_left(world.case)


def test_a_successful_opening_writes_each_exactly_once(world):
    boss, client = _boss_client()
    response = _open(client, world.case)
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert grant.user == boss
    row = AccessLog.objects.get(action="break_glass")
    assert row.user == boss and row.via_break_glass
    assert row.case_id == world.case.pk and row.case_number == world.case.number
    assert row.path == reverse("cases:break_glass") and row.request_id
    assert OutboxMessage.objects.filter(recipient=world.supervisor.email).count() == 1


def test_opening_outside_a_request_is_logged_too(world):
    """The service itself writes the row, so no caller can open emergency access unlogged."""
    boss = make_user(Role.INVESTIGATOR)
    svc.break_glass_open(world.case, reason=REASON, acting_user=boss)
    row = AccessLog.objects.get(action="break_glass")
    assert row.user == boss and row.case_id == world.case.pk and row.via_break_glass
