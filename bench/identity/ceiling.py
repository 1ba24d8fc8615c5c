"""How far the records' evidence can go: a classifier given every true label.

``run.py`` judges our unsupervised matcher. This asks a different question:
with the same candidate pairs (our blocking), how well could *any* pairwise
classifier do if it were told the truth of every pair? A gradient-boosted
classifier (scikit-learn's ``HistGradientBoostingClassifier``) is trained on
labelled pairs and judged at the "likely" band (p >= 0.90), as the matcher is.
Its features are our comparison levels and weights (``matching.compare``,
``Scorer``) and raw similarities the levels may lose: the names' token-set,
token-sort and Jaro-Winkler similarities, token counts and tokens shared, the
parents' names, the gap in birth years, the birth dates' edit distance, the
kelurahan's spelling (FEBRL's suburb is text) and whether the sexes agree.

Two ways to train, neither on the pairs it scores:

- **dev**: trained on the development data (generator seed 99; FEBRL2) and
  scored on the reported data (seed 2024; FEBRL3, FEBRL4);
- **cross**: trained on the reported data itself, five folds by family: every
  pair is scored by a model trained only on the pairs that touch neither of
  its two families' folds (fifteen models), so no label of either family
  trains the model that scores it.

Each classifier is also held to
issue 13's rule that a birth date agreeing while the names disagree never
reaches "likely" alone: such pairs (without the same NIK) are never linked.
First with "disagree" read on the names alone (no token shared, none one edit
from the other's, spelled less than 75 % alike, or a name that tells nothing,
such as a generic nickname); then as the matcher reads it,
where the sibling rule (a brother's and a sister's look-alike names, Putra /
Putri) and the rule on established names (Rafi / Rafli) make more names
disagree.

The **oracle** column is the best F1 over thresholds 0.05..0.99 on the scored
data itself. No system could claim it (the threshold is chosen on the answer);
it is an upper bound of what each set of scores holds, not a result.

Pairs our blocking loses count as missed for every column. **cluster F1** is
pair F1 after the "likely" links are closed transitively, as in ``run.py``: a
pair no score links may still be joined through a third record.

    .venv/bin/python bench/identity/ceiling.py --records 20000
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "src"))

import run  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler  # noqa: E402

from kawal.identity import batch, matching  # noqa: E402

# (reported data, the development data its "dev" classifier is trained on)
PAIRS = (("gen1", "gen1"), ("gen2", "gen2"), ("febrl3", "febrl2"), ("febrl4", "febrl2"))
FOLDS = 5
GRID = np.linspace(0.05, 0.99, 95)


@dataclass
class Pairs:
    features: np.ndarray
    same: np.ndarray
    ours: np.ndarray  # the unsupervised matcher's probability
    families: np.ndarray  # (family of a, family of b)
    # Names that disagree, without the same NIK: pairs the matcher never
    # calls "likely" on a birth date alone (``matching.score_levels``), ...
    capped: np.ndarray
    # ... and the same on the names alone, before the sibling rule and the
    # rule on established names make look-alike names disagree.
    strict: np.ndarray
    index: np.ndarray  # (record a, record b) of each pair
    truth: run.Truth


def _year(record: matching.Record) -> int:
    if record.birth_date:
        return record.birth_date.year
    return record.year_min or 0


def _features(
    a: matching.Record, b: matching.Record, score: matching.Score, ra: run.Row, rb: run.Row
) -> list[float]:
    names_a, names_b = " ".join(sorted(a.tokens)), " ".join(sorted(b.tokens))
    ya, yb = _year(a), _year(b)
    return [
        *score.levels,
        *score.weights,
        score.total,
        fuzz.token_set_ratio(a.info_text, b.info_text),
        fuzz.token_sort_ratio(names_a, names_b),
        JaroWinkler.similarity(names_a, names_b),
        len(a.tokens),
        len(b.tokens),
        len(a.token_set & b.token_set),
        fuzz.token_set_ratio(a.parent_text, b.parent_text)
        if a.parent_text and b.parent_text
        else -1,
        abs(ya - yb) if ya and yb else -1,
        DamerauLevenshtein.distance(ra.birth_date, rb.birth_date)
        if ra.birth_date and rb.birth_date
        else -1,
        fuzz.ratio(ra.kelurahan, rb.kelurahan) if ra.kelurahan and rb.kelurahan else -1,
        (a.sex == b.sex) if a.sex and b.sex else -1,
        len(a.alias_tokens) + len(b.alias_tokens),
    ]


def pairs_of(name: str, records: int, seed: int) -> Pairs:
    data = run.load_dataset(name, records, seed)
    recs = [run.to_record(row) for row in data.rows]
    model, scored, _stats = batch.train_and_link(recs, minimum_probability=0.0)
    disagree = matching._names_disagree_at(model)
    rows = data.rows
    features = np.array(
        [_features(recs[a], recs[b], s, rows[a], rows[b]) for a, b, s in scored], dtype=np.float32
    )
    return Pairs(
        features=features,
        same=np.array([rows[a].entity_id == rows[b].entity_id for a, b, _s in scored]),
        ours=np.array([s.probability for _a, _b, s in scored]),
        families=np.array([(rows[a].family_id, rows[b].family_id) for a, b, _s in scored]),
        capped=np.array([_date_alone(s.levels, disagree) for _a, _b, s in scored]),
        strict=_disagree_strictly(recs, scored, disagree),
        index=np.array([(a, b) for a, b, _s in scored]),
        truth=run.Truth.of(rows),
    )


def _date_alone(levels: tuple[int, ...], disagree: int) -> bool:
    """The condition under which ``matching.score_levels`` holds a pair below "likely"."""
    return levels[0] <= disagree and levels[matching.NIK_FIELD] < matching.NIK_SAME


def _disagree_strictly(
    recs: list[matching.Record],
    scored: list[tuple[int, int, matching.Score]],
    disagree: int,
) -> np.ndarray:
    sibling_rule = matching._sex_marked_pair
    matching._sex_marked_pair = lambda a, b: False
    try:
        return np.array(
            [_date_alone(matching.compare(recs[a], recs[b]), disagree) for a, b, _s in scored]
        )
    finally:
        matching._sex_marked_pair = sibling_rule


def _classifier() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=300, random_state=0)


def dev_scores(train: Pairs, test: Pairs) -> np.ndarray:
    model = _classifier()
    model.fit(train.features, train.same)
    return model.predict_proba(test.features)[:, 1]


def cross_scores(pairs: Pairs) -> np.ndarray:
    families = np.unique(pairs.families)
    rng = np.random.default_rng(13)
    fold_of = dict(zip(families.tolist(), rng.permutation(len(families)) % FOLDS, strict=True))
    fold = np.array([[fold_of[a], fold_of[b]] for a, b in pairs.families.tolist()])
    low, high = fold.min(axis=1), fold.max(axis=1)
    scores = np.zeros(len(pairs.same))
    # Every pair is scored, by a model trained only on pairs that touch neither
    # of its two folds: no family of the pair lent a label to its model.
    for f in range(FOLDS):
        for g in range(f, FOLDS):
            scored = (low == f) & (high == g)
            if not scored.any():
                continue
            train = ~np.isin(fold, (f, g)).any(axis=1)
            model = _classifier()
            model.fit(pairs.features[train], pairs.same[train])
            scores[scored] = model.predict_proba(pairs.features[scored])[:, 1]
    return scores


def prf(scores: np.ndarray, pairs: Pairs, threshold: float) -> tuple[float, float, float]:
    linked = scores >= threshold
    tp = int((linked & pairs.same).sum())
    return run._prf(tp, int(linked.sum()), pairs.truth.true_pairs)


def oracle(scores: np.ndarray, pairs: Pairs) -> tuple[float, float]:
    return max((prf(scores, pairs, t)[2], float(t)) for t in GRID)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="per generator profile")
    parser.add_argument("--data", default=",".join(name for name, _dev in PAIRS))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    started = time.perf_counter()
    wanted = set(args.data.split(","))
    lines = [
        "| data | scores | P likely | R likely | F1 likely | cluster F1 | oracle F1 (threshold) |",
        "|---|---|---|---|---|---|---|",
    ]
    cache: dict[str, Pairs] = {}
    for name, dev in PAIRS:
        if name not in wanted:
            continue
        t0 = time.perf_counter()
        test = pairs_of(name, args.records, 2024)
        train = cache.get(dev) or pairs_of(dev, args.records, run.DEV_SEED)
        cache[dev] = train
        seed = f" (seed {run.DEV_SEED})" if dev.startswith("gen") else ""
        trained = f"trained on {dev}{seed}"
        kinds = {"kawal (unsupervised)": test.ours}
        for how, scores in (
            (f"classifier {trained}", dev_scores(train, test)),
            (f"classifier cross-fitted ({FOLDS} folds by family)", cross_scores(test)),
        ):
            kinds[how] = scores
            kinds[f"{how}, never linking names that disagree"] = np.where(test.strict, 0.0, scores)
            kinds[f"{how}, names told apart as the matcher does"] = np.where(
                test.capped, 0.0, scores
            )
        print(
            f"{name}: {len(test.same):,} candidate pairs, {int(test.same.sum()):,} of "
            f"{test.truth.true_pairs:,} true pairs among them ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        for kind, scores in kinds.items():
            p, r, f1 = prf(scores, test, run.LIKELY)
            best, at = oracle(scores, test)
            linked = [(int(a), int(b)) for a, b in test.index[scores >= run.LIKELY]]
            clustered = run.cluster_f1(test.truth, linked)
            lines.append(
                f"| {name} | {kind} | {p:.4f} | {r:.4f} | {f1:.4f} | {clustered:.4f} "
                f"| {best:.4f} ({at:.2f}) |"
            )
    print()
    print("\n".join(lines))
    print(
        f"\n`python bench/identity/ceiling.py {' '.join(sys.argv[1:])}`".rstrip()
        + f": {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
