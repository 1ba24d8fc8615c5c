"""Intake lookup against PostgreSQL with a million children.

Loads synthetic children (``generate.py``) into a dedicated PostgreSQL
database the way the app stores them: one ``people_person`` per child, the
father (one per family) and his ``people_personrelation`` where a child's
record names him, the ``identity_identityrecord`` row and the
``identity_identityblock`` rows that ``identity_refresh`` would write
(computed with the app's own ``record_from_row`` and ``block_keys``). Then it
times ``kawal.identity.index.lookup`` for intake searches:

- re-sightings: a later record of a loaded child, written by another agency
  with the generator's errors (spellings, nicknames, missing or guessed birth
  details, mistyped NIK, other kelurahan);
- new children: the first record of a child held out of the load (their
  brothers and sisters may well be loaded).

Each lookup is the full ``lookup(record)`` call as the intake panel makes it
(model read, block query, record fetch, scoring), timed warm after a few
warm-up calls. A second, untimed pass counts the candidates scored and runs
EXPLAIN ANALYZE on the block query of every lookup.

    .venv/bin/python bench/identity/lookup_pg.py --children 20000
    .venv/bin/python bench/identity/lookup_pg.py --children 1000000 --reset

The database (``kawal_bench`` by default) is reused when it already holds the
same children; ``--reset`` drops and reloads it. Results are printed and
written to ``results/lookup_pg.json``. It reports numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

from generate import Row, generate, national_regions  # noqa: E402

from kawal.identity.matching import NO_YEAR  # noqa: E402  (pure Python, no Django needed)

# generate() writes about 1.37 records per child (76 % one, the rest 2-4).
RECORDS_PER_CHILD = 1.40
# Children held out of the load, from whom the "new child" searches are drawn.
HOLDOUT = 5000
LOADED_TABLES = (
    "people_person",
    "people_personrelation",
    "identity_identityrecord",
    "identity_identityblock",
)
TARGET_P95_MS = 150.0
MARK_FORMAT = 2
ROOT = HERE.parents[1]


def generator_fingerprint() -> str:
    """Changes when the generator does: a loaded database no longer matches the plan."""
    digest = hashlib.sha256()
    for name in ("generate.py", "names.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:16]


def source_state() -> dict[str, Any]:
    """The commit measured, and whether the identity code differed from it."""

    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "identity_code_modified": bool(git("status", "--porcelain", "--", "src/kawal/identity")),
    }


# --- Which children are loaded and which are searched for ----------------------------


@dataclass(frozen=True)
class Query:
    kind: str  # "repeat" (a loaded child seen again) or "new"
    row: Row
    person_id: int | None  # the loaded child, None for a new child


@dataclass
class Plan:
    records: int
    registry: list[Row]  # the first record of each loaded child; person id = index + 1
    queries: list[Query]
    warmup: list[Query]
    repeat_children: int  # loaded children with a later record
    # Every record, later ones too, of the first children loaded, less those
    # searched for: what a registry that keeps each sighting's record holds.
    fit_rows: list[Row] = field(default_factory=list)


def make_plan(
    children: int,
    lookups: int,
    warmup: int,
    new_share: float,
    seed: int,
    cities: int = 1,
    fit: int = 0,
) -> tuple[Plan, float]:
    start = time.perf_counter()
    records = math.ceil((children + HOLDOUT) * RECORDS_PER_CHILD) + 100
    rows = generate(records, seed, cities=cities)
    first: dict[int, int] = {}
    later: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        if row.entity_id in first:
            later[row.entity_id].append(index)
        else:
            first[row.entity_id] = index
    entities = list(first)  # in the order their first record was written
    if len(entities) < children + HOLDOUT:
        raise SystemExit(f"{records} generated records hold only {len(entities)} children")
    rng = random.Random(seed + 1)
    pool = entities[: children + HOLDOUT]
    held = sorted(rng.sample(pool, HOLDOUT))
    held_set = set(held)
    loaded = [entity for entity in pool if entity not in held_set]
    person_of = {entity: index + 1 for index, entity in enumerate(loaded)}
    registry = [rows[first[entity]] for entity in loaded]

    n_new_timed, n_new_warm = round(lookups * new_share), round(warmup * new_share)
    n_new = n_new_timed + n_new_warm
    n_repeat = lookups + warmup - n_new
    repeaters = [entity for entity in loaded if later[entity]]
    if n_new > HOLDOUT or n_repeat > len(repeaters):
        raise SystemExit("too many lookups for this number of children")
    new = [Query("new", rows[first[e]], None) for e in rng.sample(held, n_new)]
    searched: set[int] = set()
    repeat = []
    for e in rng.sample(repeaters, n_repeat):
        index = rng.choice(later[e])
        searched.add(index)
        repeat.append(Query("repeat", rows[index], person_of[e]))
    timed = new[:n_new_timed] + repeat[: lookups - n_new_timed]
    warm = new[n_new_timed:] + repeat[lookups - n_new_timed :]
    rng.shuffle(timed)
    rng.shuffle(warm)
    fit_rows = [
        rows[index]
        for entity in loaded[:fit]
        for index in (first[entity], *later[entity])
        if index not in searched
    ]
    plan = Plan(records, registry, timed, warm, len(repeaters), fit_rows)
    return plan, time.perf_counter() - start


# --- Database --------------------------------------------------------------------------


def ensure_database(server: str, name: str, reset: bool) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if reset:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def add_regions(cities: int) -> int:
    """The synthetic cities' regions, which the children's kelurahan point to."""
    from kawal.regions.models import Region

    rows = national_regions(cities)
    Region.objects.bulk_create(
        [
            Region(code=code, name=name, level=level, parent_id=parent, source="synthetic")
            for code, name, level, parent in rows
        ],
        batch_size=5000,
    )
    return len(rows)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["KAWAL_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def load_mark(conn: psycopg.Connection, name: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def loaded_children(conn: psycopg.Connection) -> tuple[int, int]:
    people = conn.execute("SELECT count(*) FROM people_person WHERE is_child").fetchone()[0]
    records = conn.execute("SELECT count(*) FROM identity_identityrecord").fetchone()[0]
    return people, records


def _timestamp(day: date) -> datetime:
    return datetime.combine(day, day_time(1, 0), tzinfo=UTC)  # 09:00 in Balikpapan


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class Child:
    """One registry child as the tables hold it."""

    person_id: int
    row: Row
    birth_date: date | None
    age_min: int | None
    age_max: int | None
    as_of: date
    nik: str  # 16 digits or ""
    father_id: int | None = None
    father_name: str = ""


def registry_children(plan: Plan) -> tuple[list[Child], list[tuple[int, str, date]]]:
    """The children, and the fathers (person id, name, first seen): one per family."""
    children: list[Child] = []
    fathers: dict[int, tuple[int, str, date]] = {}
    next_id = len(plan.registry) + 1
    for index, row in enumerate(plan.registry):
        digits = "".join(ch for ch in row.nik if ch.isdigit())
        child = Child(
            person_id=index + 1,
            row=row,
            birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
            age_min=int(row.age_min) if row.age_min else None,
            age_max=int(row.age_max) if row.age_max else None,
            as_of=date.fromisoformat(row.as_of),
            nik=digits if len(digits) == 16 else "",  # the form rejects a malformed NIK
        )
        if row.father_name:
            if row.family_id not in fathers:
                fathers[row.family_id] = (next_id, row.father_name, child.as_of)
                next_id += 1
            child.father_id, child.father_name = fathers[row.family_id][:2]
        children.append(child)
    return children, list(fathers.values())


def _person_rows(
    children: list[Child], fathers: list[tuple[int, str, date]], seed: int
) -> Iterator[tuple]:
    rng = random.Random(seed + 2)
    for c in children:
        row, stamp = c.row, _timestamp(c.as_of)
        yield (
            c.person_id, _uuid(rng), stamp, stamp, 1, True, row.full_name, row.sex,
            c.birth_date, row.birth_estimated, c.age_min, c.age_max, "",
            "known" if c.nik else "unknown", c.nik, "", "", "", "", "",
            "in_school" if row.school else "unknown", "", "", "", "", "",
            None, row.kelurahan or None, None, row.school,
        )  # fmt: skip
    for person_id, name, seen in fathers:
        stamp = _timestamp(seen)
        yield (
            person_id, _uuid(rng), stamp, stamp, 1, False, name, "M",
            None, False, None, None, "", "unknown", "", "", "", "", "", "",
            "unknown", "", "", "", "", "", None, None, None, "",
        )  # fmt: skip


PERSON_COLUMNS = (
    "id", "uuid", "created_at", "updated_at", "version", "is_child", "full_name", "sex",
    "birth_date", "birth_date_estimated", "age_min", "age_max", "place_of_birth",
    "nik_status", "nik", "nik_missing_reason", "kk_number", "religion", "disability",
    "languages", "school_status", "rt", "rw", "street", "phone", "occupation",
    "created_by_id", "kelurahan_id", "merged_into_id", "school_name",
)  # fmt: skip
RELATION_COLUMNS = (
    "uuid", "created_at", "updated_at", "relation", "is_guardian", "child_id", "relative_id",
)  # fmt: skip
RECORD_COLUMNS = (
    "person_id", "full_name", "aliases", "parent_names", "birth_date", "birth_date_estimated",
    "age_min", "age_max", "as_of", "sex", "nik", "kelurahan", "school", "changed_at", "root_id",
)  # fmt: skip
BLOCK_COLUMNS = ("key", "year_min", "year_max", "person_id")


def _copy(cur: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _schema_extras(cur: psycopg.Cursor) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Secondary indexes and unique/foreign-key constraints of the loaded tables."""
    tables = list(LOADED_TABLES)
    indexes = cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid = ANY(%s::regclass[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                             WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                               AND c.contype IN ('p', 'u', 'x'))""",
        [tables],
    ).fetchall()
    constraints = cur.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
           FROM pg_constraint
           WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')
           ORDER BY contype DESC, conname""",
        [tables],
    ).fetchall()
    return indexes, constraints


