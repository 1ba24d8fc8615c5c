"""Comparing two child records: blocking keys, agreement levels and a Fellegi-Sunter score.

Pure Python with no database access, so that the intake lookup, the batch
``kawal dedupe`` and the benchmark in ``bench/identity`` share one model.

The model (docs/identity.md explains it with figures):

- each field of a pair is compared to an *agreement level*, ordered from
  "disagrees" to "agrees exactly" (``FIELDS``); a field missing on either side
  has no level and adds nothing;
- each level has an m-probability (how often true matches show it) and a
  u-probability (how often non-matches show it); its weight is log2(m/u);
- the score is the prior log-odds plus the sum of the weights; the
  probability follows from it. ``estimate`` fits m and the prior by EM;
  u comes from random pairs, where nearly every pair is a non-match;
- family fields (parents, kelurahan, school, city) say little on their own: siblings
  share all of them. When the names are no more than similar they may lower
  the score but not raise it, which keeps brothers and sisters apart.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from kawal.identity.normalise import (
    NICKNAMES,
    canonical_token,
    fold,
    generic_nickname,
    normalise_name,
    phonetic_key,
)

# Tokens too common to block on (they still count when scoring): a block on
# "muhamad" would hold one boy in six.
COMMON_TOKENS = frozenset(
    {"muhamad", "siti", "nur", "abdul", "akhmad", "ahmad", "putri", "dwi", "tri", "sri", "dewi"}
)
# Written or left out as the clerk pleases: "Rizki" and "Muhammad Rizki" are one name.
DROPPABLE = frozenset({"muhamad", "akhmad", "ahmad"})
# Names that may be left out but, written on both records and different, tell
# two children of one family apart: the birth-order names (first to fifth
# child) and the common names above that are not Muhammad or Ahmad.
MARKING_TOKENS = (COMMON_TOKENS - DROPPABLE) | frozenset({"eka", "catur", "panca"})
NO_YEAR = (0, 9999)
# An estimated age is a guess: widen its birth-year window by this much.
GUESS_SLACK = 1


@dataclass(frozen=True, slots=True)
class Record:
    """What matching knows of one child, already normalised."""

    id: Any
    tokens: tuple[str, ...]
    key: str
    alias_tokens: tuple[str, ...] = ()
    parent_tokens: tuple[str, ...] = ()
    birth_date: date | None = None
    birth_exact: bool = False
    # "exact", "year" (a placeholder date: only the year is known), "estimated" or "".
    birth_precision: str = ""
    year_min: int | None = None
    year_max: int | None = None
    sex: str = ""
    nik: str = ""
    nik_birth_date: date | None = None
    nik_sex: str = ""
    kelurahan: str = ""
    school: str = ""
    # Derived once, as every comparison needs them.
    informative: tuple[str, ...] = ()
    info_keys: tuple[str, ...] = ()
    # Phonetic keys of the informative tokens and aliases, for blocking only: wider
    # than ``info_keys`` (short tokens too), as a candidate costs only a comparison.
    block_name_keys: frozenset[str] = frozenset()
    # Canonical informative tokens of ``EDIT_TOKEN`` letters or more, for the one-edit pass.
    edit_tokens: tuple[str, ...] = ()
    parent_keys: frozenset[str] = frozenset()
    # Keys of exact recorded aliases and of the names a listed nickname stands for.
    nick_keys: frozenset[str] = frozenset()
    # Precomputed for fast comparing.
    token_set: frozenset[str] = frozenset()
    info_key_set: frozenset[str] = frozenset()
    # Keys of every name token but Muhammad and Ahmad, which forms add or drop at will.
    core_key_set: frozenset[str] = frozenset()
    info_text: str = ""
    parent_text: str = ""
    # (canonical token, word as written) for given names written with a vowel
    # doubled (Saadah, before "sadah"): the one-word spelling of a name whose
    # apostrophe another record typed as a space.
    doubled_vowels: tuple[tuple[str, str], ...] = ()

    @property
    def years(self) -> tuple[int, int]:
        if self.year_min is None or self.year_max is None:
            return NO_YEAR
        return self.year_min, self.year_max


def _today() -> date:
    from django.utils import timezone

    try:
        return timezone.localdate()
    except Exception:  # no Django settings: the benchmark runs without them
        return datetime.now(tz=UTC).date()


def nik_implied(nik: str) -> tuple[date | None, str]:
    """Birth date and sex a 16-digit NIK encodes (women's day + 40), or (None, "")."""
    if len(nik) != 16 or not nik.isdigit():
        return None, ""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "M"
    if day > 40:
        sex, day = "F", day - 40
    this_year = _today().year
    year = 2000 + yy if 2000 + yy <= this_year else 1900 + yy
    try:
        return date(year, month, day), sex
    except ValueError:
        return None, ""


# Days clerks write when only the birth year is known: "DD-MM" is that day of that
# month, "DD" that day of any month. Overridden by the KAWAL_PLACEHOLDER_BIRTH_DAYS setting.
PLACEHOLDER_BIRTH_DAYS: tuple[str, ...] = ("01-01", "01-07", "31-12", "15")


def _setting(name: str) -> Any:
    """A Django setting, or None where there is none (the benchmark runs without settings)."""
    from django.conf import settings

    return getattr(settings, name, None) if settings.configured else None


def placeholder_days() -> tuple[str, ...]:
    """The placeholder list in force: the Django setting when there is one, else the default."""
    configured = _setting("KAWAL_PLACEHOLDER_BIRTH_DAYS")
    return PLACEHOLDER_BIRTH_DAYS if configured is None else tuple(configured)


def is_placeholder(born: date, days: Iterable[str]) -> bool:
    """Whether a date is one clerks write for "born some time that year"."""
    for day in days:
        parts = day.strip().split("-")
        if len(parts) == 1 and parts[0].isdigit() and int(parts[0]) == born.day:
            return True
        if (
            len(parts) == 2
            and all(p.isdigit() for p in parts)
            and (int(parts[0]), int(parts[1])) == (born.day, born.month)
        ):
            return True
    return False


_BRACKETED = re.compile(r"\(([^()]*)\)")

# Tokens this short are compared letter for letter: as phonetic keys "Lili",
# "Lala" and "Lulu" would be one name.
SHORT_TOKEN = 4
# Tokens at least this long get one-edit blocking keys in a batch; shorter ones
# would meet half the registry after one deletion ("ad" from Adi, Ade, Ida).
EDIT_TOKEN = 4
# The lookup index stores them only from this length: its rows must stay few.
LOOKUP_EDIT_TOKEN = 5
LOOKUP_EDIT_TOKEN_AT_MOST = 20


def token_key(token: str) -> str:
    """What a name token is compared by: itself when short, else its phonetic key."""
    return token if len(token) <= SHORT_TOKEN else phonetic_key(token)


def deletion_keys(token: str) -> set[str]:
    """The token and every spelling of it with one letter left out.

    Two spellings one edit apart (a letter changed, added or dropped) always
    share one of these, so blocking on them survives a typo the phonetic key
    does not absorb.
    """
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}


