"""Scanning the whole registry for possible duplicates (``kawal dedupe``).

A run compares, within blocks, every child changed since the last finished
run with everyone else (``--full``: everyone with everyone), and puts pairs
scoring "possible" or better in the review queue. Progress is saved after
every chunk of pairs; a run that was interrupted resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kawal.core.audit import AuditContext, audit_record
from kawal.identity.batch import candidate_pairs, train
from kawal.identity.index import identity_refresh, record_from_row
from kawal.identity.matching import Model, Record, Scorer
from kawal.identity.models import IdentityRecord, MatchModelState, PairSource
from kawal.identity.services import pair_raise
from kawal.people.models import Person

CHUNK = 5000
# EM on a small registry fits noise; below this many children the defaults stay
# unless a refit is asked for.
FIT_AT_LEAST = 2000

Progress = Callable[[str, int, int], None]


@dataclass
class DedupeResult:
    records: int
    compared: int
    raised: int
    resumed_from: int
    fitted: bool


def state() -> MatchModelState:
    with transaction.atomic():
        row = MatchModelState.objects.select_for_update().order_by("pk").first()
        return row or MatchModelState.objects.create()


def reindex(progress: Progress | None = None) -> int:
    """Rebuild every child's matching row from the registry."""
    ids = list(Person.objects.filter(is_child=True).order_by("pk").values_list("pk", flat=True))
    for done, person in enumerate(Person.objects.filter(pk__in=ids).iterator(), start=1):
        with transaction.atomic():
            identity_refresh(person)
        if progress is not None:
            progress("index", done, len(ids))
    return len(ids)


def fit(records: list[Record]) -> Model:
    """Estimate the model from the registry itself (no labelled data needed)."""
    base = Model()
    model = train(records)
    model.likely, model.possible = base.likely, base.possible
    return model


def run(
    *,
    full: bool = False,
    refit: bool = False,
    progress: Progress | None = None,
    stop_after_chunks: int | None = None,
) -> DedupeResult:
    """One scan; ``stop_after_chunks`` simulates an interruption (for tests)."""
    current = state()
    resuming = current.run_started_at is not None and current.run_cursor > 0 and not full
    if not resuming:
        current.run_started_at = timezone.now()
        current.run_cursor = 0
        current.save(update_fields=["run_started_at", "run_cursor"])
    rows = list(IdentityRecord.objects.order_by("person_id"))
    records = [record_from_row(row) for row in rows]
    roots = [row.root_id for row in rows]
    since = None if full else current.scanned_until
    changed = {i for i, row in enumerate(rows) if since is None or row.changed_at > since}
    pairs = sorted(
        (a, b)
        for a, b in candidate_pairs(records)
        if roots[a] != roots[b] and (a in changed or b in changed)
    )
    fitted = False
    if refit or (not current.parameters and len(records) >= FIT_AT_LEAST):
        model = fit(records)
        current.parameters = model.as_json()
        current.fitted_at = timezone.now()
        current.save(update_fields=["parameters", "fitted_at"])
        fitted = True
    scorer = Scorer(Model.from_json(current.parameters) if current.parameters else Model())
    start = current.run_cursor if resuming else 0
    raised = 0
    for chunks, offset in enumerate(range(start, len(pairs), CHUNK), start=1):
        with transaction.atomic():
            for a, b in pairs[offset : offset + CHUNK]:
                score = scorer.score(records[a], records[b])
                if score.band:
                    pair_raise(rows[a].person_id, rows[b].person_id, score, source=PairSource.BATCH)
                    raised += 1
            current.run_cursor = min(offset + CHUNK, len(pairs))
            current.save(update_fields=["run_cursor"])
        if progress is not None:
            progress("pairs", current.run_cursor, len(pairs))
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            return DedupeResult(len(rows), current.run_cursor - start, raised, start, fitted)
    current.scanned_until = current.run_started_at
    current.run_started_at = None
    current.run_cursor = 0
    current.save(update_fields=["scanned_until", "run_started_at", "run_cursor"])
    audit_record(
        "identity.dedupe",
        context=AuditContext.command("dedupe"),
        records=len(rows),
        pairs=len(pairs) - start,
        raised=raised,
    )
    return DedupeResult(len(rows), len(pairs) - start, raised, start, fitted)