def load(url: str, plan: Plan, seed: int) -> dict[str, float]:
    """COPY the registry in one transaction; indexes and constraints are rebuilt after."""
    from kawal.identity.index import record_from_row
    from kawal.identity.matching import block_keys
    from kawal.identity.models import IdentityRecord

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    children, fathers = registry_children(plan)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        indexes, constraints = _schema_extras(cur)
        cur.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, LOADED_TABLES))
            )
        )
        for name, _definition in indexes:
            cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        for table, name, _definition in constraints:
            cur.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
            )

        _copy(cur, "people_person", PERSON_COLUMNS, _person_rows(children, fathers, seed))
        seconds["people"] = time.perf_counter() - t0

        t = time.perf_counter()
        rng = random.Random(seed + 3)
        relations = (
            (_uuid(rng), _timestamp(c.as_of), _timestamp(c.as_of), "father", False,
             c.person_id, c.father_id)
            for c in children
            if c.father_id is not None
        )  # fmt: skip
        _copy(cur, "people_personrelation", RELATION_COLUMNS, relations)
        seconds["relations"] = time.perf_counter() - t

        # The matching row exactly as identity_refresh builds it, and its blocking keys.
        t = time.perf_counter()
        blocks: list[tuple[str, int, int, int]] = []

        def records() -> Iterator[tuple]:
            for c in children:
                row = c.row
                record = IdentityRecord(
                    person_id=c.person_id,
                    full_name=row.full_name,
                    aliases="",
                    parent_names=c.father_name,
                    birth_date=c.birth_date,
                    birth_date_estimated=row.birth_estimated,
                    age_min=c.age_min,
                    age_max=c.age_max,
                    as_of=c.as_of,
                    sex=row.sex,
                    nik=c.nik,
                    kelurahan=row.kelurahan,
                    school=row.school,
                    root_id=c.person_id,
                    changed_at=_timestamp(c.as_of),
                )
                for key, low, high in block_keys(record_from_row(record)):
                    blocks.append((key[:40], low, high, c.person_id))
                yield tuple(getattr(record, column) for column in RECORD_COLUMNS)

        _copy(cur, "identity_identityrecord", RECORD_COLUMNS, records())
        seconds["identity_records"] = time.perf_counter() - t
        t = time.perf_counter()
        _copy(cur, "identity_identityblock", BLOCK_COLUMNS, iter(blocks))
        seconds["identity_blocks"] = time.perf_counter() - t

        t = time.perf_counter()
        for _name, definition in indexes:
            cur.execute(definition)
        for table, name, definition in constraints:
            cur.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
                + sql.SQL(definition)
            )
        for table in ("people_person", "people_personrelation", "identity_identityblock"):
            cur.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({table}, 'id'),"
                    " (SELECT max(id) FROM {ident}))"
                ).format(table=sql.Literal(table), ident=sql.Identifier(table))
            )
        seconds["indexes_and_constraints"] = time.perf_counter() - t
    t = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in LOADED_TABLES:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
    seconds["vacuum_analyze"] = time.perf_counter() - t
    seconds["database_total"] = sum(seconds.values())
    return {key: round(value, 1) for key, value in seconds.items()}


