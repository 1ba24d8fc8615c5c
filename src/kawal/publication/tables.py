"""The public tables of one period, computed from the case data, before any suppression.

The unit is the case opened in the period (a child found and taken on); a child found twice in
a period counts twice, as SIMFONI-PPA counts cases. Outcomes are the state *at the end of the
period*, from dated records (closure date, enrolment, placement, shelter stay), so a later
version of the same period changes only through late or corrected data, never because time
passed.

Four tables, chosen so that no two share a margin except the number of cases itself:

* ``age_sex``: age band at opening x sex (cases);
* ``area_outcome``: kecamatan of the child's home x outcome at the end of the period (cases);
* ``month``: month of opening (cases; one-way);
* ``form``: local form of exploitation (cases with that form; one-way; a case may have several,
  so its total counts forms recorded, not cases).

Nothing here names a child, an address, a school or an institution: only keys of bands and
categories, and the names of kecamatan (public administrative areas).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from kawal.cases.models import Case, CaseClassification, CaseForm
from kawal.placement.models import Placement
from kawal.regions.models import Region, RegionLevel
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Stay

AGE_BANDS = ("0-5", "6-12", "13-17", "unknown")
SEXES = ("F", "M", "unknown")
OUTCOMES = ("open", "shelter", "placed", "school", "closed")
OTHER_AREA = "other"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Header:
    key: str
    label: str = ""  # only for names that are data (kecamatan); the rest are translated keys


@dataclass(frozen=True)
class RawTable:
    """True counts; ``cells`` is rows x columns. ``one_way`` tables have a single column."""

    key: str
    rows: tuple[Header, ...]
    columns: tuple[Header, ...]
    cells: tuple[tuple[int, ...], ...]
    one_way: bool = False
    # Whether the table's grand total is the number of cases (shared by those tables).
    counts_cases: bool = True


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_bounds(kind: str, start: date) -> tuple[date, date]:
    if kind == "year":
        return date(start.year, 1, 1), date(start.year, 12, 31)
    first = quarter_start(start)
    after = date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def months_of(start: date, end: date) -> list[date]:
    out = []
    day = date(start.year, start.month, 1)
    while day <= end:
        out.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def age_band(age: int | None) -> str:
    if age is None or age < 0 or age > 17:
        return UNKNOWN
    if age <= 5:
        return "0-5"
    if age <= 12:
        return "6-12"
    return "13-17"


def _age(opened: date, birth: date | None, age_min: int | None) -> int | None:
    if birth is not None:
        return opened.year - birth.year - ((opened.month, opened.day) < (birth.month, birth.day))
    return age_min


def kecamatan_rows() -> list[Header]:
    return [
        Header(code, name)
        for code, name in Region.objects.filter(
            level=RegionLevel.KECAMATAN, is_active=True
        ).values_list("code", "name")
    ]


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _cases_with(model: type, period: Q, start_field: str, end_field: str, end: date) -> set[int]:
    """Cases of the period with a record running on the last day of the period."""
    dated = start_field.endswith("_at")
    limit: date | datetime = _end_of(end) if dated else end
    started = {f"{start_field}__lt" if dated else f"{start_field}__lte": limit}
    still = Q(**{f"{end_field}__isnull": True}) | Q(
        **{f"{end_field}__gte" if dated else f"{end_field}__gt": limit}
    )
    return set(
        model.objects.filter(period, **started)  # type: ignore[attr-defined]
        .filter(still)
        .values_list("case_id", flat=True)
    )


def compute_tables(kind: str, start: date) -> list[RawTable]:
    """The four tables of a period, from the database as it is now."""
    first, last = period_bounds(kind, start)
    in_period = Q(opened_on__gte=first, opened_on__lte=last)
    case_period = Q(case__opened_on__gte=first, case__opened_on__lte=last)

    school = _cases_with(Enrolment, case_period, "enrolled_on", "ended_on", last)
    placed = _cases_with(Placement, case_period, "started_on", "ended_on", last)
    shelter = _cases_with(Stay, case_period, "admitted_at", "discharged_at", last)

    areas = kecamatan_rows()
    area_index = {header.key: n for n, header in enumerate(areas)}
    months = months_of(first, last)
    month_index = {(m.year, m.month): n for n, m in enumerate(months)}

    age_sex = [[0] * len(SEXES) for _ in AGE_BANDS]
    area_outcome = [[0] * len(OUTCOMES) for _ in range(len(areas) + 1)]
    by_month = [[0] for _ in months]

    rows = (
        Case.objects.filter(in_period)
        .values_list(
            "id",
            "opened_on",
            "closed_on",
            "child__sex",
            "child__birth_date",
            "child__age_min",
            "child__kelurahan__parent_id",
        )
        .order_by()
    )
    for case_id, opened, closed, sex, birth, age_min, kecamatan in rows.iterator(chunk_size=5000):
        band = AGE_BANDS.index(age_band(_age(opened, birth, age_min)))
        sex_column = SEXES.index(sex) if sex in SEXES else SEXES.index(UNKNOWN)
        age_sex[band][sex_column] += 1
        if closed is not None and closed <= last:
            outcome = "closed"
        elif case_id in school:
            outcome = "school"
        elif case_id in placed:
            outcome = "placed"
        elif case_id in shelter:
            outcome = "shelter"
        else:
            outcome = "open"
        area_outcome[area_index.get(kecamatan or "", len(areas))][OUTCOMES.index(outcome)] += 1
        by_month[month_index[(opened.year, opened.month)]][0] += 1

    forms = Counter(
        CaseClassification.objects.filter(case_period)
        .values_list("form", flat=True)
        .order_by()
        .iterator(chunk_size=5000)
    )
    form_keys = [choice.value for choice in CaseForm]

    count = (Header("cases"),)
    return [
        RawTable(
            "age_sex",
            tuple(Header(k) for k in AGE_BANDS),
            tuple(Header(k) for k in SEXES),
            _freeze(age_sex),
        ),
        RawTable(
            "area_outcome",
            (*areas, Header(OTHER_AREA)),
            tuple(Header(k) for k in OUTCOMES),
            _freeze(area_outcome),
        ),
        RawTable(
            "month",
            tuple(Header(m.strftime("%Y-%m")) for m in months),
            count,
            _freeze(by_month),
            one_way=True,
        ),
        RawTable(
            "form",
            tuple(Header(k) for k in form_keys),
            (Header("forms"),),
            tuple((forms.get(k, 0),) for k in form_keys),
            one_way=True,
            counts_cases=False,
        ),
    ]


def _freeze(rows: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(row) for row in rows)
