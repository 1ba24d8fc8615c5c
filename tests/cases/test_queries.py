"""Query budgets: pages cost the same with 3 cases or 30 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.cases import services as svc
from tests.cases.conftest import open_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(queries)


def seed(owner, boss, n):
    psy = make_user(Role.PSYCHOLOGIST)
    for index in range(n):
        case = open_case(owner, boss, name=f"Anak Sintetis Nomor {index}")
        svc.member_add(
            case, user=psy, case_role="psikolog", data_classes=["identity"], acting_user=owner
        )
        svc.task_create(
            case, title="t", assignee=owner, assignee_agency=None, due_on=None, acting_user=owner
        )


def test_list_and_search_do_not_grow_with_the_number_of_cases():
    owner, boss = make_user(Role.CASE_MANAGER), make_user(Role.SUPERVISOR)
    client = Client()
    sign_in(client, owner)
    seed(owner, boss, 3)
    small_list = count(client, "get", reverse("cases:list"))
    small_search = count(client, "post", reverse("cases:search"), {"q": "Sintetis"})
    seed(owner, boss, 27)
    assert count(client, "get", reverse("cases:list")) == small_list
    assert count(client, "post", reverse("cases:search"), {"q": "Sintetis"}) == small_search
    assert small_list <= 15 and small_search <= 15


def test_case_page_budget(world):
    client = Client()
    sign_in(client, world.owner)
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    before = count(client, "get", url)
    for index in range(10):
        svc.note_add(
            world.case, data_class="basic", body=f"catatan {index}", acting_user=world.owner
        )
        svc.task_create(
            world.case,
            title=f"tugas {index}",
            assignee=world.owner,
            assignee_agency=None,
            due_on=None,
            acting_user=world.owner,
        )
    assert count(client, "get", url) == before
    # The cards other apps register cost a fixed few queries each (care 4 with
    # observations, families up to 6, assessments 2, shelters 1, outreach 1),
    # never more with more data; their own tests pin that.
    assert before <= 45, before