def make_record(
    id: Any,
    *,
    full_name: str,
    aliases: Iterable[str] = (),
    parent_names: Iterable[str] = (),
    birth_date: date | None = None,
    birth_date_estimated: bool = False,
    birth_date_documented: bool = False,
    placeholder_days: Iterable[str] | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    as_of: date | None = None,
    sex: str = "",
    nik: str = "",
    kelurahan: str = "",
    school: str = "",
) -> Record:
    """Build a record from what a form or the database holds.

    A birth date on a placeholder day (``placeholder_days``; None: the setting)
    that was not copied from a document counts as "year known". A NIK that
    encodes the same date is such a document.
    """
    # "Juli Rahmawati (Lili)": what a clerk puts in brackets is what the child is called.
    bracketed = _BRACKETED.findall(full_name)
    if bracketed:
        full_name = _BRACKETED.sub(" ", full_name)
        aliases = [*aliases, *bracketed]
    name = normalise_name(full_name)
    alias_tokens: list[str] = []
    for alias in aliases:
        alias_tokens.extend(normalise_name(alias).tokens)
    parents = list(name.parent)
    for parent in parent_names:
        parents.extend(normalise_name(parent).tokens)
    nik_digits = "".join(ch for ch in nik if ch.isdigit())
    nik_birth, nik_sex = nik_implied(nik_digits)
    precision = ""
    year_min = year_max = None
    if birth_date is not None:
        documented = birth_date_documented or (len(nik_digits) == 16 and nik_birth == birth_date)
        days = _placeholder_days() if placeholder_days is None else tuple(placeholder_days)
        if birth_date_estimated:
            precision = "estimated"
        elif not documented and is_placeholder(birth_date, days):
            precision = "year"
        else:
            precision = "exact"
        slack = GUESS_SLACK if birth_date_estimated else 0
        year_min, year_max = birth_date.year - slack, birth_date.year + slack
    elif age_min is not None:
        # Someone aged a..b on the day of record was born between these years.
        on = (as_of or _today()).year
        high = age_max if age_max is not None else age_min
        year_min, year_max = on - high - 1 - GUESS_SLACK, on - age_min + GUESS_SLACK
    # Tokens that tell children apart; all tokens when every one is common.
    informative = tuple(t for t in name.tokens if t not in COMMON_TOKENS) or name.tokens
    parent_tokens = tuple(dict.fromkeys(t for t in parents if t not in COMMON_TOKENS))
    aliases_kept = tuple(dict.fromkeys(t for t in alias_tokens if t not in name.tokens))
    nick_keys = _nickname_keys(informative, alias_tokens)
    block_name = {phonetic_key(t) for t in informative}
    block_name.update(phonetic_key(t) for t in alias_tokens if not generic_nickname(t))
    block_name.update(
        phonetic_key(target)
        for token in (*informative, *alias_tokens)
        for target in NICKNAMES.get(token, ())
    )
    # A first syllable split off at an apostrophe (Sa Adah) is found under
    # the name written as one word (Saadah) too, as ``_joins_as`` reads it.
    block_name.update(
        phonetic_key(joined)
        for x, y in pairwise(name.tokens)
        if _split_vowel(x, y) and (joined := canonical_token(x + y)) not in COMMON_TOKENS
    )
    block_name.discard("")
    return Record(
        id=id,
        tokens=name.tokens,
        key=name.key,
        alias_tokens=aliases_kept,
        parent_tokens=parent_tokens,
        birth_date=birth_date,
        birth_exact=precision == "exact",
        birth_precision=precision,
        year_min=year_min,
        year_max=year_max,
        sex=sex or "",
        nik=nik_digits if len(nik_digits) == 16 else "",
        nik_birth_date=nik_birth,
        nik_sex=nik_sex,
        kelurahan=kelurahan or "",
        school=" ".join(fold(school).split()),
        informative=informative,
        info_keys=tuple(sorted(token_key(t) for t in informative)),
        block_name_keys=frozenset(block_name),
        edit_tokens=tuple(sorted({t for t in informative if len(t) >= EDIT_TOKEN})),
        parent_keys=frozenset(phonetic_key(t) for t in parent_tokens),
        nick_keys=nick_keys,
        token_set=frozenset(name.tokens),
        info_key_set=frozenset(token_key(t) for t in informative),
        core_key_set=frozenset(token_key(t) for t in name.tokens if t not in DROPPABLE),
        info_text=" ".join(sorted(informative)),
        doubled_vowels=name.doubled_vowels,
        parent_text=" ".join(sorted(parent_tokens)),
    )


# ``make_record``'s argument of the same name hides the function inside it.
_placeholder_days = placeholder_days


def _nickname_keys(tokens: Sequence[str], aliases: Sequence[str]) -> frozenset[str]:
    """Exact aliases and the names listed nicknames stand for, as comparison keys.

    Short tokens are their own key (``token_key``), so an alias "Lala" meets
    only "Lala", never "Lili" through a shared sound.
    """
    keys = {token_key(t) for t in aliases if not generic_nickname(t)}
    for token in (*tokens, *aliases):
        # A nickname that is also a name (Fajar) stands for itself: that is the
        # name comparison's business, not a nickname hit.
        keys.update(token_key(target) for target in NICKNAMES.get(token, ()) if target != token)
    keys.discard("")
    return frozenset(keys)


# Reviewers' decisions re-estimate the model once at least this many exist
# (the KAWAL_MATCH_MIN_LABELS setting overrides it): fewer fit noise.
MIN_LABELS = 100
# How many labelled pairs the unlabelled fit counts for when labels re-estimate m.
LABEL_PRIOR_WEIGHT = 50.0


def min_labels() -> int:
    """Labels needed before they are used: the setting when there is one, else ``MIN_LABELS``."""
    configured = _setting("KAWAL_MATCH_MIN_LABELS")
    return MIN_LABELS if configured is None else int(configured)


# The scheme of ``block_keys``; raise it whenever the keys a record gets change,
# so ``kawal dedupe`` rebuilds the stored index (2: one-edit "e:" keys; 3: a final
# "ie" read as "i"; 4: Noor/Nor read as Nur, Puteri/Putera as Putri/Putra;
# 5: "d:" a name and the birthday, in any year; 6: Sa Adah found as Saadah).
BLOCK_KEYS_VERSION = 6
# The scheme of ``compare`` and the scoring rules; raise it whenever the same
# two records may score differently, so the next ``kawal dedupe`` scores every
# stored pair again (1: a name split by a space read as one before the
# sibling rule; 2: a first syllable split off at an apostrophe, Sa Adah;
# 3: a name no other child carries weighs at least as a name one other carries,
# and a name on a placeholder date counts each record as a child; 4: two
# kelurahan of one kabupaten or kota compared as the city field).
COMPARISON_VERSION = 4


