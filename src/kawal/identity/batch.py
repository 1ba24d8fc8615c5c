"""Finding duplicate pairs in a whole set of records at once.

Used by ``kawal dedupe`` and by the benchmark. Comparing every pair of
100,000 children would mean five billion comparisons, so pairs are only
formed inside *blocks* of records that share something cheap to check:

- the same full phonetic name key (token order and spelling ignored) and
  birth-year windows within a year of each other;
- a rarer name token (or what a nickname stands for), the same recorded sex
  and birth-year windows within a year of each other (a year typed one off is
  a common error);
- the same NIK;
- the same exact birth date (day and month in either order) and sex: this is
  how a nickname written instead of the name is still found.

Blocks too large to be useful (a very common name in a very common year) are
split by exact birth-year window; the full-name and NIK rules still cover them.

``train`` fits the model on the records themselves, the way Splink does:
u from random pairs, m by EM in two sessions whose pairs were selected on
one field each (the same birth date, the same name), each session estimating
only the fields it was not selected on.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

from kawal.identity.matching import (
    FIELD_NAMES,
    NAME_SEEN_AT_LEAST,
    Model,
    Record,
    Score,
    Scorer,
    adjust_levels,
    compare,
    estimate,
    estimate_u,
    name_keys,
    pair_name_key,
    score_levels,
)

MAX_BLOCK = 400
MAX_TOKEN_BLOCK = 300
# Birth-year windows this far apart still meet (a year typed one off).
YEAR_SLACK = 1
# Training pairs are not drawn from name groups larger than this.
SESSION_GROUP_LIMIT = 50


def _sweep(members: list[tuple[int, int, int]], out: set[tuple[int, int]], slack: int) -> None:
    """Add pairs of members whose birth-year windows come within ``slack`` years."""
    members.sort()
    for i, (_low, high, a) in enumerate(members):
        for low2, _high2, b in members[i + 1 :]:
            if low2 > high + slack:
                break
            out.add((a, b) if a < b else (b, a))


def _birth_block(record: Record) -> str:
    if not record.birth_exact or record.birth_date is None:
        return ""
    born = record.birth_date
    low, high = sorted((born.day, born.month))
    return f"{born.year}:{low}:{high}:{record.sex}"


def candidate_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth scoring."""
    full: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    token: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    nik: dict[str, list[int]] = defaultdict(list)
    born: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        low, high = record.years
        if record.key:
            full[record.key].append((low, high, index))
        for key in name_keys(record):
            token[(key, record.sex)].append((low, high, index))
        if record.nik:
            nik[record.nik].append(index)
        birth = _birth_block(record)
        if birth:
            born[birth].append(index)
    pairs: set[tuple[int, int]] = set()
    for group in (*nik.values(), *born.values()):
        if 1 < len(group) <= MAX_BLOCK:
            pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    for members in full.values():
        if len(members) > 1:
            _sweep(members, pairs, YEAR_SLACK)
    for members in token.values():
        # A token shared by hundreds of children of the same sex and age says too
        # little to be worth the pairs; the full-name, NIK and birth-date rules
        # still cover those children (bench/identity: 0.6 % of true pairs lost,
        # half the pairs saved).
        if 1 < len(members) <= MAX_TOKEN_BLOCK:
            _sweep(members, pairs, YEAR_SLACK)
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


# --- Training ----------------------------------------------------------------------------