def table_sizes(conn: psycopg.Connection) -> dict[str, dict[str, int]]:
    out = {}
    for table in LOADED_TABLES:
        rows, total, heap, index = conn.execute(
            sql.SQL(
                "SELECT (SELECT count(*) FROM {ident}), pg_total_relation_size({name}),"
                " pg_relation_size({name}), pg_indexes_size({name})"
            ).format(ident=sql.Identifier(table), name=sql.Literal(table))
        ).fetchone()
        out[table] = {"rows": rows, "total_bytes": total, "heap_bytes": heap, "index_bytes": index}
    return out


def block_indexes(conn: psycopg.Connection) -> list[str]:
    """The indexes the lookup can use (a migration edited in place needs ``--reset``)."""
    rows = conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'identity_identityblock' ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def server_settings(conn: psycopg.Connection) -> dict[str, str]:
    names = (
        "server_version", "shared_buffers", "work_mem", "effective_cache_size",
        "random_page_cost", "jit", "jit_above_cost", "max_parallel_workers_per_gather",
    )  # fmt: skip
    return {
        name: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()[0]
        for name in names
    }


def fit_model(rows: list[Row]) -> float:
    """Fit the matching model on some children's records, then count its tables on the registry.

    m, u and the prior come from every record of the first children loaded,
    their later sightings too (EM on a million children would take the bench
    long). The loaded registry holds one record per child, and EM on records
    with no child recorded twice finds no repeats to learn from (what it then
    calls a match agrees on the whole name in about 1 % of pairs, against
    about 70 % with the repeats): a registry that has run for a while keeps
    the records of children found again, joined to the child. The frequency
    tables are counted on every loaded child, as each `kawal dedupe` run
    counts them (``batch.count_frequencies``).
    """
    from django.utils import timezone

    from kawal.identity import dedupe
    from kawal.identity.batch import count_frequencies
    from kawal.identity.index import record_from_row
    from kawal.identity.models import IdentityRecord

    started = time.perf_counter()
    model = dedupe.fit([query_of(row) for row in rows])
    registry = IdentityRecord.objects.order_by("person_id")
    count_frequencies(model, [record_from_row(row) for row in registry.iterator(chunk_size=20_000)])
    state = dedupe.state()
    state.parameters = model.as_json()
    state.fitted_at = state.counted_at = timezone.now()
    state.save(update_fields=["parameters", "fitted_at", "counted_at"])
    return time.perf_counter() - started


