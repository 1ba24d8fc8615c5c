"""Two phones tapping the same child's roster at once, on PostgreSQL: one row for the day.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_monitoring_dev``; on SQLite
(one writer at a time by design) this test is skipped.
"""

from __future__ import annotations

import threading

from django.db import connections
from django.test import Client
from django.urls import reverse

from kawal.monitoring.models import Presence
from tests.helpers import CONCURRENT_WRITERS, sign_in

pytestmark = CONCURRENT_WRITERS


def test_two_taps_at_once_make_one_row(placed):
    url = reverse(
        "monitoring:mark",
        kwargs={"placement_uuid": placed.placement.uuid, "day": placed.today.isoformat()},
    )
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def tap(value: str) -> None:
        client = Client()
        sign_in(client, placed.staff)
        barrier.wait()
        try:
            statuses.append(client.post(url, {"present": value}).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(v,)) for v in ("1", "0")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Presence.objects.filter(placement=placed.placement, day=placed.today).count() == 1
