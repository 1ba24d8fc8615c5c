"""Scanning the whole registry for possible duplicates (``kawal dedupe``).

A run compares, within blocks, every child changed since the last finished
run started (and a few minutes before, ``COMMIT_MARGIN``) with everyone else
(``--full``: everyone with everyone), and puts pairs
scoring "possible" or better in the review queue. Progress is saved after
every chunk of pairs; a run that was interrupted resumes where it stopped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kawal.core.audit import AuditContext, audit_record
from kawal.identity.batch import (
    CandidateSet,
    Label,
    candidates,
    count_frequencies,
    found_repeats,
    train_unlabelled,
    with_labels_report,
)
from kawal.identity.index import identity_refresh, merge_lock, record_from_row, sighting_records
from kawal.identity.matching import (
    BLOCK_KEYS_VERSION,
    Model,
    Record,
    Scorer,
    comparison_id,
    min_labels,
)
from kawal.identity.models import (
    DuplicatePair,
    IdentityRecord,
    MatchModelState,
    Merge,
    PairSource,
    PairStatus,
)
from kawal.identity.services import pair_raise, pair_refresh
from kawal.people.models import Person

CHUNK = 5000
# EM on a small registry fits noise; below this many children the defaults stay
# unless a refit is asked for.
FIT_AT_LEAST = 2000
# Once labels are in use, the model is fitted again when their number has grown
# by this share since the last fit (a handful of new decisions moves little).
LABELS_GROWTH = 0.25
# A child's ``changed_at`` is stamped inside the transaction that changes it,
# before that commits. A change stamped just before a scan started but committed
# after the scan read the registry is in neither that scan nor, by its stamp,
# the next; so each scan also takes the children stamped this long before the
# previous one started. Far longer than any request's transaction; the cost is
# that the changes of the five minutes before a scan are compared again by the next.
COMMIT_MARGIN = timedelta(minutes=5)

Progress = Callable[[str, int, int], None]


@dataclass
class DedupeResult:
    records: int
    compared: int
    raised: int
    resumed_from: int
    fitted: bool
    labels: int = 0  # reviewers' decisions the model was fitted with
    model_version: str = ""
    # (field, level, weight without labels, weight with them), in bits
    changes: list[tuple[str, str, float, float]] = field(default_factory=list)
    reindexed: int = 0
    # Everyone compared again: the comparison changed since the stored pairs were scored.
    rescored: bool = False
    # A fit was due and found no child recorded twice to learn from (``NoRepeatsFound``).
    no_repeats: bool = False


def state() -> MatchModelState:
    with transaction.atomic():
        row = MatchModelState.objects.select_for_update().order_by("pk").first()
        # A new registry has no pair scored by an older comparison.
        return row or MatchModelState.objects.create(comparison=comparison_id())


def reindex(progress: Progress | None = None) -> int:
    """Rebuild every child's matching row from the registry.

    Each child is read inside its own transaction after its row is locked: a
    change being written meanwhile holds that row until it commits, and read
    any earlier the child would be indexed as it was before the change, over
    the row the change wrote. Each row keeps its ``changed_at``: the run that
    re-indexes compares everyone anyway, and stamped now every child would
    fall inside the next run's ``COMMIT_MARGIN`` and be compared again.
    """
    ids = list(Person.objects.filter(is_child=True).order_by("pk").values_list("pk", flat=True))
    for done, pk in enumerate(ids, start=1):
        with transaction.atomic():
            merge_lock()  # roots too are rebuilt: no merge moves them meanwhile
            list(IdentityRecord.objects.select_for_update().filter(person_id=pk).values("pk"))
            person = Person.objects.filter(pk=pk).first()
            if person is not None:
                identity_refresh(person, keep_stamp=True, roots=True)
        if progress is not None:
            progress("index", done, len(ids))
    return len(ids)


def labelled_pairs(person_ids: list[int]) -> list[Label]:
    """Reviewers' decisions as (index, index, same child?) into ``person_ids``.

    A pair merged or marked different in the queue, and a merge in force, is a
    label; an undone merge reopened its pair and is none.
    """
    index = {pk: i for i, pk in enumerate(person_ids)}
    found: dict[tuple[int, int], bool] = {}
    decided = DuplicatePair.objects.filter(status__in=[PairStatus.MERGED, PairStatus.DIFFERENT])
    for first, second, status in decided.values_list("first_id", "second_id", "status"):
        if first in index and second in index:
            found[(index[first], index[second])] = status == PairStatus.MERGED
    for survivor, absorbed in Merge.objects.filter(undone_at=None).values_list(
        "survivor_id", "absorbed_id"
    ):
        if survivor in index and absorbed in index:
            a, b = sorted((index[survivor], index[absorbed]))
            found[(a, b)] = True
    return [(a, b, same) for (a, b), same in sorted(found.items())]


def fit(records: list[Record], labels: list[Label] | None = None) -> Model:
    """The model fitted on the registry (EM) and, when there are enough, the labels."""
    return fit_with_report(records, labels)[0]


class NoRepeatsFound(Exception):
    """EM found no children recorded twice, and there were too few decisions to learn from."""


def fit_with_report(
    records: list[Record],
    labels: list[Label] | None = None,
    *,
    em: bool = True,
    sightings: list[Record] | None = None,
) -> tuple[Model, list[tuple[str, str, float, float]]]:
    """Estimate the model from the registry and, when there are enough, reviewers' decisions.

    ``em``: fit without labels first (EM); else the documented defaults are the
    starting point (a small registry fits noise). An EM fit of a registry large
    enough to fit that found no repeats (``batch.found_repeats``) is dropped
    for the defaults too; with too few decisions to learn from, nothing is
    fitted (``NoRepeatsFound``).
    ``sightings`` (how known children were written when found again) join
    the records EM fits on: they are the registry's children written more
    than once. The frequency tables are counted on the records alone (a
    child found often is not a more common name), and the prior is kept as
    fitted on records and sightings together: that is about how often a new
    sighting is a known child, which intake scores.
    Returns the model and how the labels moved the weights.
    """
    defaults = Model()
    if em and sightings:
        base = train_unlabelled([*records, *sightings])
        base.records = len(records)  # counted again below on the records, prior as fitted
        count_frequencies(base, records)
    else:
        base = train_unlabelled(records) if em else Model()
    # Below FIT_AT_LEAST only an explicit ``--fit`` runs EM, on what is there.
    rejected = em and len(records) >= FIT_AT_LEAST and not found_repeats(base)
    if rejected:
        # Reviewers' decisions may still give a model: from the defaults, with the
        # registry's tables (a large registry's names weighed by how common they are).
        base = count_frequencies(Model(), records)
    base.likely, base.possible = defaults.likely, defaults.possible
    model, changes = with_labels_report(base, records, labels)
    if rejected and model is base:
        raise NoRepeatsFound
    return model, changes


def _labels_call_for_fit(current: MatchModelState, count: int) -> bool:
    """Enough new reviewers' decisions since the last fit to fit again."""
    if count < min_labels():
        return False
    used = int((current.parameters or {}).get("labels_used", 0))
    return count >= used * (1 + LABELS_GROWTH) and count > used


