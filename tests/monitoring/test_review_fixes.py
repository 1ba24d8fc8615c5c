"""Regressions found in review: bad input is a 4xx, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.monitoring.models import Incident
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_incident_at_the_edge_of_the_calendar_is_a_form_error(placed, when):
    client = _client(placed.staff)
    url = reverse("monitoring:incident", args=[placed.placement.uuid])
    response = client.post(
        url,
        {
            "occurred_at": when,
            "kind": "other",
            "what_happened": "Terjatuh di halaman (sintetis).",
            "action_taken": "Diobati (sintetis).",
        },
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_a_transfer_starting_later_leaves_the_child_with_the_staff_until_then(placed):
    # A transfer decided today that starts in five days ends the placement on the
    # fourth: until then the child still lives here and the roster is theirs to mark.
    from datetime import timedelta

    from kawal.monitoring import selectors as sel
    from kawal.monitoring import services as svc
    from kawal.placement.models import ExitReason, Placement

    last_day = placed.today + timedelta(days=4)
    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=last_day, exit_reason=ExitReason.TRANSFER
    )
    placed.placement.refresh_from_db()
    assert placed.placement in sel.placed_with(placed.staff)
    svc.presence_mark(placed.placement, day=placed.today, present=True, acting_user=placed.staff)
    assert placed.placement.presences.get().present is True
    page = _client(placed.staff).get(reverse("monitoring:child", args=[placed.placement.uuid]))
    assert page.status_code == 200
    # Another institution's staff still see nothing of the child.
    assert placed.placement not in sel.placed_with(placed.other_staff)


def test_after_the_last_day_of_a_transfer_the_staff_lose_the_child(placed):
    from datetime import timedelta

    from kawal.monitoring import selectors as sel
    from kawal.placement.models import ExitReason, Placement

    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=placed.today - timedelta(days=1), exit_reason=ExitReason.TRANSFER
    )
    assert not sel.placed_with(placed.staff).exists()
    page = _client(placed.staff).get(reverse("monitoring:child", args=[placed.placement.uuid]))
    assert page.status_code == 404