def comparison_id() -> str:
    """The comparison in force: its version and the placeholder days, a setting that changes it."""
    days = ",".join(sorted(placeholder_days()))
    digest = hashlib.sha1(days.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{COMPARISON_VERSION}:{digest}"


# --- Blocking ------------------------------------------------------------------


def name_keys(record: Record) -> set[str]:
    """Phonetic keys a record is found under: names, aliases, what nicknames stand for."""
    return set(record.block_name_keys)


def lookup_edit_token(record: Record) -> str:
    """The one name token whose one-edit keys the lookup index stores: the longest.

    One token keeps the rows per child few; a typo in another token leaves
    the longest one shared, and its name key finds the pair.
    """
    longest = max(record.edit_tokens, key=lambda t: (len(t), t), default="")
    # A "token" longer than any name (words typed without spaces) would add a
    # row per letter, cut to the key column's length.
    return longest if LOOKUP_EDIT_TOKEN <= len(longest) <= LOOKUP_EDIT_TOKEN_AT_MOST else ""


# Tokens paired for the birthday keys (at most ten pairs).
PAIRED_TOKENS_AT_MOST = 5


def sexes(record: Record) -> tuple[str, ...]:
    """The sex blocks a record joins: an unrecorded sex joins both."""
    return (record.sex,) if record.sex else ("M", "F")


def birthday(record: Record) -> str:
    """Day and month of an exact birth date, in either order ("" when not exact)."""
    if not record.birth_exact or record.birth_date is None:
        return ""
    born = record.birth_date
    low, high = sorted((born.day, born.month))
    return f"{low}:{high}"


def token_pair_keys(record: Record) -> set[str]:
    """Every two of the name's tokens, by sound, common names included.

    "Sity Dewi" may be all a record has of "Siti Dewi Kurniawati": both names
    are common, so neither is a name key, but the two together tell more than
    either, and keep a block with a birthday small in a large registry.
    Only the ``PAIRED_TOKENS_AT_MOST`` longest keys are paired: the pairs
    grow with the square of the tokens, and a long name typed as a
    description would fill the index and every lookup with them.
    """
    keys = sorted({phonetic_key(t) for t in record.tokens} - {""}, key=lambda k: (-len(k), k))
    keys = sorted(keys[:PAIRED_TOKENS_AT_MOST])
    return {f"{a}+{b}" for i, a in enumerate(keys) for b in keys[i + 1 :]}


def birthday_keys(record: Record) -> list[str]:
    """A name key, or two of the name's tokens, with the birthday and sex, in any year.

    A year typed wrong (2015 for 2016, or decades off) puts a pair outside
    every year window; day and month in either order, as they are swapped too.
    """
    day = birthday(record)
    if not day:
        return []
    keys = sorted(name_keys(record) | token_pair_keys(record))
    return [f"{day}:{sex}:{key}" for key in keys for sex in sexes(record)]


def block_keys(record: Record) -> list[tuple[str, int, int]]:
    """(key, first birth year, last birth year) rows stored for a record.

    A lookup meets a stored row when the key is equal and the birth-year
    windows overlap; an unknown birth spans every year.
    """
    low, high = record.years
    rows = [(f"n:{key}", low, high) for key in sorted(name_keys(record))]
    edit = lookup_edit_token(record)
    if edit:
        rows.extend((f"e:{key}", low, high) for key in sorted(deletion_keys(edit)))
    if record.nik:
        rows.append((f"i:{record.nik}", *NO_YEAR))
    for key in sorted(record.parent_keys):
        rows.append((f"p:{key}", low, high))
    if record.kelurahan:
        rows.append((f"k:{record.kelurahan}:{record.sex}", low, high))
    rows.extend((f"d:{key}", *NO_YEAR) for key in birthday_keys(record))
    return rows


def lookup_keys(record: Record) -> list[str]:
    """Keys a lookup searches under: the same as stored, plus name keys without nickname targets."""
    return [key for key, _low, _high in block_keys(record)]


# --- Comparing -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    levels: tuple[str, ...]  # ordered from "disagrees" to "agrees exactly"
    m: tuple[float, ...]
    u: tuple[float, ...]
    family: bool = False


# Defaults: guesses from practice, replaced by EM estimates once data exists.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        (
            "different",
            "one_name_shared",
            "similar",
            "very_similar",
            "nickname",
            "part",
            "sounds_same",
            "same",
        ),
        (0.03, 0.03, 0.05, 0.10, 0.10, 0.12, 0.22, 0.35),
        (0.92, 0.01, 0.05, 0.012, 0.004, 0.002, 0.001, 0.001),
    ),
    FieldSpec(
        "birth",
        ("different", "in_range", "same_year", "year_off_by_one", "day_month_swapped", "same"),
        (0.08, 0.30, 0.15, 0.07, 0.05, 0.35),
        (0.8025, 0.13, 0.066, 0.0005, 0.0002, 0.0008),
    ),
    FieldSpec("sex", ("different", "same"), (0.02, 0.98), (0.5, 0.5)),
    FieldSpec(
        "nik",
        ("different", "one_digit_or_swap", "same"),
        (0.05, 0.10, 0.85),
        (0.99998, 0.00001, 0.00001),
    ),
    FieldSpec("nik_implies", ("different", "same"), (0.15, 0.85), (0.9995, 0.0005)),
    FieldSpec(
        "parents", ("different", "similar", "same"), (0.15, 0.15, 0.70), (0.97, 0.02, 0.01), True
    ),
    FieldSpec("kelurahan", ("different", "same"), (0.30, 0.70), (0.95, 0.05), True),
    FieldSpec("school", ("different", "same"), (0.20, 0.80), (0.97, 0.03), True),
    # Compared only where the kelurahan differ. The defaults weigh nothing either
    # way; a fit on a registry of many cities learns how telling a shared city
    # is (``_city_level``).
    FieldSpec("city", ("different", "same"), (0.05, 0.95), (0.05, 0.95), True),
)
FIELD_NAMES = tuple(spec.name for spec in FIELDS)
# Name levels, by index in FIELDS[0].levels.
(
    NAME_DIFFERENT,
    NAME_ONE_SHARED,
    NAME_SIMILAR,
    NAME_VERY_SIMILAR,
    NAME_NICKNAME,
    NAME_PART,
    NAME_SOUNDS_SAME,
    NAME_SAME,
) = range(len(FIELDS[0].levels))
# Share of matches among candidate pairs (after blocking), before EM has run.
DEFAULT_PRIOR = 0.01


def _sex_marked_pair(a: Record, b: Record) -> bool:
    """Whether tokens the two names share by sound are really a brother's and a sister's.

    The phonetic key ignores vowels, but a final vowel often marks sex in
    Indonesian names (Putra/Putri, Rizki/Rizka, Dewa/Dewi), and siblings are
    given such pairs (Fajar/Fajri too). Two tokens with the same key whose
    last letters mark sex (``_sex_marked_ending``), or that are spelled far
    apart (Naufal/Nabil), are two names, not one name spelled two ways
    (Anggraeni/Anggraini, Ahmad/Ahmat, Farhunnisa/Farhunniso still are).
    """
    # Common names left out at will ("Siti Aminah" is often just "Aminah") but
    # not swapped: "Dwi Wahyudi" and "Tri Wahyudi" are the second and the third
    # child of one family, "Putri Pratama" and "Dewi Pratama" two sisters.
    # Another marking name on both ("Dwi Putri" / "Tri Putri") does not make them one.
    marks_a, marks_b = MARKING_TOKENS.intersection(a.tokens), MARKING_TOKENS.intersection(b.tokens)
    if marks_a - marks_b and marks_b - marks_a:
        return True
    # By sound, whatever the length: short names are compared letter for letter
    # elsewhere, which would hide Yuda/Yudi and Adi/Ade from this check. Every
    # token, common ones too: Putri and Dewi tell nobody apart, but against
    # Putra and Dewa they tell a sister from her brother.
    for x in a.tokens:
        key = phonetic_key(x)
        for y in b.tokens:
            if y == x or phonetic_key(y) != key:
                continue
            if _sex_marked_ending(x, y) or fuzz.ratio(x, y) < 70:
                return True
    return False


