"""Keeping the matching index in step with the registry, and looking children up in it.

Services that change a child, their aliases or their parents call
``identity_refresh`` inside their own transaction. ``lookup`` is the intake
search: it reads blocking rows with an index, scores at most a few hundred
candidates and returns the best few, grouped by the root of each merge.

Nothing here checks who is asking: callers (``kawal.identity.panel``, the
batch command) decide what a user may learn of a candidate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, FloatField, Sum, Value, When
from django.utils import timezone

from kawal.identity.batch import SMALL_BLOCK, YEAR_SLACK
from kawal.identity.matching import (
    Model,
    Record,
    Score,
    Scorer,
    block_keys,
    generic_name,
    make_record,
)
from kawal.identity.models import IdentityBlock, IdentityRecord, IdentitySighting, MatchModelState
from kawal.people.models import Person

PARENT_RELATIONS = ("mother", "father", "stepmother", "stepfather", "guardian")
# How many blocking hits are scored at most; the best are those sharing most keys.
SCORE_AT_MOST = 200
# One-edit ("e:") keys with more rows than this are left out of the ranking query.
EDIT_KEY_AT_MOST = 300
# A key's rows are counted only up to this many: counting a common key whole
# would read every row of, say, Saputra in a national registry. A key this
# common is weighed as if every child of the registry carried it (below).
COUNT_AT_MOST = 2000
KEY_LENGTH = IdentityBlock._meta.get_field("key").max_length or 40


def root_of(person: Person) -> Person:
    """The record a merged child now lives under (merges may chain)."""
    seen = set()
    while person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def record_from_row(row: IdentityRecord) -> Record:
    return _record_of(row, parent_names=row.parent_names.splitlines(), nik=row.nik)


def record_from_sighting(row: IdentitySighting) -> Record:
    """A sighting as a record of its child (``person_id``): the child as written that day."""
    return _record_of(row)


def _record_of(row: IdentityRecord | IdentitySighting, **extra: Any) -> Record:
    """The fields a child's record and a sighting share, and ``extra`` of the record's own."""
    return make_record(
        row.person_id,
        full_name=row.full_name,
        aliases=row.aliases.splitlines(),
        birth_date=row.birth_date,
        birth_date_estimated=row.birth_date_estimated,
        birth_date_documented=row.birth_date_documented,
        age_min=row.age_min,
        age_max=row.age_max,
        as_of=row.as_of,
        sex=row.sex,
        kelurahan=row.kelurahan,
        school=row.school,
        **extra,
    )


def sighting_records(person_ids: Iterable[int] | None = None) -> list[Record]:
    """The sightings of these children (of every child: None), as records, oldest first."""
    return [record for record, _case in _sightings(person_ids)]


def _sightings(
    person_ids: Iterable[int] | None = None, cases: Iterable[int] | None = None
) -> list[tuple[Record, int]]:
    """(record, case id) of each sighting of these children, only of these cases if given."""
    rows = IdentitySighting.objects.order_by("person_id", "pk")
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    if cases is not None:
        rows = rows.filter(case_id__in=list(cases))
    return [(record_from_sighting(row), row.case_id) for row in rows]


# Any fixed number names the lock; this one is the ASCII of "kawalmrg".
MERGE_LOCK = 0x6B6177616C6D7267


def merge_lock(*, shared: bool = False) -> None:
    """Hold, until the transaction ends, the lock every merge and undo takes.

    A merge computes roots from records it does not lock (the clusters on both
    sides), so two merges or a merge and an undo running at once could each
    write a root the other made stale. Merges are rare and short: taking them
    one at a time costs nothing a reviewer notices. ``shared``: for a reader
    of a cluster that links to it (a case opened for a child found again, a
    case's status changed, a capture linked to a known child), which may run
    beside other readers but not
    beside a merge or an undo. A case opened from a capture for a known child
    joins the capture's record to that child, a merge, and so takes it whole.
    Taken first in a transaction, before any row lock, as every taker does;
    then the child's root record, then the child's cases.
    SQLite needs no lock: our transactions there take the database's write
    lock when they begin.
    """
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [MERGE_LOCK])


def identity_refresh(person: Person, *, keep_stamp: bool = False, roots: bool = False) -> None:
    """Rebuild a child's matching row and blocking keys from the registry.

    The row is stamped now, which the next ``kawal dedupe`` reads as a change;
    ``keep_stamp`` keeps an existing row's stamp (a re-index changes nothing
    about the child).

    An existing row keeps its root: only merges and undos move roots
    (``refresh_roots``, under ``merge_lock``), and a root read here while a
    merge commits would be written back stale over the merge's. ``roots``
    (the re-index, holding ``merge_lock``) writes the root too.
    """
    if not person.is_child:
        for child_id in person.relatives_of.values_list("child_id", flat=True):
            identity_refresh(Person.objects.get(pk=child_id))
        return
    parents = list(
        Person.objects.filter(
            relatives_of__child=person, relatives_of__relation__in=PARENT_RELATIONS
        ).values_list("full_name", flat=True)
    )
    previous = (
        IdentityRecord.objects.filter(person=person).values_list("as_of", "changed_at").first()
    )
    row = IdentityRecord(
        person=person,
        full_name=person.full_name,
        aliases="\n".join(sorted(person.aliases.values_list("name", flat=True))),
        parent_names="\n".join(sorted(parents)),
        birth_date=person.birth_date,
        birth_date_estimated=person.birth_date_estimated,
        birth_date_documented=person.birth_date_documented,
        age_min=person.age_min,
        age_max=person.age_max,
        # An estimated age was true when first recorded, not every time the record changes.
        as_of=previous[0] if previous else timezone.localdate(),
        sex=person.sex,
        nik=person.nik if person.nik_status == "known" else "",
        kelurahan=person.kelurahan.code if person.kelurahan_id else "",
        school=person.school_name,
        changed_at=previous[1] if previous and keep_stamp else timezone.now(),
    )
    if previous is None or roots:
        row.root = root_of(person)
        row.save()
    else:
        fields = [f.name for f in IdentityRecord._meta.concrete_fields]
        row.save(update_fields=[name for name in fields if name not in ("person", "root")])
    IdentityBlock.objects.filter(person=person).delete()
    # Keys are cut to the column's length; two long keys may then coincide.
    # The child's sightings (how they were written when found again) are keys
    # of the child too: the next intake meets them by any of those names.
    # One row per key and child, over the years any of them allows: the lookup
    # weighs a child by the keys it shares and a key by how many rows carry
    # it, so a child found ten times must not count ten times in either.
    windows: dict[str, tuple[int, int]] = {}
    for record in (record_from_row(row), *sighting_records([person.pk])):
        for key, low, high in block_keys(record):
            cut = key[:KEY_LENGTH]
            held = windows.get(cut)
            windows[cut] = (low, high) if held is None else (min(held[0], low), max(held[1], high))
    IdentityBlock.objects.bulk_create(
        IdentityBlock(person=person, key=key, year_min=low, year_max=high)
        for key, (low, high) in sorted(windows.items())
    )


def refresh_roots(people: Iterable[Person]) -> None:
    """After a merge or unmerge: point each record's row at its new root."""
    for person in people:
        IdentityRecord.objects.filter(person=person).update(
            root=root_of(person), changed_at=timezone.now()
        )


