"""Suppression as properties, checked by an exact search independent of the module's max-flow.

The reader of a published table knows every published cell of the bordered table (inner cells,
row totals, column totals, grand total), that each row and column adds up, and that counts are
non-negative integers. ``feasible_values`` finds, by constraint propagation and exhaustive
branching, every value a hidden cell can take under that knowledge (up to a cap that is at least
the threshold, so "can reach the threshold" is decided exactly).

Guarantee tested (docs/publication.md):
(a) no published cell has 0 < count < threshold;
(b) every hidden cell can take at least two values (never derivable), and every primary cell can
    be 0 and can be >= threshold;
(c) two versions of a release cannot be differenced: a cell published in both changed by 0 or by
    at least the threshold; a cell hidden in the first stays hidden; a cell whose small change
    is hidden can, to the reader, have changed by 0 and by at least the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawal.core.suppression import (
    UNBOUNDED,
    bordered,
    check,
    difference_requirements,
    feasible_range,
    primary_cells,
    suppress,
    suppress_bordered,
    suppress_counts,
)

Cell = tuple[int, int]


# --- an exact, independent reader ---------------------------------------------------------


def _equations(n_rows: int, n_cols: int) -> list[list[tuple[int, Cell]]]:
    """Each equation as (coefficient, cell) terms summing to zero, over the bordered grid."""
    r, c = n_rows - 1, n_cols - 1
    eqs = []
    for i in range(n_rows):  # inner cells of row i (or column totals) add up to its total
        eqs.append([(1, (i, j)) for j in range(c)] + [(-1, (i, c))])
    for j in range(n_cols):
        eqs.append([(1, (i, j)) for i in range(r)] + [(-1, (r, j))])
    return eqs


def _propagate(domains: dict[Cell, list[int]], eqs, known: dict[Cell, int]) -> bool:
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            const = sum(a * known[cell] for a, cell in eq if cell in known)
            free = [(a, cell) for a, cell in eq if cell not in known]
            for a, cell in free:
                # a*x = -const - sum(others); bound the others.
                lo_rest = sum(
                    min(b * domains[o][0], b * domains[o][1]) for b, o in free if o != cell
                )
                hi_rest = sum(
                    max(b * domains[o][0], b * domains[o][1]) for b, o in free if o != cell
                )
                target_lo, target_hi = -const - hi_rest, -const - lo_rest
                if a == 1:
                    lo, hi = target_lo, target_hi
                else:
                    lo, hi = -target_hi, -target_lo
                new = [max(domains[cell][0], lo), min(domains[cell][1], hi)]
                if new[0] > new[1]:
                    return False
                if new != domains[cell]:
                    domains[cell] = new
                    changed = True
    return True


def _solvable(domains: dict[Cell, list[int]], eqs, known: dict[Cell, int]) -> bool:
    domains = {k: list(v) for k, v in domains.items()}
    if not _propagate(domains, eqs, known):
        return False
    open_cells = [cell for cell, (lo, hi) in domains.items() if lo < hi]
    if not open_cells:
        values = {**known, **{cell: lo for cell, (lo, _hi) in domains.items()}}
        return all(sum(a * values[cell] for a, cell in eq) == 0 for eq in eqs)
    cell = min(open_cells, key=lambda c: domains[c][1] - domains[c][0])
    lo, hi = domains[cell]
    for value in range(lo, hi + 1):
        domains[cell] = [value, value]
        if _solvable(domains, eqs, known):
            return True
    return False


def feasible_values(
    table: list[list[int]], hidden: Iterable[Cell], cell: Cell, cap: int
) -> set[int]:
    """Every value in [0, cap] that ``cell`` can take for a reader of the published cells."""
    hidden = set(hidden)
    n_rows, n_cols = len(table), len(table[0])
    known = {
        (i, j): table[i][j] for i in range(n_rows) for j in range(n_cols) if (i, j) not in hidden
    }
    eqs = _equations(n_rows, n_cols)
    out = set()
    # Other hidden cells may exceed the cap (only when the grand total is hidden too).
    room = 4 * cap + 10
    for value in range(cap + 1):
        domains = {h: [0, room] for h in hidden}
        domains[cell] = [value, value]
        if _solvable(domains, eqs, known):
            out.add(value)
    return out


def _cap(table: list[list[int]], threshold: int, hidden: set[Cell]) -> int:
    grand = table[-1][-1]
    corner = (len(table) - 1, len(table[0]) - 1)
    # Every cell is part of the grand total; unknown when the corner is hidden.
    return grand if corner not in hidden else grand + threshold + 2


# --- strategies ---------------------------------------------------------------------------

counts = st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12])


@st.composite
def tables(draw, max_rows: int = 3, max_cols: int = 3):
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(2, max_cols))
    return [[draw(counts) for _ in range(cols)] for _ in range(rows)]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- (a) and (b) --------------------------------------------------------------------------


@SETTINGS
@given(cells=tables(), threshold=st.sampled_from([3, 5]))
def test_no_small_cell_is_published_and_no_hidden_cell_is_derivable(cells, threshold):
    mask = suppress(cells, threshold)
    table = bordered(cells)
    hidden = {(i, j) for i, row in enumerate(mask) for j, flag in enumerate(row) if flag}
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            if (i, j) not in hidden:
                assert value == 0 or value >= threshold, (cells, mask)
    cap = _cap(table, threshold, hidden)
    primary = primary_cells(table, threshold)
    for cell in hidden:
        values = feasible_values(table, hidden, cell, cap)
        true = table[cell[0]][cell[1]]
        assert true in values
        assert len(values) >= 2, (cells, mask, cell, values)
        if cell in primary:
            assert 0 in values, (cells, mask, cell, values)
            assert max(values) >= threshold, (cells, mask, cell, values)


@settings(max_examples=40, deadline=None)
@given(cells=tables(max_rows=2, max_cols=3), threshold=st.sampled_from([3, 5]), data=st.data())
def test_the_exact_ranges_match_an_exhaustive_search(cells, threshold, data):
    """The module's max-flow ranges equal the independent search, for any hidden pattern."""
    table = bordered(cells)
    every = [(i, j) for i in range(len(table)) for j in range(len(table[0]))]
    hidden = set(data.draw(st.lists(st.sampled_from(every), min_size=1, max_size=len(every))))
    cap = _cap(table, threshold, hidden)
    for cell in hidden:
        lo, hi = feasible_range(table, hidden, cell)
        values = feasible_values(table, hidden, cell, cap)
        assert min(values) == lo
        assert max(values) == (cap if hi >= UNBOUNDED or hi > cap else hi)
        # Every value in between is attainable (total unimodularity).
        assert values == set(range(min(values), max(values) + 1))


