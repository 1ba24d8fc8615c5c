"""The one-tap roster: which days take a mark, one row per day, the funding lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kawal.monitoring import selectors as sel
from kawal.monitoring import services as svc
from kawal.monitoring.locks import register_day_lock, unregister_day_lock
from kawal.monitoring.models import Presence
from kawal.placement.models import ExitReason, Placement
from tests.cases.conftest import open_case
from tests.helpers import sign_in
from tests.monitoring.conftest import place


def mark(pw, day, present=True, user=None):
    return svc.presence_mark(pw.placement, day=day, present=present, acting_user=user or pw.staff)


def test_marking_twice_keeps_one_row_and_the_last_answer(placed):
    mark(placed, placed.today, True)
    mark(placed, placed.today, True)
    mark(placed, placed.today, False)
    rows = Presence.objects.filter(placement=placed.placement, day=placed.today)
    assert rows.count() == 1
    assert rows.get().present is False


@pytest.mark.parametrize("days_back", [0, 1, 2, 3])
def test_today_and_the_last_three_days_take_a_mark(placed, days_back):
    mark(placed, placed.today - timedelta(days=days_back))
    assert placed.placement.presences.count() == 1


def test_the_future_and_older_days_are_refused(placed):
    for day in (placed.today + timedelta(days=1), placed.today - timedelta(days=4)):
        with pytest.raises(ValidationError):
            mark(placed, day)
    assert not placed.placement.presences.exists()


def test_the_backdate_window_is_configurable(placed, settings):
    settings.KAWAL_ROSTER_BACKDATE_DAYS = 0
    with pytest.raises(ValidationError):
        mark(placed, placed.today - timedelta(days=1))
    mark(placed, placed.today)


def test_not_before_the_placement_started(placed):
    Placement.objects.filter(pk=placed.placement.pk).update(
        started_on=placed.today - timedelta(days=1)
    )
    placed.placement.refresh_from_db()
    with pytest.raises(ValidationError):
        mark(placed, placed.today - timedelta(days=2))
    mark(placed, placed.today - timedelta(days=1))


def test_not_after_the_placement_ended(placed):
    ended = placed.today - timedelta(days=2)
    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=ended, exit_reason=ExitReason.REUNIFICATION
    )
    placed.placement.refresh_from_db()
    # The staff no longer care for the child at all ...
    with pytest.raises(PermissionDenied):
        mark(placed, placed.today)
    # ... and the roster's own rule refuses the days after the end.
    rows = {r.placement.pk: r for r in sel.roster_for(placed.institution, ended)}
    assert rows[placed.placement.pk].open is True
    assert sel.roster_for(placed.institution, placed.today) == []


def test_the_funding_lock_is_honoured(placed):
    locked_day = placed.today - timedelta(days=1)

    def lock(placement, day):
        return day == locked_day

    register_day_lock(lock)
    try:
        mark(placed, placed.today)
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            mark(placed, locked_day)
        assert "payments are closed" in str(refused.value)
        rows = {r.placement.pk: r for r in sel.roster_for(placed.institution, locked_day)}
        assert rows[placed.placement.pk].open is False
    finally:
        unregister_day_lock(lock)
    mark(placed, locked_day)


def test_other_institutions_staff_and_other_roles_cannot_mark(placed):
    with pytest.raises(PermissionDenied):
        mark(placed, placed.today, user=placed.other_staff)
    with pytest.raises(PermissionDenied):
        mark(placed, placed.today, user=placed.worker)


def test_present_days_and_roster_for(placed):
    other_case = open_case(placed.world.owner, name="Anak Kedua Sintetis")
    second = place(other_case, placed.institution, placed.worker, days_ago=10)
    today = placed.today
    mark(placed, today, True)
    mark(placed, today - timedelta(days=1), False)
    mark(placed, today - timedelta(days=2), True)
    svc.presence_mark(second, day=today, present=True, acting_user=placed.staff)
    found = sel.present_days(
        [placed.placement.pk, second.pk, 999], today - timedelta(days=5), today
    )
    assert found == {
        placed.placement.pk: {today, today - timedelta(days=2)},
        second.pk: {today},
        999: set(),
    }
    assert sel.present_days([placed.placement.pk], today, today) == {placed.placement.pk: {today}}
    rows = sel.roster_for(placed.institution, today - timedelta(days=1))
    assert {(r.placement.pk, r.present) for r in rows} == {
        (placed.placement.pk, False),
        (second.pk, None),
    }


def test_one_tap_with_htmx_returns_the_row(placed):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.staff)
    url = reverse(
        "monitoring:mark",
        kwargs={"placement_uuid": placed.placement.uuid, "day": placed.today.isoformat()},
    )
    response = client.post(url, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<li")
    assert "absent" in body
    assert placed.placement.presences.get().present is False


def test_without_javascript_the_form_redirects_to_the_roster(placed):
    client = Client()
    sign_in(client, placed.staff)
    url = reverse(
        "monitoring:mark",
        kwargs={"placement_uuid": placed.placement.uuid, "day": placed.today.isoformat()},
    )
    response = client.post(url, {"present": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("monitoring:roster"))
    assert placed.placement.presences.get().present is True
    page = client.get(response["Location"])
    assert 'aria-pressed="true"' in page.content.decode()


@pytest.mark.parametrize(
    ("day", "present", "status"),
    [
        ("today", "maybe", 400),
        ("future", "1", 400),
        ("old", "1", 400),
        ("2026-02-31", "1", 404),
        ("not-a-day", "1", 404),
    ],
)
def test_bad_marks_are_refused_without_a_500(placed, day, present, status):
    days = {
        "today": placed.today,
        "future": placed.today + timedelta(days=1),
        "old": placed.today - timedelta(days=10),
    }
    raw = days[day].isoformat() if day in days else day
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.staff)
    url = reverse("monitoring:mark", kwargs={"placement_uuid": placed.placement.uuid, "day": raw})
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, {"present": present}, **headers)
        assert response.status_code == status
    assert not placed.placement.presences.exists()


def test_the_roster_page_refuses_a_day_outside_the_window(placed):
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, placed.staff)
    response = client.get(reverse("monitoring:roster") + "?hari=1999-01-01")
    assert response.status_code == 400
    assert "cannot be shown" in response.content.decode()
    assert client.get(reverse("monitoring:roster") + "?hari=zzz").status_code == 400


def test_the_roster_asks_the_funding_lock_once_whatever_the_children(placed):
    # The lock is per institution and month, so the page's queries must not
    # grow with the number of children on it.
    asked: list[int] = []

    def lock(placement, day):
        asked.append(placement.pk)
        return False

    register_day_lock(lock)
    try:
        for n in range(3):
            case = open_case(placed.world.owner, name=f"Anak Roster {n} Sintetis")
            place(case, placed.institution, placed.worker, days_ago=5)
        rows = sel.roster_for(placed.institution, placed.today)
        assert len(rows) == 4 and all(row.open for row in rows)
        assert len(asked) == 1
        asked.clear()
        days = sel.worker_roster(placed.placement, placed.today.replace(day=1))
        assert days and len(asked) == 1
    finally:
        unregister_day_lock(lock)
