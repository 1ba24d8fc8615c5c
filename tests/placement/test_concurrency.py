"""Two decisions for one child at the same moment, on PostgreSQL: exactly one places the child.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_placement_dev``;
on SQLite (one writer at a time) these tests are skipped. Each test runs two
real transactions in two threads held at a barrier inside the service. The
first goes through the child's row lock; the second switches the lock and the
pre-check off, so both INSERTs reach the database and only its partial unique
index decides. Either way the loser gets a ValidationError, never a 500.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from kawal.people.models import Person
from kawal.placement import rules
from kawal.placement import services as svc
from kawal.placement.models import DecisionStatus, Placement
from tests.cases.conftest import png_upload
from tests.helpers import CONCURRENT_WRITERS
from tests.placement.conftest import make_draft, make_institution, set_child, social_worker_on

pytestmark = CONCURRENT_WRITERS


@pytest.fixture
def setup(world, monkeypatch):
    # The shipped instruments are flushed with the tables: the assessments count as signed.
    signed = [
        SimpleNamespace(instrument_code=code, signed_at=timezone.now() - timedelta(days=1))
        for code in rules.DEFAULTS["assessment"]["parameters"]["instruments"]
    ]
    monkeypatch.setattr(rules, "signed_assessments", lambda case: signed)
    set_child(world.case, religion="Islam")
    worker = social_worker_on(world.case, world.owner)
    return world.case, worker, make_institution("LKSA A"), make_institution("LKSA B")


def race(case, worker, institutions) -> list[Any]:
    outcomes: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            outcomes[index] = svc.decision_commit(
                make_draft(case, institutions[index]),
                upload=png_upload(),
                fingerprint=None,
                acting_user=worker,
            )
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _hold(monkeypatch, name: str) -> None:
    barrier = threading.Barrier(2, timeout=20)
    original = getattr(svc, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(svc, name, held)


def _check(outcomes: list[Any], loser_message: tuple[str, str]) -> None:
    # The racing threads speak the default language (Indonesian); the pair
    # is the message in English and in Indonesian.
    placed = [o for o in outcomes if not isinstance(o, ValidationError)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(placed) == 1 and len(refused) == 1, outcomes
    assert placed[0].status == DecisionStatus.PLACED
    text = " ".join(str(m) for m in refused[0].messages)
    assert any(message in text for message in loser_message), text
    assert Placement.objects.active().count() == 1


def test_two_decisions_through_the_lock(setup, monkeypatch):
    case, worker, first, second = setup
    # Both have validated and are about to take the lock.
    _hold(monkeypatch, "_validate")
    _check(race(case, worker, [first, second]), ("already placed", "sudah ditempatkan"))


def test_two_decisions_past_the_lock_meet_the_constraint(setup, monkeypatch):
    case, worker, first, second = setup

    def no_lock(child: Person) -> tuple[Person, list[int]]:
        return Person.objects.get(pk=child.pk), [child.pk]

    monkeypatch.setattr(svc, "_lock_child", no_lock)
    monkeypatch.setattr(svc, "_require_not_placed", lambda group, transfer_from: None)
    # Both have evaluated the rules (neither sees the other) before inserting.
    barrier = threading.Barrier(2, timeout=20)
    original = svc._insert

    def held_insert(placement: Placement) -> None:
        barrier.wait()
        original(placement)

    monkeypatch.setattr(svc, "_insert", held_insert)
    _check(race(case, worker, [first, second]), ("a moment ago", "baru saja ditempatkan"))
