"""Statistical disclosure control for published counts: primary and complementary suppression.

Pure functions, no Django: the public figures (``kawal.publication``) and the dashboards
(``kawal.figures``) both import them.

The model
---------
A 2-D table of non-negative counts ``cells`` (R rows x C columns) is published together with its
row totals, column totals and grand total. We work on the *bordered* table, an (R+1) x (C+1) grid
whose last column holds the row totals, whose last row holds the column totals and whose corner
holds the grand total. Every one of those (R+1)(C+1) cells may be hidden: a total is a published
count like any other, so a row total of 3 is hidden too.

Primary suppression: a cell (inner or total) with ``0 < count < threshold`` is hidden. Zeros are
not primary-suppressed ("nobody" discloses nobody), but a zero may be hidden as a complement, so a
reader cannot conclude that a hidden cell is non-zero.

Complementary suppression: the reader knows every published cell, the linear equations (each row
and column of the bordered table adds up) and that counts are non-negative integers. For every
hidden cell we compute its exact feasible range ``[lo, hi]`` under that knowledge and demand:

* every hidden cell (primary or complement): ``lo < hi`` — it is never derivable exactly;
* every primary cell: ``lo <= 0`` and ``hi >= threshold`` — the reader cannot rule out that it is
  empty, nor that it is at least the threshold, so the small count is not disclosed even as a
  range ("protection level": the whole interval ``[0, threshold]``);
* a caller may demand a wider interval for a cell (``protect``), e.g. to stop two versions of a
  release from being differenced (see :func:`difference_requirements`).

Exactness: the equations of a bordered table are those of a circulation on the complete
bipartite graph rows x columns (inner cell (i, j): row i -> column j; row total: total column ->
row i; column total: column j -> total row; grand total: total row -> total column), so the range
of a hidden cell is a pair of max-flow problems over the hidden cells (how much can be pushed
around a cycle through it in each direction). The constraint matrix is totally unimodular, hence
the real and the integer ranges coincide and every integer in between is attainable. The tests
check the ranges independently by exhaustive search on small tables.

Secondary cells are chosen greedily (cheapest rectangle that protects the failing cell; cost =
the count hidden, totals weigh double, the grand total last), then a clean-up pass drops every
complement that is not needed. The greedy loop ends only when every hidden cell meets its
requirement, and each clean-up removal is checked against all of them, so the function never
returns a pattern that fails (in the worst case it hides everything, which always satisfies).
The pattern is not guaranteed minimal (the optimum is NP-hard); it is guaranteed safe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Cell = tuple[int, int]
"""(row, column) in the bordered table; row R / column C are the totals."""

UNBOUNDED = 10**15
"""Upper end of a range the published figures do not bound (only when a grand total is hidden)."""


def bordered(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The (R+1) x (C+1) table: ``cells`` plus row totals (last column), column totals (last
    row) and the grand total (corner)."""
    rows = [list(map(int, row)) for row in cells]
    if not rows or not rows[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("ragged table")
    if any(value < 0 for row in rows for value in row):
        raise ValueError("counts are non-negative")
    out = [[*row, sum(row)] for row in rows]
    out.append([sum(row[j] for row in rows) for j in range(width)] + [sum(map(sum, rows))])
    return out


def primary_cells(table: Sequence[Sequence[int]], threshold: int) -> set[Cell]:
    """Cells of a bordered table with 0 < count < threshold."""
    return {
        (i, j)
        for i, row in enumerate(table)
        for j, value in enumerate(row)
        if 0 < value < threshold
    }


# --- exact ranges ------------------------------------------------------------------------------


def _edge(cell: Cell, n_rows: int, n_cols: int) -> tuple[int, int]:
    """Direction of a cell's flow in the circulation. Nodes: rows 0..R, then columns R+1..R+C+1."""
    i, j = cell
    r_total, c_total = n_rows - 1, n_cols - 1
    row_node, col_node = i, n_rows + j
    if i < r_total and j < c_total:
        return row_node, col_node
    if i < r_total:  # row total: total column -> row i
        return col_node, row_node
    if j < c_total:  # column total: column j -> total row
        return col_node, row_node
    return row_node, col_node  # grand total: total row -> total column


def _max_flow(n_nodes: int, arcs: list[tuple[int, int, int]], source: int, sink: int) -> int:
    """Edmonds-Karp on a tiny graph. Capacities are ints; UNBOUNDED stands for infinity."""
    if source == sink:
        return UNBOUNDED
    cap: list[dict[int, int]] = [{} for _ in range(n_nodes)]
    for a, b, c in arcs:
        cap[a][b] = min(UNBOUNDED, cap[a].get(b, 0) + c)
        cap[b].setdefault(a, 0)
    total = 0
    while total < UNBOUNDED:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b, c in cap[a].items():
                if c > 0 and b not in parent:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            break
        push = UNBOUNDED
        b = sink
        while b != source:
            a = parent[b]
            push = min(push, cap[a][b])
            b = a
        b = sink
        while b != source:
            a = parent[b]
            cap[a][b] -= push
            if cap[a][b] < UNBOUNDED:
                cap[b][a] = min(UNBOUNDED, cap[b][a] + push)
            b = a
        total = min(UNBOUNDED, total + push)
    return total


def feasible_range(
    table: Sequence[Sequence[int]],
    hidden: Iterable[Cell],
    cell: Cell,
    *,
    bounds: Mapping[Cell, tuple[int, int]] | None = None,
) -> tuple[int, int]:
    """Exact range ``(lo, hi)`` of a hidden ``cell`` of the bordered ``table`` for a reader who
    knows every cell not in ``hidden``, the row/column equations and non-negativity.
    ``hi == UNBOUNDED`` when nothing published bounds it. A published cell's range is its value.

    ``bounds``: what the reader knows of a hidden cell from elsewhere (e.g. the grand total that
    several tables of a release share, bounded by the *other* tables); each must contain the
    cell's true value. Box constraints keep the matrix totally unimodular, so the range stays
    exact and integral."""
    n_rows, n_cols = len(table), len(table[0])
    hidden_set = set(hidden)
    bounds = bounds or {}
    value = table[cell[0]][cell[1]]
    if cell not in hidden_set:
        return value, value
    arcs: list[tuple[int, int, int]] = []
    for other in hidden_set:
        if other == cell:
            continue
        a, b = _edge(other, n_rows, n_cols)
        flow = table[other[0]][other[1]]
        floor, ceiling = bounds.get(other, (0, UNBOUNDED))
        more = UNBOUNDED if ceiling >= UNBOUNDED else max(0, ceiling - flow)
        arcs.append((a, b, more))  # may carry more, up to what is known of it
        arcs.append((b, a, max(0, flow - max(0, floor))))  # may carry less, down to its floor
    u, v = _edge(cell, n_rows, n_cols)
    nodes = n_rows + n_cols
    up = _max_flow(nodes, arcs, v, u)
    down = _max_flow(nodes, arcs, u, v)
    hi = UNBOUNDED if up >= UNBOUNDED else value + up
    lo = value - min(value, down)
    if cell in bounds:
        lo, hi = max(lo, bounds[cell][0]), min(hi, bounds[cell][1])
    return lo, hi


# --- requirements ------------------------------------------------------------------------------


def _requirements(
    table: Sequence[Sequence[int]],
    threshold: int,
    primary: set[Cell],
    protect: Mapping[Cell, tuple[int, int]],
) -> dict[Cell, tuple[int, int]]:
    """Interval each cell's feasible range must cover when hidden (hull of all demands)."""
    need: dict[Cell, tuple[int, int]] = {}
    for cell in primary:
        need[cell] = (0, threshold)
    for cell, (lo, hi) in protect.items():
        if cell in need:
            lo, hi = min(lo, need[cell][0]), max(hi, need[cell][1])
        need[cell] = (lo, hi)
    return need


def _deficit(lo: int, hi: int, value: int, need: tuple[int, int] | None) -> int:
    want_lo, want_hi = need if need is not None else (value, value)
    short = max(0, lo - want_lo) + max(0, want_hi - hi)
    if lo >= hi:
        short += 1
    return short


def check(
    table: Sequence[Sequence[int]],
    hidden: Iterable[Cell],
    threshold: int,
    *,
    protect: Mapping[Cell, tuple[int, int]] | None = None,
    bounds: Mapping[Cell, tuple[int, int]] | None = None,
) -> dict[Cell, int]:
    """Cells of a bordered table whose hiding does not meet the requirements, with their
    shortfall; an empty dict means the pattern is safe. Also reports any *published* cell with
    0 < count < threshold (shortfall = its count). ``bounds``: see :func:`feasible_range`."""
    hidden_set = set(hidden)
    primary = primary_cells(table, threshold)
    need = _requirements(table, threshold, primary, protect or {})
    bad: dict[Cell, int] = {}
    for cell in need:
        if cell not in hidden_set:
            bad[cell] = table[cell[0]][cell[1]] or 1
    for cell in hidden_set:
        lo, hi = feasible_range(table, hidden_set, cell, bounds=bounds)
        short = _deficit(lo, hi, table[cell[0]][cell[1]], need.get(cell))
        if short:
            bad[cell] = short
    return bad


# --- choosing the pattern ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """Result over the bordered table: ``hidden[i][j]`` for i <= R, j <= C."""

    hidden: tuple[tuple[bool, ...], ...]
    primary: frozenset[Cell]

    @property
    def cells(self) -> frozenset[Cell]:
        return frozenset(
            (i, j) for i, row in enumerate(self.hidden) for j, flag in enumerate(row) if flag
        )

    @property
    def grand_total_hidden(self) -> bool:
        return self.hidden[-1][-1]

    def inner(self) -> list[list[bool]]:
        return [list(row[:-1]) for row in self.hidden[:-1]]

    def row_totals(self) -> list[bool]:
        return [row[-1] for row in self.hidden[:-1]]

    def column_totals(self) -> list[bool]:
        return list(self.hidden[-1][:-1])


def _cost(table: Sequence[Sequence[int]], cell: Cell) -> int:
    i, j = cell
    r_total, c_total = len(table) - 1, len(table[0]) - 1
    weight = 1
    if i == r_total or j == c_total:
        weight = 2  # totals are what readers use most
    if i == r_total and j == c_total:
        weight = 1000  # the grand total is shared by every table of a release
    return weight * (table[i][j] + 1)


def suppress_bordered(
    table: Sequence[Sequence[int]],
    threshold: int,
    *,
    forced: Iterable[Cell] = (),
    protect: Mapping[Cell, tuple[int, int]] | None = None,
    bounds: Mapping[Cell, tuple[int, int]] | None = None,
) -> Suppression:
    """Suppression pattern for a bordered table (see :func:`bordered`).

    ``forced``: cells that must be hidden whatever their count (e.g. hidden in an earlier
    version of the same release, or the grand total because another table of the release hides
    it). ``protect``: extra interval a hidden cell's range must cover; a cell named there is
    hidden. ``bounds``: what a reader knows of some cells from *other* published tables (see
    :func:`feasible_range`). Without bounds hiding everything always satisfies the
    requirements; with bounds it may not, and the pattern returned then hides everything and
    still fails :func:`check` with the same bounds: the caller must widen the bounds (hide more
    in the other tables). Deterministic: the same input gives the same pattern."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    n_rows, n_cols = len(table), len(table[0])
    if any(len(row) != n_cols for row in table):
        raise ValueError("ragged table")
    protect = dict(protect or {})
    bounds = dict(bounds or {})
    primary = primary_cells(table, threshold)
    need = _requirements(table, threshold, primary, protect)
    must = set(primary) | set(forced) | set(protect)
    hidden = set(must)
    everything = {(i, j) for i in range(n_rows) for j in range(n_cols)}

    def failing(pattern: set[Cell]) -> list[tuple[Cell, int]]:
        out = []
        for cell in sorted(pattern):
            lo, hi = feasible_range(table, pattern, cell, bounds=bounds)
            short = _deficit(lo, hi, table[cell[0]][cell[1]], need.get(cell))
            if short:
                out.append((cell, short))
        return out

    while True:
        bad = failing(hidden)
        if not bad:
            break
        # Most constrained first: the largest shortfall, then the smallest cell position.
        cell, short = max(bad, key=lambda item: (item[1], -item[0][0], -item[0][1]))
        value = table[cell[0]][cell[1]]
        best: tuple[tuple[int, int], set[Cell]] | None = None
        for r2 in range(n_rows):
            if r2 == cell[0]:
                continue
            for c2 in range(n_cols):
                if c2 == cell[1]:
                    continue
                add = {(cell[0], c2), (r2, cell[1]), (r2, c2)} - hidden
                if not add:
                    continue
                trial = hidden | add
                lo, hi = feasible_range(table, trial, cell, bounds=bounds)
                remaining = _deficit(lo, hi, value, need.get(cell))
                cost = sum(_cost(table, c) for c in add)
                key = (remaining, cost)
                if best is None or key < best[0]:
                    best = (key, add)
        if best is not None and best[0][0] < short:
            hidden |= best[1]
            continue
        # No rectangle helps on its own: widen to the whole row and column of the cell, then
        # to everything (always safe when the grand total is hidden too).
        line = {(cell[0], j) for j in range(n_cols)} | {(i, cell[1]) for i in range(n_rows)}
        if not line <= hidden:
            hidden |= line
        elif hidden != everything:
            hidden = set(everything)
        elif bounds:
            break  # the other tables say too much: the caller hides more there
        else:  # pragma: no cover - all hidden always satisfies the requirements
            raise AssertionError("suppression cannot protect the table")

    # Clean-up: drop complements that are not needed, dearest first.
    for cell in sorted(hidden - must, key=lambda c: (-_cost(table, c), c)):
        trial = hidden - {cell}
        if not failing(trial):
            hidden = trial
    return Suppression(
        hidden=tuple(tuple((i, j) in hidden for j in range(n_cols)) for i in range(n_rows)),
        primary=frozenset(primary),
    )


def suppress(
    cells: Sequence[Sequence[int]],
    threshold: int,
    *,
    forced: Iterable[Cell] = (),
    protect: Mapping[Cell, tuple[int, int]] | None = None,
) -> list[list[bool]]:
    """Which cells to hide in a 2-D table published with its row, column and grand totals.

    Returns an (R+1) x (C+1) mask over the *bordered* table: ``mask[i][j]`` for the inner cells,
    ``mask[i][C]`` for row i's total, ``mask[R][j]`` for column j's total, ``mask[R][C]`` for the
    grand total. Totals can be hidden too (a total below the threshold, or as a complement).
    Guarantee: no published cell has 0 < count < ``threshold``; no hidden cell is derivable
    from the published ones; each primary cell's feasible range covers [0, threshold]."""
    result = suppress_bordered(bordered(cells), threshold, forced=forced, protect=protect)
    return [list(row) for row in result.hidden]


def suppress_counts(counts: Sequence[int], threshold: int) -> list[bool]:
    """1-D version: a list of counts published with its total. Returns len(counts)+1 flags, the
    last one for the total."""
    table = bordered([list(counts)])
    result = suppress_bordered(table, threshold)
    hidden = result.hidden
    # Row 0 and the total row hold the same numbers in a one-row table: hide a count if either is.
    flags = [hidden[0][j] or hidden[1][j] for j in range(len(counts))]
    flags.append(hidden[0][-1] or hidden[1][-1])
    return flags


def difference_requirements(
    table: Sequence[Sequence[int]],
    previous: Sequence[tuple[Sequence[Sequence[int]], Sequence[Sequence[bool]]]],
    threshold: int,
) -> tuple[set[Cell], dict[Cell, tuple[int, int]]]:
    """What a new version of a release must hide so that no earlier version can be subtracted.

    ``previous``: (bordered table, bordered hidden mask) of every earlier *published* version of
    the same table. Returns (forced, protect):

    * forced — every cell hidden in an earlier version stays hidden (sticky suppression), so a
      revision never narrows what an earlier version hid;
    * protect — a cell published in an earlier version whose count has changed by
      0 < |d| < threshold is hidden now, and its range must cover
      [min(old, new), max(old, new) + threshold]: the reader cannot tell whether the revision
      changed it at all, nor rule out a change of at least the threshold.
    """
    forced: set[Cell] = set()
    protect: dict[Cell, tuple[int, int]] = {}
    for old_table, old_hidden in previous:
        if len(old_table) != len(table) or len(old_table[0]) != len(table[0]):
            raise ValueError("versions of a release must have the same shape")
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                if old_hidden[i][j]:
                    forced.add((i, j))
                    continue
                old = old_table[i][j]
                if 0 < abs(value - old) < threshold:
                    lo, hi = min(old, value), max(old, value) + threshold
                    if (i, j) in protect:
                        lo, hi = min(lo, protect[(i, j)][0]), max(hi, protect[(i, j)][1])
                    protect[(i, j)] = (lo, hi)
    return forced, protect