def _resume_at(current: MatchModelState, pairs: CandidateSet, person_ids: list[int]) -> int:
    """Where an interrupted run goes on: the first pair after the last one it scored.

    Records are in person-id order, so the pairs are too, and the saved pair
    of person ids still marks the point when pairs before it were dropped
    (a pair merged in between) or added (a child registered). A run saved by
    older code has only its count of pairs.
    """
    first, second = current.run_last_first, current.run_last_second
    if first is None or second is None:
        return min(current.run_cursor, len(pairs))
    a = bisect_left(person_ids, first)
    if a < len(person_ids) and person_ids[a] == first:
        # The pairs of that record that come after the saved one.
        return pairs.count_before(a, bisect_right(person_ids, second))
    return pairs.count_before(a, 0)  # that record is gone: the next record's pairs


def _rescore_open_pairs(
    scorer: Scorer,
    records: list[Record],
    person_ids: list[int],
    roots: list[int],
    progress: Progress | None = None,
) -> int:
    """Give every open pair the current score; those below "possible" leave the queue.

    Blocking finds only the pairs of children changed since the last run, and
    an intake pair may be a candidate of no scan, so an open pair could keep
    the score of an older comparison or model. Each is scored as intake
    scores a candidate: the best over both children's records (their own and
    those merged into them) and the sightings of them. A pair someone
    decided meanwhile stays decided (the update asks for an open pair), and
    keeps its score.
    """
    index = {person: i for i, person in enumerate(person_ids)}
    pairs = list(
        DuplicatePair.objects.filter(status=PairStatus.OPEN)
        .order_by()
        .values_list("pk", "first_id", "second_id", "probability", "band", "model_version")
    )
    wanted = {roots[index[p]] for pair in pairs for p in pair[1:3] if p in index}
    # Each child's records and the sightings of them, as intake scored the pair.
    members: dict[int, list[Record]] = defaultdict(list)
    for i, root in enumerate(roots):
        if root in wanted:
            members[root].append(records[i])
    wanted_people = [person_ids[i] for i, root in enumerate(roots) if root in wanted]
    for seen in sighting_records(wanted_people):
        if seen.id in index:
            members[roots[index[seen.id]]].append(seen)
    refreshed = 0
    for start in range(0, len(pairs), CHUNK):
        now = timezone.now()
        with transaction.atomic():
            for pk, first, second, probability, band, version in pairs[start : start + CHUNK]:
                a, b = index.get(first), index.get(second)
                if a is None or b is None:
                    continue  # not in the matching index: nothing to compare
                if roots[a] == roots[b]:
                    # Merged into one child meanwhile: nothing to decide, and it
                    # must not crowd the queue; an unmerge brings it back.
                    refreshed += pair_refresh(pk, None, now=now)
                    continue
                score = max(
                    (scorer.score(x, y) for x in members[roots[a]] for y in members[roots[b]]),
                    key=lambda found: found.probability,
                )
                if (score.probability, score.band, score.model_version) == (
                    probability,
                    band,
                    version,
                ):
                    continue
                refreshed += pair_refresh(pk, score, now=now)
        if progress is not None:
            progress("open pairs", min(start + CHUNK, len(pairs)), len(pairs))
    return refreshed


