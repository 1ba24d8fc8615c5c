"""Synthetic Indonesian child records with known truth, for the identity benchmark.

Every record is invented: names are random combinations of common given
names, dates and NIKs are drawn at random. Nothing describes a real child.

The data imitate what Kawal Anak receives from Satpol PP, the police, Dinas
Sosial and schools:

- families of 1-4 children sharing a father, a kelurahan and often a school,
  a "family token" in their names, rhyming names (Rizki/Rizka) and twins:
  different children who must never be linked;
- each child has 1 record or, for a share of "repeat children", 2-4 records
  written by different agencies over the years;
- each record is written with the errors seen in practice: old spelling
  (dj, tj, oe), y/i, z/s, q/k, kh/h, doubled letters, the many forms of
  Muhammad, a nickname instead of the name, "bin/binti <father>" appended,
  tokens dropped or swapped, typing errors; a birth date missing, guessed as
  an age range, day and month swapped or a year off; a NIK missing, mistyped
  by one digit or two adjacent digits swapped; a changed or missing
  kelurahan; a missing (rarely a wrong) sex.

This is profile 1. Profile 2 (``clerical.py``, ``--profile 2``) is a separate
noise model written from another description of Indonesian records.

Usage: ``python bench/identity/generate.py --records 1000 --out records.csv``.
The output is deterministic for a given seed, record count and profile.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from names import (
    BOYS,
    FAMILY_TOKENS_BOY,
    FAMILY_TOKENS_GIRL,
    FATHERS,
    GENERIC_NICKNAMES_BOY,
    GENERIC_NICKNAMES_GIRL,
    GIRLS,
    MUHAMMAD_WRITTEN,
    NICKNAMES_BY_NAME,
    OTHER_REGIONS,
    PAIR_GIRLS,
    SIBLING_PAIRS,
)

REFERENCE_DATE = date(2025, 6, 30)
FIRST_RECORD = date(2019, 1, 1)
REGIONS_CSV = (
    Path(__file__).resolve().parents[2] / "src" / "kawal" / "regions" / "data" / "balikpapan.csv"
)


def load_kelurahan() -> list[tuple[str, str]]:
    """(code, kecamatan name) of Balikpapan's kelurahan, from the app's region data."""
    with REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kecamatan = {row["code"]: row["name"] for row in rows if row["level"] == "kecamatan"}
    return [(row["code"], kecamatan[row["parent"]]) for row in rows if row["level"] == "kelurahan"]


# A registry of a million children is a national one: ``cities`` > 1 spreads the
# families over that many kabupaten and kota, each laid out like Balikpapan
# (its kecamatan and kelurahan numbers) under synthetic codes in provinces
# 40-48, which Kemendagri does not use. City 0 is Balikpapan itself.
CITIES_PER_PROVINCE = 60
# Share of records written in another city than the child's (a child who went
# to another city, or was taken there to sell): a guess, not a measured figure.
OTHER_CITY = 0.03


def city_prefix(city: int) -> str:
    """Kemendagri prefix of the ``city``-th city: Balikpapan, then synthetic kabupaten."""
    if city == 0:
        return "64.71"
    province, number = divmod(city - 1, CITIES_PER_PROVINCE)
    return f"{40 + province}.{number + 1:02d}"


def city_name(city: int) -> str:
    return "Balikpapan" if city == 0 else f"Sintetis {city:03d}"


def national_regions(cities: int) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) of the synthetic cities 1 .. cities-1 and
    their provinces, kecamatan and kelurahan, for a bench database to hold."""
    with REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        layout = [
            row for row in csv.DictReader(handle) if row["level"] in ("kecamatan", "kelurahan")
        ]
    out: list[tuple[str, str, str, str | None]] = []
    provinces: set[str] = set()
    for city in range(1, cities):
        prefix = city_prefix(city)
        province = prefix[:2]
        if province not in provinces:
            provinces.add(province)
            out.append((province, f"Provinsi Sintetis {province}", "provinsi", None))
        out.append((prefix, f"Kabupaten {city_name(city)}", "kabupaten", province))
        for row in layout:
            code = prefix + row["code"][5:]
            parent = prefix + row["parent"][5:]
            out.append((code, f"{row['name']} ({city_name(city)})", row["level"], parent))
    return out


