from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from tests.cases.conftest import MARKERS
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    return client


def test_a_case_view_is_logged_with_the_classes_shown(world):
    client = client_for(world.psychologist)
    client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    row = AccessLog.objects.get(action="view")
    assert row.user == world.psychologist
    assert row.case_id == world.case.pk and row.case_number == world.case.number
    assert set(row.data_classes) == {"basic", "identity", "whereabouts", "clinical", "progress"}
    assert row.role == Role.PSYCHOLOGIST and row.agency
    assert row.ip_address == "127.0.0.1" and row.request_id


def test_list_and_search_log_one_row_per_case_shown(world):
    client = client_for(world.owner)
    client.get(reverse("cases:list"))
    assert AccessLog.objects.filter(action="list", case_id=world.case.pk).count() == 1
    client.post(reverse("cases:search"), {"q": "Markerputri"})
    assert AccessLog.objects.filter(action="search", case_id=world.case.pk).count() == 1


def test_denied_attempts_are_logged(world):
    client = client_for(make_user(Role.CASE_MANAGER))
    response = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    assert response.status_code == 404
    assert AccessLog.objects.filter(action="denied", case_id=world.case.pk).count() == 1


def test_who_viewed_page_for_owner_supervisor_and_dpo_only(world):
    client_for(world.psychologist).get(
        reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    )
    url = reverse("cases:access_log", kwargs={"case_uuid": world.case.uuid})
    for user in (world.owner, world.supervisor, make_user(Role.DATA_PROTECTION_OFFICER)):
        body = client_for(user).get(url).content.decode()
        assert world.psychologist.full_name in body
    assert client_for(world.psychologist).get(url).status_code == 404
    assert client_for(world.investigator).get(url).status_code == 404


def test_access_log_is_append_only(world):
    client_for(world.owner).get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    row = AccessLog.objects.first()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.update(role="x")


def test_fail_closed_when_the_log_cannot_be_written(world):
    """Break the real table; the page must then refuse rather than show data unlogged."""
    client = client_for(world.owner)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE access_accesslog RENAME TO access_accesslog_gone")
    try:
        response = client.get(url)
        assert response.status_code == 503
        body = response.content.decode()
        for marker in MARKERS.values():
            assert marker not in body
        listing = client.get(reverse("cases:list"))
        assert listing.status_code == 503
        assert world.case.number not in listing.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE access_accesslog_gone RENAME TO access_accesslog")
    assert client.get(url).status_code == 200


def test_an_edit_form_logs_every_class_it_shows(world):
    client_for(world.owner).get(reverse("cases:child_edit", kwargs={"case_uuid": world.case.uuid}))
    row = AccessLog.objects.get(action="view", user=world.owner)
    assert {"identity", "whereabouts"} <= set(row.data_classes)  # school status is whereabouts
