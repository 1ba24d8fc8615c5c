"""kawal dedupe: fills the review queue, resumes after an interruption, scans only changes."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from kawal.cases import services as cases_svc
from kawal.identity import batch, dedupe
from kawal.identity.matching import comparison_id
from kawal.identity.models import (
    DuplicatePair,
    IdentityBlock,
    IdentityRecord,
    MatchModelState,
)
from kawal.people.models import Person
from tests.identity.conftest import register

NAMES = [
    ("Muhammad Riski bin Darman", "Moh. Rizky"),
    ("Siti Rahmawati", "Siti Rachmawati"),
    ("Achmad Djunaedi", "Ahmad Junaedi"),
    ("Dessy Anggraeni", "Desi Anggraini"),
]


def registry(owner):
    """Four children each registered twice, plus one unrelated child."""
    for index, (first, second) in enumerate(NAMES):
        born = date(2012 + index, 3, 4)
        sex = "F" if first.startswith(("Siti", "Dessy")) else "M"
        register(owner, first, birth_date=born, sex=sex)
        cases_svc.Case.objects.filter(child__full_name=first).update(status="closed")
        register(owner, second, birth_date=born, sex=sex)
    register(owner, "Yohanes Pasaribu", birth_date=date(2010, 1, 1))


def pairs_found():
    return {
        frozenset((pair.first.full_name, pair.second.full_name))
        for pair in DuplicatePair.objects.select_related("first", "second")
    }


def test_a_full_scan_queues_each_duplicate_and_nothing_else(people):
    owner, _, _ = people
    registry(owner)
    out = io.StringIO()
    call_command("dedupe", "--full", stdout=out)
    assert pairs_found() == {frozenset(pair) for pair in NAMES}
    assert "4 put in the review queue" in out.getvalue()
    assert "pairs [" in out.getvalue()  # the progress bar


@pytest.mark.parametrize("part_records", [50_000, 2])
def test_an_interrupted_scan_resumes_where_it_stopped(people, monkeypatch, part_records):
    # With two records a part the nine records make five parts, and the
    # interruption falls inside the candidate set's parts, not only its chunks.
    owner, _, _ = people
    registry(owner)
    monkeypatch.setattr(batch, "PART_RECORDS", part_records)
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    partial = dedupe.run(full=True, stop_after_chunks=2)
    assert partial.compared == 2
    state = dedupe.state()
    assert state.run_cursor == 2 and state.run_started_at is not None
    rest = dedupe.run()
    assert rest.resumed_from == 2
    assert pairs_found() == {frozenset(pair) for pair in NAMES}
    assert dedupe.state().run_cursor == 0 and dedupe.state().scanned_until is not None


def _changed_an_hour_ago():
    """Every child last changed before the margin a scan looks back over
    (``dedupe.COMMIT_MARGIN``): registered moments ago, each would be compared
    again by the next scan."""
    IdentityRecord.objects.update(changed_at=timezone.now() - timedelta(hours=1))


def test_a_second_run_scans_only_what_changed(people):
    owner, _, _ = people
    registry(owner)
    first = dedupe.run()
    assert first.compared > 0
    _changed_an_hour_ago()
    assert dedupe.run().compared == 0
    register(owner, "Yohanis Pasaribu", birth_date=date(2010, 1, 1))
    third = dedupe.run()
    assert 0 < third.compared < first.compared
    assert frozenset(("Yohanes Pasaribu", "Yohanis Pasaribu")) in pairs_found()


def test_a_change_committed_after_a_scan_read_the_registry_is_in_the_next_scan(people):
    # Stamped before the scan started, committed after it read the registry:
    # the scan did not see the change, and its stamp is older than the scan.
    owner, _, _ = people
    registry(owner)
    dedupe.run()
    _changed_an_hour_ago()
    scanned_until = dedupe.state().scanned_until
    register(owner, "Yohanis Pasaribu", birth_date=date(2010, 1, 1))
    late = Person.objects.get(full_name="Yohanis Pasaribu")
    IdentityRecord.objects.filter(person=late).update(
        changed_at=scanned_until - timedelta(seconds=2)
    )
    assert dedupe.run().compared > 0
    assert frozenset(("Yohanes Pasaribu", "Yohanis Pasaribu")) in pairs_found()


def test_a_reindex_is_no_change_for_the_next_scan(people):
    # The run that re-indexes compares everyone; stamped anew, every child would
    # be compared again by the next run too.
    owner, _, _ = people
    registry(owner)
    dedupe.run()
    _changed_an_hour_ago()
    assert dedupe.run(reindex_first=True).compared > 0
    assert dedupe.run().compared == 0


def test_reindex_rebuilds_the_index_from_the_registry(people):
    owner, _, _ = people
    registry(owner)
    IdentityBlock.objects.all().delete()
    IdentityRecord.objects.all().delete()
    call_command("dedupe", "--reindex", "--full", stdout=io.StringIO())
    assert IdentityRecord.objects.count() == 9
    assert pairs_found() == {frozenset(pair) for pair in NAMES}


def test_a_child_added_before_a_scan_resumes_loses_no_pair(people, monkeypatch):
    # Three records a part: the tenth record adds a part. Pairs come in plain
    # sorted order whatever the parts, so the saved count of pairs still points
    # at or before the first pair not yet scored.
    owner, _, _ = people
    registry(owner)
    monkeypatch.setattr(batch, "PART_RECORDS", 3)
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    dedupe.run(full=True, stop_after_chunks=3)
    register(owner, "Yohanis Pasaribu", birth_date=date(2010, 1, 1))
    resumed = dedupe.run()
    assert resumed.resumed_from == 3
    assert {frozenset(pair) for pair in NAMES} <= pairs_found()
    dedupe.run()  # the child added during the run counts as changed for the next one
    assert frozenset(("Yohanes Pasaribu", "Yohanis Pasaribu")) in pairs_found()


def test_a_pair_merged_before_a_scan_resumes_loses_no_pair(people, monkeypatch):
    # The first pair scored is merged while the scan is stopped: it leaves the
    # list of pairs, and a count of pairs done would then skip the next one.
    owner, _, _ = people
    registry(owner)
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    dedupe.run(full=True, stop_after_chunks=1)
    first = DuplicatePair.objects.get()
    IdentityRecord.objects.filter(person=first.second).update(root=first.first)
    rest = dedupe.run()
    assert rest.resumed_from == 0
    assert pairs_found() == {frozenset(pair) for pair in NAMES}


def test_a_scan_saved_by_older_code_resumes_from_its_count(people, monkeypatch):
    owner, _, _ = people
    registry(owner)
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    dedupe.run(full=True, stop_after_chunks=2)
    MatchModelState.objects.update(run_last_first=None, run_last_second=None)
    assert dedupe.run().resumed_from == 2
    assert pairs_found() == {frozenset(pair) for pair in NAMES}


def _stored(first_name, second_name):
    return DuplicatePair.objects.get(
        first__full_name__in=(first_name, second_name),
        second__full_name__in=(first_name, second_name),
    )


def _stale(first_name, second_name, **fields):
    """A pair as an older comparison left it."""
    values = {"probability": 0.95, "band": "likely", "source": "intake", **fields}
    return DuplicatePair.objects.create(
        first=Person.objects.get(full_name=first_name),
        second=Person.objects.get(full_name=second_name),
        **values,
    )


def test_a_new_registry_starts_on_the_current_comparison(people):
    owner, _, _ = people
    registry(owner)
    out = io.StringIO()
    call_command("dedupe", stdout=out)
    assert "compared again" not in out.getvalue()
    assert dedupe.state().comparison == comparison_id()


def test_a_new_comparison_compares_everyone_again_without_full(people):
    owner, _, _ = people
    registry(owner)
    everyone = dedupe.run().compared
    _changed_an_hour_ago()
    pair = _stored(*NAMES[1])
    right = pair.probability
    DuplicatePair.objects.filter(pk=pair.pk).update(probability=0.5, band="possible")
    MatchModelState.objects.update(comparison="")
    out = io.StringIO()
    call_command("dedupe", stdout=out)
    assert "every child compared again" in out.getvalue()
    assert f"{everyone} pairs compared" in out.getvalue()
    pair.refresh_from_db()
    assert pair.probability == right and pair.band != "possible"
    assert dedupe.state().comparison == comparison_id()
    assert dedupe.run().compared == 0  # once only


def test_an_interrupted_rescoring_resumes_as_a_rescoring(people, monkeypatch):
    owner, _, _ = people
    registry(owner)
    everyone = dedupe.run().compared
    MatchModelState.objects.update(comparison="")
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    partial = dedupe.run(stop_after_chunks=2)
    assert partial.rescored and partial.compared == 2
    rest = dedupe.run()
    assert not rest.rescored and rest.resumed_from == 2
    assert rest.resumed_from + rest.compared == everyone


def _a_scan_stopped_after_a_new_child(people, monkeypatch) -> int:
    """A finished scan, a new child, a scan stopped after one pair; the first scan's count."""
    owner, _, _ = people
    registry(owner)
    everyone = dedupe.run().compared
    _changed_an_hour_ago()
    register(owner, "Yohanis Pasaribu", birth_date=date(2010, 1, 1))
    monkeypatch.setattr(dedupe, "CHUNK", 1)
    dedupe.run(stop_after_chunks=1)
    return everyone


