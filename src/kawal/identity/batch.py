"""Finding duplicate pairs in a whole set of records at once.

Used by ``kawal dedupe`` and by the benchmark. Comparing every pair of
100,000 children would mean five billion comparisons, so pairs are only
formed inside *blocks* of records that share something cheap to check:

- the same full phonetic name key (token order and spelling ignored);
- a rarer name token (or what a nickname stands for) *and* an overlapping
  birth-year window *and* the same recorded sex;
- the same NIK;
- a parent's name key and an overlapping birth-year window.

Blocks too large to be useful (a very common name in a very common year) are
skipped for the token rule; the full-name and NIK rules still cover them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from kawal.identity.matching import (
    Model,
    Record,
    Score,
    Scorer,
    compare,
    estimate,
    estimate_u,
    name_keys,
    score_levels,
)

MAX_BLOCK = 400


def _sweep(members: list[tuple[int, int, int]], out: set[tuple[int, int]]) -> None:
    """Add pairs of members whose birth-year windows overlap (members: low, high, index)."""
    members.sort()
    for i, (_low, high, a) in enumerate(members):
        for low2, _high2, b in members[i + 1 :]:
            if low2 > high:
                break
            out.add((a, b) if a < b else (b, a))


def candidate_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth scoring."""
    full: dict[str, list[int]] = defaultdict(list)
    token: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    nik: dict[str, list[int]] = defaultdict(list)
    parent: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for index, record in enumerate(records):
        low, high = record.years
        if record.key:
            full[record.key].append(index)
        for key in name_keys(record):
            token[(key, record.sex)].append((low, high, index))
        if record.nik:
            nik[record.nik].append(index)
        for key in record.parent_keys:
            parent[key].append((low, high, index))
    pairs: set[tuple[int, int]] = set()
    for group in (*full.values(), *nik.values()):
        if 1 < len(group) <= MAX_BLOCK * 4:
            pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    for members in (*token.values(), *parent.values()):
        if 1 < len(members) <= MAX_BLOCK:
            _sweep(members, pairs)
        elif len(members) > MAX_BLOCK:
            # Too common: split by exact birth-year window so only near-identical ages meet.
            by_window: dict[tuple[int, int], list[int]] = defaultdict(list)
            for low, high, index in members:
                by_window[(low, high)].append(index)
            for group in by_window.values():
                if 1 < len(group) <= MAX_BLOCK:
                    pairs.update(
                        (a, b) if a < b else (b, a)
                        for i, a in enumerate(group)
                        for b in group[i + 1 :]
                    )
    return pairs


def link(
    records: Sequence[Record],
    scorer: Scorer,
    *,
    pairs: Iterable[tuple[int, int]] | None = None,
    progress: Callable[[int], None] | None = None,
    minimum: str = "possible",
) -> Iterator[tuple[int, int, Score]]:
    """Scored pairs at or above the ``minimum`` band ("possible" or "likely")."""
    wanted = {"likely"} if minimum == "likely" else {"likely", "possible"}
    source = pairs if pairs is not None else candidate_pairs(records)
    for done, (a, b) in enumerate(source, start=1):
        score = scorer.score(records[a], records[b])
        if progress is not None and done % 10000 == 0:
            progress(done)
        if score.band in wanted:
            yield a, b, score


def train_and_link(
    records: Sequence[Record],
    *,
    minimum_probability: float = 0.2,
    u_samples: int = 50000,
) -> tuple[Model, list[tuple[int, int, Score]], dict[str, int]]:
    """Fit a model on the records themselves, then score every candidate pair.

    u comes from random pairs (``estimate_u``), m and the prior from EM over the
    candidate pairs' agreement patterns. Each pair is compared once; scores are
    computed once per distinct pattern. Returns the model, the pairs scoring at
    least ``minimum_probability`` and counts for reporting.
    """
    pairs = candidate_pairs(records)
    levels = {pair: compare(records[pair[0]], records[pair[1]]) for pair in pairs}
    patterns = Counter(levels.values())
    model = estimate(patterns, u=estimate_u(records, samples=u_samples))
    scorer = Scorer(model)
    by_pattern = {pattern: score_levels(pattern, model, scorer.weights) for pattern in patterns}
    out = [
        (a, b, by_pattern[pattern])
        for (a, b), pattern in levels.items()
        if by_pattern[pattern].probability >= minimum_probability
    ]
    stats = {"candidate_pairs": len(pairs), "patterns": len(patterns)}
    return model, out, stats
