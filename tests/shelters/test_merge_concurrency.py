"""A merge and an admission of the same child at the same moment, on PostgreSQL.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_shelters``;
skipped on SQLite. Each test runs the admission in a thread of its own, held
at a chosen point, while the main thread merges the child's records (review
finding L1: the check of the whole merge group under the root's lock).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils.translation import override

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import SharingBasis
from kawal.identity import services as identity
from kawal.shelters import services as svc
from kawal.shelters.models import Stay
from tests.cases.conftest import open_case
from tests.helpers import CONCURRENT_WRITERS, make_user
from tests.shelters.conftest import admit, make_shelter, staff_on

pytestmark = CONCURRENT_WRITERS


@pytest.fixture
def setting():
    owner = make_user(Role.CASE_MANAGER)
    supervisor = make_user(Role.SUPERVISOR)
    staff = make_user(Role.SHELTER_STAFF)
    _shelter, girls, _boys, _teens = make_shelter(staff.agency)
    cases = []
    for name in ("Anak Tercatat Dua Kali Sintetis", "Anak Tercatat Dua Kali (2) Sintetis"):
        case = open_case(owner, supervisor, name=name)
        case = case_svc.case_update(
            case,
            expected_version=case.version,
            changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
            acting_user=owner,
        )
        staff_on(case, owner, staff=staff)
        cases.append(case)
    return {
        "cases": cases,
        "beds": list(girls.beds.order_by("label")),
        "staff": staff,
        "supervisor": supervisor,
    }


def in_thread(target) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            with override("en"):
                outcome.append(target())
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def merge(setting) -> None:
    first, second = setting["cases"]
    identity.merge(
        survivor=second.child,
        absorbed=first.child,
        reason="Same child (synthetic)",
        acting_user=setting["supervisor"],
    )


def test_a_merge_waits_for_an_admission_of_the_same_child(setting, monkeypatch):
    """The admission holds the child's lock; the merge waits; then the other record
    cannot be admitted as well."""
    first, second = setting["cases"]
    bed_1, bed_2, _bed_3 = setting["beds"]
    locked, go = threading.Event(), threading.Event()
    original = svc._lock_bed

    def held(bed):
        locked.set()  # the child's group is locked by now
        assert go.wait(20)
        return original(bed)

    monkeypatch.setattr(svc, "_lock_bed", held)
    admission, admitted = in_thread(lambda: admit(first, bed_1, setting["staff"], days_ago=0))
    assert locked.wait(20)
    merging, merged = in_thread(lambda: merge(setting))
    merging.join(timeout=1.5)
    assert merging.is_alive(), "the merge did not wait for the admission's lock"
    go.set()
    admission.join(timeout=30)
    merging.join(timeout=30)
    assert isinstance(admitted[0], Stay) and merged == [None]
    monkeypatch.setattr(svc, "_lock_bed", original)
    with override("en"), pytest.raises(ValidationError, match="already staying"):
        admit(second, bed_2, setting["staff"], days_ago=0)
    assert Stay.objects.active().count() == 1


def test_an_admission_that_read_the_root_before_a_merge_follows_it(setting, monkeypatch):
    """The admission read A as the root; A is merged into B and B's case admitted
    before it locks: once locked it finds A merged, locks B and refuses."""
    first, second = setting["cases"]
    bed_1, bed_2, _bed_3 = setting["beds"]
    read, go = threading.Event(), threading.Event()
    original = svc.root_of
    calls: list[int] = []

    def held(person):
        root = original(person)
        if not calls:
            calls.append(root.pk)
            read.set()
            assert go.wait(20)
        return root

    monkeypatch.setattr(svc, "root_of", held)
    admission, outcome = in_thread(lambda: admit(first, bed_1, setting["staff"], days_ago=0))
    assert read.wait(20)
    merge(setting)
    with override("en"):
        admit(second, bed_2, setting["staff"], days_ago=0)
    go.set()
    admission.join(timeout=30)
    assert isinstance(outcome[0], ValidationError)
    assert "already staying" in " ".join(outcome[0].messages)
    assert calls == [first.child_id]
    assert Stay.objects.active().count() == 1
