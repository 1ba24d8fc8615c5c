"""Re-indexing while a child is being changed, and merging while undoing, on PostgreSQL.

Two real transactions in two threads; on SQLite (one writer at a time by
design) the test is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection, connections, transaction

from kawal.cases.models import Case, CaseEvent
from kawal.identity import dedupe
from kawal.identity import services as svc
from kawal.identity.index import identity_refresh
from kawal.identity.models import IdentityRecord, Merge
from kawal.people.models import Person, PersonAlias
from tests.helpers import CONCURRENT_WRITERS
from tests.identity.conftest import close, found_again, register

pytestmark = CONCURRENT_WRITERS


def _a_session_waits_for_a_lock(timeout: float = 20, kind: str = "%") -> bool:
    """Whether another session waits for a lock (of this kind: "advisory", "tuple"...)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction the statistics are a snapshot taken at first read.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND wait_event LIKE %s AND datname = current_database()",
                [kind],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _second_waits_for_first(
    first: Callable[[], Any], second: Callable[[], Any], *, lock: str = "%"
) -> Any:
    """Run ``first`` in a transaction held open, and ``second`` in another beside it.

    The first commits only once the second waits for a lock of this kind
    (``_a_session_waits_for_a_lock``), which the test requires. Returns what
    the second returned.
    """
    written, commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results: list[Any] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                first()
                written.set()
                commit.wait(20)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def act() -> None:
        try:
            results.append(second())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert written.wait(20)
    actor = threading.Thread(target=act)
    actor.start()
    waited = _a_session_waits_for_a_lock(kind=lock)
    commit.set()
    holder.join(20)
    actor.join(20)
    assert not errors
    assert waited
    return results[0]


def test_a_reindex_does_not_write_a_child_back_as_it_was_before_a_change(people):
    owner, _, _ = people
    register(owner, "Dessy Anggraeni", birth_date=date(2013, 3, 4), sex="F")
    child = Person.objects.get(full_name="Dessy Anggraeni")

    def change() -> None:
        # A service adding an alias: it rewrites the child's row, then commits.
        PersonAlias.objects.create(person=child, name="Echi")
        identity_refresh(Person.objects.get(pk=child.pk))

    # The re-index reaches the child's row and waits for the change to commit.
    _second_waits_for_first(change, dedupe.reindex)
    assert IdentityRecord.objects.get(person=child).aliases == "Echi"


def _during_an_undo(merged: Merge, reviewer: Any, action: Callable[[], Any]) -> Any:
    """``action``, run while the undo of ``merged`` is uncommitted, must wait at the merge lock."""
    return _second_waits_for_first(
        lambda: svc.unmerge(merged, reason="Two children after all", acting_user=reviewer),
        action,
        lock="advisory",
    )


def test_an_undo_and_a_merge_at_once_leave_no_stale_root(people):
    owner, boss, _ = people
    a = register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)).child
    b = register(owner, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2)).child
    c = register(owner, "Muhammad Rafi", supervisor=boss, birth_date=date(2014, 1, 2)).child
    first = svc.merge(survivor=a, absorbed=b, reason="Same child", acting_user=boss)
    # Another reviewer merges the first child (B still inside, as last committed) into C.
    _during_an_undo(
        first,
        boss,
        lambda: svc.merge(
            survivor=Person.objects.get(pk=c.pk),
            absorbed=Person.objects.get(pk=a.pk),
            reason="Same child",
            acting_user=boss,
        ),
    )
    roots = dict(IdentityRecord.objects.values_list("person_id", "root_id"))
    assert roots[b.pk] == b.pk  # stands alone again, as the undo left it
    assert roots[a.pk] == c.pk
    # The merge read the clusters after the undo: B's case was not in it.
    b_case = Case.objects.get(child=b)
    assert CaseEvent.objects.filter(case=b_case, kind="identity.merged").count() == 1


def test_a_case_opened_during_an_undo_repeats_its_own_childs_case(people):
    owner, boss, _ = people
    first = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))
    second = close(register(owner, "Rafi S.", supervisor=boss, birth_date=date(2014, 1, 2)))
    merged = svc.merge(survivor=first.child, absorbed=second.child, reason="x", acting_user=boss)
    # The child found again, chosen as the merged child: read as it was last committed.
    opened = _during_an_undo(
        merged,
        boss,
        lambda: found_again(Person.objects.get(pk=first.child_id), owner, supervisor=boss),
    )
    # Read after the undo: the other record's case is not this child's.
    assert Case.objects.get(pk=opened.pk).repeat_of_id == first.pk


def test_a_reopen_locks_the_child_before_the_case(people):
    """Opening a case for a child found again locks the child, then a row naming the closed case.

    A reopen of that case takes the same order; taking the case first, it
    deadlocked with such an opening (PostgreSQL: "deadlock detected").
    """
    from kawal.cases import services as cases_svc
    from kawal.cases.models import CaseStatus

    owner, boss, _ = people
    case = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))
    errors: list[BaseException] = []

    def reopen() -> None:
        try:
            cases_svc.case_transition(
                Case.objects.get(pk=case.pk),
                target=CaseStatus.ASSESSMENT,
                reason="Found again (synthetic)",
                acting_user=owner,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    reopening = threading.Thread(target=reopen)
    with transaction.atomic():
        # What ``case_open`` does first for a child found again: lock the child.
        Person.objects.select_for_update().get(pk=case.child_id)
        reopening.start()
        assert _a_session_waits_for_a_lock(), errors
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        # Then what it does next: a new case names the closed one (a key-share lock).
        Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    reopening.join(20)
    assert not errors
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


def _lock_the_case_then_name_the_child(case: Case) -> None:
    """What an enrolment does: the case locked, then a row naming the child (a deferred key)."""
    Case.objects.select_for_update().get(pk=case.pk)
    PersonAlias.objects.create(person_id=case.child_id, name="Rafi")


def test_a_status_change_does_not_deadlock_with_a_writer_that_locks_the_case_first(people):
    """Many writers lock the case, then insert a row naming the child (an enrolment).

    That row's foreign key takes a key-share lock on the child at commit; a
    status change holding the child locked without its key does not block
    it (a full lock did: "deadlock detected").
    """
    from kawal.cases import services as cases_svc
    from kawal.cases.models import CaseStatus

    owner, boss, _ = people
    case = close(register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2)))

    _second_waits_for_first(
        lambda: _lock_the_case_then_name_the_child(case),
        lambda: cases_svc.case_transition(
            Case.objects.get(pk=case.pk),
            target=CaseStatus.ASSESSMENT,
            reason="Found again (synthetic)",
            acting_user=owner,
        ),
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


def test_a_change_of_the_child_does_not_deadlock_with_a_writer_that_locks_the_case_first(people):
    """A child's edit locks the child, then writes an event naming the case.

    A writer that locked the case first and named the child in a new row
    takes a key-share lock on the child at commit; the edit's lock leaves the
    key alone, so the two pass one after the other ("deadlock detected" with
    a full lock).
    """
    from kawal.cases import services as cases_svc

    owner, boss, _ = people
    case = register(owner, "Rafi Sintetis", supervisor=boss, birth_date=date(2014, 1, 2))

    _second_waits_for_first(
        lambda: _lock_the_case_then_name_the_child(case),
        lambda: cases_svc.child_update(
            Case.objects.get(pk=case.pk),
            expected_version=Person.objects.get(pk=case.child_id).version,
            changes={"school_name": "SDN 001 Sintetis"},
            aliases=None,
            acting_user=owner,
        ),
    )
    assert Person.objects.get(pk=case.child_id).school_name == "SDN 001 Sintetis"
