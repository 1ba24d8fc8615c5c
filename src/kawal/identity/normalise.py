"""Indonesian name normalising for matching one child across records.

The same child is written down by Satpol PP as "Moh. Rizky", by the police as
"Muhammad Riski bin Darman" and by Dinas Sosial as "Kiki". This module turns a
written name into comparable parts:

- ``tokens``: the given names in a canonical spelling (case, spacing and
  punctuation folded; Muhammad and its abbreviations unified; old Dutch-era
  spelling modernised; doubled letters collapsed; common letter variants
  folded), in the order written;
- ``parent``: whatever followed ``bin``/``binti`` (the father's name), kept
  apart because it identifies the parent, not the child;
- ``key``: the phonetic key of each token, sorted so that token order does not
  matter (``phonetic_key`` explains the design).

Nicknames are not rewritten here: ``nickname_targets`` says which canonical
tokens a nickname may stand for, and the scorer decides how much that counts.
See docs/identity.md for the table of examples, which the tests check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Every way Muhammad is written or shortened on Indonesian forms.
MUHAMMAD_FORMS = frozenset(
    {
        "muhammad", "muhamad", "muhammat", "muhamat", "mohammad", "mohamad", "mohammed",
        "mohamed", "muhamed", "mochammad", "mochamad", "mokhammad", "mukhammad", "mohd",
        "moh", "moch", "mochd", "muh", "mhd", "md",
    }
)  # fmt: skip
PATRONYMIC_MARKERS = frozenset({"bin", "binti", "bt", "bte", "bint"})

# Ejaan lama (pre-1972 spelling), still alive in parents' names and copied forms.
OLD_SPELLING = (("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("oe", "u"), ("ch", "kh"))
# Letters written in several ways for the same sound.
VARIANTS = (("dh", "d"), ("th", "t"), ("ph", "f"), ("dz", "z"), ("q", "k"), ("v", "f"), ("x", "ks"))
# Whole names written several ways (after the steps above): Banjar and Malay
# write Nur as Noor or Nor (Muhammad Noor), and Puteri/Putera are the older
# spelling of Putri/Putra. As parts of longer names (Norhadi) they stay.
WHOLE_VARIANTS = {"nor": "nur", "puteri": "putri", "putera": "putra"}

# Nickname -> canonical given-name tokens it is commonly short for. Generic
# nicknames ("Dede": the youngest, "Ucok": a boy, "Neng": a girl) stand for no
# name in particular and map to the empty set: a hit on them says little.
NICKNAMES: dict[str, frozenset[str]] = {
    "kiki": frozenset({"rizki", "zaki", "rizka", "kiki"}),
    "riski": frozenset({"rizki"}),
    "iki": frozenset({"rizki", "zaki"}),
    "adi": frozenset({"adi", "hadi", "ahadi"}),
    "fajar": frozenset({"fajar"}),
    "putri": frozenset({"putri"}),
    "ayu": frozenset({"ayu", "rahayu"}),
    "dewi": frozenset({"dewi"}),
    "ika": frozenset({"ika", "kartika", "zulaika"}),
    "mamat": frozenset({"muhamad", "rahmat"}),
    "memet": frozenset({"muhamad"}),
    "udin": frozenset({"nurudin", "syamsudin", "jalaludin", "samsudin"}),
    "iwan": frozenset({"setiawan", "kurniawan", "gunawan", "iwan"}),
    "dede": frozenset(),
    "ade": frozenset(),
    "adek": frozenset(),
    "ucok": frozenset(),
    "butet": frozenset(),
    "neng": frozenset(),
    "upik": frozenset(),
    "nonik": frozenset(),
}


@dataclass(frozen=True)
class NormalisedName:
    tokens: tuple[str, ...]
    parent: tuple[str, ...]
    key: str
    # (canonical token, word as written) for given names written with a vowel
    # doubled, which the canonical spelling collapses (Saadah -> "sadah").
    doubled_vowels: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['`\u2019]", "", text.lower())
    text = re.sub(r"[^a-z]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def canonical_token(token: str) -> str:
    """One given name in its canonical spelling."""
    if token in MUHAMMAD_FORMS:
        return "muhamad"
    if any(old in token for old, _new in OLD_SPELLING):
        # In the old spelling a lone "j" is today's "y" (Tjahjo = Cahyo).
        token = re.sub(r"(?<![dtns])j", "y", token)
    for old, new in OLD_SPELLING + VARIANTS:
        token = token.replace(old, new)
    # "y" between or after consonants sounds as "i" (Rizky/Rizki, Hendry/Hendri);
    # before a vowel it is a consonant (Yuni, Suryani) and stays.
    token = re.sub(r"y(?![aeiou])", "i", token)
    # A final "ie" after a consonant is the old way of writing "i" (Hartatie, Basrie).
    token = re.sub(r"(?<=[^aeiou])ie$", "i", token)
    token = re.sub(r"(.)\1+", r"\1", token)  # doubled letters: Muhammad/Muhamad, Dessy/Desi
    if token in MUHAMMAD_FORMS:
        return "muhamad"
    return WHOLE_VARIANTS.get(token, token)


_DOUBLED_VOWEL = re.compile(r"([aeiou])\1")


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> NormalisedName:
    words = fold(text).split()
    given: list[str] = []
    parent: list[str] = []
    doubled: list[tuple[str, str]] = []
    target = given
    for index, word in enumerate(words):
        if word in PATRONYMIC_MARKERS and given:
            target = parent
            continue
        # A lone "M" before another name is Muhammad abbreviated (M. Rizky).
        if word == "m" and index == 0 and len(words) > 1:
            target.append("muhamad")
            continue
        target.append(canonical_token(word))
        if target is given and _DOUBLED_VOWEL.search(word):
            doubled.append((target[-1], word))
    keys = sorted(phonetic_key(token) for token in given if token)
    return NormalisedName(
        tokens=tuple(given), parent=tuple(parent), key=" ".join(keys), doubled_vowels=tuple(doubled)
    )


# Phonetic classes. Indonesian is written close to how it sounds, so the key
# keeps most consonants and only merges letters that are swapped in practice:
# voiced/voiceless finals (Ahmad/Ahmat, Yakub/Yakup), s/z (Riski/Rizki), f/p/v
# (Novi/Nofi/Popi), k/g/q and kh (Khairul/Hairul is handled by dropping h).
_CLASSES = {
    "b": "P", "p": "P", "f": "P",
    "d": "T", "t": "T",
    "s": "S", "z": "S",
    "k": "K", "g": "K", "c": "C", "j": "J",
    "l": "L", "r": "R", "m": "M", "n": "N", "w": "", "y": "",
}  # fmt: skip


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """A key that equal-sounding spellings of one Indonesian name share.

    Design: start from the canonical spelling; keep the first letter's class
    (a vowel is kept as "A" so Ahmad and Ichsan stay apart from Hamid); drop
    later vowels and "h" (written or not: Mohamad/Moamad, Khairul/Kairul);
    map consonants to the classes above; collapse repeats. "ng" and "ny" are
    single sounds and get their own symbols.
    """
    token = canonical_token(token) if token else token
    if not token:
        return ""
    # kh is written h as often as not (Akhmad/Ahmad, Khairul/Hairul).
    token = token.replace("ng", "1").replace("ny", "2").replace("kh", "h").replace("sy", "s")
    symbols = {"1": "G", "2": "Y"}
    first = token[0]
    if first in "aeiou":
        out = ["A"]
    else:
        out = [symbols.get(first) or _CLASSES.get(first) or first.upper()]
    for ch in token[1:]:
        if ch in "aeiouh":
            continue
        code = symbols.get(ch, _CLASSES.get(ch, ch.upper()))
        if code and code != out[-1]:
            out.append(code)
    return "".join(out)


def generic_nickname(token: str) -> bool:
    """A canonical token that any child may be called (Dede, Ucok): it tells no child apart."""
    return NICKNAMES.get(token) == frozenset()


def nickname_targets(token: str) -> frozenset[str] | None:
    """Canonical names a nickname may stand for; None when the token is no known nickname."""
    return NICKNAMES.get(canonical_token(fold(token)))
