"""Dinas Sosial's roster of a foster placement on a 360 px phone: tap targets,
no horizontal scroll, and a tap updates the month's counter (htmx, out of band)."""

from __future__ import annotations

import pytest

from kawal.monitoring.models import Presence
from tests.browser.test_case_journey import sign_in
from tests.browser.test_front_door_layout import Layout
from tests.monitoring.conftest import make_institution, place, social_worker_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_worker_taps_a_day_of_a_foster_placement(world, phones):
    family = make_institution(None, "Keluarga Asuh Sintetis")
    worker = social_worker_on(world.case, world.owner, username="dinsos-phone")
    placement = place(world.case, family, worker, days_ago=3)
    phone = phones()
    sign_in(phone, worker)
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    phone.goto(phone.base_url + f"/pemantauan/{placement.uuid}/absensi/")
    assert "0 of 4 days marked" in phone.inner_text("#worker-roster-count")
    layout = Layout()
    layout.check(phone, "worker-roster")
    day = placement.started_on.isoformat()
    phone.click(f"#d-{day} button.present")
    phone.wait_for_selector(f"#d-{day}.is-present")
    assert "1 of 4 days marked, 1 present" in phone.inner_text("#worker-roster-count")
    assert Presence.objects.get(placement=placement).recorded_by == worker
    layout.assert_ok()
