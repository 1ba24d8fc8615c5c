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
  how a nickname written instead of the name is still found;
- a name token one edit from the other's, a name key within one kelurahan, a
  parent's name key, a rare placeholder date, and for nickname-only records
  the kelurahan (``_gather`` lists them with their limits).

The pairs are held as a ``CandidateSet`` (8-byte codes in parts), not as a
set of tuples, so a registry of a million children fits in memory.

Small blocks are paired whole; larger ones by birth-year windows, skipping a
record only where its neighbourhood is too crowded to be useful (a very
common name in a very common year); the other passes still cover it.

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
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from kawal.identity.matching import (
    BIRTH_IN_RANGE,
    BIRTH_SAME,
    FIELD_NAMES,
    FIELDS,
    LABEL_PRIOR_WEIGHT,
    NAME_DIFFERENT,
    NAME_SAME,
    NAME_SEEN_AT_LEAST,
    NAME_SOUNDS_SAME,
    SHORT_TOKEN,
    Model,
    Record,
    Score,
    Scorer,
    adjust_levels,
    birthday,
    birthday_keys,
    compare,
    deletion_keys,
    estimate,
    estimate_u,
    generic_name,
    name_keys,
    pair_birth_key,
    pair_name_key,
    score_levels,
    sexes,
)
from kawal.identity.matching import min_labels as matching_min_labels

MAX_BLOCK = 400
# A record whose birth-year neighbourhood in a name block holds more than this
# many others is not paired through that block (a common name in a common
# year). Development data (generator seed 99, 100,000 records): 300 gave
# blocking recall 0.917 at 192 pairs per record, 150 gave 0.893 at 101, 100
# gave 0.879 at 67, 50 gave 0.861 at 37 (the rule before: 0.856 at 29).
MAX_TOKEN_BLOCK = 100
# A block this small is paired whole, whatever the birth years: a year typed
# wrong (FEBRL's 1985/1958) then still meets its child.
SMALL_BLOCK = 40
# Birth-year windows this far apart still meet (a year typed one off).
YEAR_SLACK = 1
# Training pairs are not drawn from name groups larger than this.
SESSION_GROUP_LIMIT = 50
# ``candidates`` gathers pairs in one part per this many records (by a pair's
# first record), so that only one part's pairs are ever held as Python objects
# at a time. The first parts hold the most (their records pair with more records).
PART_RECORDS = 5_000
# Pairs decoded and scored at a time.
SCORE_SLICE = 500_000

Member = tuple[int, int, int]  # (first birth year, last birth year, record index)
Pair = tuple[int, int]


class PairSink(Protocol):
    """Where the blocking passes put the pairs they form: a set, or a ``CandidateSet``."""

    def add(self, pair: Pair, /) -> None: ...


