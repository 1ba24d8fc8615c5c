"""Sortable columns: a whitelist, header links that keep the filters, never an error."""

from __future__ import annotations

from django.http import QueryDict

from kawal.web.sorting import Column, chosen_sort, header, sort_keys

COLUMNS = [
    Column("Number", "number"),
    Column("Child"),
    Column("Opened", "opened_on", first="desc"),
]


def test_only_whitelisted_keys_are_taken():
    keys = sort_keys(COLUMNS)
    assert keys == ["number", "-number", "opened_on", "-opened_on"]
    assert chosen_sort("-number", keys, "-opened_on") == "-number"
    for bad in ("child", "-child", "id; drop table", "x" * 500, None, "", "--number"):
        assert chosen_sort(bad, keys, "-opened_on") == "-opened_on"


def test_header_links_toggle_direction_and_keep_the_filters():
    params = QueryDict("status=plan&agency=3&agency=4&page=2&sort=number")
    number, child, opened = header(COLUMNS, "number", params)
    assert number["state"] == "ascending"
    linked = QueryDict(number["url"].lstrip("?"))
    assert linked["sort"] == "-number" and linked.getlist("agency") == ["3", "4"]
    assert linked["status"] == "plan" and "page" not in linked  # a new order starts at page 1
    assert child["url"] == "" and child["state"] == ""
    # A column not sorted yet sorts in its natural first direction (newest first).
    assert QueryDict(opened["url"].lstrip("?"))["sort"] == "-opened_on"
    assert header(COLUMNS, "-opened_on", {})[2]["state"] == "descending"
