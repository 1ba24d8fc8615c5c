"""The triage queue's columns sort on a desk; the home page counts the same overdue reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from kawal.reports.selectors import triage_counts, triage_queue
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def received(days_ago: int, *, children: int = 1, youngest: int | None = 9) -> Report:
    at = timezone.now() - timedelta(days=days_ago)
    made = Report.objects.create(
        channel=ReportChannel.PUBLIC_WEB,
        children_count=children,
        youngest_age=youngest,
        seen_at=at,
        kelurahan=Region.objects.get(code="64.71.06.1004"),
        landmark=f"Simpang Sintetis {days_ago}",
    )
    Report.objects.filter(pk=made.pk).update(created_at=at)
    made.refresh_from_db()
    return made


def test_each_column_sorts_and_bad_sorts_fall_back(client):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    old = received(12, children=3)
    toddler = received(1, youngest=3)
    recent = received(0, children=2)

    def order(sort):
        response = client.get(reverse("reports:triage"), {"sort": sort})
        assert response.status_code == 200
        return [row.report.pk for row in response.context["page"].object_list]

    assert order("urgency")[0] == toddler.pk
    assert order("due")[0] == old.pk and order("-due")[0] == recent.pk
    assert order("-seen")[0] == recent.pk and order("seen")[0] == old.pk
    assert order("-children")[0] == old.pk
    for bad in ("report__reporter_name", "nonsense", "-" * 50):
        assert order(bad) == order("urgency")
    body = client.get(reverse("reports:triage"), {"sort": "due"}).content.decode()
    assert 'aria-sort="ascending"' in body and "?sort=-due" in body


@pytest.mark.parametrize("offset", range(7))
def test_the_home_count_agrees_with_the_queue_on_every_weekday(offset):
    manager = make_user(Role.CASE_MANAGER)
    for days in range(12):
        received(days)
    today = timezone.localdate() + timedelta(days=offset)
    rows = triage_queue(manager, today=today)
    counts = triage_counts(manager, today=today)
    assert counts.open == len(rows)
    assert counts.overdue == sum(row.overdue for row in rows)
    assert counts.overdue > 0


def test_only_the_triage_team_is_counted_for():
    received(10)
    assert triage_counts(make_user(Role.PSYCHOLOGIST)).open == 0
    assert triage_counts(make_user(Role.SUPERVISOR)).overdue == 1
