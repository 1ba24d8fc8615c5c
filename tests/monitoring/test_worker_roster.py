"""Dinas Sosial records the days of a placement nobody at the institution keeps
a roster for (foster family, kinship carer, LKSA without an account)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.accounts.models import User
from kawal.monitoring import selectors as sel
from kawal.monitoring import services as svc
from kawal.monitoring.locks import register_day_lock, unregister_day_lock
from kawal.monitoring.models import Presence
from kawal.placement.models import ExitReason, Placement
from tests.helpers import make_user, sign_in
from tests.monitoring.conftest import make_institution, place, social_worker_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def foster(world):
    """The world's child with a foster family that has no account in Kawal Anak."""
    family = make_institution(None, "Keluarga Asuh Sintetis")
    worker = social_worker_on(world.case, world.owner, username="dinsos-foster")
    placement = place(world.case, family, worker, days_ago=40)
    return world, placement, worker


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def _record(placement, worker, day, present=True):
    return svc.presence_record_for_placement(
        placement, day=day, present=present, acting_user=worker
    )


def test_the_worker_records_a_day_beyond_the_staff_window(foster):
    _world, placement, worker = foster
    day = placement.started_on + timedelta(days=5)  # 35 days ago: far past the 3-day window
    row = _record(placement, worker, day, present=True)
    assert (row.present, row.recorded_by) == (True, worker)
    _record(placement, worker, day, present=False)
    assert Presence.objects.get(placement=placement, day=day).present is False
    assert sel.present_days([placement.pk], day, day) == {placement.pk: set()}


def test_the_placement_days_and_the_funding_lock_still_hold(foster):
    _world, placement, worker = foster
    today = sel.timezone.localdate()
    for day in (today + timedelta(days=1), placement.started_on - timedelta(days=1)):
        with pytest.raises(ValidationError):
            _record(placement, worker, day)
    locked = placement.started_on + timedelta(days=2)

    def lock(_placement, day):
        return day == locked

    register_day_lock(lock)
    try:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            _record(placement, worker, locked)
        assert "payments are closed" in str(refused.value)
    finally:
        unregister_day_lock(lock)
    Placement.objects.filter(pk=placement.pk).update(
        ended_on=today - timedelta(days=3), exit_reason=ExitReason.REUNIFICATION
    )
    placement.refresh_from_db()
    with pytest.raises(ValidationError):
        _record(placement, worker, today - timedelta(days=1))
    assert not Presence.objects.exists()


def test_not_where_the_institution_keeps_its_own_roster(placed):
    with pytest.raises(PermissionDenied):
        _record(placed.placement, placed.worker, placed.today)
    url = reverse("monitoring:worker_roster", args=[placed.placement.uuid])
    assert _client(placed.worker).get(url).status_code == 403


def test_an_institution_whose_staff_account_is_inactive_is_recorded_by_the_worker(placed):
    User.objects.filter(pk=placed.staff.pk).update(is_active=False)
    assert not sel.institution_has_staff(placed.institution)
    _record(placed.placement, placed.worker, placed.today - timedelta(days=20))
    assert placed.placement.presences.get().recorded_by == placed.worker


def test_only_a_recording_social_worker_on_the_team(foster):
    world, placement, _worker = foster
    stranger = make_user(Role.SOCIAL_WORKER, username="dinsos-stranger")
    for user in (world.owner, world.supervisor, stranger):
        with pytest.raises(PermissionDenied):
            _record(placement, user, placement.started_on)
    url = reverse("monitoring:worker_roster", args=[placement.uuid])
    assert _client(stranger).get(url).status_code == 404
    assert _client(world.owner).get(url).status_code in (403, 404)
    assert not Presence.objects.exists()


def test_the_page_taps_one_day_and_updates_the_counter(foster):
    world, placement, worker = foster
    client = _client(worker)
    day = placement.started_on + timedelta(days=1)
    url = reverse("monitoring:worker_roster", args=[placement.uuid])
    page = client.get(url, {"bulan": f"{day:%Y-%m}"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f"d-{day.isoformat()}" in body
    assert "0 of" in body
    assert AccessLog.objects.filter(user=worker, action="view", case_id=world.case.pk).exists()
    mark_url = reverse("monitoring:worker_mark", args=[placement.uuid, day.isoformat()])
    tapped = client.post(mark_url, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert tapped.status_code == 200
    text = tapped.content.decode()
    assert text.lstrip().startswith("<li")
    assert 'id="worker-roster-count" hx-swap-oob="true"' in text
    assert "1 of" in text and "1 present" in text
    assert "marked by" in text
    assert placement.presences.get(day=day).recorded_by == worker
    # Without JavaScript: back to the month's page.
    plain = client.post(mark_url, {"present": "0"})
    assert plain.status_code == 302 and f"bulan={day:%Y-%m}" in plain["Location"]


def test_bad_months_and_days_are_4xx(foster):
    _world, placement, worker = foster
    client = _client(worker)
    url = reverse("monitoring:worker_roster", args=[placement.uuid])
    for bad in ("1999-01", "2026-13", "garbage"):
        assert client.get(url, {"bulan": bad}).status_code == 400
    future = sel.timezone.localdate() + timedelta(days=1)
    mark_url = reverse("monitoring:worker_mark", args=[placement.uuid, future.isoformat()])
    assert client.post(mark_url, {"present": "1"}, HTTP_HX_REQUEST="true").status_code == 400
    bad_day = reverse("monitoring:worker_mark", args=[placement.uuid, "2026-02-31"])
    assert client.post(bad_day, {"present": "1"}).status_code == 404
    assert not Presence.objects.exists()


def test_the_case_page_offers_it_only_where_nobody_keeps_a_roster(foster):
    world, placement, worker = foster
    url = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    link = reverse("monitoring:worker_roster", args=[placement.uuid])
    assert link in _client(worker).get(url).content.decode()
    make_user(Role.INSTITUTION_STAFF, username="foster-staff", agency=_staffed(placement))
    assert link not in _client(worker).get(url).content.decode()


def _staffed(placement):
    """Give the foster family an agency: from now on its own account keeps the roster."""
    from tests.helpers import agency_for

    agency = agency_for(Role.INSTITUTION_STAFF)
    type(placement.institution).objects.filter(pk=placement.institution.pk).update(agency=agency)
    return agency