class CandidateSet:
    """Candidate pairs held as integers, a part at a time, for registries of any size.

    A pair (a, b), a < b, is stored as the code a * n + b: eight bytes in an
    array, where a tuple in a set takes over a hundred (a million children
    make tens of millions of pairs). Part k holds the pairs whose first record
    is one of the k-th ``per_part`` records. ``seal`` drops each part's
    repeats (the passes form many pairs more than once) and sorts it, one part
    at a time. The pairs then come out in plain sorted order, whatever the
    number of parts, which is what lets ``kawal dedupe`` resume after the
    last pair it scored.
    """

    def __init__(self, size: int, per_part: int) -> None:
        self.size = max(size, 1)
        self.per_part = max(per_part, 1)
        self._codes = [array("q") for _ in range(math.ceil(self.size / self.per_part))]
        self._sealed = False

    def add(self, pair: Pair, /) -> None:
        """Only before ``seal``: a pair added after it would not be in order."""
        a, b = pair
        self._codes[a // self.per_part].append(a * self.size + b)

    def seal(self, keep: Callable[[int, int], bool] | None = None) -> CandidateSet:
        """Drop each part's repeats and the pairs ``keep`` refuses, and sort what is left."""
        for part in range(len(self._codes)):
            unique = set(self._codes[part])
            self._codes[part] = array("q")  # the raw codes go before the part is sorted
            if keep is not None:
                unique = {c for c in unique if keep(*divmod(c, self.size))}
            self._codes[part] = array("q", sorted(unique))
        self._sealed = True
        return self

    def __len__(self) -> int:
        return sum(len(codes) for codes in self._codes)

    def count_before(self, a: int, b: int) -> int:
        """How many pairs come before the pair (a, b) in the order, whether or not it is one."""
        code = a * self.size + b
        return sum(bisect_left(codes, code) for codes in self._codes)

    def __iter__(self) -> Iterator[Pair]:
        for _start, pairs in self.slices(SCORE_SLICE):
            yield from pairs

    def slices(self, size: int, start: int = 0) -> Iterator[tuple[int, list[Pair]]]:
        """(position of the first pair, up to ``size`` pairs), from pair number ``start`` on.

        A slice never spans two parts, so only ``size`` pairs are decoded at a time.
        """
        if not self._sealed:
            raise RuntimeError("seal() the candidate set before reading it")
        offset = 0
        for codes in self._codes:
            if offset + len(codes) <= start:
                offset += len(codes)
                continue
            for first in range(max(start - offset, 0), len(codes), size):
                yield (
                    offset + first,
                    [divmod(code, self.size) for code in codes[first : first + size]],
                )
            offset += len(codes)


def _all_pairs(members: Sequence[int], out: PairSink) -> None:
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            out.add((a, b) if a < b else (b, a))


def _sweep(
    members: list[Member],
    out: PairSink,
    slack: int,
    dense: int | None = None,
    keep: Callable[[int, int], bool] | None = None,
) -> None:
    """Add pairs of members whose birth-year windows come within ``slack`` years.

    ``dense``: a member whose neighbourhood (the later members it would meet)
    holds more than this many is skipped, so a common name in a common year
    costs nothing while the same name in a quiet year still pairs. ``keep``:
    only pairs it accepts are added (the other passes have the rest).
    """
    members.sort()
    lows = [low for low, _high, _index in members]
    for i, (_low, high, a) in enumerate(members):
        j = bisect_right(lows, high + slack, lo=i + 1)
        if dense is not None and j - i - 1 > dense:
            continue
        for _low2, _high2, b in members[i + 1 : j]:
            if keep is None or keep(a, b):
                out.add((a, b) if a < b else (b, a))


def _block(members: list[Member], out: PairSink, dense: int | None) -> None:
    """Pair a small block whole, a larger one by birth year."""
    if len(members) < 2:
        return
    if len(members) <= SMALL_BLOCK:
        _all_pairs([index for _l, _h, index in members], out)
    else:
        _sweep(members, out, YEAR_SLACK, dense)


def _birth_blocks(record: Record) -> list[str]:
    day = birthday(record)
    if not day or record.birth_date is None:
        return []
    return [f"{record.birth_date.year}:{day}:{sex}" for sex in sexes(record)]


def weak_name(record: Record) -> bool:
    """A name that may be a nickname with nothing of the real name in it.

    Only generic nicknames (Dede, Upik) or one short token (Wawa, Cici): such a
    child is looked for among the children of the same kelurahan and sex.
    """
    if generic_name(record):
        return True
    return len(record.informative) == 1 and len(record.informative[0]) <= SHORT_TOKEN


def candidate_pairs(records: Sequence[Record]) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth scoring, as one set (``_gather`` describes the passes)."""
    pairs: set[tuple[int, int]] = set()
    _gather(records, pairs)
    return pairs


def candidates(
    records: Sequence[Record], keep: Callable[[int, int], bool] | None = None
) -> CandidateSet:
    """The same pairs as ``candidate_pairs`` (those ``keep`` accepts), held compactly in parts."""
    found = CandidateSet(len(records), PART_RECORDS)
    _gather(records, found)
    return found.seal(keep)


def _gather(records: Sequence[Record], pairs: PairSink) -> None:
    """Put the index pairs (i < j) worth scoring into ``pairs``.

    Passes (docs/identity.md, "Batch"): the same NIK; the same exact birth
    date, day and month in either order, and sex (placeholder dates are only
    a year; one that at most ``SMALL_BLOCK`` records carry still pairs them);
    a name key, or two of the name's tokens, with the same birthday in any year;
    the same full phonetic name key; a shared name key (a name token, an
    alias or what a nickname stands for) and sex, across the city and within
    one kelurahan; a parent's name key and sex; a name token one edit from
    the other's (a deletion-neighbourhood key); nickname-only records and
    the children of their kelurahan and sex; every child of a kelurahan and
    sex that few records carry. Blocks are paired whole when
    small, else within a year of each other, skipping only the densest
    birth years.
    """
    full: dict[str, list[Member]] = defaultdict(list)
    token: dict[tuple[str, str], list[Member]] = defaultdict(list)
    edits: dict[str, list[Member]] = defaultdict(list)
    edit_tag: dict[str, set[str]] = defaultdict(set)
    nik: dict[str, list[int]] = defaultdict(list)
    born: dict[str, list[int]] = defaultdict(list)
    area: dict[tuple[str, str], list[Member]] = defaultdict(list)
    parent: dict[tuple[str, str], list[Member]] = defaultdict(list)
    local: dict[tuple[str, str, str], list[Member]] = defaultdict(list)
    placeholder: dict[str, list[int]] = defaultdict(list)
    by_birthday: dict[str, list[int]] = defaultdict(list)
    weak: set[int] = set()
    for index, record in enumerate(records):
        low, high = record.years
        if record.key:
            full[record.key].append((low, high, index))
        for key in name_keys(record):
            for sex in sexes(record):
                token[(key, sex)].append((low, high, index))
                if record.kelurahan:
                    local[(record.kelurahan, key, sex)].append((low, high, index))
        for key in birthday_keys(record):
            by_birthday[key].append(index)
        for word in record.edit_tokens:
            for key in deletion_keys(word):
                edits[key].append((low, high, index))
                edit_tag[key].add(word)
        if record.nik:
            nik[record.nik].append(index)
        for birth in _birth_blocks(record):
            born[birth].append(index)
        if record.birth_precision == "year" and record.birth_date is not None:
            for sex in sexes(record):
                placeholder[f"{record.birth_date.isoformat()}:{sex}"].append(index)
        for key in record.parent_keys:
            for sex in sexes(record):
                parent[(key, sex)].append((low, high, index))
        if record.kelurahan:
            for sex in sexes(record):
                area[(record.kelurahan, sex)].append((low, high, index))
                if weak_name(record):
                    weak.add(index)
    for group in (*nik.values(), *born.values()):
        if 1 < len(group) <= MAX_BLOCK:
            _all_pairs(group, pairs)
    for group in placeholder.values():
        # A placeholder date is only a year, but where few children carry it the
        # same typed date is still worth a look (a real date that looks like one).
        if 1 < len(group) <= SMALL_BLOCK:
            _all_pairs(group, pairs)
    for group in by_birthday.values():
        # A name and a birthday, whatever the year: a year typed wrong (2015 for
        # 2016, FEBRL's 1930 for 1962) puts the pair outside every year window.
        if 1 < len(group) <= SMALL_BLOCK:
            _all_pairs(group, pairs)
    for members in full.values():
        _block(members, pairs, None)
    for members in token.values():
        # A token shared by hundreds of children of the same sex and year says
        # too little to be worth the pairs; the full-name, NIK and birth-date
        # rules still cover those children.
        _block(members, pairs, MAX_TOKEN_BLOCK)
    for key, members in edits.items():
        words = edit_tag[key]
        if len(words) < 2 or len(members) < 2:
            continue  # one spelling only: the name passes already pair it
        tags = {index: _edit_word(records[index], key) for _l, _h, index in members}

        def other_spelling(a: int, b: int, tags: dict[int, str] = tags) -> bool:
            return tags[a] != tags[b]

        if len(members) <= SMALL_BLOCK:
            _sweep(members, pairs, 10_000, None, other_spelling)
        else:
            _sweep(members, pairs, YEAR_SLACK, MAX_TOKEN_BLOCK, other_spelling)

    for members in local.values():
        # A name in one kelurahan is a small block, paired whole whatever the
        # birth years, where the name across the city is too common for that.
        _block(members, pairs, MAX_TOKEN_BLOCK)
    for members in parent.values():
        # A parent's name finds a child recorded under another name (a nickname,
        # a new name): blocked like a name key, as common parents' names are many.
        _block(members, pairs, MAX_TOKEN_BLOCK)
    for members in area.values():
        if len(members) <= SMALL_BLOCK:
            # A kelurahan with few children of one sex in the registry (a
            # village far from the city): they are compared whole, as for any
            # small block, so a child whose names and date were both written
            # another way is still looked at there.
            _all_pairs([index for _l, _h, index in members], pairs)
            continue
        # A nickname-only record meets the children of its kelurahan and sex
        # born within a year: nothing else it has can find the child.
        _meet_area(members, weak, pairs)


def _meet_area(members: list[Member], weak: set[int], out: PairSink) -> None:
    """Pair each weak member with the members whose birth years come within a year of its own.

    Only the weak members are walked, so a large kelurahan costs its few
    nickname-only records, not every child in it. A weak member with more
    than ``MAX_BLOCK`` such neighbours is skipped: it would meet too many to
    be worth scoring.
    """
    weak_members = [m for m in members if m[2] in weak]
    if not weak_members:
        return
    members = sorted(members)
    lows = [low for low, _high, _index in members]
    for low, high, a in weak_members:
        end = bisect_right(lows, high + YEAR_SLACK)
        near = [b for _l, h, b in members[:end] if h + YEAR_SLACK >= low and b != a]
        if len(near) > MAX_BLOCK:
            continue
        for b in near:
            out.add((a, b) if a < b else (b, a))


def _edit_word(record: Record, key: str) -> str:
    """Which of the record's tokens gave this deletion key (so one spelling is not paired)."""
    for word in record.edit_tokens:
        if key in deletion_keys(word):
            return word
    return ""


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
    """Share of records per informative name key, counting children by birth date.

    Records of one name and one exact birth date count once (for the reason
    ``birth_frequencies`` gives); records without one count each: a
    placeholder date (1 July) says only the year, which many children of
    one name share.
    """
    born_as: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.info_keys:
            if r.birth_exact and r.birth_date is not None:
                born = r.birth_date.isoformat()
            else:
                born = f"#{r.id}"
            born_as[" ".join(r.info_keys)].add(born)
    return _shares({key: len(days) for key, days in born_as.items()}, len(records))


def birth_frequencies(records: Sequence[Record]) -> dict[str, float]:
    """Share of records per exact birth date, counting children by name.

    A date counts the different names born on it, not the records: three
    records of one child would otherwise make her own birthday "common" and
    weaken the very agreement that finds her again. A day clerks give many
    children still counts each of them.
    """
    names_on: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r.birth_exact and r.birth_date is not None:
            names_on[r.birth_date.isoformat()].add(" ".join(r.info_keys) or str(r.id))
    return _shares({day: len(names) for day, names in names_on.items()}, len(records))


def year_frequencies(records: Sequence[Record]) -> dict[str, float]:
    """Share of records per birth year, each record's window of years spread evenly over it."""
    mass: dict[int, float] = defaultdict(float)
    for r in records:
        if r.year_min is not None and r.year_max is not None and r.year_max >= r.year_min:
            width = r.year_max - r.year_min + 1
            for year in range(r.year_min, r.year_max + 1):
                mass[year] += 1 / width
    total = len(records)
    return {str(year): n / total for year, n in sorted(mass.items())} if total else {}


def _shares(counts: dict[str, int], total: int) -> dict[str, float]:
    """The chance that another child carries a value both records of a pair carry.

    The pair's own child is left out of the count (n - 1): a name two
    children share is as rare, to either of them, as a name one other child
    has. Values only one child carries keep the model's own u.
    """
    return {key: (n - 1) / total for key, n in counts.items() if n > 1} if total else {}


Label = tuple[int, int, bool]


def train(
    records: Sequence[Record],
    *,
    labels: Iterable[Label] | None = None,
    min_labels: int | None = None,
    u_samples: int = 100_000,
    session_pairs: int = 100_000,
    seed: int = 7,
) -> Model:
    """Fit the model on the records, then on reviewers' decisions when there are enough.

    ``labels`` are (index, index, same child?) into ``records``. With at least
    ``min_labels`` of them (None: ``matching.min_labels()``) m and u are
    re-estimated from them (``apply_labels``); with fewer the unsupervised
    fit alone is returned.
    """
    model = train_unlabelled(records, u_samples=u_samples, session_pairs=session_pairs, seed=seed)
    return with_labels(model, records, labels, min_labels=min_labels, u_samples=u_samples)


def with_labels(
    model: Model,
    records: Sequence[Record],
    labels: Iterable[Label] | None,
    *,
    min_labels: int | None = None,
    u_samples: int = 100_000,
) -> Model:
    """``model`` re-estimated from the labels when there are enough of them, else ``model``."""
    given = list(labels or [])
    need = matching_min_labels() if min_labels is None else min_labels
    if not given or len(given) < need:
        return model
    return apply_labels(model, records, given, u_weight=u_samples)


def apply_labels(
    model: Model,
    records: Sequence[Record],
    labels: Sequence[Label],
    *,
    prior_weight: float = LABEL_PRIOR_WEIGHT,
    u_weight: float = 100_000,
) -> Model:
    """m and u re-estimated from labelled pairs, the given model serving as the prior.

    m of each level becomes (m * prior_weight + same-child pairs at that level)
    / (prior_weight + same-child pairs with that field), so a "same" label can
    only raise the m of the levels it shows. "Different" labels are added to
    the random pairs u was estimated from (``u_weight`` of them): reviewers see
    pairs that already looked alike, so they are not a sample of all
    non-matches and may not replace it. The prior, the thresholds and the
    frequency tables stay.
    """
    same = {spec.name: [0.0] * len(spec.levels) for spec in FIELDS}
    different = {spec.name: [0.0] * len(spec.levels) for spec in FIELDS}
    for a, b, is_same in labels:
        target = same if is_same else different
        for spec, level in zip(FIELDS, compare(records[a], records[b]), strict=True):
            if level >= 0:
                target[spec.name][level] += 1
    out = Model.from_json(model.as_json())
    for spec in FIELDS:
        for counts, part, weight in (
            (same[spec.name], out.m, prior_weight),
            (different[spec.name], out.u, u_weight),
        ):
            seen = sum(counts)
            if not seen:
                continue
            base = part[spec.name]
            part[spec.name] = [
                (p * weight + c) / (weight + seen) for p, c in zip(base, counts, strict=True)
            ]
    out.source = "labelled"
    out.labels_used = len(labels)
    return out


def weight_changes(
    before: Model, after: Model, *, min_bits: float = 0.1
) -> list[tuple[str, str, float, float]]:
    """(field, level, weight before, weight after) for weights moved ``min_bits`` or more."""
    old, new = before.weights(), after.weights()
    out = []
    for spec in FIELDS:
        for level, (x, y) in enumerate(zip(old[spec.name], new[spec.name], strict=True)):
            if abs(y - x) >= min_bits:
                out.append((spec.name, spec.levels[level], x, y))
    return out


def train_with_report(
    records: Sequence[Record],
    *,
    labels: Iterable[Label] | None = None,
    min_labels: int | None = None,
    **options: int,
) -> tuple[Model, list[tuple[str, str, float, float]]]:
    """``train``, and how the labels moved the weights against the unlabelled fit."""
    return with_labels_report(
        train_unlabelled(records, **options),
        records,
        labels,
        min_labels=min_labels,
        u_samples=options.get("u_samples", 100_000),
    )


def with_labels_report(
    model: Model,
    records: Sequence[Record],
    labels: Iterable[Label] | None,
    *,
    min_labels: int | None = None,
    u_samples: int = 100_000,
) -> tuple[Model, list[tuple[str, str, float, float]]]:
    """``with_labels``, and how the labels moved the weights of ``model``."""
    labelled = with_labels(model, records, labels, min_labels=min_labels, u_samples=u_samples)
    return labelled, weight_changes(model, labelled) if labelled is not model else []


def train_unlabelled(
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
    whole = (NAME_SOUNDS_SAME, NAME_SAME)
    name_m, name_u = sum(m["name"][i] for i in whole), sum(uu["name"][i] for i in whole)
    from_names = _logit(names.prior) + math.log(name_u / name_m)
    model.prior = 1 / (1 + math.exp(-(from_births + from_names) / 2))
    model.pairs_seen = births.pairs_seen + names.pairs_seen
    count_frequencies(model, records)
    model.source = "em"
    return model


# A child's repeat records mostly carry the same name (the defaults say 57 %).
# A fit whose matches agree on the whole name in fewer than one pair in five
# learned from something else (brothers and sisters, namesakes): a registry
# where hardly a child is recorded twice gives EM no repeats to find.
REPEATS_AGREE_ON_NAME_AT_LEAST = 0.2


def found_repeats(model: Model) -> bool:
    """Whether an unlabelled fit found children recorded twice to learn from.

    What it calls a match must agree on the whole name (sounds the same or the
    same) in at least one pair in five, and show "the same" name clearly more
    often (by 5 %) than any level between "different" and it: a session that
    found nothing leaves every level its equal pseudo-count. Not more often
    than "different": village clerks' records of one child often carry
    another name altogether (a nickname, the mother's name for the child).
    """
    name = model.m["name"]
    whole = name[NAME_SOUNDS_SAME] + name[NAME_SAME]
    others = max(m for level, m in enumerate(name) if level not in (NAME_DIFFERENT, NAME_SAME))
    return (
        model.prior > 1e-9
        and whole >= REPEATS_AGREE_ON_NAME_AT_LEAST
        and name[NAME_SAME] > 1.05 * others
    )


def count_frequencies(model: Model, records: Sequence[Record]) -> Model:
    """Count the model's frequency tables on ``records``; m and u stay.

    The prior, that two records drawn at random are one child, falls as the
    registry grows (a child's records are a few, the pairs grow with the
    square), while the weight of a rare name grows with the records counted:
    counted on a larger registry than the model was fitted on, the prior's
    odds are scaled by the ratio, or every rare name would gain the growth
    with nothing to offset it.
    """
    if model.records and records and len(records) != model.records:
        odds = model.prior / (1 - model.prior) * model.records / len(records)
        model.prior = odds / (1 + odds)
    model.name_freq = name_frequencies(records)
    model.token_counts = token_counts(records)
    model.birth_freq = birth_frequencies(records)
    model.year_freq = year_frequencies(records)
    model.records = len(records)
    return model


_WORK: tuple[Sequence[Record], Model, float] | None = None


def _score_chunk(chunk: list[tuple[int, int]]) -> list[tuple[int, int, Score]]:
    if _WORK is None:
        raise RuntimeError("_score_chunk runs only inside train_and_link")
    records, model, minimum = _WORK
    weights = model.weights()
    version = model.version
    cache: dict[tuple[tuple[int, ...], str, str], Score] = {}
    out = []
    for a, b in chunk:
        ra, rb = records[a], records[b]
        levels = adjust_levels(compare(ra, rb), ra, rb, model)
        # Every level whose weight a key can adjust gets it, as in Scorer.score.
        key = pair_name_key(ra, rb, model, levels[0]) if levels[0] >= NAME_DIFFERENT else ""
        born = pair_birth_key(ra, rb) if levels[1] in (BIRTH_SAME, BIRTH_IN_RANGE) else ""
        score = cache.get((levels, key, born))
        if score is None:
            score = cache[(levels, key, born)] = score_levels(
                levels, model, weights, key, born, version
            )
        if score.probability >= minimum:
            out.append((a, b, score))
    return out


def train_and_link(
    records: Sequence[Record],
    *,
    minimum_probability: float = 0.2,
    model: Model | None = None,
    workers: int | None = None,
    labels: Iterable[Label] | None = None,
) -> tuple[Model, list[tuple[int, int, Score]], dict[str, int]]:
    """Fit a model on the records themselves (unless given), then score every candidate pair.

    ``labels`` (index, index, same?) are passed to ``train``. Each pair is
    compared once, in ``workers`` processes (default: one per CPU; forked, so
    the records are shared, not copied). Returns the model,
    the pairs scoring at least ``minimum_probability`` and counts for reporting.
    """
    global _WORK
    model = model or train(records, labels=labels)
    found = candidates(records)
    total = len(found)
    workers = workers or os.cpu_count() or 1
    _WORK = (records, model, minimum_probability)
    out: list[tuple[int, int, Score]] = []
    try:
        if workers > 1 and total > 200_000 and "fork" in mp.get_all_start_methods():
            # Forked after the candidates are gathered, so the workers share the
            # records; each chunk of pairs is sent to them.
            with mp.get_context("fork").Pool(workers) as pool:
                for _start, pairs in found.slices(SCORE_SLICE):
                    size = len(pairs) // (workers * 4) + 1
                    chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
                    for scored in pool.map(_score_chunk, chunks):
                        out.extend(scored)
        else:
            for _start, pairs in found.slices(SCORE_SLICE):
                out.extend(_score_chunk(pairs))
    finally:
        _WORK = None
    return model, out, {"candidate_pairs": total, "workers": workers}