def _one_word_or_two(a: Record, b: Record) -> bool:
    """Whether two records' names are one name, some of its words joined in one of them.

    Each token of the shorter name must be the next tokens of the longer one
    written together (``_joins_as``), whichever of the two is given first.
    """
    short, long = (a, b) if len(a.tokens) < len(b.tokens) else (b, a)
    at = 0
    for token in short.tokens:
        end = at + 1
        written = tuple(word for canonical, word in short.doubled_vowels if canonical == token)
        while end <= len(long.tokens) and not _joins_as(long.tokens[at:end], token, written):
            end += 1
        if end > len(long.tokens):
            return False
        at = end
    return at == len(long.tokens)


def _split_vowel(before: str, part: str) -> bool:
    """A first syllable of two letters before a part starting with its vowel (Sa Adah).

    Two letters, not one: "A Andi" is an initial and a name.
    """
    return len(before) == 2 and before[-1] == part[0] and part[0] in "aeiou"


def _joins_as(parts: tuple[str, ...], token: str, written: tuple[str, ...] = ()) -> bool:
    """Whether the parts written together are the token, letter for letter.

    Two things a one-word spelling changes are allowed: a consonant doubled
    where two parts meet is one (Nur Rahman / Nurrahman), and a final "ie"
    after a consonant is "i" (Hartat Ie / Hartatie). Nothing else the
    normaliser would rewrite across the join is: a vowel ending one part and
    starting the next (Riana Aditya is a sister's name against her brother's
    Rianaditya), or "o" meeting "e" (Bayo Eka is not Bayuka). One vowel is
    allowed after a first syllable of two letters split off at an apostrophe,
    where the one word was ``written`` with that vowel doubled right there
    (Sa'adah typed as Sa Adah, against Saadah; Ma Arif / Maarif). Without
    it the one word is another name (Ni Ita / Nita, Ai Ina / Aina, Nisaa:
    "Ni" and "Ai" are names of their own).
    """
    if len(parts) == 1:
        return parts[0] == token
    # Only where the first two parts meet, the one word written with the vowel doubled there.
    first = parts[0] + parts[0][-1]
    split = _split_vowel(parts[0], parts[1]) and any(w.startswith(first) for w in written)
    joined = parts[0]
    for index, part in enumerate(parts[1:]):
        doubled = joined[-1] == part[0] and (joined[-1] not in "aeiou" or (split and index == 0))
        joined += part[1:] if doubled else part
    if joined == token:
        return True
    return (
        len(joined) > 2
        and joined.endswith("ie")
        and joined[-3] not in "aeiou"
        and joined[:-2] + "i" == token
    )


def _sex_marked_ending(x: str, y: str) -> bool:
    """Whether the endings of two spellings tell a brother's name from a sister's.

    An "i" against another vowel (Putra/Putri, Suwarno/Suwarni) does; so does
    a vowel against a consonant, even one letter apart: a sister's name is
    often the brother's with a vowel added (Febrian/Febriana, Dian/Diana),
    so a letter dropped at the end cannot be read as a slip.
    "a", "o" and "u" against each other do not: Javanese writes one sound as
    Suwarna or Suwarno, and clerks swap them (Farhunnisa/Farhunniso, Soewarnu).
    """
    last_x, last_y = x[-1], y[-1]
    if last_x == last_y:
        return False
    vowels = "aeiou"
    if (last_x in vowels) != (last_y in vowels):
        return True
    return last_x in vowels and "i" in (last_x, last_y)


def generic_name(record: Record) -> bool:
    """Only generic nicknames (Dede, Ucok): a name that tells no child apart."""
    return all(generic_nickname(token) for token in record.tokens)


def _name_level(a: Record, b: Record) -> int:
    if not a.informative or not b.informative:
        return -1
    if generic_name(a) and generic_name(b):
        return -1  # "Dede" and "Dede": a nickname any youngest child gets
    if a.token_set == b.token_set:
        return NAME_SAME
    sa, sb = a.info_key_set, b.info_key_set
    if len(a.tokens) != len(b.tokens) and _one_word_or_two(a, b):
        # One name written as one word or two (Nurhayati / Nur Hayati, Dwiputra /
        # Dwi Putra, Hartatie / Hartat Ie): clerks write both, and no brother or
        # sister is told apart so. The same letters in the same order, so it
        # comes before the sibling rule, which would read Yul/Yulia as a
        # brother's name and a sister's. "A Dek" is still "Adek", a nickname
        # that tells nobody apart.
        generic = any(generic_nickname(canonical_token("".join(r.tokens))) for r in (a, b))
        return -1 if generic else NAME_SOUNDS_SAME
    if _sex_marked_pair(a, b):
        # Two different names, as siblings are given (Rizki/Rizka); the name they
        # may still share weighs through ``pair_name_key``, capped below "likely".
        return NAME_DIFFERENT
    if sa & sb:
        if a.info_keys == b.info_keys:
            return NAME_SOUNDS_SAME
        # One name inside the other counts only when nothing but Muhammad/Ahmad
        # is left out: "Nur Hidayat" is not part of "Yuni Hidayat".
        ca, cb = a.core_key_set, b.core_key_set
        if ca and cb and (ca <= cb or cb <= ca):
            return NAME_PART
    # A recorded alias, or a name a listed nickname stands for, is a name of the
    # other (short names letter for letter). Two children sharing the nickname
    # "Kiki" are no evidence.
    if a.nick_keys & sb or b.nick_keys & sa:
        return NAME_NICKNAME
    ratio = fuzz.ratio(a.info_text, b.info_text)
    if ratio >= 88:
        return NAME_VERY_SIMILAR
    if ratio >= 75:
        return NAME_SIMILAR
    # One name the same and another not (a surname replaced, a given name
    # changed): weaker than a similar spelling, and below the level from which
    # family fields count, as brothers and sisters share names this way.
    return NAME_ONE_SHARED if sa & sb or _one_edit_token(a, b) else 0


def _one_edit_token(a: Record, b: Record) -> bool:
    """Whether a name token of one is at most one edit from a token of the other."""
    return any(
        OSA.distance(x, y, score_cutoff=1) <= 1 for x in a.edit_tokens for y in b.edit_tokens
    )


def _swapped(a: date, b: date) -> bool:
    return a.year == b.year and a.day == b.month and a.month == b.day and a != b


