"""Sortable list columns: a whitelist of sort keys read from ``?sort=``.

A list declares its columns; the view reads the requested key with
``chosen_sort`` (anything unknown falls back to the default, never an error)
and the template draws each header as a link that sorts by it, keeping the
list's filters. The selector maps the key to its ``order_by``; no user input
reaches the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    """One column of a list; ``sort`` is its key ascending, ``-key`` descending; '' = not sortable.

    ``first`` is the direction a first click sorts in (dates and risk: newest,
    highest first).
    """

    label: str | Promise
    sort: str = ""
    first: str = "asc"
    css: str = ""


def chosen_sort(raw: Any, allowed: Iterable[str], default: str) -> str:
    value = str(raw or "")[:40]
    return value if value in set(allowed) else default


def sort_keys(columns: Iterable[Column]) -> list[str]:
    keys = []
    for column in columns:
        if column.sort:
            keys += [column.sort, f"-{column.sort}"]
    return keys


def header(
    columns: Iterable[Column], current: str, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each column's label, the link that sorts by it, and its ``aria-sort`` state."""
    cells = []
    for column in columns:
        cell: dict[str, Any] = {"label": column.label, "css": column.css, "url": "", "state": ""}
        if column.sort:
            ascending, descending = column.sort, f"-{column.sort}"
            if current == ascending:
                cell["state"], target = "ascending", descending
            elif current == descending:
                cell["state"], target = "descending", ascending
            else:
                target = ascending if column.first == "asc" else descending
            query = QueryDict(mutable=True)
            pairs = params.lists() if isinstance(params, QueryDict) else params.items()
            for key, value in pairs:
                if key not in {"sort", "page"}:
                    query.setlist(key, value if isinstance(value, list) else [str(value)])
            query["sort"] = target
            cell["url"] = f"?{query.urlencode()}"
        cells.append(cell)
    return cells
