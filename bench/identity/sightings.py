"""Does keeping what each sighting said help the next intake find the child?

When a case is opened for a known child, the product keeps what the
case-opening form said of them that day as a sighting (name as written,
aliases, birth date or age, sex, kelurahan, school; no NIK, no parents), and
the intake lookup scores a candidate child against their record and every
sighting (``identity.index``). This replays a registry's intake in record
order, twice, with the same fitted model:

- each record is looked up against the children registered so far, as
  ``index.lookup`` does (the record's block keys, the ``k:`` keys only for a
  generic nickname, birth years one off allowed, the best score per child over
  their record and sightings, "possible" or better, the best five listed);
- a clerk who is shown the right child among those five takes them (the case
  opens for the known child); otherwise the record is registered as a new
  child (a duplicate for ``kawal dedupe`` to find later). The clerk is ideal:
  never takes a wrong child, always takes a listed right one;
- **with sightings**, a taken record is kept as a sighting of the child, its
  keys stored under them (not one with no name, or with neither a birth date
  nor an age: the product keeps none then); **without**, it is not kept (the
  product before sightings).

Reported: of the records of a child seen before, the share whose best listed
candidate is that child (found-again top-1) and the share where that child is
listed at all; of first records, the share shown a "likely" candidate (another
child); the sightings kept. Not as the product's lookup: every child that
shares a key is scored (the PostgreSQL lookup ranks its 200 best at a million
children, and leaves out ``e:`` keys held by more than 300 rows and ``d:`` keys
held by 40 or more), and each record and sighting keeps its own year window
(the product stores one row per key and child, over the union of the windows).
Both arms share these differences; the figures are the replay's, not the
product's.

    .venv/bin/python bench/identity/sightings.py --records 20000
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

import run  # noqa: E402

from kawal.identity import batch, matching  # noqa: E402

SHOWN = 5  # the panel's candidates (``identity.panel``)


def to_sighting(row: run.Row) -> matching.Record:
    """What the case-opening form keeps of a known child found again: no NIK, no parents."""
    return run.to_record(replace(row, nik="", father_name="", mother_name=""))


@dataclass
class Replay:
    repeats: int = 0
    right_first: int = 0
    right_listed: int = 0
    firsts: int = 0
    new_likely: int = 0
    sightings: int = 0
    children: int = 0


def replay(data: run.Dataset, model: matching.Model, *, keep_sightings: bool) -> Replay:
    records = [run.to_record(row) for row in data.rows]
    scorer = matching.Scorer(model)
    index: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    sources: dict[int, list[matching.Record]] = {}
    entity_of: list[int] = []
    seen: set[int] = set()
    out = Replay()

    def store(child: int, record: matching.Record) -> None:
        sources[child].append(record)
        for key, low, high in matching.block_keys(record):
            index[key].append((low, high, child))

    for row, record in zip(data.rows, records, strict=True):
        low, high = record.years
        low, high = low - batch.YEAR_SLACK, high + batch.YEAR_SLACK
        weak = matching.generic_name(record)
        met: set[int] = set()
        for key, _l, _h in matching.block_keys(record):
            if weak or not key.startswith("k:"):
                met.update(c for lo, hi, c in index.get(key, ()) if lo <= high and hi >= low)
        listed = sorted(
            (
                (max(scorer.score(record, other).probability for other in sources[c]), c)
                for c in met
            ),
            key=lambda pc: (-pc[0], pc[1]),
        )
        listed = [(p, c) for p, c in listed if p >= run.POSSIBLE][:SHOWN]
        entity = row.entity_id
        if entity in seen:
            out.repeats += 1
            out.right_first += bool(listed) and entity_of[listed[0][1]] == entity
            out.right_listed += any(entity_of[c] == entity for _p, c in listed)
        else:
            out.firsts += 1
            out.new_likely += bool(listed) and listed[0][0] >= run.LIKELY
        seen.add(entity)
        taken = next((c for _p, c in listed if entity_of[c] == entity), None)
        if taken is None:
            child = len(entity_of)
            entity_of.append(entity)
            sources[child] = []
            store(child, record)
        elif keep_sightings and row.full_name and (row.birth_date or row.age_min):
            # As ``identity.services.sighting_record``: nothing kept without a
            # name, or without a birth date or an age.
            store(taken, to_sighting(row))
            out.sightings += 1
    out.children = len(entity_of)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="per generator profile")
    parser.add_argument("--data", default=",".join(run.DATA))
    parser.add_argument("--dev", action="store_true", help="seed 99, FEBRL1 and FEBRL2")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    seed = run.DEV_SEED if args.dev else 2024
    names = args.data.split(",")
    if args.dev and args.data == ",".join(run.DATA):
        names = list(run.DEV_DATA)
    started = time.perf_counter()
    lines = [
        "| data | sightings | found-again top-1 | right child listed | new shown a likely "
        "candidate | sightings kept | children registered |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        data = run.load_dataset(name, args.records, seed)
        model = batch.train([run.to_record(row) for row in data.rows])
        for keep in (False, True):
            t0 = time.perf_counter()
            r = replay(data, model, keep_sightings=keep)
            lines.append(
                f"| {name} | {'kept' if keep else 'not kept'} "
                f"| {r.right_first / r.repeats:.4f} | {r.right_listed / r.repeats:.4f} "
                f"| {r.new_likely / r.firsts:.4f} | {r.sightings:,} | {r.children:,} |"
            )
            print(
                f"{name}, sightings {'kept' if keep else 'not kept'}: "
                f"{time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    print("\n".join(lines))
    print(f"\n`python bench/identity/sightings.py {' '.join(sys.argv[1:])}`".rstrip())
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