def test_a_scan_stopped_before_an_upgrade_starts_again_with_everyone(people, monkeypatch):
    # The stopped run listed only the changed children's pairs: its place in that
    # list means nothing in the list of everyone's pairs.
    everyone = _a_scan_stopped_after_a_new_child(people, monkeypatch)
    assert dedupe.state().run_cursor == 1
    MatchModelState.objects.update(comparison="")
    upgraded = dedupe.run()
    assert upgraded.rescored and upgraded.resumed_from == 0
    assert upgraded.compared > everyone  # everyone, the new child included
    assert frozenset(("Yohanes Pasaribu", "Yohanis Pasaribu")) in pairs_found()


def test_an_open_pair_scored_again_below_possible_leaves_the_queue(people):
    from kawal.identity.services import open_pairs_for

    owner, boss, _ = people
    born = date(2012, 3, 4)
    for name in ("Muhammad Riski bin Darman", "Moh. Rizky", "Yosua Manurung", "Maria Tobing"):
        register(owner, name, supervisor=boss, birth_date=born)
    Person.objects.filter(full_name="Maria Tobing").update(birth_date=date(2009, 1, 1))
    dedupe.run()
    assert pairs_found() == {frozenset(NAMES[0])}
    # One a candidate of no scan at all (nothing shared but the kelurahan), as an
    # intake pair can be; one decided by a reviewer, which stays as decided.
    stale = _stale("Muhammad Riski bin Darman", "Maria Tobing")
    decided = _stale("Moh. Rizky", "Yosua Manurung", status="different", band="possible")
    assert stale in open_pairs_for(boss)
    _changed_an_hour_ago()
    assert dedupe.run().compared == 0  # nothing changed since the last scan
    stale.refresh_from_db()
    assert stale.band == "" and stale.probability < 0.4 and stale.status == "open"
    assert open_pairs_for(boss) == [_stored(*NAMES[0])]
    decided.refresh_from_db()
    assert decided.probability == 0.95 and decided.band == "possible"
    assert DuplicatePair.objects.count() == 3  # no pair added for a low score


