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
    UNBOUNDED,
    Cell,
    bordered,
    check,
    difference_requirements,
    feasible_range,
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


def _corner(grid: Sequence[Sequence[int]]) -> Cell:
    return (len(grid) - 1, len(grid[0]) - 1)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _shared_bounds(
    tables: Sequence[RawTable],
    grids: Sequence[list[list[int]]],
    hidden: Sequence[set[Cell]],
) -> list[dict[Cell, tuple[int, int]]]:
    """What a reader learns of each table from the *other* tables of the release.

    The tables that count cases share their grand total ``g``. When it is hidden, each table
    bounds it (its exact feasible range) and the reader intersects those ranges. The form table
    is linked too, by inequalities: a case has each form at most once, so every form count is
    at most ``g`` (a form row is bounded above by what is known of ``g``), and ``g`` is at least
    the smallest possible largest form count (the published ones, and the published rest spread
    as evenly as possible over the hidden ones). Both are exact for a one-way form table."""
    out: list[dict[Cell, tuple[int, int]]] = [{} for _ in tables]
    cases = [n for n, raw in enumerate(tables) if raw.counts_cases]
    forms = [n for n, raw in enumerate(tables) if not raw.counts_cases and raw.one_way]
    if not cases:
        return out
    lo, hi = 0, UNBOUNDED
    for n in cases:
        r_lo, r_hi = feasible_range(grids[n], hidden[n], _corner(grids[n]))
        lo, hi = max(lo, r_lo), min(hi, r_hi)
    for n in forms:
        grid, gone = grids[n], hidden[n]
        rows = range(len(grid) - 1)
        shown = [i for i in rows if (i, 0) not in gone and (i, 1) not in gone]
        veiled = [i for i in rows if i not in shown]
        floor = max((grid[i][0] for i in shown), default=0)
        total = len(grid) - 1
        if (total, 0) not in gone and (total, 1) not in gone and veiled:
            rest = grid[total][0] - sum(grid[i][0] for i in shown)
            floor = max(floor, _ceil_div(rest, len(veiled)))
        lo = max(lo, floor)
        for i in rows:
            out[n][(i, 0)] = out[n][(i, 1)] = (0, hi)
    for n in cases:
        if _corner(grids[n]) in hidden[n]:
            out[n][_corner(grids[n])] = (lo, hi)
    return out


def _capped(
    protect: dict[Cell, tuple[int, int]], bounds: dict[Cell, tuple[int, int]]
) -> dict[Cell, tuple[int, int]]:
    """A form count can never exceed the number of cases, whatever this table hides: a
    revision's protection interval stops there (only the form table has such bounds)."""
    return {
        cell: (lo, min(hi, bounds[cell][1])) if cell in bounds else (lo, hi)
        for cell, (lo, hi) in protect.items()
    }


def suppress_tables(
    tables: Sequence[RawTable],
    threshold: int,
    previous: Sequence[dict[str, Any]] = (),
) -> list[tuple[RawTable, list[list[int]], set[Cell]]]:
    """Hidden cells of each table's bordered grid, consistent across tables and versions.

    The tables of a release are suppressed together: each one against what the others tell
    about it (:func:`_shared_bounds`), hiding more until nothing changes. Hidden cells only
    accumulate from one round to the next, so the loop ends; if the tables cannot protect each
    other cell by cell, every linked table is hidden whole (always safe)."""
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

    def failing(cells: list[set[Cell]], known: list[dict[Cell, tuple[int, int]]]) -> bool:
        return any(
            check(grid, hid, threshold, protect=_capped(protect, b), bounds=b)
            for grid, hid, (_f, protect), b in zip(grids, cells, plans, known, strict=True)
        )

    linked = [raw.counts_cases or raw.one_way for raw in tables]
    whole = [{(i, j) for i in range(len(g)) for j in range(len(g[0]))} for g in grids]
    hidden: list[set[Cell]] = [set() for _ in tables]
    bounds: list[dict[Cell, tuple[int, int]]] = [{} for _ in tables]
    share_total = False
    while True:
        results = []
        for n, (raw, grid, (forced, protect)) in enumerate(zip(tables, grids, plans, strict=True)):
            extra = {_corner(grid)} if share_total and raw.counts_cases else set()
            result = suppress_bordered(
                grid,
                threshold,
                forced=forced | extra | hidden[n],
                protect=_capped(protect, bounds[n]),
                bounds=bounds[n],
            )
            results.append(set(result.cells))
        new_bounds = _shared_bounds(tables, grids, results)
        if not share_total and any(
            _corner(grid) in cells
            for raw, grid, cells in zip(tables, grids, results, strict=True)
            if raw.counts_cases
        ):
            share_total = True
        elif results == hidden and new_bounds == bounds:
            # Each pattern was chosen against exactly what the others now tell.
            if not failing(results, new_bounds):
                break
            if all(
                cells == full for cells, full, on in zip(results, whole, linked, strict=True) if on
            ):
                raise AssertionError("suppression cannot protect the release")  # pragma: no cover
            # Stuck: the others say too much and no table can hide more on its own.
            results = [
                full if on else cells
                for cells, full, on in zip(results, whole, linked, strict=True)
            ]
            new_bounds = _shared_bounds(tables, grids, results)
        hidden, bounds = results, new_bounds

    out = []
    for raw, grid, cells, (_forced, protect), b in zip(
        tables, grids, hidden, plans, bounds, strict=True
    ):
        if check(grid, cells, threshold, protect=_capped(protect, b), bounds=b):
            raise AssertionError(f"suppression of {raw.key} failed its own check")
        out.append((raw, grid, cells))
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