def run(
    *,
    full: bool = False,
    refit: bool = False,
    reindex_first: bool = False,
    progress: Progress | None = None,
    stop_after_chunks: int | None = None,
) -> DedupeResult:
    """One scan; ``stop_after_chunks`` simulates an interruption (for tests)."""
    current = state()
    # Stored keys built by an older scheme would make lookups miss pairs.
    keys_stale = current.keys_version < BLOCK_KEYS_VERSION
    if reindex_first and not keys_stale:
        # Stopped while indexing, the next run must index again: as for old keys.
        current.keys_version = 0
        current.save(update_fields=["keys_version"])
    reindexed = reindex(progress) if keys_stale or reindex_first else 0
    comparison = comparison_id()
    rescoring = current.comparison != comparison
    # Each of these asks for everyone's pairs, where an interrupted run's place
    # in its own list means nothing: it starts afresh, and if it is stopped in
    # turn, the next run resumes it as a run over everyone (``scanned_until``
    # cleared in the same save that starts it, with the versions it brings).
    everyone = full or keys_stale or reindex_first or rescoring
    resuming = current.run_started_at is not None and current.run_cursor > 0 and not everyone
    if not resuming:
        fields = ["run_started_at", "run_cursor", "run_last_first", "run_last_second"]
        current.run_started_at = timezone.now()
        current.run_cursor = 0
        current.run_last_first = current.run_last_second = None
        if everyone:
            current.scanned_until = None
            current.keys_version = BLOCK_KEYS_VERSION
            current.comparison = comparison
            fields += ["scanned_until", "keys_version", "comparison"]
        current.save(update_fields=fields)
    rows = list(IdentityRecord.objects.order_by("person_id"))
    records = [record_from_row(row) for row in rows]
    roots = [row.root_id for row in rows]
    person_ids = [row.person_id for row in rows]
    since = current.scanned_until - COMMIT_MARGIN if current.scanned_until else None
    changed = {i for i, row in enumerate(rows) if since is None or row.changed_at > since}
    # Held compactly, in person-id order (``_resume_at`` relies on it).
    pairs = candidates(
        records, keep=lambda a, b: roots[a] != roots[b] and (a in changed or b in changed)
    )
    total = len(pairs)
    fitted = False
    labels = labelled_pairs(person_ids)
    changes: list[tuple[str, str, float, float]] = []
    first_fit = not current.parameters and len(records) >= FIT_AT_LEAST
    # Fitted by older code for other levels: the defaults serve until fitted again
    # (or, for a field added since that weighs nothing by default, the stored model).
    stale = bool(current.parameters) and not Model.fits_levels(current.parameters)
    no_repeats = False
    if refit or first_fit or stale or _labels_call_for_fit(current, len(labels)):
        try:
            model, changes = fit_with_report(
                records,
                labels,
                em=refit or len(records) >= FIT_AT_LEAST,
                sightings=sighting_records(),
            )
        except NoRepeatsFound:
            # Weights learnt from brothers and sisters would link them: the
            # model in use stays (or the defaults), and the next run tries again.
            no_repeats = True
        else:
            current.parameters = model.as_json()
            current.fitted_at = current.counted_at = timezone.now()
            current.save(update_fields=["parameters", "fitted_at", "counted_at"])
            fitted = True
    elif current.parameters and current.parameters.get("records") and records and not resuming:
        # How common a name or a date is changes between fits (a district's
        # children brought in): counted as of the last fit, a name given to many
        # children since would weigh as one nobody else carries. Not when
        # resuming: the pairs already scored were scored with the tables as
        # they are. Saved only over the parameters read: a fit that another
        # run saved meanwhile (``--fit``) is not overwritten with older m and u.
        counted = count_frequencies(Model.from_json(current.parameters), records).as_json()
        now = timezone.now()
        saved = MatchModelState.objects.filter(
            pk=current.pk, fitted_at=current.fitted_at, counted_at=current.counted_at
        ).update(parameters=counted, counted_at=now)
        if saved:
            current.parameters, current.counted_at = counted, now
        else:
            current.refresh_from_db(fields=["parameters", "fitted_at", "counted_at"])
    scorer = Scorer(Model.from_json(current.parameters) if current.parameters else Model())
    start = _resume_at(current, pairs, person_ids) if resuming else 0
    raised = 0

    def result(compared: int) -> DedupeResult:
        return DedupeResult(
            len(rows),
            compared,
            raised,
            start,
            fitted,
            scorer.model.labels_used,
            scorer.version,
            changes,
            reindexed,
            rescoring,
            no_repeats,
        )

    for chunks, (offset, chunk) in enumerate(pairs.slices(CHUNK, start), start=1):
        with transaction.atomic():
            for a, b in chunk:
                score = scorer.score(records[a], records[b])
                if score.band:
                    pair_raise(rows[a].person_id, rows[b].person_id, score, source=PairSource.BATCH)
                    raised += 1
            current.run_cursor = offset + len(chunk)
            last_a, last_b = chunk[-1]
            current.run_last_first = rows[last_a].person_id
            current.run_last_second = rows[last_b].person_id
            current.save(update_fields=["run_cursor", "run_last_first", "run_last_second"])
        if progress is not None:
            progress("pairs", current.run_cursor, total)
        if stop_after_chunks is not None and chunks >= stop_after_chunks:
            return result(current.run_cursor - start)
    _rescore_open_pairs(scorer, records, person_ids, roots, progress)
    current.scanned_until = current.run_started_at
    current.run_started_at = None
    current.run_cursor = 0
    current.run_last_first = current.run_last_second = None
    current.save(
        update_fields=[
            "scanned_until",
            "run_started_at",
            "run_cursor",
            "run_last_first",
            "run_last_second",
        ]
    )
    audit_record(
        "identity.dedupe",
        context=AuditContext.command("dedupe"),
        records=len(rows),
        pairs=total - start,
        raised=raised,
        model_version=scorer.version,
        labels=scorer.model.labels_used,
    )
    return result(total - start)
