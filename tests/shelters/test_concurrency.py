"""Two phones admitting at the same moment, on PostgreSQL: one wins, the other gets a form.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_shelters``; on
SQLite (one writer at a time by design) these tests are skipped.

Each test runs two real transactions in two threads, held at a barrier inside
the admission service so that both are past the same point before either
goes on. The first two tests go through the service's row locks; the last two
switch the locks and the pre-checks off, so that both INSERTs reach the
database and only its partial unique indexes decide.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.shelters import services as svc
from kawal.shelters.models import Stay
from tests.helpers import CONCURRENT_WRITERS, make_user, sign_in
from tests.shelters.conftest import make_shelter, shared_case, staff_on

pytestmark = CONCURRENT_WRITERS


def phone(user) -> Client:
    client = Client()  # a 500 would raise in the thread and fail the test
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def admission(case, bed) -> dict[str, str]:
    return {
        "case": str(case.uuid),
        "bed": str(bed.uuid),
        "admitted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "arrived_from": "police",
        "brought_by": "Polsek Sintetis",
        "reason": "Diantar polisi tengah malam (sintetis)",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }


def race(monkeypatch, hold_at: str, posts: list[tuple[Client, dict[str, str]]]) -> list[Any]:
    """POST both admissions at once; each thread waits for the other at ``hold_at``."""
    barrier = threading.Barrier(len(posts), timeout=20)
    original = getattr(svc, hold_at)

    def held(*args: Any, **kwargs: Any) -> Any:
        if hold_at == "_require_free":
            result = original(*args, **kwargs)  # both have checked: neither saw the other
            barrier.wait()
            return result
        barrier.wait()  # both are inside their transaction, before any lock
        return original(*args, **kwargs)

    monkeypatch.setattr(svc, hold_at, held)
    results: list[Any] = [None] * len(posts)
    errors: list[BaseException] = []

    def run(index: int, client: Client, data: dict[str, str]) -> None:
        try:
            response = client.post(reverse("shelters:admit"), data)
            results[index] = (response.status_code, response.content.decode())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, client, data))
        for index, (client, data) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def setting():
    owner = make_user(Role.CASE_MANAGER)
    agency = make_user(Role.SHELTER_STAFF).agency
    _shelter, girls, _boys, _teens = make_shelter(agency)
    first = shared_case(owner, name="Anak Pertama Sintetis")
    second = shared_case(owner, name="Anak Kedua Sintetis")
    staff_a = staff_on(first, owner)
    staff_b = staff_on(first, owner)
    for staff in (staff_a, staff_b):
        staff_on(second, owner, staff=staff)
    return {
        "beds": list(girls.beds.order_by("label")),
        "cases": (first, second),
        "phones": (phone(staff_a), phone(staff_b)),
    }


def outcome(results: list[Any]) -> tuple[list[int], str]:
    statuses = sorted(status for status, _body in results)
    loser = next(body for status, body in results if status != 302)
    return statuses, loser


def test_two_phones_one_bed_with_the_locks(setting, monkeypatch):
    (first, second), (a, b) = setting["cases"], setting["phones"]
    bed = setting["beds"][0]
    results = race(
        monkeypatch, "_lock_child", [(a, admission(first, bed)), (b, admission(second, bed))]
    )
    statuses, loser = outcome(results)
    assert statuses == [302, 400]
    assert "This bed is taken. Choose a free bed." in loser
    assert Stay.objects.filter(bed=bed).count() == 1


def test_two_phones_one_child_with_the_locks(setting, monkeypatch):
    (first, _second), (a, b) = setting["cases"], setting["phones"]
    bed_1, bed_2, _bed_3 = setting["beds"]
    results = race(
        monkeypatch, "_lock_child", [(a, admission(first, bed_1)), (b, admission(first, bed_2))]
    )
    statuses, loser = outcome(results)
    assert statuses == [302, 400]
    assert "This child is already staying in a shelter" in loser
    assert Stay.objects.filter(case=first).count() == 1


def _no_locks(monkeypatch) -> list[BaseException]:
    """No row locks; returns what the INSERTs raised, to prove the index decided."""
    from django.db import IntegrityError

    # The merge group still read (the check needs it), but no row locked.
    monkeypatch.setattr(svc, "_lock_child", lambda child: svc.merge_group(svc.root_of(child).pk))
    monkeypatch.setattr(svc, "_lock_bed", lambda bed: type(bed).objects.get(pk=bed.pk))
    refused: list[BaseException] = []
    original = svc._insert

    def watched(stay: Stay) -> None:
        try:
            original(stay)
        except Exception as exc:
            if isinstance(exc.__cause__, IntegrityError):
                refused.append(exc.__cause__)
            raise

    monkeypatch.setattr(svc, "_insert", watched)
    return refused


def test_the_database_alone_keeps_one_child_per_bed(setting, monkeypatch):
    refused = _no_locks(monkeypatch)
    (first, second), (a, b) = setting["cases"], setting["phones"]
    bed = setting["beds"][0]
    results = race(
        monkeypatch, "_require_free", [(a, admission(first, bed)), (b, admission(second, bed))]
    )
    statuses, loser = outcome(results)
    assert statuses == [302, 400]
    assert "This bed is taken. Choose a free bed." in loser
    assert Stay.objects.filter(bed=bed).count() == 1
    assert "one_active_stay_per_bed" in str(refused[0])


def test_the_database_alone_keeps_one_stay_per_child(setting, monkeypatch):
    refused = _no_locks(monkeypatch)
    (first, _second), (a, b) = setting["cases"], setting["phones"]
    bed_1, bed_2, _bed_3 = setting["beds"]
    results = race(
        monkeypatch, "_require_free", [(a, admission(first, bed_1)), (b, admission(first, bed_2))]
    )
    statuses, loser = outcome(results)
    assert statuses == [302, 400]
    assert "This child was admitted a moment ago by someone else." in loser
    assert Stay.objects.filter(case=first).count() == 1
    assert "one_active_stay_per_child" in str(refused[0])
