"""From true tables to the published snapshot: suppression across tables and versions.

The snapshot is the only thing the preview, the public page and the press sheet read. A hidden
cell is stored as ``null``: its value never leaves this module.

Rules (docs/publication.md):

* each table is suppressed with ``kawal.core.suppression`` (primary below the threshold,
  complements so that no hidden cell is derivable, totals included);
* the tables that count cases share their grand total: if one hides it, all do;
* a new version of a period keeps hidden whatever an earlier published version hid, and hides a
  cell whose count changed by less than the threshold since an earlier published version, with
  its range wide enough that the change cannot be told from zero (``difference_requirements``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from kawal.core.suppression import (
    Cell,
    bordered,
    check,
    difference_requirements,
    suppress_bordered,
)
from kawal.publication.tables import RawTable, period_bounds

FORMAT = 1


def _grid_from_snapshot(table: dict[str, Any]) -> list[list[int | None]]:
    """The bordered grid of a stored table; one-way tables store only (rows + total) x 1."""
    cells: list[list[int | None]] = [list(row) for row in table["cells"]]
    if table.get("one_way"):
        return [[row[0], row[0]] for row in cells]
    return cells


def _aligned_previous(
    raw: RawTable, grid: list[list[int]], old: dict[str, Any]
) -> tuple[list[list[int]], list[list[bool]]]:
    """An earlier version's grid on this version's shape. A row or column the earlier version
    did not have counts as published with today's value: it constrains nothing."""
    old_grid = _grid_from_snapshot(old)
    row_keys = [h.key for h in raw.rows] + ["__total__"]
    col_keys = (
        ["__value__", "__total__"] if raw.one_way else [h.key for h in raw.columns] + ["__total__"]
    )
    old_rows = {key: n for n, key in enumerate([r["key"] for r in old["rows"]] + ["__total__"])}
    old_cols = (
        {"__value__": 0, "__total__": 1}
        if old.get("one_way")
        else {key: n for n, key in enumerate([c["key"] for c in old["columns"]] + ["__total__"])}
    )
    values = [list(row) for row in grid]
    hidden = [[False] * len(row) for row in grid]
    for i, row_key in enumerate(row_keys):
        for j, col_key in enumerate(col_keys):
            if row_key in old_rows and col_key in old_cols:
                value = old_grid[old_rows[row_key]][old_cols[col_key]]
                if value is None:
                    hidden[i][j] = True
                else:
                    values[i][j] = value
    return values, hidden


def _raw_grid(raw: RawTable) -> list[list[int]]:
    grid = bordered([list(row) for row in raw.cells])
    if raw.one_way:
        # A one-column table: its row totals repeat the rows; keep the same (R+1) x 2 shape.
        return grid
    return grid


def suppress_tables(
    tables: Sequence[RawTable],
    threshold: int,
    previous: Sequence[dict[str, Any]] = (),
) -> list[tuple[RawTable, list[list[int]], set[Cell]]]:
    """Hidden cells of each table's bordered grid, consistent across tables and versions."""
    grids = [_raw_grid(raw) for raw in tables]
    plans: list[tuple[set[Cell], dict[Cell, tuple[int, int]]]] = []
    for raw, grid in zip(tables, grids, strict=True):
        earlier = []
        for snap in previous:
            match = next((t for t in snap.get("tables", []) if t["key"] == raw.key), None)
            if match is not None:
                earlier.append(_aligned_previous(raw, grid, match))
        forced, protect = difference_requirements(grid, earlier, threshold)
        plans.append((forced, protect))

    share_total = False
    while True:
        results = []
        for raw, grid, (forced, protect) in zip(tables, grids, plans, strict=True):
            corner = (len(grid) - 1, len(grid[0]) - 1)
            extra = {corner} if share_total and raw.counts_cases else set()
            result = suppress_bordered(grid, threshold, forced=forced | extra, protect=protect)
            results.append(set(result.cells))
        hides_total = any(
            (len(grid) - 1, len(grid[0]) - 1) in hidden
            for raw, grid, hidden in zip(tables, grids, results, strict=True)
            if raw.counts_cases
        )
        if not hides_total or share_total:
            break
        share_total = True

    out = []
    for raw, grid, hidden, (_forced, protect) in zip(tables, grids, results, plans, strict=True):
        if check(grid, hidden, threshold, protect=protect):  # pragma: no cover - belt and braces
            raise AssertionError(f"suppression of {raw.key} failed its own check")
        out.append((raw, grid, hidden))
    return out


def _published_table(raw: RawTable, grid: list[list[int]], hidden: set[Cell]) -> dict[str, Any]:
    if raw.one_way:
        cells: list[list[int | None]] = [
            [None if ((i, 0) in hidden or (i, 1) in hidden) else row[0]]
            for i, row in enumerate(grid)
        ]
    else:
        cells = [
            [None if (i, j) in hidden else value for j, value in enumerate(row)]
            for i, row in enumerate(grid)
        ]
    return {
        "key": raw.key,
        "one_way": raw.one_way,
        "counts_cases": raw.counts_cases,
        "rows": [{"key": h.key, "label": h.label} for h in raw.rows],
        "columns": [{"key": h.key, "label": h.label} for h in raw.columns],
        "cells": cells,
    }


def build_snapshot(
    *,
    kind: str,
    start: date,
    version: int,
    threshold: int,
    tables: Sequence[RawTable],
    previous: Sequence[dict[str, Any]],
    data_as_of: datetime,
) -> dict[str, Any]:
    first, last = period_bounds(kind, start)
    suppressed = suppress_tables(tables, threshold, previous)
    return {
        "format": FORMAT,
        "period": {"kind": kind, "start": first.isoformat(), "end": last.isoformat()},
        "version": version,
        "threshold": threshold,
        "data_as_of": data_as_of.isoformat(),
        "tables": [_published_table(raw, grid, hidden) for raw, grid, hidden in suppressed],
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def published_values(snapshot: dict[str, Any]) -> list[int]:
    """Every number a snapshot publishes (for tests and the self-check)."""
    return [v for t in snapshot["tables"] for row in t["cells"] for v in row if v is not None]