def _birth_level(a: Record, b: Record) -> int:
    if a.year_min is None or b.year_min is None:
        return -1
    if a.birth_exact and b.birth_exact and a.birth_date and b.birth_date:
        da, db = a.birth_date, b.birth_date
        if da == db:
            return 5
        if _swapped(da, db):
            return 4
        if abs(da.year - db.year) == 1 and (da.month, da.day) == (db.month, db.day):
            return 3
        if abs((da - db).days) <= 366:
            return 1
        return 0
    if a.birth_date and b.birth_date:
        # A placeholder date says only the year; an estimated one, the year give or take one.
        gap = abs(a.birth_date.year - b.birth_date.year)
        estimated = "estimated" in (a.birth_precision, b.birth_precision)
        if gap == 0 or (gap == 1 and estimated):
            return 2
        if gap == 1:
            return 1
    (al, ah), (bl, bh) = a.years, b.years
    return 1 if al <= bh and bl <= ah else 0


def _nik_distance_one(a: str, b: str) -> bool:
    diff = [i for i in range(16) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and (a[diff[1]] == b[diff[0]])
    )


def _nik_level(a: Record, b: Record) -> int:
    if not a.nik or not b.nik:
        return -1
    if a.nik == b.nik:
        return 2
    return 1 if _nik_distance_one(a.nik, b.nik) else 0


def _nik_implies_level(a: Record, b: Record) -> int:
    """One side's NIK against the other side's recorded birth date and sex."""
    if a.nik and b.nik:
        return -1  # the NIK field itself decides
    holder, other = (a, b) if a.nik else (b, a)
    if not holder.nik or holder.nik_birth_date is None or not other.birth_exact:
        return -1
    if holder.birth_exact:
        # Both recorded a birth date: the birth field compares them, and the NIK
        # (which encodes the holder's date) would count the same agreement twice.
        return -1
    same = other.birth_date == holder.nik_birth_date and (
        not other.sex or other.sex == holder.nik_sex
    )
    return 1 if same else 0


def _parents_level(a: Record, b: Record) -> int:
    if not a.parent_tokens or not b.parent_tokens:
        return -1
    if a.parent_keys & b.parent_keys:
        return 2
    return 1 if fuzz.ratio(a.parent_text, b.parent_text) >= 80 else 0


def _school_level(a: Record, b: Record) -> int:
    if not a.school or not b.school:
        return -1
    return 1 if fuzz.token_set_ratio(a.school, b.school) >= 85 else 0


# A Kemendagri region code's kabupaten or kota: "64.71" of "64.71.01.1001".
_CITY_OF_CODE = re.compile(r"^(\d{2}\.\d{2})\.")


def region_city(code: str) -> str:
    """The kabupaten or kota of a region code, or "" for anything else (a typed place name)."""
    found = _CITY_OF_CODE.match(code)
    return found.group(1) if found else ""


def _city_level(a: Record, b: Record) -> int:
    """Whether two kelurahan that differ lie in one kabupaten or kota.

    A registry of one city learns nothing from it (every pair shares the
    city) and weighs it at nothing. In a registry of many, children found
    again are mostly found in their own city while two children drawn at
    random seldom share one, so a child found in the next kelurahan is not
    counted as far from home as one found across the country.
    """
    if not a.kelurahan or not b.kelurahan or a.kelurahan == b.kelurahan:
        return -1
    city_a, city_b = region_city(a.kelurahan), region_city(b.kelurahan)
    if not city_a or not city_b:
        return -1
    return 1 if city_a == city_b else 0


def compare(a: Record, b: Record) -> tuple[int, ...]:
    """The agreement level of each field in ``FIELDS`` order; -1 where a side lacks it."""
    return (
        _name_level(a, b),
        _birth_level(a, b),
        (1 if a.sex == b.sex else 0) if a.sex and b.sex else -1,
        _nik_level(a, b),
        _nik_implies_level(a, b),
        _parents_level(a, b),
        (1 if a.kelurahan == b.kelurahan else 0) if a.kelurahan and b.kelurahan else -1,
        _school_level(a, b),
        _city_level(a, b),
    )


# --- Weights and scores ------------------------------------------------------------


@dataclass
class Model:
    """m and u per field level, and the prior probability that a candidate pair matches."""

    m: dict[str, list[float]] = field(
        default_factory=lambda: {spec.name: list(spec.m) for spec in FIELDS}
    )
    u: dict[str, list[float]] = field(
        default_factory=lambda: {spec.name: list(spec.u) for spec in FIELDS}
    )
    prior: float = DEFAULT_PRIOR
    likely: float = 0.90
    possible: float = 0.40
    pairs_seen: int = 0
    # Records the frequency tables were counted on (token_counts are raw counts).
    records: int = 0
    # Share of records per informative name key ("term frequency"): agreeing on a
    # rare name says more than agreeing on a common one. Empty: no adjustment.
    name_freq: dict[str, float] = field(default_factory=dict)
    # How many children carry each name token (only tokens seen often): two
    # established names that look alike (Rafi/Rafli, Arif/Arifin) are two names,
    # while a rare look-alike of a common name is a misspelling.
    token_counts: dict[str, int] = field(default_factory=dict)
    # Share of records per exact birth date (ISO), for the same adjustment on dates:
    # a date many children share (a school's enrolment default) says less.
    birth_freq: dict[str, float] = field(default_factory=dict)
    # Share of records per birth year (a record's window of years spread evenly
    # over it): an age range agreeing over years many children were born in says less.
    year_freq: dict[str, float] = field(default_factory=dict)
    # "defaults", "em" (fitted without labels) or "labelled" (reviewers' decisions used).
    source: str = "defaults"
    labels_used: int = 0

    @property
    def version(self) -> str:
        """Which model scored a pair: its source and a digest of its parameters."""
        digest = hashlib.sha1(
            json.dumps([self.m, self.u, self.prior], sort_keys=True).encode(),
            usedforsecurity=False,
        ).hexdigest()[:10]
        return f"{self.source}-{digest}"

    def weights(self) -> dict[str, list[float]]:
        """log2(m/u) per level, made monotone: a higher level never weighs less."""
        out: dict[str, list[float]] = {}
        for spec in FIELDS:
            raw = [
                math.log2(max(m, 1e-6) / max(u, 1e-6))
                for m, u in zip(self.m[spec.name], self.u[spec.name], strict=True)
            ]
            # Full disagreement counts against a match, before the ordering, so a
            # level no pair ever showed (another city, in a registry of one)
            # cannot lift the levels above it with its smoothing alone.
            raw[0] = min(raw[0], 0.0)
            for i in range(1, len(raw)):
                raw[i] = max(raw[i], raw[i - 1])
            # Full agreement counts for a match.
            raw[-1] = max(raw[-1], 0.0)
            out[spec.name] = raw
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "m": self.m,
            "u": self.u,
            "prior": self.prior,
            "likely": self.likely,
            "possible": self.possible,
            "pairs_seen": self.pairs_seen,
            "records": self.records,
            "name_freq": self.name_freq,
            "token_counts": self.token_counts,
            "birth_freq": self.birth_freq,
            "year_freq": self.year_freq,
            "source": self.source,
            "labels_used": self.labels_used,
            "version": self.version,
        }

    @staticmethod
    def fits_levels(data: dict[str, Any], *, added: bool = False) -> bool:
        """Whether stored parameters were fitted for today's comparison levels.

        ``added``: whether they can still score today's comparisons, where a
        field added since (the city) is missing but its defaults weigh nothing
        (m equal to u at every level): the stored weights then score every
        pair as they did when fitted.
        """
        for spec in FIELDS:
            stored = [(data.get(part) or {}).get(spec.name) for part in ("m", "u")]
            if added and stored == [None, None] and spec.m == spec.u:
                continue
            if not all(isinstance(v, list) and len(v) == len(spec.levels) for v in stored):
                return False
        return True

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        model = cls()
        # A model fitted for other comparison levels (an older version) is not
        # mixed with the defaults: its prior belongs to its own weights. The
        # defaults serve whole until `kawal dedupe` fits again. A field added
        # since that weighs nothing by default is no such mix (``added``).
        if not cls.fits_levels(data, added=True):
            return model
        for spec in FIELDS:
            for part, target in (("m", model.m), ("u", model.u)):
                values = data.get(part, {}).get(spec.name)
                if isinstance(values, list) and len(values) == len(spec.levels):
                    target[spec.name] = [float(v) for v in values]
        model.prior = float(data.get("prior", DEFAULT_PRIOR))
        model.likely = float(data.get("likely", model.likely))
        model.possible = float(data.get("possible", model.possible))
        model.pairs_seen = int(data.get("pairs_seen", 0))
        model.records = int(data.get("records", 0))
        # The frequency tables; a missing or malformed one stays empty (no adjustment).
        for name, cast in _TABLES:
            table = data.get(name) or {}
            if isinstance(table, dict):
                setattr(model, name, {str(k): cast(v) for k, v in table.items()})
        model.source = str(data.get("source", "em" if data.get("pairs_seen") else "defaults"))
        model.labels_used = int(data.get("labels_used", 0))
        return model


