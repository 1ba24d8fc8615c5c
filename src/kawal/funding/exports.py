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
from openpyxl.styles import Font  # type: ignore[import-untyped]

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "pembayaran"
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # Stored as a string cell whatever its text (never a formula).
                cells.append(csv_safe(value))
            else:
                cells.append(value)
        sheet.append(cells)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