def model_state() -> str:
    from kawal.identity.models import MatchModelState

    state = MatchModelState.objects.order_by("pk").first()
    if state is None or not state.parameters:
        return "default (no fitted model in MatchModelState)"
    return f"fitted {state.fitted_at}"


# --- Checking the load against the app ------------------------------------------------------


def verify(children: int, sample: int, seed: int) -> dict[str, int]:
    """Rebuild some children's rows with ``identity_refresh`` (rolled back) and compare."""
    from django.db import transaction

    from kawal.identity.index import identity_refresh
    from kawal.identity.models import IdentityBlock, IdentityRecord
    from kawal.people.models import Person

    fields = [f.attname for f in IdentityRecord._meta.concrete_fields if f.name != "changed_at"]

    def state(pid: int) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
        record = IdentityRecord.objects.values(*fields).get(pk=pid)
        keys = IdentityBlock.objects.filter(person_id=pid).values_list(
            "key", "year_min", "year_max"
        )
        return record, sorted(keys)

    rng = random.Random(seed + 4)
    ids = rng.sample(range(1, children + 1), min(sample, children))
    differ = 0
    for pid in ids:
        with transaction.atomic():
            before = state(pid)
            identity_refresh(Person.objects.get(pk=pid))
            differ += state(pid) != before
            transaction.set_rollback(True)
    return {"checked": len(ids), "differ": differ}


# --- Lookups ----------------------------------------------------------------------------------


def query_of(row: Row) -> Any:
    """What the intake form passes to ``query_record``, on the day the record was written."""
    from kawal.identity.matching import make_record

    return make_record(
        None,
        full_name=row.full_name,
        parent_names=[row.father_name] if row.father_name else [],
        birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
        birth_date_estimated=row.birth_estimated,
        age_min=int(row.age_min) if row.age_min else None,
        age_max=int(row.age_max) if row.age_max else None,
        as_of=date.fromisoformat(row.as_of),
        sex=row.sex,
        nik="".join(ch for ch in row.nik if ch.isdigit()),
        kelurahan=row.kelurahan,
        school=row.school,
    )