@dataclass
class Child:
    entity: int
    family: int
    sex: str
    tokens: list[str]  # modern spelling; "muhammad" kept whole
    birth: date
    nik: str
    father: list[str]
    kelurahan: str
    kecamatan: str
    schools: dict[str, str] = field(default_factory=dict)  # level -> school name
    city: int = 0
    out_of_school: bool = False


@dataclass
class Row:
    record_id: int
    entity_id: int
    family_id: int
    full_name: str
    father_name: str
    birth_date: str
    birth_estimated: bool
    age_min: str
    age_max: str
    as_of: str
    sex: str
    nik: str
    kelurahan: str
    school: str
    # Profile 2 only (``clerical.py``): the mother's name, and "document" where
    # the birth date was copied from a birth certificate or family card.
    mother_name: str = ""
    birth_source: str = ""


def _zipf_weights(n: int, exponent: float = 0.9) -> list[float]:
    return [1 / (rank + 4) ** exponent for rank in range(n)]


class Generator:
    def __init__(self, seed: int = 2024, cities: int = 1) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.kelurahan = load_kelurahan()
        self.cities = cities
        # Name popularity: a seeded shuffle, then Zipf-like weights.
        self.boys = sorted(set(BOYS))
        self.girls = sorted(set(GIRLS))
        rng.shuffle(self.boys)
        rng.shuffle(self.girls)
        self.boy_weights = _zipf_weights(len(self.boys))
        self.girl_weights = _zipf_weights(len(self.girls))
        self.fathers = sorted(set(FATHERS))
        rng.shuffle(self.fathers)
        self.father_weights = _zipf_weights(len(self.fathers), 0.7)
        self.kel_weights = [rng.uniform(0.5, 2.0) for _ in self.kelurahan]
        self.entity = 0
        self.family = 0
        # Cities of unequal size (Zipf-like, the largest about 2 % of the children),
        # in a seeded order; drawn only for a national registry, so a registry of
        # one city is the same as before there were cities.
        self.city_weights: list[float] = []
        if cities > 1:
            self.city_weights = _zipf_weights(cities, 0.7)
            rng.shuffle(self.city_weights)

    def _in_city(self, code: str, city: int) -> str:
        return city_prefix(city) + code[5:]

    def _home(self) -> tuple[str, str, int]:
        """A family's kelurahan, its kecamatan's name and its city."""
        rng = self.rng
        kel, kec = rng.choices(self.kelurahan, self.kel_weights)[0]
        if self.cities == 1:
            return kel, kec, 0
        city = rng.choices(range(self.cities), self.city_weights)[0]
        name = kec if city == 0 else f"{kec} {city_name(city)}"
        return self._in_city(kel, city), name, city

    # --- children ------------------------------------------------------------

    def _given(self, sex: str) -> str:
        if sex == "M":
            return self.rng.choices(self.boys, self.boy_weights)[0]
        return self.rng.choices(self.girls, self.girl_weights)[0]

    def _name(self, sex: str, family_token: str, main: str | None) -> list[str]:
        rng = self.rng
        tokens: list[str] = []
        if sex == "M" and rng.random() < 0.35:
            tokens.append("muhammad")
        elif sex == "F" and rng.random() < 0.18:
            tokens.append(rng.choice(("siti", "siti", "nur", "dwi", "sri")))
        tokens.append(main or self._given(sex))
        if family_token:
            tokens.append(family_token)
        else:
            extra = rng.choices((0, 1, 2), (0.3, 0.6, 0.1))[0]
            if len(tokens) >= 2:
                extra = min(extra, 1)
            for _ in range(extra):
                token = self._given(sex)
                if token not in tokens:
                    tokens.append(token)
        return tokens

    def _school(self, child: Child, level: str) -> str:
        rng = self.rng
        kec = child.kecamatan
        town = city_name(child.city)
        if level == "TK":
            return rng.choice((f"TK Aisyiyah {rng.randint(1, 20)}", f"PAUD Melati {kec}"))
        if level == "SD":
            kind = rng.random()
            if kind < 0.75:
                return f"SDN {rng.randint(1, 40):03d} {kec}"
            if kind < 0.9:
                return rng.choice(("MI Al Falah", "MI Nurul Huda", f"MIN 1 {town}"))
            return rng.choice(("SD IT Nurul Fikri", "SD Katolik Santo Yosef", "SD Muhammadiyah 2"))
        if level == "SMP":
            if rng.random() < 0.8:
                return f"SMPN {rng.randint(1, 26)} {town}"
            return rng.choice((f"MTsN {town}", "SMP IT Istiqamah", "SMP Patra Dharma 1"))
        return rng.choice(
            (f"SMAN {rng.randint(1, 9)} {town}", f"SMKN {rng.randint(1, 6)} {town}",
             f"MAN {town}", "SMK Pelita Bangsa")
        )  # fmt: skip

    def _nik(self, child: Child) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            region = rng.choice(OTHER_REGIONS) + f"{rng.randint(1, 12):02d}"
        else:
            region = child.kelurahan[:2] + child.kelurahan[3:5] + child.kelurahan[6:8]
        day = child.birth.day + (40 if child.sex == "F" else 0)
        return (
            f"{region}{day:02d}{child.birth.month:02d}{child.birth.year % 100:02d}"
            f"{rng.randint(1, 2999):04d}"
        )

    def family_children(self) -> list[tuple[Child, date]]:
        """One family's children, each with the date of its first record."""
        rng = self.rng
        self.family += 1
        size = rng.choices((1, 2, 3, 4), (0.45, 0.30, 0.17, 0.08))[0]
        kel, kec, city = self._home()
        father = [rng.choices(self.fathers, self.father_weights)[0]]
        if rng.random() < 0.35:
            father.append(rng.choices(self.fathers, self.father_weights)[0])
        shared_token = rng.random() < 0.3
        pair = rng.choice(SIBLING_PAIRS) if size >= 2 and rng.random() < 0.25 else None
        twins = size >= 2 and rng.random() < 0.05
        first_seen = FIRST_RECORD + timedelta(
            days=rng.randint(0, (REFERENCE_DATE - FIRST_RECORD).days)
        )
        age_days = rng.randint(2 * 365, 17 * 365 + 300)
        birth = first_seen - timedelta(days=age_days)
        out: list[tuple[Child, date]] = []
        family_school: dict[str, str] = {}
        given_in_family: set[str] = set()
        for index in range(size):
            self.entity += 1
            main = pair[index] if pair and index < 2 else None
            sex = rng.choice("MF") if main is None else "F" if main in PAIR_GIRLS else "M"
            # Parents do not give two of their children the same name.
            while main is None or main in given_in_family:
                main = self._given(sex)
            given_in_family.add(main)
            if index > 0 and not (twins and index == 1):
                birth = birth + timedelta(days=rng.randint(330, 4 * 365))
            family_token = ""
            if shared_token:
                # Brothers share one token, sisters its female form.
                family_token = (FAMILY_TOKENS_BOY if sex == "M" else FAMILY_TOKENS_GIRL)[
                    self.family % min(len(FAMILY_TOKENS_BOY), len(FAMILY_TOKENS_GIRL))
                ]
            child = Child(
                entity=self.entity,
                family=self.family,
                sex=sex,
                tokens=self._name(sex, family_token, main),
                birth=birth,
                nik="",
                father=father,
                kelurahan=kel,
                kecamatan=kec,
                out_of_school=rng.random() < 0.3,
                city=city,
            )
            if rng.random() < 0.5:
                child.nik = self._nik(child)
            for level in ("TK", "SD", "SMP", "SMA"):
                if level in family_school and rng.random() < 0.8:
                    child.schools[level] = family_school[level]
                else:
                    child.schools[level] = family_school.setdefault(
                        level, self._school(child, level)
                    )
            # Siblings are often found together; younger ones appear at most a bit later.
            seen = first_seen + timedelta(days=rng.choice((0, 0, rng.randint(0, 900))))
            seen = max(seen, birth + timedelta(days=2 * 365))
            out.append((child, min(seen, REFERENCE_DATE)))
        return out

    # --- writing one record ------------------------------------------------------

    def _spell(self, token: str) -> str:
        """One spelling variant of a token, as clerks write it."""
        rng = self.rng
        options = []
        if "j" in token:
            options.append(lambda t: t.replace("j", "dj", 1))
        if "c" in token:
            options.append(lambda t: t.replace("c", "tj", 1))
        if "u" in token:
            options.append(lambda t: t.replace("u", "oe", 1))
        if token.endswith("i"):
            options.append(lambda t: t[:-1] + "y")
        if "z" in token:
            options.append(lambda t: t.replace("z", "s", 1))
        if "s" in token:
            options.append(lambda t: t.replace("s", "z", 1))
        if "k" in token[1:]:
            options.append(lambda t: t[0] + t[1:].replace("k", "q", 1))
        if "kh" in token:
            options.append(lambda t: t.replace("kh", "h", 1))
        if "h" in token and "kh" not in token and token[0] in "a":
            options.append(lambda t: t.replace("h", "ch", 1))
        if "f" in token:
            options.append(lambda t: t.replace("f", "v", 1))
        if token.endswith(("an", "dan")) and "dh" not in token and "d" in token:
            options.append(lambda t: t.replace("d", "dh", 1))
        consonants = [i for i, ch in enumerate(token) if ch not in "aeiouy" and i > 0]
        if consonants:
            i = rng.choice(consonants)
            options.append(lambda t, i=i: t[: i + 1] + t[i] + t[i + 1 :])
        if not options:
            return token
        return rng.choice(options)(token)

    def _typo(self, token: str) -> str:
        rng = self.rng
        if len(token) < 4:
            return token
        i = rng.randint(1, len(token) - 2)
        kind = rng.random()
        if kind < 0.3:
            return token[:i] + token[i + 1 :]
        if kind < 0.55:
            return token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        if kind < 0.8:
            return token[:i] + rng.choice("aeiourn") + token[i + 1 :]
        return token[:i] + token[i] + rng.choice("aeinr") + token[i + 1 :]

    def _write_name(self, child: Child) -> str:
        rng = self.rng
        if rng.random() < 0.05:
            known = [n for t in child.tokens for n in NICKNAMES_BY_NAME.get(t, ())]
            if "muhammad" in child.tokens:
                known.append("mamat")
            if known and rng.random() < 0.75:
                return rng.choice(known).title()
            generic = GENERIC_NICKNAMES_BOY if child.sex == "M" else GENERIC_NICKNAMES_GIRL
            return rng.choice(generic).title()
        tokens = list(child.tokens)
        if len(tokens) >= 2 and tokens[0] == "muhammad" and rng.random() < 0.15:
            tokens = tokens[1:]
        if len(tokens) >= 2 and rng.random() < 0.10:
            del tokens[rng.randrange(1, len(tokens))]
        if len(tokens) >= 2 and rng.random() < 0.04:
            rng.shuffle(tokens)
        words = []
        for token in tokens:
            if token == "muhammad":  # noqa: S105 - a name, not a secret
                forms, weights = zip(*MUHAMMAD_WRITTEN, strict=True)
                words.append(rng.choices(forms, weights)[0])
                continue
            if rng.random() < 0.10:
                token = self._spell(token)
            words.append(token.title())
        if rng.random() < 0.05:
            i = rng.randrange(len(words))
            if not words[i].endswith("."):
                words[i] = self._typo(words[i].lower()).title()
        if rng.random() < 0.15:
            words += ["bin" if child.sex == "M" else "binti", child.father[0].title()]
        text = " ".join(words)
        return text.upper() if rng.random() < 0.3 else text

    def _write_birth(self, child: Child, as_of: date) -> tuple[str, bool, str, str]:
        rng = self.rng
        roll = rng.random()
        age = (as_of - child.birth).days // 365
        if roll < 0.10:
            return "", False, "", ""
        if roll < 0.25:
            low = max(0, age - rng.choice((0, 0, 1)))
            high = low + rng.choice((0, 1, 1, 2))
            return "", False, str(low), str(high)
        if roll < 0.30:
            guess = date(child.birth.year + rng.choice((-1, 0, 0, 1)), rng.choice((1, 7)), 1)
            return guess.isoformat(), True, "", ""
        born = child.birth
        error = rng.random()
        if error < 0.03 and born.day <= 12 and born.day != born.month:
            born = born.replace(day=born.month, month=born.day)
        elif error < 0.07:
            year = born.year + rng.choice((-1, 1))
            born = born.replace(year=year, day=min(born.day, 28))
        elif error < 0.10:
            born = born.replace(day=rng.randint(1, 28))
        return born.isoformat(), False, "", ""

    def _write_nik(self, child: Child) -> str:
        rng = self.rng
        if not child.nik or rng.random() > 0.55:
            return ""
        nik = child.nik
        roll = rng.random()
        if roll < 0.04:
            i = rng.randrange(16)
            nik = nik[:i] + rng.choice([d for d in "0123456789" if d != nik[i]]) + nik[i + 1 :]
        elif roll < 0.07:
            i = rng.randrange(15)
            nik = nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
        elif roll < 0.08:
            nik = nik[:-1]  # a digit lost: malformed, to be ignored
        if rng.random() < 0.3:
            nik = f"{nik[:6]}.{nik[6:12]}.{nik[12:]}"
        return nik

    def _write_school(self, child: Child, as_of: date) -> str:
        rng = self.rng
        if child.out_of_school or rng.random() < 0.45:
            return ""
        age = (as_of - child.birth).days // 365
        level = "TK" if age < 6 else "SD" if age < 13 else "SMP" if age < 16 else "SMA"
        school = child.schools[level]
        if rng.random() < 0.08:
            school = self._school(child, level)
        if school.startswith("SDN ") and rng.random() < 0.3:
            number, rest = school[4:].split(" ", 1)
            school = f"SD Negeri {int(number)} {rest}"
        if rng.random() < 0.2:
            school = school.upper()
        return school

    def record(self, child: Child, as_of: date, record_id: int) -> Row:
        rng = self.rng
        birth, estimated, age_min, age_max = self._write_birth(child, as_of)
        kel = child.kelurahan
        roll = rng.random()
        if roll < 0.10:
            kel = self._in_city(rng.choice(self.kelurahan)[0], child.city)
        elif roll < 0.18:
            kel = ""
        if self.cities > 1 and kel and rng.random() < OTHER_CITY:
            elsewhere = rng.randrange(self.cities - 1)
            elsewhere += elsewhere >= child.city
            kel = self._in_city(rng.choice(self.kelurahan)[0], elsewhere)
        sex = child.sex
        roll = rng.random()
        if roll < 0.03:
            sex = ""
        elif roll < 0.035:
            sex = "F" if sex == "M" else "M"
        father = ""
        if rng.random() < 0.55:
            words = [self._spell(t) if rng.random() < 0.1 else t for t in child.father]
            if len(words) > 1 and rng.random() < 0.3:
                words = words[:1]
            father = " ".join(w.title() for w in words)
        return Row(
            record_id=record_id,
            entity_id=child.entity,
            family_id=child.family,
            full_name=self._write_name(child),
            father_name=father,
            birth_date=birth,
            birth_estimated=estimated,
            age_min=age_min,
            age_max=age_max,
            as_of=as_of.isoformat(),
            sex=sex,
            nik=self._write_nik(child),
            kelurahan=kel,
            school=self._write_school(child, as_of),
        )


