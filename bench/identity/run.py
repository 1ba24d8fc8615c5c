"""Identity-matching benchmark: our matcher against Splink 4 and recordlinkage.

One run reports, side by side, every data set and every system:

- data: the generator's profile 1 (agency records, ``generate.py``), its
  profile 2 (village and welfare clerks' records, ``clerical.py``), FEBRL3
  and FEBRL4 with child fields only (``febrl.py``);
- systems: ``kawal`` (unsupervised, as ``kawal dedupe`` runs), ``kawal-labelled``
  (trained on reviewers' decisions, k-fold by child), ``splink`` and
  ``recordlinkage``;
- metrics: blocking recall and candidate pairs per record; pair precision,
  recall and F1 at "likely" and at "possible"; cluster F1; found-again top-1;
  the share of never-seen children wrongly linked; sibling pairs linked; wall
  time and peak memory.

Thresholds are the app's bands for every system and are never chosen on the
reported data; ``--dev`` runs the development data instead (generator seed 99,
FEBRL1 and FEBRL2), the only data any setting here was chosen on. Each system
runs in its own process so its peak memory is its own. Results are printed as
a markdown table and written as JSON to ``bench/identity/results/``.

    .venv/bin/python bench/identity/run.py --records 20000
    .venv/bin/python bench/identity/run.py --records 5000 --data gen1,febrl4 --systems kawal
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import logging
import os
import pickle
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
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

LIKELY = matching.Model().likely  # 0.90
POSSIBLE = matching.Model().possible  # 0.40
# Pairs below this are not kept from any system (all bands start above it).
KEEP = 0.2
FOLDS = 5
DATA = ("gen1", "gen2", "febrl3", "febrl4")
DEV_DATA = ("gen1", "gen2", "febrl1", "febrl2")
SYSTEMS = ("kawal", "kawal-labelled", "splink", "recordlinkage")
DEV_SEED = 99


# --- Data ---------------------------------------------------------------------------------


@dataclass
class Dataset:
    name: str
    kind: str  # "generator" or "febrl"
    rows: list[Row]
    # What a general-purpose linker is fed: cleaned, one dict per record.
    table: list[dict[str, Any]]


def load_dataset(name: str, records: int, seed: int) -> Dataset:
    if name.startswith("gen"):
        rows = generate(records, seed, profile=int(name[3:]))
        return Dataset(name, "generator", rows, [clean_row(r) for r in rows])
    from febrl import load

    rows, table = load(name)
    return Dataset(name, "febrl", rows, table)


def peak_mib() -> float:
    """Peak resident memory of this process (since the worker reset it) and its children."""
    own = 0.0
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(max(own, children), 1)


# --- Truth and metrics ---------------------------------------------------------------


@dataclass
class Truth:
    entity: list[int]
    family: list[int]
    true_pairs: int
    repeats: list[int]  # records with an earlier record of the same child
    firsts: list[int]  # records of a child never seen before
    sibling_pairs: int

    @classmethod
    def of(cls, rows: list[Row]) -> Truth:
        entity = [r.entity_id for r in rows]
        family = [r.family_id for r in rows]
        sizes = Counter(entity)
        seen: set[int] = set()
        repeats, firsts = [], []
        for index, ent in enumerate(entity):
            (repeats if ent in seen else firsts).append(index)
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
            firsts=firsts,
            sibling_pairs=siblings,
        )

    def pair_list(self) -> list[tuple[int, int]]:
        by_entity: dict[int, list[int]] = defaultdict(list)
        for index, ent in enumerate(self.entity):
            by_entity[ent].append(index)
        return [
            (a, b)
            for group in by_entity.values()
            for i, a in enumerate(group)
            for b in group[i + 1 :]
        ]


def _prf(tp: int, linked: int, true: int) -> tuple[float, float, float]:
    precision = tp / linked if linked else 0.0
    recall = tp / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cluster_f1(truth: Truth, linked: list[tuple[int, int]]) -> float:
    """Pair F1 after closing the links transitively (connected components)."""
    parent = list(range(len(truth.entity)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in linked:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    clusters: dict[int, Counter[int]] = defaultdict(Counter)
    for index, ent in enumerate(truth.entity):
        clusters[find(index)][ent] += 1
    pairs = tp = 0
    for members in clusters.values():
        n = sum(members.values())
        pairs += n * (n - 1) // 2
        tp += sum(c * (c - 1) // 2 for c in members.values())
    return round(_prf(tp, pairs, truth.true_pairs)[2], 4)


def evaluate(truth: Truth, scored: dict[tuple[int, int], float], threshold: float) -> dict:
    """Metrics for the pairs scoring at least ``threshold`` (a match probability)."""
    linked = [(a, b) for (a, b), p in scored.items() if p >= threshold]
    ent, fam = truth.entity, truth.family
    tp = sum(1 for a, b in linked if ent[a] == ent[b])
    siblings = sum(1 for a, b in linked if ent[a] != ent[b] and fam[a] == fam[b])
    precision, recall, f1 = _prf(tp, len(linked), truth.true_pairs)
    return {
        "threshold": threshold,
        "linked_pairs": len(linked),
        "true_positives": tp,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "cluster_f1": cluster_f1(truth, linked),
        "sibling_links": siblings,
        "sibling_share": round(siblings / truth.sibling_pairs, 5) if truth.sibling_pairs else 0.0,
    }


def intake(truth: Truth, scored: dict[tuple[int, int], float]) -> dict[str, float]:
    """As at intake, each record against the records written before it.

    - found-again top-1: for a record of a child seen before, the best earlier
      candidate at "possible" or better is that child (no candidate is a miss);
    - never-seen wrongly linked: for the first record of a child, some earlier
      record (necessarily another child's) scores "likely".
    """
    best: dict[int, tuple[float, int]] = {}
    for (a, b), p in scored.items():
        if p < POSSIBLE:
            continue
        early, late = min(a, b), max(a, b)
        if late not in best or p > best[late][0]:
            best[late] = (p, early)
    ent = truth.entity
    right = sum(1 for r in truth.repeats if r in best and ent[best[r][1]] == ent[r])
    wrong_new = sum(1 for r in truth.firsts if r in best and best[r][0] >= LIKELY)
    return {
        "found_again_top1": round(right / len(truth.repeats), 4) if truth.repeats else 0.0,
        "new_wrongly_linked": round(wrong_new / len(truth.firsts), 4) if truth.firsts else 0.0,
    }


def blocking(truth: Truth, candidates: Iterable[tuple[int, int]] | None, count: int) -> dict:
    """Share of true pairs that become candidates, and candidates per record."""
    out: dict[str, Any] = {
        "candidate_pairs": count,
        "pairs_per_record": round(count / len(truth.entity), 2),
    }
    if candidates is not None:
        found = candidates if isinstance(candidates, set) else set(candidates)
        hit = sum(1 for pair in truth.pair_list() if pair in found)
        out["blocking_recall"] = round(hit / truth.true_pairs, 4) if truth.true_pairs else 1.0
    return out


@dataclass
class Outcome:
    name: str
    seconds: float
    scored: dict[tuple[int, int], float]
    blocking: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    peak_mib: float = 0.0


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
        "mother": fold(row.mother_name) or None,
        "school": fold(row.school) or None,
    }


# --- (a) our matcher ----------------------------------------------------------------------

_MAKE_RECORD_ARGS = set(inspect.signature(matching.make_record).parameters)


def to_record(row: Row) -> matching.Record:
    extra: dict[str, Any] = {}
    if "birth_date_documented" in _MAKE_RECORD_ARGS:
        extra["birth_date_documented"] = row.birth_source == "document"
    return matching.make_record(
        row.record_id,
        full_name=row.full_name,
        parent_names=[n for n in (row.father_name, row.mother_name) if n],
        birth_date=date.fromisoformat(row.birth_date) if row.birth_date else None,
        birth_date_estimated=row.birth_estimated,
        age_min=int(row.age_min) if row.age_min else None,
        age_max=int(row.age_max) if row.age_max else None,
        as_of=date.fromisoformat(row.as_of),
        sex=row.sex,
        nik=row.nik,
        kelurahan=row.kelurahan,
        school=row.school,
        **extra,
    )


def run_kawal(data: Dataset) -> Outcome:
    start = time.perf_counter()
    records = [to_record(row) for row in data.rows]
    model, scored_pairs, stats = batch.train_and_link(records, minimum_probability=KEEP)
    seconds = time.perf_counter() - start
    scored = {(a, b): s.probability for a, b, s in scored_pairs}
    outcome = Outcome("kawal", seconds, scored, notes={**stats, "model": model.as_json()})
    outcome.peak_mib = peak_mib()
    outcome.notes["lookup"] = lookup_times(records, model)
    outcome.notes["candidates"] = batch.candidate_pairs(records)  # untimed, for the recall
    return outcome


def folds_of(data: Dataset, k: int) -> list[int]:
    """Fold of each record: by family, so a child and its brothers and sisters
    are held out together (FEBRL records are each their own family)."""
    families = sorted({row.family_id for row in data.rows})
    rng = random.Random(13)
    rng.shuffle(families)
    fold_of = {fam: i % k for i, fam in enumerate(families)}
    return [fold_of[row.family_id] for row in data.rows]


def run_kawal_labelled(data: Dataset, k: int = FOLDS) -> Outcome:
    """Reviewers' decisions as labels, k-fold by child.

    The labels are what reviewers would have decided: the pairs the
    unsupervised model puts in the queue ("possible" or better), with the
    truth as the decision. Fold f's model is the unsupervised model
    re-estimated (``batch.with_labels``) from the labels of pairs whose two
    children are both outside fold f, and scores every pair whose later record
    is a child of fold f; so no pair is scored by a model that saw its label.
    The wall time covers the unsupervised fit, the queue and all k fits and
    scoring runs.
    """
    if not hasattr(batch, "with_labels"):
        raise NotImplementedError("batch.with_labels is missing in this version")
    start = time.perf_counter()
    records = [to_record(row) for row in data.rows]
    truth = [row.entity_id for row in data.rows]
    fold = folds_of(data, k)
    base = batch.train_unlabelled(records)
    _base, queue, _stats = batch.train_and_link(records, model=base, minimum_probability=POSSIBLE)
    labelled = [(a, b, truth[a] == truth[b]) for a, b, _s in queue]
    scored: dict[tuple[int, int], float] = {}
    notes: dict[str, Any] = {"queue_labels": len(labelled), "folds": k, "fits": []}
    for f in range(k):
        labels = [(a, b, same) for a, b, same in labelled if fold[a] != f and fold[b] != f]
        model = batch.with_labels(base, records, labels)
        _m, pairs, _ = batch.train_and_link(records, model=model, minimum_probability=KEEP)
        for a, b, score in pairs:
            if fold[max(a, b)] == f:
                scored[(a, b)] = score.probability
        notes["fits"].append(
            {
                "labels": len(labels),
                "same": sum(1 for *_p, same in labels if same),
                "source": getattr(model, "source", "?"),
                "labels_used": getattr(model, "labels_used", None),
                "weight_changes": [
                    (name, level, round(x, 2), round(y, 2))
                    for name, level, x, y in batch.weight_changes(base, model, min_bits=0.5)
                ],
            }
        )
    outcome = Outcome("kawal-labelled", time.perf_counter() - start, scored, notes=notes)
    outcome.peak_mib = peak_mib()
    outcome.notes["candidates"] = batch.candidate_pairs(records)  # untimed, for the recall
    return outcome


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


def _splink_generator(cl: Any, block_on: Any, df: Any) -> tuple[list, list, list, list]:
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
    comparisons = [
        cl.NameComparison("name", jaro_winkler_thresholds=[0.95, 0.88, 0.75]).configure(
            term_frequency_adjustments=True
        ),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        year_only,
        cl.ExactMatch("sex"),
        cl.DamerauLevenshteinAtThresholds("nik", [1]),
        cl.ExactMatch("kelurahan"),
        cl.JaroWinklerAtThresholds("father", [0.92, 0.8]),
        cl.JaroWinklerAtThresholds("mother", [0.92, 0.8]),
        cl.JaroWinklerAtThresholds("school", [0.9]),
    ]
    # Blocking and training chosen on the development data (generator seed 99,
    # both profiles, 10,000 records): the prior from name + birth year rather
    # than name + date, EM blocked on first name + birth year, and two more
    # blocking rules, raised Splink's F1 at "likely" on both profiles.
    rules = [
        ("first_name", "birth_year"),
        ("last_name", "birth_year"),
        ("first_name", "kelurahan"),
        ("nik",),
        ("dob",),
        ("name",),
        ("last_name", "kelurahan"),
    ]
    deterministic = [block_on("name", "birth_year"), block_on("nik")]
    em = [block_on("first_name", "birth_year"), block_on("dob")]
    return comparisons, rules, deterministic, em


def _splink_febrl(cl: Any, block_on: Any, df: Any) -> tuple[list, list, list, list]:
    # Chosen on FEBRL1/FEBRL2 (run.py --dev), after Splink's own FEBRL examples.
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.LevenshteinAtThresholds("suburb", [2]).configure(term_frequency_adjustments=True),
        cl.ExactMatch("state").configure(term_frequency_adjustments=True),
    ]
    rules = [
        ("given_name",),
        ("surname",),
        ("dob",),
        ("suburb",),
        ("birth_year", "state"),
    ]
    deterministic = [block_on("given_name", "surname", "dob")]
    em = [block_on("given_name"), block_on("dob")]
    return comparisons, rules, deterministic, em


def rule_recall(truth: Truth, table: list[dict[str, Any]], rules: list[tuple[str, ...]]) -> float:
    """Share of true pairs equal (and present) on every column of some blocking rule."""

    def meets(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return any(all(a[c] is not None and a[c] == b[c] for c in columns) for columns in rules)

    hit = sum(1 for x, y in truth.pair_list() if meets(table[x], table[y]))
    return round(hit / truth.true_pairs, 4) if truth.true_pairs else 1.0


def run_splink(data: Dataset) -> Outcome:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.blocking_analysis import (
        cumulative_comparisons_to_be_scored_from_blocking_rules_data,
    )

    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    df = pd.DataFrame(data.table)
    build = _splink_generator if data.kind == "generator" else _splink_febrl
    comparisons, rules, deterministic, em = build(cl, block_on, df)
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*r) for r in rules],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(df, settings, db_api=db_api)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in em:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=KEEP).as_pandas_dataframe()
    seconds = time.perf_counter() - start
    peak = peak_mib()
    scored = {
        (min(a, b), max(a, b)): float(p)
        for a, b, p in zip(
            predictions["unique_id_l"], predictions["unique_id_r"],
            predictions["match_probability"], strict=True,
        )
    }  # fmt: skip
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=df,
        blocking_rules=[block_on(*r) for r in rules],
        link_type="dedupe_only",
        db_api=db_api,
    )
    total = int(counts["row_count"].sum())
    outcome = Outcome("splink", seconds, scored, notes={"rules": [list(r) for r in rules]})
    outcome.peak_mib = peak
    outcome.notes["blocking_recall"] = rule_recall(Truth.of(data.rows), data.table, rules)
    outcome.notes["candidate_count"] = total
    return outcome


# --- (c) recordlinkage ---------------------------------------------------------------------


def run_recordlinkage(data: Dataset) -> Outcome:
    import pandas as pd
    import recordlinkage as rl

    start = time.perf_counter()
    df = pd.DataFrame(data.table).set_index("unique_id")
    indexer = rl.Index()
    compare = rl.Compare(n_jobs=1)
    if data.kind == "generator":
        indexer.block(["first_name", "birth_year"])
        indexer.block(["last_name", "birth_year"])
        indexer.block("nik")
        indexer.sortedneighbourhood("name", window=5, block_on=["sex"])
        compare.string("name", "name", method="jarowinkler", threshold=0.88, label="name")
        compare.exact("dob", "dob", label="dob")
        compare.numeric("birth_year", "birth_year", method="step", offset=1, label="year")
        compare.exact("sex", "sex", label="sex")
        compare.string("nik", "nik", method="damerau_levenshtein", threshold=0.9, label="nik")
        compare.exact("kelurahan", "kelurahan", label="kelurahan")
        compare.string("father", "father", method="jarowinkler", threshold=0.85, label="father")
        compare.string("mother", "mother", method="jarowinkler", threshold=0.85, label="mother")
        compare.string("school", "school", method="jarowinkler", threshold=0.9, label="school")
    else:
        # Chosen on FEBRL1/FEBRL2 (run.py --dev), after the toolkit's own FEBRL examples.
        indexer.block("given_name")
        indexer.block("surname")
        indexer.block("dob")
        indexer.sortedneighbourhood("surname", window=9)
        indexer.sortedneighbourhood("given_name", window=9)
        compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
        compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
        compare.exact("dob", "dob")
        compare.string("suburb", "suburb", method="levenshtein", threshold=0.8)
        compare.exact("state", "state")
    candidates = indexer.index(df)
    features = compare.compute(candidates, df).fillna(0).round().astype(int)
    classifier = rl.ECMClassifier(binarize=None)
    classifier.fit(features)
    probability = classifier.prob(features)
    seconds = time.perf_counter() - start
    scored = {
        (min(a, b), max(a, b)): float(p)
        for (a, b), p in zip(probability.index, probability.to_numpy(), strict=True)
        if p >= KEEP
    }
    outcome = Outcome("recordlinkage", seconds, scored, notes={"model": "ECM"})
    outcome.notes["candidates"] = {(min(a, b), max(a, b)) for a, b in candidates}
    return outcome


RUNNERS: dict[str, Callable[[Dataset], Outcome]] = {
    "kawal": run_kawal,
    "kawal-labelled": run_kawal_labelled,
    "splink": run_splink,
    "recordlinkage": run_recordlinkage,
}


# --- One system on one data set, in its own process ------------------------------------


def worker(spec: dict[str, Any]) -> None:
    """Run one system on one data set and pickle its outcome to ``spec["out"]``."""
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    data = load_dataset(spec["data"], spec["records"], spec["seed"])
    # Peak RSS from here on (Linux: writing 5 resets VmHWM to the current RSS).
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    outcome = RUNNERS[spec["system"]](data)
    outcome.peak_mib = outcome.peak_mib or peak_mib()
    truth = Truth.of(data.rows)
    candidates = outcome.notes.pop("candidates", None)
    if isinstance(candidates, set):
        outcome.blocking = blocking(truth, candidates, len(candidates))
    elif "candidate_count" in outcome.notes:
        outcome.blocking = blocking(truth, None, outcome.notes.pop("candidate_count"))
        outcome.blocking["blocking_recall"] = outcome.notes.pop("blocking_recall")
    with open(spec["out"], "wb") as handle:
        pickle.dump(outcome, handle)


def run_in_process(data: str, system: str, records: int, seed: int) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outcome.pickle"
        spec = {"data": data, "system": system, "records": records, "seed": seed, "out": str(out)}
        subprocess.run(  # noqa: S603 - our own script
            [sys.executable, __file__, "--worker", json.dumps(spec)], check=True
        )
        with out.open("rb") as handle:
            outcome: Outcome = pickle.load(handle)  # noqa: S301 - written just now by us
    return outcome


# --- Report ------------------------------------------------------------------------------

COLUMNS = [
    ("data", "data"),
    ("system", "system"),
    ("blocking_recall", "block recall"),
    ("pairs_per_record", "pairs/rec"),
    ("likely_p", "P likely"),
    ("likely_r", "R likely"),
    ("likely_f1", "F1 likely"),
    ("possible_p", "P poss."),
    ("possible_r", "R poss."),
    ("possible_f1", "F1 poss."),
    ("cluster_f1", "cluster F1"),
    ("found_again_top1", "found-again top-1"),
    ("new_wrongly_linked", "new wrongly linked"),
    ("siblings", "sibling links"),
    ("seconds", "wall s"),
    ("peak_mib", "peak MiB"),
]


def markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| " + " | ".join(title for _k, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in rows:
        out.append("| " + " | ".join(str(row.get(key, "")) for key, _t in COLUMNS) + " |")
    return "\n".join(out)


def summarise(name: str, truth: Truth, outcome: Outcome) -> dict[str, Any]:
    likely = evaluate(truth, outcome.scored, LIKELY)
    possible = evaluate(truth, outcome.scored, POSSIBLE)
    found = intake(truth, outcome.scored)
    siblings = (
        f"{likely['sibling_links']} ({likely['sibling_share'] * 100:.2f} %)"
        if truth.sibling_pairs
        else "-"
    )
    return {
        "data": name,
        "system": outcome.name,
        "blocking_recall": outcome.blocking.get("blocking_recall", ""),
        "pairs_per_record": outcome.blocking.get("pairs_per_record", ""),
        "likely_p": likely["precision"],
        "likely_r": likely["recall"],
        "likely_f1": likely["f1"],
        "possible_p": possible["precision"],
        "possible_r": possible["recall"],
        "possible_f1": possible["f1"],
        "cluster_f1": likely["cluster_f1"],
        **found,
        "siblings": siblings,
        "seconds": round(outcome.seconds, 1),
        "peak_mib": outcome.peak_mib,
        "detail": {
            "likely": likely,
            "possible": possible,
            "blocking": outcome.blocking,
            "notes": outcome.notes,
        },
    }


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Identity matching benchmark")
    parser.add_argument("--records", type=int, default=20_000, help="per generator profile")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", default=",".join(DATA), help="comma-separated subset")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset")
    parser.add_argument(
        "--dev",
        action="store_true",
        help=f"development data: generator seed {DEV_SEED}, FEBRL1 and FEBRL2",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.worker:
        worker(json.loads(args.worker))
        return
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    if args.dev:
        args.seed = DEV_SEED
        if args.data == ",".join(DATA):
            args.data = ",".join(DEV_DATA)
    names = args.data.split(",")
    systems = args.systems.split(",")
    started = time.perf_counter()
    report: list[dict[str, Any]] = []
    described: dict[str, Any] = {}
    for name in names:
        data = load_dataset(name, args.records, args.seed)
        truth = Truth.of(data.rows)
        described[name] = {
            "records": len(data.rows),
            "children": len(set(truth.entity)),
            "true_pairs": truth.true_pairs,
            "sibling_pairs": truth.sibling_pairs,
            "repeat_records": len(truth.repeats),
        }
        print(f"{name}: {described[name]}", flush=True)
        for system in systems:
            try:
                outcome = run_in_process(name, system, args.records, args.seed)
            except subprocess.CalledProcessError:
                print(f"  {system}: failed (see the error above)", flush=True)
                continue
            row = summarise(name, truth, outcome)
            report.append(row)
            print(
                f"  {system}: {outcome.seconds:.1f}s, F1 likely {row['likely_f1']}, "
                f"blocking recall {row['blocking_recall']}",
                flush=True,
            )
    total = time.perf_counter() - started
    command = "python bench/identity/run.py " + " ".join(
        sys.argv[1:] if argv is None else list(argv)
    )
    print()
    print(
        f"Judged at the app's bands for every system: likely p >= {LIKELY}, possible "
        f"p >= {POSSIBLE}. Generator seed {args.seed}, {args.records} records per profile."
    )
    print(markdown(report))
    print(f"\n`{command.strip()}`: {total:.0f} s wall time in all.")
    for row in report:
        lookup = row["detail"]["notes"].get("lookup")
        if lookup:
            print(
                f"kawal single-record lookup, {row['data']} ({lookup['lookups']} lookups, dict "
                f"index): p50 {lookup['p50_ms']} ms, p95 {lookup['p95_ms']} ms"
            )
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "command": command.strip(),
        "wall_seconds": round(total, 1),
        "seed": args.seed,
        "records_per_profile": args.records,
        "dev": args.dev,
        "bands": {"likely": LIKELY, "possible": POSSIBLE},
        "data": described,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "systems": report,
    }
    tag = "dev" if args.dev else "report"
    path = args.out / f"results-{tag}-{args.records}-{'-'.join(names)}-{'-'.join(systems)}.json"
    path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
