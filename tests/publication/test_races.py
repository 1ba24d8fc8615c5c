"""Two supervisors preparing overlapping periods at the same moment, on PostgreSQL.

A year and its quarters exclude each other (a year beside one of its quarters gives the other
three by subtraction). The check reads rows of the *other* period kind, which no row lock
covers, so the prepares must be serialised. Run with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_publication``; skipped on SQLite, whose
IMMEDIATE transactions serialise every writer anyway.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kawal.access.catalogue import Role
from kawal.publication import services as svc
from kawal.publication.models import Release, ReleaseStatus
from tests.helpers import make_user
from tests.publication.conftest import QUARTER

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_year_and_its_quarter_prepared_at_once_do_not_both_wait(monkeypatch):
    a = make_user(Role.SUPERVISOR, username="race-a")
    b = make_user(Role.SUPERVISOR, username="race-b")
    year = QUARTER.year - 1
    inside, go = threading.Event(), threading.Event()
    original = svc.compute_tables

    def held(*args: Any, **kwargs: Any):
        if not inside.is_set():
            inside.set()  # the first one has passed the overlap check, uncommitted
            go.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(svc, "compute_tables", held)
    results: dict[str, Any] = {}

    def work(name: str, period: svc.Period, user: Any) -> None:
        try:
            results[name] = svc.release_prepare(period, acting_user=user)
        except Exception as error:
            results[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=work, args=("year", svc.period_of("year", year), a))
    second = threading.Thread(target=work, args=("quarter", svc.period_of("quarter", year, 2), b))
    first.start()
    assert inside.wait(20)
    second.start()
    # Let the second one either finish (nothing stops it) or queue behind the first.
    deadline = time.monotonic() + 15
    while second.is_alive() and not _waiting_for_a_lock() and time.monotonic() < deadline:
        second.join(0.05)
    go.set()
    first.join(30)
    second.join(30)

    assert isinstance(results["year"], Release), results
    assert isinstance(results["quarter"], ValidationError), results
    assert results["quarter"].code == "overlap"
    assert Release.objects.filter(status=ReleaseStatus.PENDING).count() == 1