# The model's frequency tables as stored, with the type of their values.
_TABLES: tuple[tuple[str, type], ...] = (
    ("name_freq", float),
    ("token_counts", int),
    ("birth_freq", float),
    ("year_freq", float),
)


@dataclass(frozen=True)
class Score:
    levels: tuple[int, ...]
    weights: tuple[float, ...]
    total: float
    probability: float
    band: str  # "likely", "possible" or ""
    model_version: str = ""
    # What the name's weight was looked up under (``pair_name_key``), if anything.
    name_key: str = ""

    def explain(self) -> list[dict[str, Any]]:
        """What agreed and what did not, field by field, for the candidate panel."""
        rows = []
        shared = self.name_key.startswith(SHARED_KEY)
        for spec, level, weight in zip(FIELDS, self.levels, self.weights, strict=True):
            if level < 0 and spec.name == "city":
                continue  # compared only where the kelurahan differ: nothing to say
            if level < 0:
                rows.append({"field": spec.name, "level": "missing", "weight": 0.0})
                continue
            label = spec.levels[level]
            if spec.name == "name" and level == NAME_DIFFERENT and shared:
                # Weighed as the one name both carry: say so, or a reviewer sees
                # "different" with a weight for the pair.
                label = "different_one_shared"
            rows.append({"field": spec.name, "level": label, "weight": round(weight, 1)})
        return rows


# Family fields (parents, kelurahan, school) may raise a score only from this
# name level up ("nickname"): brothers and sisters share all of them and are
# often given names one letter apart (Rafi/Rafli, Naufal/Naufan) that no count
# of names tells from a typo, so below it they can only lower the score.
FAMILY_NAME_LEVEL = NAME_NICKNAME
# Name levels whose weight the name's frequency adjusts: the names agree as a whole.
NAME_WHOLE_LEVELS = (NAME_SOUNDS_SAME, NAME_SAME)
# Prefix of the key ``pair_name_key`` gives a "part" pair: the shorter name's rarest token.
PART_KEY = "t:"
# Prefix of the key for a pair sharing one name and not the rest: the rarest shared token.
SHARED_KEY = "s:"
BIRTH_SAME = 5
BIRTH_IN_RANGE = 1
BIRTH_SAME_YEAR = 2
# Prefix of the birth key of a pair whose birth-year windows overlap: the years both allow.
YEARS_KEY = "y:"
NIK_FIELD = FIELD_NAMES.index("nik")
NIK_SAME = FIELDS[NIK_FIELD].levels.index("same")


def name_weight(level: int, model: Model, weights: dict[str, list[float]], key: str) -> float:
    """The name field's weight, adjusted for how common the agreeing name is.

    For the "sounds_same" and "same" levels u is replaced by the share of records
    carrying that name (Splink calls this a term-frequency adjustment). The
    adjusted weights never fall below the "part" level's weight and "same" never
    below "sounds_same", so raising the level still never lowers the score.
    """
    base = weights["name"]
    if NAME_ONE_SHARED <= level <= NAME_PART and key.startswith(PART_KEY):
        return part_weight(model, weights, key, level)
    if level <= NAME_ONE_SHARED and key.startswith(SHARED_KEY):
        # At "different" only names the sibling rule told apart share a token (a
        # brother's and a sister's, or one child's name with its last letter
        # slipped): they weigh as the name they share, and stay capped below "likely".
        return shared_weight(model, weights, key)
    if level not in NAME_WHOLE_LEVELS or not key:
        return base[level]
    freq = model.name_freq.get(key)
    # Only a whole name's key can be missing from the table for being rare: a
    # token's key ("t:", a name with a token repeated) never is in it.
    if not freq and (":" in key or not model.records or not model.name_freq):
        return base[level]
    m = model.m["name"]
    # A name no other child carries (not in the table) is at least as telling
    # as one a single other child carries, and never less than the model's own
    # weight. That own weight alone comes from u over random pairs, common
    # names and all, which does not shrink as the registry grows: it weighed
    # such a name 2 to 3.5 bits below a name two children share (development
    # data, 10,000 records), and the more so the larger the registry.
    unique = not freq
    freq = freq or 1 / model.records
    sounds_same = max(math.log2(max(m[NAME_SOUNDS_SAME], 1e-6) / max(freq, 1e-9)), base[NAME_PART])
    if unique:
        sounds_same = max(sounds_same, base[NAME_SOUNDS_SAME])
    if level == NAME_SOUNDS_SAME:
        return sounds_same
    same = max(math.log2(max(m[NAME_SAME], 1e-6) / max(freq, 1e-9)), sounds_same)
    return max(same, base[NAME_SAME]) if unique else same


def part_weight(
    model: Model, weights: dict[str, list[float]], key: str, level: int = NAME_PART
) -> float:
    """The "one name is part of the other" weight, lowered when the shared name is common.

    "Syaiful" inside "Arif Syaiful" says little when one child in thirty is
    called Syaiful: u becomes the share of records carrying the rarest token
    of the shorter name. Only lowered, so a rare name cannot make "part"
    outweigh "sounds the same", and never below "one name shared", which is
    what a common name inside another comes down to. The same ceiling holds
    for the levels between them (``level``), so for one pair a higher name
    level never weighs less than a lower one.
    """
    base = weights["name"]
    count = model.token_counts.get(key[len(PART_KEY) :], 0)
    if not count or not model.records:
        return base[level]
    share = count / model.records
    adjusted = math.log2(max(model.m["name"][NAME_PART], 1e-6) / share)
    return min(base[level], max(adjusted, base[NAME_ONE_SHARED]))


