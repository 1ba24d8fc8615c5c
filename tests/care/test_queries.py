"""Query budgets: the care pages cost the same with 5 days of observations or 90."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kawal.cases import services as svc
from kawal.cases.models import CaseStatus
from tests.care.conftest import backdate, plant
from tests.cases.conftest import open_case
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def observe(world, days: int, *, start: int = 0) -> None:
    today = timezone.localdate()
    for offset in range(start, days):
        incidents = (("aggression", time(10, 0), "sintetis"),) if offset % 9 == 0 else ()
        plant(
            world.case,
            today - timedelta(days=offset),
            world.psychologist,
            value=1 + offset % 5,
            note=f"catatan {offset}",
            incidents=incidents,
        )


@pytest.mark.parametrize("who", ["psychologist", "owner"])
def test_care_page_and_case_page_do_not_grow_with_the_number_of_days(world, who):
    backdate(world.case, 120)
    client = Client()
    sign_in(client, getattr(world, who))
    care = reverse("care:case", kwargs={"case_uuid": world.case.uuid}) + "?hari=90"
    detail = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    readiness = reverse("care:readiness", kwargs={"case_uuid": world.case.uuid})
    observe(world, 5)
    small = (count(client, care), count(client, detail), count(client, readiness))
    observe(world, 90, start=5)
    large = (count(client, care), count(client, detail), count(client, readiness))
    print(f"\nqueries with 5 and 90 days ({who}): care page, case page, readiness: {small} {large}")
    assert small == large
    assert large[0] <= 25 and large[2] <= 30


def test_the_home_card_does_not_grow_with_the_number_of_children(world):
    backdate(world.case, 10)
    client = Client()
    sign_in(client, world.psychologist)

    def more(n: int) -> None:
        for index in range(n):
            case = open_case(world.owner, world.supervisor, name=f"Anak Sintetis Nomor {index}")
            svc.member_add(
                case,
                user=world.psychologist,
                case_role="psikolog",
                data_classes=["identity", "clinical", "progress"],
                acting_user=world.owner,
            )
            if index % 2:
                plant(case, timezone.localdate(), world.psychologist)

    more(2)
    home, today = count(client, reverse("web:home")), count(client, reverse("care:today"))
    more(10)
    assert count(client, reverse("web:home")) == home
    assert count(client, reverse("care:today")) == today


def test_cases_in_monitoring_are_not_listed_for_daily_care(world):
    client = Client()
    sign_in(client, world.psychologist)
    client.cookies["kawal_language"] = "en"
    assert world.case.number in client.get(reverse("care:today")).content.decode()
    world.case.status = CaseStatus.MONITORING
    world.case.save(update_fields=["status"])
    assert world.case.number not in client.get(reverse("care:today")).content.decode()
