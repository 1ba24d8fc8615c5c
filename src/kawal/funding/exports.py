"""The payment list as CSV and XLSX, safe to open in a spreadsheet.

An institution's name or account holder is typed by people, so a cell the
spreadsheet would read as a formula gets a leading apostrophe; amounts stay
numbers (a negative reversal included). The rules live in
``kawal.core.spreadsheets``, shared with every other export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kawal.core import spreadsheets
from kawal.core.spreadsheets import DANGEROUS

__all__ = ["DANGEROUS", "csv_safe", "xlsx_bytes"]


def csv_safe(value: Any) -> Any:
    return spreadsheets.csv_cell(value)


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "pembayaran"
) -> bytes:
    return spreadsheets.xlsx_bytes(header, rows, title=title)