def test_other_placeholder_days_compare_everyone_again(people):
    owner, _, _ = people
    registry(owner)
    everyone = dedupe.run().compared
    _changed_an_hour_ago()
    with override_settings(KAWAL_PLACEHOLDER_BIRTH_DAYS=["01-01"]):
        again = dedupe.run()
        assert again.rescored and again.compared == everyone
        assert dedupe.run().compared == 0


@pytest.mark.parametrize("how", ["full", "reindex"])
def test_a_scan_over_everyone_resumes_as_one(people, monkeypatch, how):
    # Stopped, it goes on over everyone's pairs from where it stopped, not over
    # the changed children's; started, it does not resume an older run's place.
    everyone = _a_scan_stopped_after_a_new_child(people, monkeypatch)
    options = {"full": True} if how == "full" else {"reindex_first": True}
    started = dedupe.run(stop_after_chunks=2, **options)
    assert started.resumed_from == 0 and started.compared == 2
    rest = dedupe.run()
    assert rest.resumed_from == 2
    assert rest.resumed_from + rest.compared > everyone  # the new child's pairs too
    assert frozenset(("Yohanes Pasaribu", "Yohanis Pasaribu")) in pairs_found()


def test_an_open_pair_is_scored_over_the_merged_records_as_at_intake(people):
    from kawal.identity.services import open_pairs_for

    owner, boss, _ = people
    born = date(2013, 5, 6)
    for name in ("Dessy Anggraeni", "Siti Rahmawati", "Siti Rachmawati"):
        register(owner, name, supervisor=boss, birth_date=born, sex="F")
    dedupe.run()  # the first scan of a registry indexes it afresh
    survivor = Person.objects.get(full_name="Dessy Anggraeni")
    absorbed = Person.objects.get(full_name="Siti Rahmawati")
    IdentityRecord.objects.filter(person=absorbed).update(root=survivor)
    DuplicatePair.objects.all().delete()
    # Raised at intake through the absorbed record, which alone is like the new child.
    pair = _stale("Dessy Anggraeni", "Siti Rachmawati", probability=0.5, band="possible")
    dedupe.run()
    pair.refresh_from_db()
    assert pair.band and pair.probability > 0.5
    assert pair in open_pairs_for(boss)


def test_a_reindex_stopped_while_indexing_indexes_again(people, monkeypatch):
    owner, _, _ = people
    registry(owner)
    dedupe.run()

    def stopped(progress=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(dedupe, "reindex", stopped)
    with pytest.raises(KeyboardInterrupt):
        dedupe.run(reindex_first=True)
    monkeypatch.undo()
    again = dedupe.run()
    assert again.reindexed == 9 and again.resumed_from == 0
    assert dedupe.state().keys_version == dedupe.BLOCK_KEYS_VERSION


def test_an_open_pair_of_children_merged_meanwhile_leaves_the_queue_until_unmerged(people):
    owner, _, _ = people
    registry(owner)
    dedupe.run()
    pair = _stored(*NAMES[2])
    band = pair.band
    IdentityRecord.objects.filter(person=pair.second).update(root=pair.first)
    dedupe.run()
    pair.refresh_from_db()
    assert pair.band == "" and pair.status == "open"
    IdentityRecord.objects.filter(person=pair.second).update(root=pair.second)
    dedupe.run()
    pair.refresh_from_db()
    assert pair.band == band