def shared_weight(model: Model, weights: dict[str, list[float]], key: str) -> float:
    """The "one name shared" weight, for how common the shared name is.

    "Jiang" shared says more than "Saputra" shared: u becomes the share of
    records carrying the rarest shared token (a token too rare to be counted
    is taken at the count below which tokens are not counted, the least it
    can say). Kept between the "different" and "similar" weights, so raising
    the level never lowers the score.
    """
    base = weights["name"]
    if not model.records:
        return base[NAME_ONE_SHARED]
    count = model.token_counts.get(key[len(SHARED_KEY) :], 0) or NAME_SEEN_AT_LEAST
    share = min(count / model.records, 1.0)
    adjusted = math.log2(max(model.m["name"][NAME_ONE_SHARED], 1e-6) / share)
    return min(max(adjusted, base[NAME_DIFFERENT]), base[NAME_SIMILAR])


def birth_weight(model: Model, weights: dict[str, list[float]], key: str) -> float:
    """The weight of an exact birth-date agreement, adjusted for how common the date is.

    As for names, u is replaced by the share of records born that day, never
    below the weight of the level beneath (so the levels stay ordered).
    """
    base = weights["birth"]
    freq = model.birth_freq.get(key) if key else None
    if not freq:
        return base[BIRTH_SAME]
    adjusted = math.log2(max(model.m["birth"][BIRTH_SAME], 1e-6) / max(freq, 1e-9))
    return max(adjusted, base[BIRTH_SAME - 1], 0.0)


def years_weight(model: Model, weights: dict[str, list[float]], key: str) -> float:
    """The "within the estimated age" weight, lowered when the years both allow hold many children.

    An age of 5-12 agreeing with a birth date says less than the average
    range: u becomes the share of children born in the years both records
    allow. Only lowered (and never below "different"): m is fitted over
    ranges of every width, so raising a narrow range by its u alone would
    overstate it, and at intake it linked brothers and sisters born a year
    apart (the million-child lookup bench: new children with a "likely"
    candidate 7 -> 12 of 200).
    """
    base = weights["birth"]
    if not model.year_freq:
        return base[BIRTH_IN_RANGE]
    first, _, last = key[len(YEARS_KEY) :].partition("-")
    if not (first.isdigit() and last.isdigit()):
        return base[BIRTH_IN_RANGE]
    share = sum(model.year_freq.get(str(year), 0.0) for year in range(int(first), int(last) + 1))
    if share <= 0:
        return base[BIRTH_IN_RANGE]
    adjusted = math.log2(max(model.m["birth"][BIRTH_IN_RANGE], 1e-6) / min(share, 1.0))
    return min(max(adjusted, base[0]), base[BIRTH_IN_RANGE])


def _names_disagree_at(model: Model) -> int:
    """The highest name level that counts as the names disagreeing, for the cap below.

    Until the model is fitted the defaults cannot tell how rare a shared name
    is, and one name shared is how twins are named (Bayu Pratama / Dimas
    Pratama): with the defaults such a pair with one birth date is for a
    reviewer. A fitted model weighs the shared name by its frequency.
    """
    return NAME_ONE_SHARED if model.source == "defaults" else NAME_DIFFERENT


def _likely_cap(model: Model) -> float:
    """The highest total a pair may reach without being "likely"."""
    likely = min(max(model.likely, 1e-9), 1 - 1e-9)
    return math.log2(likely / (1 - likely)) - 1e-6


def score_levels(
    levels: tuple[int, ...],
    model: Model,
    weights: dict[str, list[float]],
    name_key: str = "",
    birth_key: str = "",
    version: str | None = None,
) -> Score:
    """The score of a pattern of levels; ``version`` saves recomputing the model's digest."""
    parts: list[float] = []
    names_differ = 0 <= levels[0] < FAMILY_NAME_LEVEL
    for spec, level in zip(FIELDS, levels, strict=True):
        if level < 0:
            parts.append(0.0)
            continue
        if spec.name == "name":
            weight = name_weight(level, model, weights, name_key)
        elif spec.name == "birth" and level == BIRTH_SAME:
            weight = birth_weight(model, weights, birth_key)
        elif spec.name == "birth" and level == BIRTH_IN_RANGE and birth_key.startswith(YEARS_KEY):
            weight = years_weight(model, weights, birth_key)
        else:
            weight = weights[spec.name][level]
        if spec.family and names_differ:
            # Siblings share parents, home and school: that proves nothing when names differ.
            weight = min(weight, 0.0)
        parts.append(weight)
    prior = min(max(model.prior, 1e-12), 1 - 1e-9)
    total = math.log2(prior / (1 - prior)) + sum(parts)
    if levels[0] <= _names_disagree_at(model) and levels[NIK_FIELD] < NIK_SAME:
        # Names that disagree (or tell nothing, as "Dede") leave a birth date, a sex
        # and a NIK-implied date: two children born the same day are common, so
        # without the same NIK such a pair is for a reviewer, never "likely". A NIK
        # one digit off is not enough: twins registered together get numbers
        # that differ in their last digit (...0001, ...0002).
        total = min(total, _likely_cap(model))
    probability = 1 / (1 + 2 ** (-total)) if total > -60 else 0.0
    band = (
        "likely"
        if probability >= model.likely
        else "possible"
        if probability >= model.possible
        else ""
    )
    return Score(
        levels,
        tuple(parts),
        total,
        probability,
        band,
        model.version if version is None else version,
        name_key,
    )


# A token carried by at least this many children is an established name.
NAME_SEEN_AT_LEAST = 5


def adjust_levels(levels: tuple[int, ...], a: Record, b: Record, model: Model) -> tuple[int, ...]:
    """Similar-looking names that are both established names count as different names."""
    if levels[0] not in (NAME_SIMILAR, NAME_VERY_SIMILAR) or not model.token_counts:
        return levels
    only_a, only_b = a.token_set - b.token_set, b.token_set - a.token_set
    if not only_a or not only_b:
        return levels
    counts = [model.token_counts.get(token, 0) for token in only_a | only_b]
    if min(counts) >= NAME_SEEN_AT_LEAST and min(counts) * 30 >= max(counts):
        # Not one name spelled two ways; what they still share is one name.
        shared = NAME_ONE_SHARED if a.info_key_set & b.info_key_set else NAME_DIFFERENT
        return (shared, *levels[1:])
    return levels


def shared_tokens(a: Record, b: Record) -> list[str]:
    """Name tokens both records carry, as written, that tell a child apart.

    Informative tokens only ("Siti" shared says nothing), not Muhammad or
    Ahmad, which many boys carry in front of their own name, and not a
    generic nickname ("Dede": any youngest child).
    """
    return [
        t
        for t in set(a.informative) & set(b.informative)
        if t not in DROPPABLE and not generic_nickname(t)
    ]