def _sample_pairs(
    groups: Iterable[list[int]], limit: int, rng: random.Random
) -> list[tuple[int, int]]:
    """Up to ``limit`` pairs drawn evenly from all pairs inside the groups."""
    sizes = [(g, len(g) * (len(g) - 1) // 2) for g in groups if len(g) > 1]
    total = sum(n for _g, n in sizes)
    if not total:
        return []
    share = min(1.0, limit / total)
    out: list[tuple[int, int]] = []
    for group, n in sizes:
        if share >= 1.0 or n * share >= 50:
            take = round(n * share)
            if take >= n:
                out.extend((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
                continue
            for _ in range(take):
                a, b = rng.sample(group, 2)
                out.append((a, b))
        else:
            for _ in range(n):
                if rng.random() < share:
                    a, b = rng.sample(group, 2)
                    out.append((a, b))
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def token_counts(records: Sequence[Record]) -> dict[str, int]:
    """Children per name token, for tokens seen often enough to be established names."""
    counts = Counter(token for record in records for token in record.token_set)
    return {token: n for token, n in counts.items() if n >= NAME_SEEN_AT_LEAST}


def name_frequencies(records: Sequence[Record]) -> dict[str, float]:
    """Share of records per informative name key, for the frequency adjustment."""
    counts = Counter(" ".join(r.info_keys) for r in records if r.info_keys)
    total = len(records)
    return {key: n / total for key, n in counts.items() if n > 1} if total else {}


def train(
    records: Sequence[Record],
    *,
    u_samples: int = 100_000,
    session_pairs: int = 100_000,
    seed: int = 7,
) -> Model:
    """Fit the model on the records, using no labels.

    - u from random pairs (nearly all different children);
    - EM session 1 on pairs sharing an exact birth date: fits m of every field
      but the birth date (and the NIK-implied date);
    - EM session 2 on pairs sharing a full name key: fits m of every field
      but the name and the sex (which a name implies);
    - fields fitted in both sessions take the mean; the prior (that two random
      records are one child) is each session's match share corrected by the
      selecting field's Bayes factor, averaged.
    """
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    u = estimate_u(records, samples=u_samples, seed=seed)
    by_birth: dict[object, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        if record.birth_exact and record.birth_date is not None:
            by_birth[record.birth_date].append(index)
        if record.key:
            by_name[record.key].append(index)

    def session(groups: Iterable[list[int]], skip: set[str]) -> Model:
        sample = _sample_pairs(groups, session_pairs, rng)
        patterns = Counter(compare(records[a], records[b]) for a, b in sample)
        fields = [name for name in FIELD_NAMES if name not in skip]
        return estimate(patterns, u=u, start=Model(), fields=fields)

    births = session(by_birth.values(), {"birth", "nik_implies"})
    # Names tell the sex, so pairs selected on a name agree on sex whether they
    # match or not; and a name hundreds of records share (a nickname like Dede)
    # selects mostly different children.
    names = session(
        [group for group in by_name.values() if len(group) <= SESSION_GROUP_LIMIT],
        {"name", "sex"},
    )
    model = Model()
    model.u = {name: list(values) for name, values in u.items()}
    for name in FIELD_NAMES:
        if name == "name" or name == "sex":
            model.m[name] = births.m[name]
        elif name in ("birth", "nik_implies"):
            model.m[name] = names.m[name]
        else:
            model.m[name] = [
                (x + y) / 2 for x, y in zip(births.m[name], names.m[name], strict=True)
            ]
    m, uu = model.m, model.u
    from_births = _logit(births.prior) + math.log(uu["birth"][-1] / m["birth"][-1])
    name_m, name_u = m["name"][5] + m["name"][6], uu["name"][5] + uu["name"][6]
    from_names = _logit(names.prior) + math.log(name_u / name_m)
    model.prior = 1 / (1 + math.exp(-(from_births + from_names) / 2))
    model.pairs_seen = births.pairs_seen + names.pairs_seen
    model.name_freq = name_frequencies(records)
    model.token_counts = token_counts(records)
    return model


_WORK: tuple[Sequence[Record], Model, float] | None = None


def _score_chunk(chunk: list[tuple[int, int]]) -> list[tuple[int, int, Score]]:
    if _WORK is None:
        raise RuntimeError("_score_chunk runs only inside train_and_link")
    records, model, minimum = _WORK
    weights = model.weights()
    cache: dict[tuple[tuple[int, ...], str], Score] = {}
    out = []
    for a, b in chunk:
        ra, rb = records[a], records[b]
        levels = adjust_levels(compare(ra, rb), ra, rb, model)
        key = pair_name_key(ra, rb) if levels[0] >= 5 else ""
        score = cache.get((levels, key))
        if score is None:
            score = cache[(levels, key)] = score_levels(levels, model, weights, key)
        if score.probability >= minimum:
            out.append((a, b, score))
    return out


def train_and_link(
    records: Sequence[Record],
    *,
    minimum_probability: float = 0.2,
    model: Model | None = None,
    workers: int | None = None,
) -> tuple[Model, list[tuple[int, int, Score]], dict[str, int]]:
    """Fit a model on the records themselves (unless given), then score every candidate pair.

    Each pair is compared once, in ``workers`` processes (default: one per
    CPU; forked, so the records are shared, not copied). Returns the model,
    the pairs scoring at least ``minimum_probability`` and counts for reporting.
    """
    global _WORK
    model = model or train(records)
    pairs = list(candidate_pairs(records))
    workers = workers or os.cpu_count() or 1
    _WORK = (records, model, minimum_probability)
    try:
        if workers > 1 and len(pairs) > 200_000 and "fork" in mp.get_all_start_methods():
            size = len(pairs) // (workers * 4) + 1
            chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
            with mp.get_context("fork").Pool(workers) as pool:
                out = [item for part in pool.map(_score_chunk, chunks) for item in part]
        else:
            out = _score_chunk(pairs)
    finally:
        _WORK = None
    return model, out, {"candidate_pairs": len(pairs), "workers": workers}
