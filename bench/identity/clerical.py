"""Second noise profile for the identity benchmark: records as village and welfare clerks write.

Profile 1 (``generate.Generator``) imitates agency records: Satpol PP, police,
Dinas Sosial and schools, with dates from documents or ages guessed in the
street. This profile is written from a different description of Indonesian
records, those typed from family cards, posyandu books and welfare lists by
clerks who often know the child only by sight:

- **placeholder birth dates**: when only the year is known the clerk types 1
  July (most often), 1 January, 31 December or the 15th of some month, and the
  form shows it as an ordinary date; the year itself may be one off;
- **clerical typos**: keys next to each other on a keyboard, a letter lost,
  doubled or swapped with the next, one digit of the day mistyped, a compound
  name split or joined (Nurhaliza / Nur Haliza), a final vowel changed the way
  Javanese speech changes it (Farhunnisa / Farhunniso, Suwarna / Suwarno);
- **old spelling**: oe, dj, tj, sj, nj, ch and j for y, copied from the
  parents' documents;
- **nicknames without the full name**: the call name alone (Lala for Nabila,
  Kiki for Rizki, Lili for Juli), made the way Indonesian call names are made
  (a final syllable doubled, the last two syllables), or a generic one (Adek,
  Ucok, Nonik); sometimes written in brackets after the name;
- **mother's name only**: forms ask for the mother's birth name, so many
  records name the mother and not the father, and single mothers are common.

The population differs too: larger families, birth-order names (Eka, Dwi,
Tri) and shared first names among siblings, more single-token names, fewer
NIKs. Every record is invented; nothing describes a real child. The code path
is separate from profile 1's on purpose: it shares only the vocabularies in
``names.py`` and the kelurahan list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from generate import REFERENCE_DATE, Row, load_kelurahan
from names import (
    BOYS,
    FATHERS,
    GENERIC_NICKNAMES_BOY,
    GENERIC_NICKNAMES_GIRL,
    GIRLS,
    NICKNAMES_BY_NAME,
    OTHER_REGIONS,
)

FIRST_RECORD = date(2020, 1, 1)
# Days and months a clerk types when only the year is known, with how often.
PLACEHOLDERS = (((7, 1), 0.5), ((1, 1), 0.25), ((12, 31), 0.15), ((0, 15), 0.10))
BIRTH_ORDER = ("eka", "dwi", "tri", "catur")
SHARED_FIRST = ("nur", "siti", "muhammad", "putra", "putri", "dewi", "sri", "dwi")
# Neighbouring keys on the keyboards clerks use.
KEYBOARD = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "r": "et", "s": "ad", "t": "ry", "u": "yi", "w": "qe", "y": "tu", "z": "x",
}  # fmt: skip
# Modern spelling -> old spelling, as copied from older documents.
OLD_FORMS = (("j", "dj"), ("c", "tj"), ("u", "oe"), ("sy", "sj"), ("ny", "nj"), ("kh", "ch"))
VOWELS = "aeiou"


@dataclass
class Kid:
    entity: int
    family: int
    sex: str
    tokens: list[str]
    call_name: str
    birth: date
    documented: bool  # the family holds a birth certificate or a family card
    nik: str
    father: list[str]
    mother: list[str]
    kelurahan: str
    kecamatan: str
    school: str


def syllables(token: str) -> list[str]:
    """Split an Indonesian word into syllables, well enough for making call names."""
    out: list[str] = []
    i = 0
    n = len(token)
    while i < n:
        j = i
        while j < n and token[j] not in VOWELS:
            j += 1
        if j == n:  # trailing consonants join the last syllable
            if out:
                out[-1] += token[i:]
            else:
                out.append(token[i:])
            break
        j += 1
        # A consonant closes the syllable when another consonant follows it, or at the end.
        if (
            token[j : j + 1]
            and token[j] not in VOWELS
            and (j == n - 1 or token[j + 1] not in VOWELS)
        ):
            j += 1
        out.append(token[i:j])
        i = j
    return out


class ClericalGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 13)
        rng = self.rng
        self.kelurahan = load_kelurahan()
        self.boys = sorted(set(BOYS))
        self.girls = sorted(set(GIRLS))
        self.fathers = sorted(set(FATHERS))
        # Popularity differs from profile 1's: a steeper curve over its own shuffle.
        for names in (self.boys, self.girls, self.fathers):
            rng.shuffle(names)
        self.boy_w = [1 / (rank + 2) ** 1.1 for rank in range(len(self.boys))]
        self.girl_w = [1 / (rank + 2) ** 1.1 for rank in range(len(self.girls))]
        self.father_w = [1 / (rank + 3) ** 0.8 for rank in range(len(self.fathers))]
        self.entity = 0
        self.family = 0

    def _given(self, sex: str) -> str:
        if sex == "M":
            return self.rng.choices(self.boys, self.boy_w)[0]
        return self.rng.choices(self.girls, self.girl_w)[0]

    def call_name(self, tokens: list[str], sex: str) -> str:
        """The name a child answers to, made as Indonesian call names are made."""
        rng = self.rng
        main = next((t for t in reversed(tokens) if t not in SHARED_FIRST), tokens[-1])
        known = NICKNAMES_BY_NAME.get(main, ())
        roll = rng.random()
        if known and roll < 0.3:
            return rng.choice(known)
        if roll < 0.15:
            return rng.choice(GENERIC_NICKNAMES_BOY if sex == "M" else GENERIC_NICKNAMES_GIRL)
        parts = syllables(main)
        if len(parts) >= 3 and rng.random() < 0.4:
            return "".join(parts[-2:])
        # The last consonant and vowel doubled: Nabila -> Lala, Rizki -> Kiki,
        # Juli -> Lili, Indra -> Dada (an h after a consonant is not spoken).
        core = parts[-1].rstrip("bcdfghjklmnpqrstvwxyz").replace("h", "") or parts[-1]
        syllable = core[-2:] if len(core) >= 2 and core[-2] not in VOWELS else ""
        return syllable * 2 if syllable else main

    # --- families -------------------------------------------------------------

    def family_children(self) -> list[tuple[Kid, date]]:
        rng = self.rng
        self.family += 1
        size = rng.choices((1, 2, 3, 4, 5, 6), (0.35, 0.25, 0.18, 0.12, 0.06, 0.04))[0]
        kel, kec = rng.choice(self.kelurahan)
        father = [rng.choices(self.fathers, self.father_w)[0]]
        if rng.random() < 0.25:
            father.append(rng.choices(self.fathers, self.father_w)[0])
        mother = [self._given("F")]
        if rng.random() < 0.5:
            other = self._given("F")
            if other != mother[0]:
                mother.append(other)
        documented = rng.random() < 0.55
        birth_order = size >= 2 and rng.random() < 0.15
        shared = rng.choice(("nur", "muhammad", "putra", "dwi")) if rng.random() < 0.5 else ""
        shared_girl = rng.choice(("nur", "siti", "putri", "dewi", "sri"))
        if size < 2 or rng.random() >= 0.2:
            shared = shared_girl = ""
        twins = size >= 2 and rng.random() < 0.07
        first_seen = FIRST_RECORD + timedelta(
            days=rng.randint(0, (REFERENCE_DATE - FIRST_RECORD).days)
        )
        birth = first_seen - timedelta(days=rng.randint(365, 17 * 365))
        out: list[tuple[Kid, date]] = []
        used: set[str] = set()
        for index in range(size):
            self.entity += 1
            sex = rng.choice("MF")
            if index > 0 and not (twins and index == 1):
                birth += timedelta(days=rng.randint(300, 3 * 365))
            main = self._given(sex)
            while main in used:
                main = self._given(sex)
            used.add(main)
            tokens: list[str] = []
            if birth_order and index < len(BIRTH_ORDER):
                tokens.append(BIRTH_ORDER[index])
            elif sex == "M" and shared:
                tokens.append(shared)
            elif sex == "F" and shared_girl:
                tokens.append(shared_girl)
            tokens.append(main)
            shape = rng.random()
            if shape < 0.25 and len(tokens) == 1:
                pass  # a single name, common in Java
            elif shape < 0.85 or len(tokens) > 1:
                extra = self._given(sex)
                if extra not in tokens and len(tokens) < 3:
                    tokens.append(extra)
            else:
                tokens.extend(t for t in (self._given(sex), self._given(sex)) if t not in tokens)
            kid = Kid(
                entity=self.entity,
                family=self.family,
                sex=sex,
                tokens=tokens,
                call_name="",
                birth=min(birth, REFERENCE_DATE - timedelta(days=200)),
                documented=documented and rng.random() < 0.9,
                nik="",
                father=father,
                mother=mother,
                kelurahan=kel,
                kecamatan=kec,
                school="" if rng.random() < 0.35 else f"SDN {rng.randint(1, 40):03d} {kec}",
            )
            kid.call_name = self.call_name(tokens, sex)
            if kid.documented and rng.random() < 0.45:
                region = (
                    "6471" + kel[6:8]
                    if rng.random() < 0.8
                    else rng.choice(OTHER_REGIONS) + f"{rng.randint(1, 12):02d}"
                )
                day = kid.birth.day + (40 if sex == "F" else 0)
                kid.nik = (
                    f"{region}{day:02d}{kid.birth.month:02d}{kid.birth.year % 100:02d}"
                    f"{rng.randint(1, 2999):04d}"
                )
            seen = first_seen + timedelta(days=rng.choice((0, rng.randint(0, 700))))
            seen = max(seen, kid.birth + timedelta(days=180))
            out.append((kid, min(seen, REFERENCE_DATE)))
        return out

    # --- errors ---------------------------------------------------------------

    def typo(self, token: str) -> str:
        """One clerical slip in a word of at least four letters."""
        rng = self.rng
        if len(token) < 4:
            return token
        i = rng.randint(1, len(token) - 1)
        kind = rng.random()
        if kind < 0.35 and token[i] in KEYBOARD:
            return token[:i] + rng.choice(KEYBOARD[token[i]]) + token[i + 1 :]
        if kind < 0.55:
            return token[:i] + token[i + 1 :]
        if kind < 0.7:
            return token[:i] + token[i] + token[i:]
        if kind < 0.85 and i < len(token) - 1:
            return token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        return token[:i] + rng.choice("aiueo") + token[i + 1 :]

    def old_spelling(self, token: str) -> str:
        rng = self.rng
        forms = [(new, old) for new, old in OLD_FORMS if new in token]
        if token.startswith("y") or "y" in token[1:-1]:
            forms.append(("y", "j"))
        if not forms:
            return token
        new, old = rng.choice(forms)
        return token.replace(new, old)

    def final_vowel(self, token: str) -> str:
        if len(token) >= 5 and token.endswith("a"):
            return token[:-1] + "o"
        if len(token) >= 5 and token.endswith("o"):
            return token[:-1] + "a"
        if len(token) >= 5 and token.endswith("i"):
            return token[:-1] + "ie"
        return token

    def split_or_join(self, tokens: list[str]) -> list[str]:
        rng = self.rng
        for i, token in enumerate(tokens):
            for prefix in ("nur", "abdul", "siti"):
                if token.startswith(prefix) and len(token) > len(prefix) + 2:
                    return [*tokens[:i], prefix, token[len(prefix) :], *tokens[i + 1 :]]
        if len(tokens) >= 2 and tokens[0] in ("nur", "abdul") and rng.random() < 0.7:
            return [tokens[0] + tokens[1], *tokens[2:]]
        return tokens

    def write_name(self, kid: Kid) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return kid.call_name.title()  # the call name alone
        tokens = list(kid.tokens)
        if len(tokens) >= 2 and rng.random() < 0.12:
            del tokens[rng.randrange(len(tokens))]
        if len(tokens) >= 2 and rng.random() < 0.03:
            tokens.reverse()
        if rng.random() < 0.05:
            tokens = self.split_or_join(tokens)
        words = []
        for token in tokens:
            if token == "muhammad":  # noqa: S105 - a name, not a secret
                words.append(rng.choice(("Muhammad", "Muhamad", "M.", "Moh.", "Mochamad")))
                continue
            roll = rng.random()
            if roll < 0.12:
                token = self.old_spelling(token)
            elif roll < 0.16:
                token = self.final_vowel(token)
            words.append(token)
        roll = rng.random()
        if roll < 0.15:
            i = rng.randrange(len(words))
            if not words[i].endswith("."):
                words[i] = self.typo(words[i])
        elif roll < 0.18:
            for i in rng.sample(range(len(words)), min(2, len(words))):
                if not words[i].endswith("."):
                    words[i] = self.typo(words[i])
        text = " ".join(w if w.endswith(".") else w.title() for w in words)
        if rng.random() < 0.06:
            text += f" ({kid.call_name.title()})"
        return text.upper() if rng.random() < 0.5 else text

    def write_birth(self, kid: Kid, as_of: date) -> tuple[str, bool, str, str, str]:
        """(date, estimated, age_min, age_max, source) as the clerk typed them.

        With a document the date is copied from it; otherwise a parent may tell
        the date, or the clerk types a placeholder for the year told, or an age.
        """
        rng = self.rng
        age = max(0, (as_of - kid.birth).days // 365)
        shares = (0.55, 0.15, 0.20, 0.07) if kid.documented else (0.0, 0.35, 0.40, 0.17)
        kind = rng.choices(("document", "told", "placeholder", "age", "none"), (*shares, 0.05))[0]
        if kind in ("document", "told"):
            born = kid.birth
            error = rng.random()
            if error < 0.04 and born.day <= 12 and born.day != born.month:
                born = born.replace(day=born.month, month=born.day)
            elif error < 0.08:
                digits = f"{born.day:02d}"
                typed = int(digits[::-1]) if digits[0] != "0" else int(rng.choice("12") + digits[1])
                if 1 <= typed <= 28:
                    born = born.replace(day=typed)
            elif error < 0.10:
                born = born.replace(year=born.year + rng.choice((-1, 1)), day=min(born.day, 28))
            return born.isoformat(), False, "", "", "document" if kind == "document" else ""
        if kind == "placeholder":
            (month, day), _w = rng.choices(PLACEHOLDERS, [w for _p, w in PLACEHOLDERS])[0]
            if month == 0:
                month = rng.randint(1, 12)
            year = kid.birth.year + rng.choices((0, -1, 1), (0.75, 0.15, 0.10))[0]
            # Typed into the date box like any other date: nothing marks it a guess.
            return date(year, month, day).isoformat(), False, "", "", ""
        if kind == "age":
            low = max(0, age - rng.choice((0, 1)))
            return "", False, str(low), str(low + rng.choice((0, 1, 2))), ""
        return "", False, "", "", ""

    def write_parents(self, kid: Kid) -> tuple[str, str]:
        """(father, mother): the mother alone more often than the father."""
        rng = self.rng

        def written(tokens: list[str]) -> str:
            words = list(tokens)
            if len(words) > 1 and rng.random() < 0.3:
                words = words[:1]
            out = []
            for word in words:
                roll = rng.random()
                if roll < 0.15:
                    word = self.old_spelling(word)
                elif roll < 0.22:
                    word = self.typo(word)
                out.append(word.title())
            return " ".join(out)

        roll = rng.random()
        if roll < 0.40:
            return "", written(kid.mother)
        if roll < 0.60:
            return written(kid.father), ""
        if roll < 0.75:
            return written(kid.father), written(kid.mother)
        return "", ""

    def write_nik(self, kid: Kid) -> str:
        rng = self.rng
        if not kid.nik or rng.random() > 0.5:
            return ""
        nik = kid.nik
        if rng.random() < 0.08:
            i = rng.randrange(16)
            nik = nik[:i] + rng.choice([d for d in "0123456789" if d != nik[i]]) + nik[i + 1 :]
        return nik

    def record(self, kid: Kid, as_of: date, record_id: int) -> Row:
        rng = self.rng
        birth, estimated, age_min, age_max, source = self.write_birth(kid, as_of)
        father, mother = self.write_parents(kid)
        kel = kid.kelurahan
        roll = rng.random()
        if roll < 0.15:
            kel = rng.choice(self.kelurahan)[0]
        elif roll < 0.25:
            kel = ""
        sex = kid.sex
        roll = rng.random()
        if roll < 0.05:
            sex = ""
        elif roll < 0.06:
            sex = "F" if sex == "M" else "M"
        school = kid.school if rng.random() < 0.5 else ""
        return Row(
            record_id=record_id,
            entity_id=kid.entity,
            family_id=kid.family,
            full_name=self.write_name(kid),
            father_name=father,
            birth_date=birth,
            birth_estimated=estimated,
            age_min=age_min,
            age_max=age_max,
            as_of=as_of.isoformat(),
            sex=sex,
            nik=self.write_nik(kid),
            kelurahan=kel,
            school=school.upper() if school and rng.random() < 0.3 else school,
            mother_name=mother,
            birth_source=source,
        )


def generate_clerical(records: int, seed: int) -> list[Row]:
    """Exactly ``records`` rows in the order they were written."""
    gen = ClericalGenerator(seed)
    rng = gen.rng
    pending: list[tuple[date, int, Kid]] = []
    while len(pending) < records:
        for kid, first in gen.family_children():
            copies = rng.choices((1, 2, 3, 4, 5), (0.70, 0.17, 0.08, 0.03, 0.02))[0]
            day = first
            for _ in range(copies):
                pending.append((day, len(pending), kid))
                day = min(REFERENCE_DATE, day + timedelta(days=rng.randint(1, 2 * 365)))
    pending.sort(key=lambda item: (item[0], item[1]))
    pending = pending[:records]
    return [gen.record(kid, day, index) for index, (day, _n, kid) in enumerate(pending)]