@dataclass
class Outcome:
    query: Query
    ms: float
    found: list[tuple[int, str]]  # (root id, band), best first
    scored: int = 0
    true_child: dict[str, bool] = field(default_factory=dict)
    years: tuple[int, int] = (0, 0)
    keys: dict[str, int] = field(default_factory=dict)  # searched keys per kind (n, p, i, k)
    sql: list[dict[str, Any]] = field(default_factory=list)
    block_query: dict[str, Any] = field(default_factory=dict)


def time_lookups(queries: list[Query]) -> list[Outcome]:
    from kawal.identity.index import lookup

    out = []
    for q in queries:
        record = query_of(q.row)
        t0 = time.perf_counter()
        found = lookup(record)
        ms = (time.perf_counter() - t0) * 1000
        out.append(Outcome(q, ms, [(c.root_id, c.score.band) for c in found]))
    return out


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def summarise_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """Rows read from identity_identityblock, heap pages touched, JIT, and time of one plan."""
    root = plan["Plan"]
    scans = [
        n for n in _walk(root)
        if n.get("Relation Name") == "identity_identityblock" or "Bitmap Index" in n["Node Type"]
    ]  # fmt: skip
    block_rows = sum(
        n["Actual Rows"] * n["Actual Loops"]
        for n in scans
        if n.get("Relation Name") == "identity_identityblock"
    )
    removed = sum(
        n.get("Rows Removed by Filter", 0) + n.get("Rows Removed by Index Recheck", 0)
        for n in scans
    )
    aggregate = next((n for n in _walk(root) if n["Node Type"] == "Aggregate"), None)
    jit = plan.get("JIT", {})
    return {
        "execution_ms": round(plan["Execution Time"], 2),
        "planning_ms": round(plan["Planning Time"], 2),
        "node_types": sorted({n["Node Type"] for n in scans}),
        "block_rows_matched": block_rows,
        "block_rows_removed_by_filter": removed,
        "people_hit": aggregate["Actual Rows"] if aggregate else None,
        "shared_hit_blocks": root.get("Shared Hit Blocks", 0),
        "shared_read_blocks": root.get("Shared Read Blocks", 0),
        "heap_fetches": sum(n.get("Heap Fetches", 0) for n in scans),
        "jit_ms": round(jit.get("Timing", {}).get("Total", 0.0), 2) if jit else 0.0,
    }