def query_record(**details: Any) -> Record:
    """A record for what an intake form holds, before anything is saved.

    Takes ``make_record``'s keyword arguments; estimated ages count from today.
    """
    return make_record(None, as_of=timezone.localdate(), **details)


def current_model() -> Model:
    state = MatchModelState.objects.order_by("pk").first()
    if state is None or not state.parameters:
        return Model()
    return Model.from_json(state.parameters)


# The fitted model can hold name counts for a whole registry: parse it once per
# fit, not once per lookup.
_scorer_cache: dict[str, Any] = {}


def current_scorer() -> Scorer:
    row = MatchModelState.objects.order_by("pk").values("pk", "fitted_at", "counted_at").first()
    key = (row["pk"], row["fitted_at"], row["counted_at"]) if row is not None else None
    if _scorer_cache.get("key") != key or "scorer" not in _scorer_cache:
        _scorer_cache["scorer"] = Scorer(current_model())
        _scorer_cache["key"] = key
    scorer: Scorer = _scorer_cache["scorer"]
    return scorer


@dataclass(frozen=True)
class Candidate:
    root_id: int
    person_id: int  # the record that scored best (the root or one it absorbed)
    score: Score
    # When a sighting scored best: the case it was written for. Its details
    # are that case's, which not every user who knows the child may read.
    case_id: int | None = None


def _key_sizes(keys: list[str]) -> dict[str, int]:
    """Rows stored under each key that has any, counted up to ``COUNT_AT_MOST`` + 1.

    One statement for all the keys, each counted by an index-only scan that
    stops at the cap; a query per key would cost more in the ORM than the
    counting saves. Plain SQL that SQLite and PostgreSQL both run.
    """
    if not keys:
        return {}
    quote = connection.ops.quote_name
    table = quote(IdentityBlock._meta.db_table)
    column = quote(IdentityBlock._meta.get_field("key").column)
    rows = ", ".join(["(%s)"] * len(keys))
    statement = (
        f"SELECT v.column1, (SELECT COUNT(*) FROM (SELECT 1 FROM {table} b"  # noqa: S608 - names from the model, values as parameters
        f" WHERE b.{column} = v.column1 LIMIT %s) s) FROM (VALUES {rows}) AS v"
    )
    with connection.cursor() as cursor:
        # One row past the cap tells a key of exactly COUNT_AT_MOST rows from a larger one.
        cursor.execute(statement, [COUNT_AT_MOST + 1, *keys])
        return {key: int(size) for key, size in cursor.fetchall() if size}


