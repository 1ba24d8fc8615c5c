"""A change to how pairs compare must raise ``COMPARISON_VERSION``.

``kawal dedupe`` scores every stored pair again only when the version is raised,
so a change that alters comparisons without it would leave stored pairs with the
old code's scores. This test fingerprints the comparison of a fixed set of
synthetic records; when it fails, raise the version (say why beside it) and put
the new fingerprint under the new number.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from datetime import date

from kawal.identity.batch import (
    birth_frequencies,
    name_frequencies,
    token_counts,
    year_frequencies,
)
from kawal.identity.matching import (
    COMPARISON_VERSION,
    Model,
    Scorer,
    compare,
    make_record,
    pair_birth_key,
    pair_name_key,
)

# Version -> fingerprint of the comparisons below.
FINGERPRINTS = {4: "e9319b5e96fc24ce"}

NAMES = [
    "Muhammad Rizki",
    "Moh. Rizky",
    "Rizka Wibisono",
    "Rizki Wibisono",
    "Putra Pratama",
    "Putri Pratama",
    "Puteri Pratama",
    "Dwi Wahyudi",
    "Tri Wahyudi",
    "Dwi Putri Lestari",
    "Siti Aminah",
    "Aminah",
    "Nur Hayati",
    "Nurhayati",
    "Noor Aini",
    "Nur Aini",
    "Mamat Hidayat",
    "Muhammad Hidayat",
    "Yul Ia Lestari",
    "Yulia Lestari",
    "Hartat Ie",
    "Hartatie",
    "Febrian Saputra",
    "Febriana Saputra",
    "Kristian Hidayat",
    "Kristina Hidayat",
    "Naila Zahra",
    "Naial Zahra",
    "Dede",
    "Ucok",
    "Lili",
    "Juli Rahmawati (Lili)",
    "Achmad Djunaedi",
    "Ahmad Junaedi",
    "Dessy Anggraeni",
    "Desi Anggraini",
    "Yohanes Pasaribu",
    "Yohanis Pasaribu",
    "Bayu Wibisono",
    "Dimas Wibisono",
    "Farhunnisa",
    "Farhunniso",
    "Saadat Goenawan",
    "Saadat Gunawan",
    "Sa Adah Lestari",
    "Saadah Lestari",
    "Ni Ita Lestari",
    "Nita Lestari",
    "Ni Isa",
    "Nisaa",
    # Established look-alikes (each carried by enough records to count) and
    # the normaliser's spellings.
    "Rafi Hidayat",
    "Rafli Hidayat",
    "Arif Lestari",
    "Arifin Lestari",
    "Tjahjo Wibowo",
    "Cahyo Wibowo",
    "Sjaiful Anwar",
    "Syaiful Anwar",
    "Fadhil Dzulfikar",
    "Fadil Zulfikar",
    "Vina Qori",
    "Fina Kori",
    "Nyoman Sari",
    "Njoman Sari",
]
# Pinned, so the fingerprint does not follow a local setting; in production the
# setting is part of ``comparison_id``.
PLACEHOLDER_DAYS = ("01-01", "01-07", "31-12", "15")
DATES = [None, date(2015, 7, 1), date(2015, 3, 4), date(2015, 4, 3), date(2014, 3, 4)]
PARENTS = [[], ["Slamet Wibisono"], ["Sri Wahyuni"], ["Slamet Wibisono", "Sri Wahyuni"]]
NIKS = ["", "", "", "6471054403150001", "6471054403150002"]


def _records():
    rng = random.Random(13)
    records = []
    for index in range(420):
        name = NAMES[index % len(NAMES)]
        alias = []
        if "(" in name:
            name, alias = name.split(" (")[0], [name.split("(")[1].rstrip(")")]
        born = rng.choice(DATES)
        records.append(
            make_record(
                index,
                full_name=name,
                aliases=alias,
                parent_names=rng.choice(PARENTS),
                birth_date=born,
                age_min=None if born else 9,
                age_max=None if born else 11,
                as_of=date(2025, 6, 30),
                sex=rng.choice(["M", "F", ""]),
                nik=rng.choice(NIKS),
                # Two kelurahan of one city and one of another (a synthetic code).
                kelurahan=rng.choice(["64.71.01.1001", "64.71.02.1003", "40.01.01.1001", ""]),
                school=rng.choice(["", "SDN 001 Balikpapan"]),
                placeholder_days=PLACEHOLDER_DAYS,
            )
        )
    # Names no other record carries, so not in the frequency table: one child
    # recorded twice, and one name written as one word and as two, born years apart.
    extra = [
        ("Gilang Ramadhan", date(2016, 9, 21)),
        ("Gilang Ramadhan", date(2016, 9, 21)),
        ("Wulandari Puspita", date(2012, 2, 14)),
        ("Wulan Dari Puspita", date(2016, 5, 30)),
    ]
    for index, (name, born) in enumerate(extra, start=420):
        records.append(
            make_record(
                index,
                full_name=name,
                birth_date=born,
                as_of=date(2025, 6, 30),
                sex="M" if name.startswith("Gilang") else "F",
                kelurahan="6471011001",
                placeholder_days=PLACEHOLDER_DAYS,
            )
        )
    return records


def fingerprint() -> str:
    records = _records()
    model = Model(
        token_counts=token_counts(records),
        name_freq=name_frequencies(records),
        birth_freq=birth_frequencies(records),
        year_freq=year_frequencies(records),
        records=len(records),
        source="em",
    )
    scorer = Scorer(model)
    digest = hashlib.sha256()
    for i, a in enumerate(records):
        for b in records[i + 1 :]:
            levels = compare(a, b)
            score = scorer.score(a, b)
            key = pair_name_key(a, b, model, score.levels[0])
            born = pair_birth_key(a, b)
            digest.update(f"{levels}{score.levels}{key}{born}{score.probability:.6f};".encode())
    # The same tables in a registry of a million children, where the weights of
    # names the tables leave out show (the name no other record carries).
    large = Scorer(replace(model, records=1_000_000))
    for i, a in enumerate(records[-4:], start=len(records) - 4):
        for b in records[:i]:
            digest.update(f"{large.score(a, b).total:.6f};".encode())
    return digest.hexdigest()[:16]


def test_the_comparison_version_names_the_comparison():
    found = fingerprint()
    assert FINGERPRINTS.get(COMPARISON_VERSION) == found, (
        f"The comparison changed: raise COMPARISON_VERSION and record {found!r} for it."
    )