def sum_plans(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """One lookup's block queries as one: times, rows and pages added up.

    The children hit are the last query's, the ranking (the key counts before it hit none).
    """
    total: dict[str, Any] = {}
    for key in (
        "execution_ms",
        "planning_ms",
        "block_rows_matched",
        "block_rows_removed_by_filter",
        "shared_hit_blocks",
        "shared_read_blocks",
        "heap_fetches",
        "jit_ms",
    ):
        total[key] = round(sum(s[key] for s in summaries), 2)
    total["node_types"] = sorted({t for s in summaries for t in s["node_types"]})
    total["people_hit"] = summaries[-1]["people_hit"]
    total["queries"] = len(summaries)
    return total


def diagnose(outcomes: list[Outcome], keep_plans: int) -> list[dict[str, Any]]:
    """Untimed: per lookup, the SQL time split, candidates scored and EXPLAIN ANALYZE."""
    from django.db import connection

    from kawal.identity.index import current_model, lookup
    from kawal.identity.matching import Scorer

    class CountingScorer(Scorer):
        def __init__(self, model: Any) -> None:
            super().__init__(model)
            self.ids: list[int] = []

        def score(self, a: Any, b: Any) -> Any:
            self.ids.append(b.id)
            return super().score(a, b)

    captured: list[dict[str, Any]] = []

    def capture(execute: Any, statement: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        result = execute(statement, params, many, context)
        captured.append(
            {
                "sql": statement,
                "params": params,
                "ms": (time.perf_counter() - t0) * 1000,
                "rows": context["cursor"].rowcount,
            }
        )
        return result

    for outcome in outcomes:
        scorer = CountingScorer(current_model())
        captured.clear()
        with connection.execute_wrapper(capture):
            record = query_of(outcome.query.row)
            lookup(record, scorer=scorer)
        outcome.scored = len(scorer.ids)
        outcome.years = record.years
        for key in searched_keys(record):
            outcome.keys[key[0]] = outcome.keys.get(key[0], 0) + 1
        if outcome.query.person_id is not None:
            outcome.true_child = {
                "met": _meets(record, outcome.query.person_id),
                "scored": outcome.query.person_id in scorer.ids,
            }
        outcome.sql = [
            {"table": _table_of(c["sql"]), "ms": round(c["ms"], 2), "rows": c["rows"]}
            for c in captured
        ]
        # The block queries of one lookup (the capped key counts, then the ranking)
        # are explained each and summed; the slowest one's text is kept for printing.
        blocks = [c for c in captured if _table_of(c["sql"]) == "identity_identityblock"]
        summaries = []
        for block in blocks:
            with connection.cursor() as cur:
                explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + block["sql"]
                cur.execute(explain, block["params"])
                plan = cur.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            summaries.append((summarise_plan(plan), block))
        if summaries:
            outcome.block_query = sum_plans([summary for summary, _block in summaries])
            slowest = max(summaries, key=lambda item: item[0]["execution_ms"])[1]
            outcome.block_query["_sql"] = (slowest["sql"], slowest["params"])
    slowest = sorted(outcomes, key=lambda o: -o.ms)[:keep_plans]
    plans = []
    for outcome in slowest:
        statement, params = outcome.block_query.pop("_sql", ("", ()))
        if not statement:
            continue
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            text = "\n".join(line for (line,) in cur.fetchall())
        plans.append(
            {
                "lookup_ms": round(outcome.ms, 1),
                "kind": outcome.query.kind,
                "sql": connection.ops.compose_sql(statement, params),
                "plan": text,
            }
        )
    for outcome in outcomes:
        outcome.block_query.pop("_sql", None)
    return plans


def searched_keys(record: Any) -> set[str]:
    """The keys ``lookup`` searches under (its own rule, repeated here for the diagnosis)."""
    from kawal.identity.index import KEY_LENGTH
    from kawal.identity.matching import block_keys, generic_name

    weak = generic_name(record)
    # Cut as stored, as ``lookup`` does.
    return {
        key[:KEY_LENGTH] for key, _l, _h in block_keys(record) if weak or not key.startswith("k:")
    }


def _meets(record: Any, person_id: int) -> bool:
    """Whether a child has a blocking row the lookup searches."""
    from kawal.identity.batch import YEAR_SLACK
    from kawal.identity.models import IdentityBlock

    # The lookup allows a birth year typed one off, as the batch does.
    low, high = record.years
    low, high = max(low - YEAR_SLACK, 0), high + YEAR_SLACK
    keys = searched_keys(record)
    rows = IdentityBlock.objects.filter(
        person_id=person_id, key__in=keys, year_min__lte=high, year_max__gte=low
    )
    return bool(keys) and rows.exists()


def _table_of(statement: str) -> str:
    for table in ("identity_identityblock", "identity_identityrecord", "identity_matchmodelstate"):
        if f'FROM "{table}"' in statement:
            return table
    return "other"


# --- Report -----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(values: list[float], digits: int = 1) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "p50": round(pct(values, 50), digits),
        "p95": round(pct(values, 95), digits),
        "p99": round(pct(values, 99), digits),
        "max": round(max(values), digits),
        "mean": round(statistics.fmean(values), digits),
    }


def report(outcomes: list[Outcome]) -> dict[str, Any]:
    groups = {
        "all": outcomes,
        "re-sightings": [o for o in outcomes if o.query.kind == "repeat"],
        "new children": [o for o in outcomes if o.query.kind == "new"],
        "birth year known": [o for o in outcomes if o.sql and o.years != NO_YEAR],
        "no birth year": [o for o in outcomes if o.sql and o.years == NO_YEAR],
    }
    latency = {name: spread([o.ms for o in group]) for name, group in groups.items()}

    def sql_ms(o: Outcome, table: str) -> float:
        return sum(s["ms"] for s in o.sql if s["table"] == table)

    diag = [o for o in outcomes if o.sql]
    repeats = groups["re-sightings"]
    ranks = []
    for o in repeats:
        ids = [root for root, _band in o.found]
        ranks.append(ids.index(o.query.person_id) + 1 if o.query.person_id in ids else 0)
    new = groups["new children"]
    explained = [o.block_query for o in diag if o.block_query]
    return {
        "latency_ms": latency,
        "candidates_scored": spread([float(o.scored) for o in diag], 0),
        "block_query_ms": spread([sql_ms(o, "identity_identityblock") for o in diag]),
        "record_query_ms": spread([sql_ms(o, "identity_identityrecord") for o in diag]),
        "explain": {
            "execution_ms": spread([e["execution_ms"] for e in explained]),
            "block_rows_matched": spread([float(e["block_rows_matched"]) for e in explained], 0),
            "block_rows_removed_by_filter": spread(
                [float(e["block_rows_removed_by_filter"]) for e in explained], 0
            ),
            "people_hit": spread([float(e["people_hit"] or 0) for e in explained], 0),
            "jit_lookups": sum(1 for e in explained if e["jit_ms"] > 0),
            "jit_ms": spread([e["jit_ms"] for e in explained if e["jit_ms"] > 0]),
            "node_types": sorted({t for e in explained for t in e["node_types"]}),
        },
        "found": {
            "re_sightings": len(repeats),
            "true_child_met_by_blocking": sum(1 for o in repeats if o.true_child.get("met")),
            "true_child_scored": sum(1 for o in repeats if o.true_child.get("scored")),
            "true_child_first": sum(1 for r in ranks if r == 1),
            "true_child_listed": sum(1 for r in ranks if r > 0),
            "true_child_first_likely": sum(
                1
                for o, r in zip(repeats, ranks, strict=True)
                if r == 1 and o.found[0][1] == "likely"
            ),
            "new_children": len(new),
            "new_with_any_candidate": sum(1 for o in new if o.found),
            "new_with_likely_candidate": sum(
                1 for o in new if any(band == "likely" for _r, band in o.found)
            ),
        },
    }


def print_report(result: dict[str, Any]) -> None:
    from kawal.identity.index import SCORE_AT_MOST

    r = result["results"]
    print()
    print(
        f"{result['children']:,} children ({result['fathers']:,} fathers) in PostgreSQL "
        f"{result['server']['server_version'].split()[0]}; {r['latency_ms']['all']['n']} lookups "
        f"after {result['warmup']} warm-up calls"
    )
    print()
    print(f"{'lookup() ms':<22}{'n':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'mean':>9}")
    rows = [(name, s) for name, s in r["latency_ms"].items() if s]
    rows += [
        ("  block query (SQL)", r["block_query_ms"]),
        ("  record fetch (SQL)", r["record_query_ms"]),
        ("  EXPLAIN ANALYZE", r["explain"]["execution_ms"]),
        ("candidates scored", r["candidates_scored"]),
        ("block rows matched", r["explain"]["block_rows_matched"]),
        ("people hit", r["explain"]["people_hit"]),
    ]
    for name, s in rows:
        if s:
            print(
                f"{name:<22}{s['n']:>6}{s['p50']:>9}{s['p95']:>9}{s['p99']:>9}"
                f"{s['max']:>9}{s['mean']:>9}"
            )
    found = r["found"]
    print()
    n = found["re_sightings"]
    print(
        f"re-sightings ({n}): true child met by a blocking key"
        f" {found['true_child_met_by_blocking']}, among the {SCORE_AT_MOST} scored"
        f" {found['true_child_scored']}, listed {found['true_child_listed']},"
        f" first {found['true_child_first']}"
    )
    print(
        f"new children ({found['new_children']}): with a candidate"
        f" {found['new_with_any_candidate']}, with a 'likely' one"
        f" {found['new_with_likely_candidate']}"
    )
    ex = r["explain"]
    print(f"block query plans: {', '.join(ex['node_types'])}; JIT in {ex['jit_lookups']} lookups")
    if result.get("load_seconds"):
        when = "" if result["loaded_by_this_run"] else " (when the database was loaded)"
        print(f"load seconds{when}: {result['load_seconds']}")
    print("table sizes:")
    for table, size in result["tables"].items():
        print(
            f"  {table:<26}{size['rows']:>11,} rows {size['total_bytes'] / 2**20:>9.0f} MiB"
            f" (heap {size['heap_bytes'] / 2**20:.0f}, indexes {size['index_bytes'] / 2**20:.0f})"
        )
    print("identity_identityblock indexes:")
    for definition in result["block_indexes"]:
        print(f"  {definition}")
    p95 = r["latency_ms"]["all"]["p95"]
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {verdict} (p95 {p95} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--new-share", type=float, default=0.2, help="share of new children")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--cities",
        type=int,
        default=1,
        help="spread the children over this many cities (1: all in Balikpapan)",
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="kawal_bench")
    parser.add_argument("--reset", action="store_true", help="drop and reload the database")
    parser.add_argument("--verify", type=int, default=200, help="children rebuilt and compared")
    parser.add_argument("--plans", type=int, default=3, help="EXPLAIN text of the slowest kept")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "lookup_pg.json")
    parser.add_argument(
        "--fit",
        type=int,
        default=200_000,
        metavar="N",
        help="fit the model on N children first, as production would have (0: default model)",
    )
    args = parser.parse_args()
    url = f"{args.server}/{args.database}"

    t0 = time.perf_counter()
    ensure_database(args.server, args.database, args.reset)
    setup_django(url)
    print(f"database {args.database} ready ({time.perf_counter() - t0:.1f}s)", flush=True)
    plan, generate_seconds = make_plan(
        args.children, args.lookups, args.warmup, args.new_share, args.seed, args.cities, args.fit
    )
    print(
        f"generated {plan.records:,} records: {len(plan.registry):,} children to load,"
        f" {len(plan.queries)} lookups ({generate_seconds:.1f}s)",
        flush=True,
    )
    mark = {
        "format": MARK_FORMAT, "children": args.children, "seed": args.seed,
        "records": plan.records, "holdout": HOLDOUT, "generator": generator_fingerprint(),
    }  # fmt: skip
    if args.cities > 1:
        mark["cities"] = args.cities
    with psycopg.connect(url, autocommit=True) as conn:
        loaded = loaded_children(conn)
        previous = load_mark(conn, args.database)
    load_seconds: dict[str, float] = {}
    reused = loaded == (args.children, args.children) and previous.get("mark") == mark
    if reused:
        load_seconds = previous.get("load_seconds", {})
        print("children already loaded: reusing them", flush=True)
    elif loaded == (0, 0):
        print("loading ...", flush=True)
        add_regions(args.cities)
        load_seconds = load(url, plan, args.seed)
        load_seconds["generate"] = round(generate_seconds, 1)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(args.database),
                    sql.Literal(json.dumps({"mark": mark, "load_seconds": load_seconds})),
                )
            )
        print(f"loaded in {load_seconds['database_total']:.0f}s: {load_seconds}", flush=True)
    else:
        raise SystemExit(
            f"{args.database} holds {loaded[0]:,} children of another run; use --reset"
        )
    with psycopg.connect(url, autocommit=True) as conn:
        sizes = table_sizes(conn)
        server = server_settings(conn)
        indexes = block_indexes(conn)

    checked = verify(args.children, args.verify, args.seed)
    print(f"identity_refresh rebuilt {checked['checked']} children: {checked['differ']} differ")
    if checked["differ"]:
        raise SystemExit("the loaded index is not what the app computes now: use --reset")

    if args.fit:
        seconds = fit_model(plan.fit_rows)
        print(
            f"model fitted on {len(plan.fit_rows):,} records of {args.fit:,} children,"
            f" tables counted on all ({seconds:.0f}s)",
            flush=True,
        )
        plan.fit_rows.clear()

    # A web process does not hold a million generated rows: free them, and keep
    # what is left out of the collector's way, so that timings are not GC pauses.
    plan.registry.clear()
    gc.collect()
    gc.freeze()
    time_lookups(plan.warmup)
    print(f"timing {len(plan.queries)} lookups ...", flush=True)
    outcomes = time_lookups(plan.queries)
    print("diagnostic pass (counts, EXPLAIN ANALYZE) ...", flush=True)
    plans = diagnose(outcomes, args.plans)

    result = {
        "children": args.children,
        "fathers": sizes["people_person"]["rows"] - args.children,
        "records_generated": plan.records,
        "loaded_children_seen_again": plan.repeat_children,
        "seed": args.seed,
        "cities": args.cities,
        "warmup": len(plan.warmup),
        "new_share": args.new_share,
        "command": " ".join(["bench/identity/lookup_pg.py", *sys.argv[1:]]),
        "loaded_by_this_run": not reused,
        "load_seconds": load_seconds or None,
        "tables": sizes,
        "block_indexes": indexes,
        "server": server,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "source": source_state(),
        "model": model_state(),
        "verified": checked,
        "target_p95_ms": TARGET_P95_MS,
        "results": report(outcomes),
        "slowest_plans": plans,
        "lookups": [
            {
                "kind": o.query.kind,
                "ms": round(o.ms, 2),
                "scored": o.scored,
                "found": len(o.found),
                "years": o.years,
                "keys": o.keys,
                **({"true_child": o.true_child} if o.true_child else {}),
                "sql": o.sql,
                **{k: v for k, v in o.block_query.items() if k != "node_types"},
            }
            for o in outcomes
        ],
    }
    print_report(result)
    if plans:
        print(f"\nslowest lookup ({plans[0]['lookup_ms']} ms), its block query:")
        print(plans[0]["sql"])
        print(plans[0]["plan"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
