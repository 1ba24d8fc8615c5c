"""Two runs of the same month at the same moment, on PostgreSQL: one cycle, one ledger.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_funding_dev``; on
SQLite (one writer at a time by design) these tests are skipped. Both threads
are held at a barrier just before the computation's transaction, so both
insert the cycle row at once: the unique constraint lets one in (the other's
insert waits, then does nothing), the row lock then makes the second wait for
the first's ledger and find nothing to do.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pytest
from django.db import connections

from kawal.funding import services as svc
from kawal.funding.models import Cycle, Entitlement
from tests.funding.conftest import commit, mark, month_days, second_child
from tests.helpers import CONCURRENT_WRITERS

pytestmark = CONCURRENT_WRITERS


@pytest.fixture(autouse=True)
def _data_migrations() -> None:
    """A transactional test flushes the tables, data migrations included."""
    from django.apps import apps

    from kawal.funding.models import Programme

    if not Programme.objects.exists():
        importlib.import_module("kawal.funding.migrations.0002_programmes").load(apps, None)


def _race(monkeypatch, fund, runs: int = 2) -> list[Any]:
    barrier = threading.Barrier(runs, timeout=20)
    original = svc._compute

    def held(*args, **kwargs):
        barrier.wait()  # both have begun; neither has a cycle row yet
        return original(*args, **kwargs)

    monkeypatch.setattr(svc, "_compute", held)
    results: list[Any] = [None] * runs

    def work(index: int) -> None:
        try:
            results[index] = svc.cycle_compute(
                fund.institution, fund.month, acting_user=fund.worker
            )
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_runs_produce_one_cycle(fund, monkeypatch):
    other = second_child(fund)
    commit(fund, rate=1000)
    commit(fund, placement=other, rate=2000)
    days = month_days(fund.month)
    mark(fund.placement, days[:10], fund.staff)
    mark(other, days[:20], fund.staff)
    results = _race(monkeypatch, fund)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Cycle.objects.filter(institution=fund.institution, month=fund.month).count() == 1
    assert sorted(r.written for r in results) == [0, 2]
    assert Entitlement.objects.count() == 2
    assert sum(Entitlement.objects.values_list("amount", flat=True)) == 10 * 1000 + 20 * 2000


def test_three_runs_after_a_roster_change_still_one_ledger(fund, monkeypatch):
    commit(fund, rate=1000)
    days = month_days(fund.month)
    mark(fund.placement, days[:5], fund.staff)
    svc.cycle_compute(fund.institution, fund.month, acting_user=fund.worker)
    mark(fund.placement, days[5:9], fund.staff)
    results = _race(monkeypatch, fund, runs=3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Entitlement.objects.filter(live=True).count() == 1
    assert Entitlement.objects.get(live=True).day_count == 9
