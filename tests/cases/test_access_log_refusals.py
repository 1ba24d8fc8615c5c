"""Refusals by role or capability, and the "my tasks" list, reach the access log.

Outside review: only the 404 refusals and the case lists were logged, though
docs/cases.md promises every denied attempt and every listed case.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.middleware import AccessLogFailClosedMiddleware
from kawal.access.models import AccessLog
from kawal.cases import services as svc
from tests.cases.conftest import open_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db

# (url name, role refused there): at least one page of every app that refuses by role.
REFUSED = [
    ("cases:list", Role.PATROL_OFFICER),
    ("cases:my_tasks", Role.RT_HEAD),
    ("cases:break_glass", Role.CASE_MANAGER),
    ("cases:break_glass_queue", Role.PSYCHOLOGIST),
    ("reports:triage", Role.PSYCHOLOGIST),
    ("reports:take_in", Role.SHELTER_STAFF),
    ("outreach:list", Role.PSYCHOLOGIST),
    ("identity:queue", Role.CASE_MANAGER),
    ("hotspots:map", Role.PSYCHOLOGIST),
    ("hotspots:data", Role.SCHOOL_LIAISON),
]


def client_for(user):
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


@pytest.mark.parametrize(("name", "role"), REFUSED, ids=[name for name, _ in REFUSED])
def test_a_refusal_by_role_is_logged(name, role):
    user = make_user(role)
    url = reverse(name)
    response = client_for(user).get(url)
    assert response.status_code == 403
    row = AccessLog.objects.get()
    assert row.action == "denied"
    assert row.user == user and row.role == role
    assert row.path == url
    assert row.case_id is None and row.case_number == ""
    assert row.data_classes == [] and not row.via_break_glass
    assert row.request_id == response["X-Request-ID"]


def test_a_refusal_inside_a_case_page_is_logged(world):
    """The psychologist may read the case but not change its facts: a 403, logged."""
    url = reverse("cases:edit", kwargs={"case_uuid": world.case.uuid})
    response = client_for(world.psychologist).get(url)
    assert response.status_code == 403
    assert AccessLog.objects.filter(action="denied", user=world.psychologist, path=url).count() == 1


def test_a_refusal_fails_closed_when_the_log_cannot_be_written():
    client = client_for(make_user(Role.PSYCHOLOGIST))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE access_accesslog RENAME TO access_accesslog_gone")
    try:
        response = client.get(reverse("reports:triage"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE access_accesslog_gone RENAME TO access_accesslog")
    assert response.status_code == 503


def test_a_refusal_fails_closed_when_the_insert_fails(monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("synthetic: access log unavailable")

    monkeypatch.setattr(AccessLog.objects, "bulk_create", fail)
    response = client_for(make_user(Role.PSYCHOLOGIST)).get(reverse("hotspots:map"))
    assert response.status_code == 503


def test_an_anonymous_refusal_is_not_logged_as_a_user():
    request = RequestFactory().get("/laporan/")
    request.user = AnonymousUser()
    middleware = AccessLogFailClosedMiddleware(lambda request: None)
    assert middleware.process_exception(request, PermissionDenied()) is None
    assert not AccessLog.objects.exists()


def test_other_errors_are_not_logged_as_refusals():
    request = RequestFactory().get("/kasus/")
    request.user = make_user(Role.CASE_MANAGER)
    middleware = AccessLogFailClosedMiddleware(lambda request: None)
    assert middleware.process_exception(request, ValueError("boom")) is None
    assert not AccessLog.objects.exists()


def test_my_tasks_logs_one_list_row_per_case_shown(world):
    owner = world.owner
    # A second task on the world's case: still one row for that case.
    svc.task_create(
        world.case,
        title="Telepon sekolah",
        assignee=owner,
        assignee_agency=None,
        due_on=None,
        acting_user=owner,
    )
    second = open_case(owner, world.supervisor, name="Anak Sintetis Kedua")
    svc.task_create(
        second,
        title="Kunjungan",
        assignee=owner,
        assignee_agency=None,
        due_on=None,
        acting_user=owner,
    )
    # A case the owner leads whose only task is someone else's is not on the page.
    third = open_case(owner, world.supervisor, name="Anak Sintetis Ketiga")
    svc.task_create(
        third,
        title="Rapat",
        assignee=world.supervisor,
        assignee_agency=None,
        due_on=None,
        acting_user=owner,
    )
    url = reverse("cases:my_tasks")
    response = client_for(owner).get(url)
    assert response.status_code == 200
    listed = {task.case_id for task, _access in response.context["listing"].page.object_list}
    assert listed == {world.case.pk, second.pk}
    rows = AccessLog.objects.filter(action="list", user=owner)
    assert sorted(rows.values_list("case_id", flat=True)) == sorted(listed)
    for row in rows:
        assert row.path == url and row.data_classes == ["basic"]
        assert row.case_number in (world.case.number, second.number)


def test_my_tasks_with_no_tasks_writes_no_list_row():
    user = make_user(Role.CASE_MANAGER)
    assert client_for(user).get(reverse("cases:my_tasks")).status_code == 200
    assert not AccessLog.objects.filter(action="list").exists()


def test_my_tasks_fails_closed(world, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("synthetic: access log unavailable")

    monkeypatch.setattr(AccessLog.objects, "bulk_create", fail)
    response = client_for(world.owner).get(reverse("cases:my_tasks"))
    assert response.status_code == 503
    assert "Kunjungan rumah" not in response.content.decode()