def _shared_key(a: Record, b: Record, counts: dict[str, int]) -> str:
    """``SHARED_KEY`` and the rarest token both records carry, or "" if none.

    A token too rare to be counted (count 0) is the rarest: it is weighed as
    the least common token that would still be counted.
    """
    shared = shared_tokens(a, b)
    return SHARED_KEY + min(shared, key=lambda t: (counts.get(t, 0), t)) if shared else ""


def pair_name_key(
    a: Record, b: Record, model: Model | None = None, level: int | None = None
) -> str:
    """What the frequency adjustment looks up for a pair's name agreement.

    The informative name key both share, or, when one name is part of the
    other, ``PART_KEY`` and the rarest token of the shorter name (by the
    model's token counts). At "one name shared" or "different" (``level``),
    ``SHARED_KEY`` and the rarest token both carry: names that compare as
    different and still carry a token in common are those the sibling rule
    told apart (``_sex_marked_pair``: Rizki Pratama / Rizka Pratama, or
    Aminah Lestari / Amina Lestari, a slip the rule cannot tell from a
    sister), sharing "Pratama" or "Lestari" and no more. At "sounds the
    same" with different keys (one name written as one word or two), the
    commoner of the two spellings' keys, so the pair never weighs more than
    the name written alike.
    """
    if level is not None and level <= NAME_ONE_SHARED:
        # A token shared has its key shared: most different names share neither.
        if model is None or not model.token_counts or not a.info_key_set & b.info_key_set:
            return ""
        return _shared_key(a, b, model.token_counts)
    if a.info_keys != b.info_keys and level == NAME_SOUNDS_SAME:
        keys = (" ".join(a.info_keys), " ".join(b.info_keys))
        freq = model.name_freq if model is not None else {}
        return max(keys, key=lambda k: (freq.get(k, 0.0), k))
    if a.info_keys == b.info_keys:
        return " ".join(a.info_keys)
    if model is None or not model.token_counts:
        return ""
    counts = model.token_counts
    ca, cb = a.core_key_set, b.core_key_set
    if not ca or not cb or not (ca <= cb or cb <= ca):
        return _shared_key(a, b, counts)
    shorter = a if len(ca) <= len(cb) else b
    tokens = [t for t in shorter.tokens if t not in DROPPABLE]
    if not tokens:
        return ""
    # A token too rare to be counted (count 0) is the rarest: part_weight then keeps the base.
    return PART_KEY + min(tokens, key=lambda t: (counts.get(t, 0), t))


def pair_birth_key(a: Record, b: Record) -> str:
    """What the frequency adjustment of the birth field looks up for a pair.

    The exact birth date both share (ISO), or, when at least one side knows
    only a range of years and the ranges overlap, ``YEARS_KEY`` and the years
    both allow ("y:2014-2015").
    """
    if a.birth_exact and b.birth_exact and a.birth_date and a.birth_date == b.birth_date:
        return a.birth_date.isoformat()
    if a.year_min is None or a.year_max is None or b.year_min is None or b.year_max is None:
        return ""
    first, last = max(a.year_min, b.year_min), min(a.year_max, b.year_max)
    if first > last or (a.birth_exact and b.birth_exact):
        return ""
    return f"{YEARS_KEY}{first}-{last}"


class Scorer:
    """Scores pairs with one model, caching its weights."""

    def __init__(self, model: Model | None = None) -> None:
        self.model = model or Model()
        self.weights = self.model.weights()
        self.version = self.model.version

    def score(self, a: Record, b: Record) -> Score:
        levels = adjust_levels(compare(a, b), a, b, self.model)
        return score_levels(
            levels,
            self.model,
            self.weights,
            pair_name_key(a, b, self.model, levels[0]),
            pair_birth_key(a, b),
            self.version,
        )


# --- Estimating the model (EM) -------------------------------------------------------


def estimate_u(
    records: Sequence[Record], *, samples: int = 20000, seed: int = 7
) -> dict[str, list[float]]:
    """u-probabilities from random pairs: almost all of them are different children."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrets
    counts = {spec.name: [1.0] * len(spec.levels) for spec in FIELDS}  # add-one smoothing
    if len(records) < 2:
        return {spec.name: list(spec.u) for spec in FIELDS}
    for _ in range(samples):
        a, b = rng.sample(range(len(records)), 2)
        for spec, level in zip(FIELDS, compare(records[a], records[b]), strict=True):
            if level >= 0:
                counts[spec.name][level] += 1
    return {name: [c / sum(values) for c in values] for name, values in counts.items()}


def estimate(
    patterns: Counter[tuple[int, ...]],
    *,
    u: dict[str, list[float]] | None = None,
    start: Model | None = None,
    rounds: int = 40,
    fields: Iterable[str] | None = None,
) -> Model:
    """Fit m and the prior by expectation-maximisation over candidate-pair patterns.

    ``patterns`` counts identical agreement vectors, so the cost depends on the
    number of distinct patterns, not of pairs. u is held fixed (from
    ``estimate_u``), as estimating both from blocked pairs is unstable.
    ``fields`` limits the fit to those fields: a field the pairs were selected
    on (blocked on) says nothing about matching among them, so its m is kept
    from ``start``. The returned prior is the share of matches among the
    pairs given.
    """
    model = start or Model()
    if u is not None:
        model.u = {name: list(values) for name, values in u.items()}
    total = sum(patterns.values())
    if total == 0:
        return model
    # A field every pair shows at one level (the city, in one city's registry)
    # tells matches from non-matches nothing; its pseudo-counts alone would
    # nudge every posterior.
    shown: list[set[int]] = [set() for _ in FIELDS]
    for levels in patterns:
        for seen, level in zip(shown, levels, strict=True):
            if level >= 0:
                seen.add(level)
    use = [
        (fields is None or spec.name in set(fields)) and len(seen) > 1
        for spec, seen in zip(FIELDS, shown, strict=True)
    ]
    prior = 0.1
    items = list(patterns.items())
    for _ in range(rounds):
        m_counts = {spec.name: [0.5] * len(spec.levels) for spec in FIELDS}
        matched = 0.0
        for levels, count in items:
            lm = math.log(prior)
            lu = math.log(1 - prior)
            for spec, level, used in zip(FIELDS, levels, use, strict=True):
                if level >= 0 and used:
                    lm += math.log(max(model.m[spec.name][level], 1e-9))
                    lu += math.log(max(model.u[spec.name][level], 1e-9))
            diff = lu - lm
            posterior = 1 / (1 + math.exp(diff)) if diff < 700 else 0.0
            weight = posterior * count
            matched += weight
            for spec, level in zip(FIELDS, levels, strict=True):
                if level >= 0:
                    m_counts[spec.name][level] += weight
        new_prior = min(max(matched / total, 1e-6), 0.999)
        for spec, used in zip(FIELDS, use, strict=True):
            if used:
                values = m_counts[spec.name]
                model.m[spec.name] = [c / sum(values) for c in values]
        converged = abs(new_prior - prior) < 1e-7
        prior = new_prior
        if converged:
            break
    model.prior = prior
    model.pairs_seen = total
    return model
