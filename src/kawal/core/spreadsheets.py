"""CSV and XLSX files that are safe to open in a spreadsheet.

Cells hold text typed by people (a name, an institution, a note). A text cell
that a spreadsheet reads as a formula (CSV/formula injection: ``=HYPERLINK``,
``=cmd|...``, ``@SUM``) can leak the sheet or run a command when the file is
opened, so:

- control characters are removed from text (XML forbids most of them in a
  workbook, and a leading one could hide a formula behind it);
- text that starts, after blanks, with ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return or a line feed, or their full-width forms (which some
  spreadsheets read as the ASCII ones), gets a leading apostrophe, which
  spreadsheets show as text and never evaluate;
- numbers and dates stay typed values (a negative amount is a number, not
  text), so only text is ever prefixed;
- in CSV, the same characters after a ``;``, a tab or a line break inside a
  text get the apostrophe too (``csv_cell``): Excel on Indonesian Windows
  splits a CSV on ``;`` and would make a cell of what follows.

In XLSX every text cell is written as a string cell, never a formula.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_BLANKS = " \u00a0\u3000"
# What a spreadsheet may skip before a formula: every Unicode blank (tab, CR
# and LF excepted: they are dangerous themselves) and the zero-width marks.
_SKIPPED = r"[^\S\t\r\n]|[\u200b-\u200d\u2060\ufeff]"
_LEADING = re.compile(rf"^(?:{_SKIPPED})+")
_CSV_BREAK = re.compile(
    r'([;\t\r\n](?:\s|["\u200b-\u200d\u2060\ufeff])*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])'
)
# C0 controls except tab, LF and CR (kept, then neutralised when leading),
# DEL and the C1 controls: none belongs in a cell, and XML refuses most.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_text(value: str) -> str:
    """``value`` without control characters, prefixed when a spreadsheet would compute it."""
    value = _CONTROL.sub("", value)
    if _LEADING.sub("", value).startswith(DANGEROUS):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """``safe_cell`` for a CSV file: also no formula behind a separator inside the text.

    Excel opens a ``.csv`` with the system's list separator, which is ``;``
    on Indonesian Windows, and it honours quotes only at the start of a
    field: the quoted text ``a;=cmd|...`` after a comma becomes a cell of
    its own that starts with ``=``. The same holds for a line break inside
    the text. So a dangerous character after ``;``, a tab or a line break
    (and any blanks or quotes) gets the apostrophe too.
    """
    value = safe_cell(value)
    if isinstance(value, str):
        return _CSV_BREAK.sub(r"\1'", value)
    return value


def safe_cell(value: Any) -> Any:
    """A cell value ready for a file: text made safe, numbers and dates kept as they are."""
    if value is None or isinstance(value, bool | int | float | date):
        return value
    return safe_text(str(value))


def _csv_value(value: Any) -> Any:
    value = csv_cell(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> bytes:
    """A CSV file (UTF-8; ``bom`` so that Excel reads accented names right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(value) for value in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def _sheet_title(title: str) -> str:
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", _CONTROL.sub("", title)).strip(" '")
    return cleaned[:31] or "data"


def _header_footer_text(text: str) -> str:
    # "&" starts a code (&P page number, &D date) in a header or footer.
    return _CONTROL.sub("", text).replace("&", "&&")[:250]


def xlsx_bytes(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "data",
    stamp: str = "",
) -> bytes:
    """A workbook with one sheet: a bold header row, then the rows.

    ``stamp`` (who exported it, when) is printed in the header and footer of
    every printed page and kept in the file's properties.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    sheet.append([safe_cell(value) for value in headers])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    if stamp:
        text = _header_footer_text(stamp)
        sheet.oddHeader.center.text = text
        sheet.oddFooter.center.text = text
        sheet.evenHeader.center.text = text
        sheet.evenFooter.center.text = text
        workbook.properties.description = _CONTROL.sub("", stamp)[:250]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