def generate(records: int, seed: int = 2024, profile: int = 1, cities: int = 1) -> list[Row]:
    """Exactly ``records`` rows, sorted by the date they were written.

    Profile 1 is this module's agency records; profile 2 is ``clerical.py``'s
    village and welfare clerks' records, a separate noise model. ``cities``
    (profile 1) spreads the families over that many cities.
    """
    if profile == 2:
        from clerical import generate_clerical

        return generate_clerical(records, seed)
    gen = Generator(seed, cities)
    rng = gen.rng
    pending: list[tuple[date, int, Child]] = []
    count = 0
    while count < records:
        for child, first in gen.family_children():
            copies = rng.choices((1, 2, 3, 4), (0.76, 0.14, 0.07, 0.03))[0]
            day = first
            for _ in range(copies):
                pending.append((day, len(pending), child))
                day = min(REFERENCE_DATE, day + timedelta(days=rng.randint(1, 3 * 365)))
            count += copies
    pending.sort(key=lambda item: (item[0], item[1]))
    pending = pending[:records]
    return [gen.record(child, day, index) for index, (day, _n, child) in enumerate(pending)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", type=int, choices=(1, 2), default=1)
    parser.add_argument("--out", type=Path, default=Path("records.csv"))
    args = parser.parse_args()
    rows = generate(args.records, args.seed, args.profile)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)
    print(f"{len(rows)} records written to {args.out}")


if __name__ == "__main__":
    main()