# --- (c) versions --------------------------------------------------------------------------


@st.composite
def revisions(draw):
    cells = draw(tables(max_rows=2, max_cols=3))
    changed = [
        [max(0, value + draw(st.sampled_from([0, 0, 0, 1, -1, 2, 5]))) for value in row]
        for row in cells
    ]
    return cells, changed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=revisions(), threshold=st.sampled_from([3, 5]))
def test_two_versions_cannot_be_differenced(pair, threshold):
    old_cells, new_cells = pair
    old, new = bordered(old_cells), bordered(new_cells)
    old_result = suppress_bordered(old, threshold)
    old_mask = [list(row) for row in old_result.hidden]
    forced, protect = difference_requirements(new, [(old, old_mask)], threshold)
    new_result = suppress_bordered(new, threshold, forced=forced, protect=protect)
    old_hidden, new_hidden = set(old_result.cells), set(new_result.cells)

    assert old_hidden <= new_hidden  # a revision never reveals what a version hid
    assert not check(new, new_hidden, threshold, protect=protect)
    old_cap = _cap(old, threshold, old_hidden)
    new_cap = _cap(new, threshold, new_hidden)
    for i, row in enumerate(new):
        for j, value in enumerate(row):
            cell = (i, j)
            change = value - old[i][j]
            if cell not in old_hidden and cell not in new_hidden:
                assert change == 0 or abs(change) >= threshold, (pair, cell)
                continue
            before = (
                {old[i][j]}
                if cell not in old_hidden
                else feasible_values(old, old_hidden, cell, old_cap)
            )
            after = feasible_values(new, new_hidden, cell, new_cap)
            differences = {b - a for a in before for b in after}
            assert change in differences
            assert len(differences) >= 2, (pair, cell)  # the change is never derivable
            if cell not in old_hidden and 0 < abs(change) < threshold:
                assert 0 in differences, (pair, cell, differences)
                assert max(abs(d) for d in differences) >= threshold, (pair, cell)


def test_a_third_version_is_checked_against_both_earlier_ones():
    v1 = bordered([[10, 10], [10, 10]])
    v2 = bordered([[10, 10], [10, 15]])
    v3 = bordered([[11, 10], [10, 15]])
    m1 = [list(r) for r in suppress_bordered(v1, 5).hidden]
    m2 = [list(r) for r in suppress_bordered(v2, 5).hidden]
    forced, protect = difference_requirements(v3, [(v1, m1), (v2, m2)], 5)
    assert (0, 0) in protect  # 10 -> 11 in both comparisons
    result = suppress_bordered(v3, 5, forced=forced, protect=protect)
    assert (0, 0) in result.cells
    lo, hi = feasible_range(v3, result.cells, (0, 0))
    assert lo <= 10 and hi >= 11 + 5


# --- examples that pin the behaviour --------------------------------------------------------


def test_a_lone_small_cell_gets_complements_in_its_row_and_column():
    mask = suppress([[1, 6, 7], [8, 9, 12], [10, 11, 12]], 5)
    assert mask[0][0]
    assert sum(mask[0][:3]) >= 2  # never alone in its row
    assert sum(row[0] for row in mask[:3]) >= 2  # nor in its column
    assert not mask[3][3]  # the grand total stays


def test_zeros_are_shown_and_large_tables_are_left_alone():
    assert suppress([[0, 6], [7, 0]], 5) == [[False] * 3 for _ in range(3)]


def test_a_small_total_is_hidden_with_its_row():
    mask = suppress([[1, 2], [20, 30]], 5)
    assert mask[0][2]  # the row total 3
    assert mask[0][0] and mask[0][1]


def test_everything_small_hides_the_grand_total():
    mask = suppress([[1, 1], [1, 0]], 5)
    assert mask[2][2]


def test_one_way_counts_with_a_total():
    flags = suppress_counts([1, 7, 9], 5)
    assert flags[0] and sum(flags[:3]) >= 2 and not flags[3]
    assert suppress_counts([6, 7, 9], 5) == [False] * 4


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]], 5)
    with pytest.raises(ValueError):
        suppress([[-1, 2]], 5)
    with pytest.raises(ValueError):
        suppress([[1]], 0)


def test_a_realistic_table_is_quick():
    import random
    import time

    rng = random.Random(7)
    cells = [[rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20]) for _ in range(5)] for _ in range(7)]
    started = time.perf_counter()
    mask = suppress(cells, 5)
    assert time.perf_counter() - started < 5
    table = bordered(cells)
    hidden = {(i, j) for i, row in enumerate(mask) for j, flag in enumerate(row) if flag}
    assert not check(table, hidden, 5)
