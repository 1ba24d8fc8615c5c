"""Identity-matching benchmark: our matcher against Splink 4 and recordlinkage.

Generates synthetic records with known truth (``generate.py``), runs the same
records through each system, and prints pair precision, recall and F1, the
number of sibling pairs wrongly linked, the share of repeat children whose
best linked earlier record is the right child, and the wall-clock time of each
batch run (preparation and training included). No system sees the truth:
every model is trained unsupervised. Results are also written as JSON to
``bench/identity/results/``.

    .venv/bin/python bench/identity/run.py --records 100000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

from generate import Row, generate  # noqa: E402

from kawal.identity import batch, matching  # noqa: E402
from kawal.identity.normalise import MUHAMMAD_FORMS, PATRONYMIC_MARKERS, fold  # noqa: E402

LIKELY = 0.9  # the probability every system is judged at (our "likely" band)


# --- Truth and metrics ---------------------------------------------------------------


@dataclass
class Truth:
    entity: list[int]
    family: list[int]
    true_pairs: int
    repeats: list[int]  # records with an earlier record of the same child
    sibling_pairs: int

    @classmethod
    def of(cls, rows: list[Row]) -> Truth:
        entity = [r.entity_id for r in rows]
        family = [r.family_id for r in rows]
        sizes = Counter(entity)
        seen: set[int] = set()
        repeats = []
        for index, ent in enumerate(entity):
            if ent in seen:
                repeats.append(index)
            seen.add(ent)
        by_family: dict[int, Counter[int]] = defaultdict(Counter)
        for ent, fam in zip(entity, family, strict=True):
            by_family[fam][ent] += 1
        siblings = 0
        for members in by_family.values():
            total = sum(members.values())
            siblings += (total * (total - 1) - sum(n * (n - 1) for n in members.values())) // 2
        return cls(
            entity=entity,
            family=family,
            true_pairs=sum(n * (n - 1) // 2 for n in sizes.values()),
            repeats=repeats,
            sibling_pairs=siblings,
        )


def evaluate(truth: Truth, scored: dict[tuple[int, int], float], threshold: float) -> dict:
    """Metrics for the pairs scoring at least ``threshold`` (a match probability)."""
    linked = [(a, b, p) for (a, b), p in scored.items() if p >= threshold]
    ent, fam = truth.entity, truth.family
    tp = sum(1 for a, b, _ in linked if ent[a] == ent[b])
    siblings = sum(1 for a, b, _ in linked if ent[a] != ent[b] and fam[a] == fam[b])
    precision = tp / len(linked) if linked else 0.0
    recall = tp / truth.true_pairs if truth.true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    best: dict[int, tuple[float, int]] = {}
    for a, b, p in linked:
        early, late = min(a, b), max(a, b)
        if late not in best or p > best[late][0]:
            best[late] = (p, early)
    right = sum(1 for r in truth.repeats if r in best and ent[best[r][1]] == ent[r])
    return {
        "threshold": threshold,
        "linked_pairs": len(linked),
        "true_positives": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "sibling_false_links": siblings,
        "repeat_top_right": round(right / len(truth.repeats), 4) if truth.repeats else 0.0,
    }


def best_f1(truth: Truth, scored: dict[tuple[int, int], float]) -> dict:
    """The threshold with the highest F1 (uses the truth: for information only)."""
    grid = sorted({0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999})
    results = [evaluate(truth, scored, t) for t in grid]
    return max(results, key=lambda r: r["f1"])


@dataclass
class Outcome:
    name: str
    seconds: float
    scored: dict[tuple[int, int], float]
    notes: dict[str, Any] = field(default_factory=dict)


# --- Shared cleaning for the general-purpose tools ------------------------------------


def clean_row(row: Row) -> dict[str, Any]:
    """What an analyst would feed a general-purpose linker: folded text, the
    patronymic split off, Muhammad and its abbreviations written one way, NIK
    digits only, a birth year also for estimated ages."""
    words = fold(row.full_name).split()
    given: list[str] = []
    patronym: list[str] = []
    target = given
    for word in words:
        if word in PATRONYMIC_MARKERS and given:
            target = patronym
            continue
        target.append("muhammad" if word in MUHAMMAD_FORMS or (word == "m" and not given) else word)
    core = [w for w in given if w != "muhammad"] or given
    father = fold(row.father_name) or " ".join(patronym)
    nik = "".join(ch for ch in row.nik if ch.isdigit())
    year: int | None = None
    if row.birth_date:
        year = int(row.birth_date[:4])
    elif row.age_min:
        on = int(row.as_of[:4])
        year = on - (int(row.age_min) + int(row.age_max or row.age_min)) // 2 - 1
    return {
        "unique_id": row.record_id,
        "name": " ".join(given) or None,
        "first_name": core[0] if core else None,
        "last_name": core[-1] if len(core) > 1 else None,
        "dob": row.birth_date if row.birth_date and not row.birth_estimated else None,
        "birth_year": year,
        "sex": row.sex or None,
        "nik": nik if len(nik) == 16 else None,
        "kelurahan": row.kelurahan or None,
        "father": father or None,
        "school": fold(row.school) or None,
    }


# --- (a) our matcher ----------------------------------------------------------------------


def to_record(row: Row) -> matching.Record:
    return matching.make_record(
        row.record_id,
        full_name=row.full_name,
        parent_names=[row.father_name] if row.father_name else [],
        birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
        birth_date_estimated=row.birth_estimated,
        age_min=int(row.age_min) if row.age_min else None,
        age_max=int(row.age_max) if row.age_max else None,
        as_of=date.fromisoformat(row.as_of),
        sex=row.sex,
        nik=row.nik,
        kelurahan=row.kelurahan,
        school=row.school,
    )


def run_ours(rows: list[Row]) -> tuple[Outcome, list[matching.Record], matching.Model]:
    start = time.perf_counter()
    records = [to_record(row) for row in rows]
    model, scored_pairs, stats = batch.train_and_link(records)
    seconds = time.perf_counter() - start
    scored = {(a, b): s.probability for a, b, s in scored_pairs}
    notes = {"model": model.as_json(), **stats}
    return Outcome("kawal", seconds, scored, notes), records, model


def lookup_times(
    records: list[matching.Record], model: matching.Model, n: int = 1000
) -> dict[str, float]:
    """Single-record lookup in memory: block keys in a dict index, then scoring."""
    index: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, record in enumerate(records):
        for key, low, high in matching.block_keys(record):
            index[key].append((low, high, i))
    scorer = matching.Scorer(model)
    rng = random.Random(5)
    times = []
    for i in rng.sample(range(len(records)), min(n, len(records))):
        probe = records[i]
        t0 = time.perf_counter()
        low, high = probe.years
        seen: set[int] = set()
        best = None
        for key in matching.lookup_keys(probe):
            for lo, hi, j in index.get(key, ()):
                if j == i or j in seen or lo > high or hi < low:
                    continue
                seen.add(j)
                score = scorer.score(probe, records[j])
                if score.band and (best is None or score.total > best[0]):
                    best = (score.total, j)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "lookups": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 3),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 3),
    }


# --- (b) Splink 4, DuckDB -----------------------------------------------------------------


def run_splink(rows: list[Row]) -> Outcome:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    df = pd.DataFrame([clean_row(r) for r in rows])
    year_only = cl.CustomComparison(
        output_column_name="birth_year",
        comparison_levels=[
            {
                "sql_condition": "(dob_l IS NOT NULL AND dob_r IS NOT NULL)"
                " OR birth_year_l IS NULL OR birth_year_r IS NULL",
                "label_for_charts": "null or full dates compared",
                "is_null_level": True,
            },
            {"sql_condition": "birth_year_l = birth_year_r", "label_for_charts": "same year"},
            {
                "sql_condition": "abs(birth_year_l - birth_year_r) <= 1",
                "label_for_charts": "within a year",
            },
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("name", jaro_winkler_thresholds=[0.95, 0.88, 0.75]).configure(
                term_frequency_adjustments=True
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            year_only,
            cl.ExactMatch("sex"),
            cl.DamerauLevenshteinAtThresholds("nik", [1]),
            cl.ExactMatch("kelurahan"),
            cl.JaroWinklerAtThresholds("father", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("school", [0.9]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "birth_year"),
            block_on("last_name", "birth_year"),
            block_on("first_name", "kelurahan"),
            block_on("nik"),
            block_on("dob"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "dob"), block_on("nik")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    seconds = time.perf_counter() - start
    scored = {
        (min(a, b), max(a, b)): float(p)
        for a, b, p in zip(
            predictions["unique_id_l"], predictions["unique_id_r"],
            predictions["match_probability"], strict=True,
        )
    }  # fmt: skip
    return Outcome("splink", seconds, scored, {"predicted_rows": len(predictions)})


# --- (c) recordlinkage ---------------------------------------------------------------------


def run_recordlinkage(rows: list[Row]) -> Outcome:
    import pandas as pd
    import recordlinkage as rl

    start = time.perf_counter()
    df = pd.DataFrame([clean_row(r) for r in rows]).set_index("unique_id")
    indexer = rl.Index()
    indexer.block(["first_name", "birth_year"])
    indexer.block(["last_name", "birth_year"])
    indexer.block("nik")
    indexer.sortedneighbourhood("name", window=5, block_on=["sex"])
    candidates = indexer.index(df)
    compare = rl.Compare(n_jobs=1)
    compare.string("name", "name", method="jarowinkler", threshold=0.88, label="name")
    compare.exact("dob", "dob", label="dob")
    compare.numeric("birth_year", "birth_year", method="step", offset=1, label="year")
    compare.exact("sex", "sex", label="sex")
    compare.string("nik", "nik", method="damerau_levenshtein", threshold=0.9, label="nik")
    compare.exact("kelurahan", "kelurahan", label="kelurahan")
    compare.string("father", "father", method="jarowinkler", threshold=0.85, label="father")
    compare.string("school", "school", method="jarowinkler", threshold=0.9, label="school")
    features = compare.compute(candidates, df).fillna(0).round().astype(int)
    classifier = rl.ECMClassifier(binarize=None)
    classifier.fit(features)
    probability = classifier.prob(features)
    seconds = time.perf_counter() - start
    scored = {
        (min(a, b), max(a, b)): float(p)
        for (a, b), p in zip(probability.index, probability.to_numpy(), strict=True)
        if p >= 0.2
    }
    return Outcome(
        "recordlinkage", seconds, scored, {"candidate_pairs": len(candidates), "model": "ECM"}
    )


# --- Report ------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> str:
    widths = [max(len(title), *(len(str(r[key])) for r in rows)) for key, title in columns]
    line = " | ".join(title.ljust(w) for (_k, title), w in zip(columns, widths, strict=True))
    out = [line, "-+-".join("-" * w for w in widths)]
    for r in rows:
        out.append(
            " | ".join(str(r[k]).ljust(w) for (k, _t), w in zip(columns, widths, strict=True))
        )
    return "\n".join(out)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Identity matching benchmark")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--systems", default="kawal,splink,recordlinkage", help="comma-separated subset"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(list(argv) if argv is not None else None)
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    t0 = time.perf_counter()
    rows = generate(args.records, args.seed)
    truth = Truth.of(rows)
    print(
        f"{len(rows)} records, {len(set(truth.entity))} children, {truth.true_pairs} true pairs, "
        f"{truth.sibling_pairs} sibling pairs, {len(truth.repeats)} repeat records "
        f"(generated in {time.perf_counter() - t0:.1f}s)",
        flush=True,
    )
    runners: dict[str, Callable[[list[Row]], Outcome]] = {
        "splink": run_splink,
        "recordlinkage": run_recordlinkage,
    }
    outcomes: list[Outcome] = []
    lookup: dict[str, float] = {}
    for name in args.systems.split(","):
        print(f"running {name} ...", flush=True)
        if name == "kawal":
            outcome, records, model = run_ours(rows)
            lookup = lookup_times(records, model)
        else:
            outcome = runners[name](rows)
        outcomes.append(outcome)
        print(f"  {name}: {outcome.seconds:.1f}s", flush=True)

    report = []
    for outcome in outcomes:
        at = evaluate(truth, outcome.scored, LIKELY)
        best = best_f1(truth, outcome.scored)
        report.append(
            {
                "system": outcome.name,
                **at,
                "best_f1": best["f1"],
                "best_f1_threshold": best["threshold"],
                "best": best,
                "seconds": round(outcome.seconds, 1),
                "notes": outcome.notes,
            }
        )
    columns = [
        ("system", "system"),
        ("precision", "precision"),
        ("recall", "recall"),
        ("f1", "F1"),
        ("sibling_false_links", "sibling links"),
        ("repeat_top_right", "repeat top-1"),
        ("seconds", "batch s"),
        ("best_f1", "best F1*"),
        ("best_f1_threshold", "at p>="),
    ]
    print()
    print(f"Judged at match probability >= {LIKELY} (our 'likely' band) for every system.")
    print(table(report, columns))
    print("* best F1 over a threshold grid, chosen with the truth: for information only.")
    if lookup:
        print(
            f"kawal single-record lookup (dict index of block keys, {lookup['lookups']} lookups): "
            f"p50 {lookup['p50_ms']} ms, p95 {lookup['p95_ms']} ms"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "records": len(rows),
        "seed": args.seed,
        "children": len(set(truth.entity)),
        "true_pairs": truth.true_pairs,
        "sibling_pairs": truth.sibling_pairs,
        "repeat_records": len(truth.repeats),
        "threshold": LIKELY,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "systems": report,
        "kawal_lookup": lookup,
    }
    suffix = "" if len(outcomes) == 3 else "-" + "-".join(o.name for o in outcomes)
    path = args.out / f"results-{len(rows)}{suffix}.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
