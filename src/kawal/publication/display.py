"""A stored snapshot as pages show it: translated titles and labels, hidden cells marked.

Reads only the snapshot (never the case data), so the preview, the public page and the press
sheet show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kawal.cases.models import CaseForm

HIDDEN = "*"

TITLES: dict[str, str | Promise] = {
    "age_sex": _("Cases by age band and sex"),
    "area_outcome": _("Cases by kecamatan and situation at the end of the period"),
    "month": _("Cases by month opened"),
    "form": _("Forms of exploitation recorded"),
}
NOTES: dict[str, str | Promise] = {
    "age_sex": _("Age when the case was opened."),
    "area_outcome": _(
        "Kecamatan of the child's home; the situation on the last day of the period."
    ),
    "month": "",
    "form": _("A case can have several forms: this total counts forms, not cases."),
}
LABELS: dict[str, str | Promise] = {
    "0-5": _("0-5 years"),
    "6-12": _("6-12 years"),
    "13-17": _("13-17 years"),
    "F": _("Girls"),
    "M": _("Boys"),
    "open": _("Being assessed or supported"),
    "shelter": _("In a shelter"),
    "placed": _("Placed in care"),
    "school": _("Back at school"),
    "closed": _("Case closed"),
    "other": _("Outside the city or not recorded"),
    "cases": _("Cases"),
    "forms": _("Cases"),
}
UNKNOWN_LABELS: dict[str, str | Promise] = {
    "age_sex": pgettext_lazy("age", "Not recorded"),
}
TOTAL = pgettext_lazy("table", "Total")
FORM_TOTAL = _("Forms recorded")


@dataclass(frozen=True)
class Cell:
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return HIDDEN if self.value is None else f"{self.value:,}".replace(",", ".")


@dataclass(frozen=True)
class Row:
    label: str | Promise
    cells: list[Cell]
    total: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str | Promise
    note: str | Promise
    columns: list[str | Promise]
    rows: list[Row]
    one_way: bool


def _label(table_key: str, header: dict[str, Any]) -> str | Promise:
    key = header["key"]
    if header.get("label"):
        return str(header["label"])
    if table_key == "month" and len(key) == 7 and key[4] == "-":
        year, month = key.split("-")
        return date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    if table_key == "form" and key != "forms":
        try:
            return CaseForm(key).label
        except ValueError:
            return key
    if key == "unknown":
        return UNKNOWN_LABELS.get(table_key, pgettext_lazy("sex", "Not recorded"))
    return LABELS.get(key, key)


def tables(snapshot: dict[str, Any]) -> list[Table]:
    out = []
    for table in snapshot.get("tables", []):
        key = table["key"]
        cells = table["cells"]
        rows = [
            Row(_label(key, header), [Cell(v) for v in cells[n]])
            for n, header in enumerate(table["rows"])
        ]
        rows.append(Row(FORM_TOTAL if key == "form" else TOTAL, [Cell(v) for v in cells[-1]], True))
        if table.get("one_way"):
            columns = [_label(key, table["columns"][0])]
        else:
            columns = [_label(key, c) for c in table["columns"]] + [TOTAL]
        out.append(
            Table(
                key=key,
                title=TITLES.get(key, key),
                note=NOTES.get(key, ""),
                columns=columns,
                rows=rows,
                one_way=bool(table.get("one_way")),
            )
        )
    return out


@dataclass(frozen=True)
class Headline:
    label: str | Promise
    cell: Cell


def headlines(snapshot: dict[str, Any]) -> list[Headline]:
    """The few numbers a reader looks for first, taken from the tables' published totals."""
    by_key = {t["key"]: t for t in snapshot.get("tables", [])}
    out: list[Headline] = []
    area = by_key.get("area_outcome")
    if area is not None:
        totals = area["cells"][-1]
        out.append(Headline(_("Cases opened"), Cell(totals[-1])))
        for n, column in enumerate(area["columns"]):
            if column["key"] in ("shelter", "placed", "school", "closed"):
                out.append(Headline(LABELS[column["key"]], Cell(totals[n])))
    return out


def period_name(kind: str, start: date) -> str:
    if kind == "year":
        return str(_("Year %(year)d") % {"year": start.year})
    return str(
        _("Quarter %(quarter)d, %(year)d")
        % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    )


def period_text(snapshot: dict[str, Any]) -> str:
    period = snapshot["period"]
    return period_name(period["kind"], date.fromisoformat(period["start"]))


def has_hidden(snapshot: dict[str, Any]) -> bool:
    return any(v is None for t in snapshot.get("tables", []) for row in t["cells"] for v in row)