def _best_hits(keys: list[str], low: int, high: int, registry: int = 0) -> list[int]:
    """Children sharing the most telling keys, best first.

    A shared NIK or rare name counts for more than a shared common name (weight
    1/log2(2 + block size)), so a common name cannot crowd the right child out
    of the candidates scored. A key with more than ``COUNT_AT_MOST`` rows is
    weighed at ``registry`` rows (the children the model was fitted on, a
    key's largest size then): at the weight of the cap, two such keys together
    outranked a key of 50 rows.
    """
    sizes = {
        key: max(size, registry) if size > COUNT_AT_MOST else size
        for key, size in _key_sizes(keys).items()
        # A one-edit key shared by this many rows is a common spelling: its children
        # carry the same name key too, so it would only multiply the rows summed.
        if not (key.startswith("e:") and size > EDIT_KEY_AT_MOST)
        # A name and a birthday in any year are there for a year typed wrong;
        # shared by more than the batch pairs whole (the query is one of the
        # block), they tell nobody apart.
        and not (key.startswith("d:") and size >= SMALL_BLOCK)
    }
    if not sizes:
        return []
    blocks = IdentityBlock.objects.filter(key__in=list(sizes))
    weight = Case(
        *(When(key=key, then=Value(1 / math.log2(2 + size))) for key, size in sizes.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )
    hits = (
        blocks.filter(year_min__lte=high, year_max__gte=low)
        .values("person_id")
        .annotate(weight=Sum(weight))
        .order_by("-weight", "person_id")[:SCORE_AT_MOST]
    )
    return [hit["person_id"] for hit in hits]


def lookup(
    record: Record,
    *,
    exclude_roots: Iterable[int] = (),
    limit: int = 5,
    scorer: Scorer | None = None,
) -> list[Candidate]:
    """The best-scoring existing children for a record, "possible" or better."""
    scorer = scorer or current_scorer()
    low, high = record.years
    weak = generic_name(record)  # then search the child's area instead
    # Cut as the rows were stored (the key column's length), or a long key never meets.
    keys = sorted(
        {key[:KEY_LENGTH] for key, _l, _h in block_keys(record) if weak or not key.startswith("k:")}
    )
    if not keys:
        return []
    # A birth year typed one off still finds the child (the batch allows the same).
    ids = _best_hits(keys, max(low - YEAR_SLACK, 0), high + YEAR_SLACK, scorer.model.records)
    excluded = set(exclude_roots)
    rows = [
        row
        for row in IdentityRecord.objects.filter(person_id__in=ids)
        if row.root_id not in excluded
    ]
    found = [c for c in _best_of(record, rows, scorer).values() if c.score.band]
    return sorted(found, key=lambda c: (-c.score.probability, c.root_id))[:limit]


def _best_of(
    record: Record,
    rows: list[IdentityRecord],
    scorer: Scorer,
    cases: Iterable[int] | None = None,
) -> dict[int, Candidate]:
    """Per root, the best score of ``record`` against these records and their sightings.

    ``cases``: only the sightings written for these cases (None: every one).
    """
    roots = {row.person_id: row.root_id for row in rows}
    sources: list[tuple[int, Record, int | None]] = [
        (row.root_id, record_from_row(row), None) for row in rows
    ]
    sources += [(roots[seen.id], seen, case_id) for seen, case_id in _sightings(roots, cases)]
    best: dict[int, Candidate] = {}
    for root_id, other, case_id in sources:
        score = scorer.score(record, other)
        held = best.get(root_id)
        if held is None or score.probability > held.score.probability:
            best[root_id] = Candidate(root_id, int(other.id), score, case_id)
    return best


def rescore_readable(
    record: Record, root_id: int, cases: Iterable[int], scorer: Scorer | None = None
) -> Candidate | None:
    """The best score of ``record`` against a child from what a user may read of them.

    The child's records, and only the sightings written for ``cases`` (those
    the user reads): for a panel whose best match came from a sighting of a
    case the user does not see. None when that reaches no band.
    """
    rows = list(IdentityRecord.objects.filter(root_id=root_id))
    found = _best_of(record, rows, scorer or current_scorer(), cases).get(root_id)
    return found if found is not None and found.score.band else None
