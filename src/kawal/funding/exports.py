"""The payment list as CSV and XLSX, safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by spreadsheets as a formula (CSV/formula injection); an
institution's name or account holder is typed by people, so such a cell gets
a leading apostrophe. Amounts stay numbers (a negative reversal included):
only text is prefixed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value: Any) -> Any:
    # Spreadsheets skip leading blanks before reading a formula (" =1+1"), and
    # some read the full-width signs as the ASCII ones.
    if isinstance(value, str) and value.lstrip(" \u00a0\u3000").startswith(DANGEROUS):
        return "'" + value
    return value


def _xlsx_text(value: str) -> str:
    # Control characters are not allowed in the XML of a workbook: openpyxl
    # refuses them and the download would fail with a server error.
    # Stripped first, so that what remains is what the formula check sees.
    return csv_safe(ILLEGAL_CHARACTERS_RE.sub("", value))


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "pembayaran"
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([_xlsx_text(str(name)) for name in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # Stored as a string cell whatever its text (never a formula).
                cells.append(_xlsx_text(value))
            else:
                cells.append(value)
        sheet.append(cells)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
