"""Found in the user walk-through and the security review: incidents shown back
to the staff, the urgent runaway task, the live roster counter, logged refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases.models import Task
from kawal.monitoring import services as svc
from kawal.monitoring.models import Incident
from tests.cases.conftest import MARKERS, open_case
from tests.helpers import make_user, sign_in
from tests.monitoring.conftest import place

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def _incident(placed, kind="illness", text="Demam tinggi (sintetis)", hours=2):
    return svc.incident_record(
        placed.placement,
        svc.NewIncident(
            occurred_at=timezone.now() - timedelta(hours=hours),
            kind=kind,
            what_happened=text,
            action_taken="Dibawa ke puskesmas (sintetis)",
        ),
        acting_user=placed.staff,
    )


def test_the_child_card_lists_the_incidents_of_this_placement(placed):
    client = _client(placed.staff)
    url = reverse("monitoring:child", args=[placed.placement.uuid])
    assert "No incident reported during this placement." in client.get(url).content.decode()
    _incident(placed, text="MARKER-INCIDENT-ONE")
    # An incident of an earlier placement of the same child elsewhere is not theirs.
    Incident.objects.create(
        placement=place(
            open_case(placed.world.owner, name="Anak Lain Sintetis"),
            placed.other_institution,
            placed.worker,
        ),
        occurred_at=timezone.now(),
        kind="injury",
        what_happened="MARKER-INCIDENT-ELSEWHERE",
        action_taken="-",
        recorded_by=placed.other_staff,
    )
    body = client.get(url).content.decode()
    assert "MARKER-INCIDENT-ONE" in body and "Illness" in body
    assert "Dibawa ke puskesmas (sintetis)" in body
    assert "MARKER-INCIDENT-ELSEWHERE" not in body


def test_a_runaway_makes_an_urgent_task_to_tell_the_police_today(placed, settings):
    settings.LANGUAGE_CODE = "en"
    existing = set(Task.objects.values_list("pk", flat=True))
    _incident(placed, kind="ran_away", text="Tidak kembali dari sekolah (sintetis)")
    task = Task.objects.exclude(pk__in=existing).get(case=placed.case)
    assert task.title.startswith("Urgent:") and "police" in task.title
    assert task.due_on == timezone.localdate()
    for leak in (MARKERS["identity"], placed.institution.name, "sekolah"):
        assert leak not in task.title
    _incident(placed, kind="injury", hours=1)
    other = Task.objects.exclude(pk__in=existing | {task.pk}).get(case=placed.case)
    assert "police" not in other.title


def test_a_tap_updates_the_days_counter_out_of_band(placed):
    second = place(
        open_case(placed.world.owner, name="Anak Kedua Sintetis"), placed.institution, placed.worker
    )
    client = _client(placed.staff)
    page = client.get(reverse("monitoring:roster")).content.decode()
    assert 'id="roster-count"' in page and "0 of 2 children marked" in page
    url = reverse("monitoring:mark", args=[second.uuid, placed.today.isoformat()])
    tapped = client.post(url, {"present": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert tapped.lstrip().startswith("<li")
    assert 'id="roster-count" hx-swap-oob="true"' in tapped
    assert "1 of 2 children marked" in tapped


def test_a_refused_monitoring_page_is_logged_as_denied(placed):
    stranger = make_user(Role.SOCIAL_WORKER, username="dinsos-stranger")
    client = _client(stranger)
    before = AccessLog.objects.filter(user=stranger, action="denied").count()
    for url in (
        reverse("monitoring:review_new", args=[placed.placement.uuid]),
        reverse("monitoring:visit_new", args=["00000000-0000-0000-0000-000000000000"]),
        reverse("monitoring:review_edit", args=["not-a-uuid"]),
    ):
        assert client.get(url).status_code == 404
    denied = AccessLog.objects.filter(user=stranger, action="denied")
    assert denied.count() == before + 3
    assert denied.filter(case_id=placed.case.pk).count() == 1
