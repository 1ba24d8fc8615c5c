"""The tables of one release, read together: no table may give back what another hides.

The tables that count cases share their grand total, and a form of exploitation is counted at
most once per case, so every form count is at most the number of cases. A reader combines
them: a total hidden in one table but bounded by another narrows the hidden cells of the first,
and a published total of forms spread over hidden form rows bounds the number of cases from
below. The reader here is an exhaustive search over small tables, independent of the max-flow
in ``kawal.core.suppression``.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kawal.core.suppression import bordered
from kawal.publication.snapshot import suppress_tables
from kawal.publication.tables import Header, RawTable

CAP = 11  # values a reader tries for an inner cell; at least grand total + threshold


def _headers(n: int) -> tuple[Header, ...]:
    return tuple(Header(str(i)) for i in range(n))


def _grids(grid, hidden):
    """Every bordered grid (inner cells <= CAP) that agrees with the published cells."""
    rows, cols = len(grid) - 1, len(grid[0]) - 1
    free = [(i, j) for i in range(rows) for j in range(cols) if (i, j) in hidden]
    for values in itertools.product(range(CAP + 1), repeat=len(free)):
        cells = [[grid[i][j] for j in range(cols)] for i in range(rows)]
        for (i, j), value in zip(free, values, strict=True):
            cells[i][j] = value
        candidate = bordered(cells)
        if all(
            candidate[i][j] == grid[i][j]
            for i in range(rows + 1)
            for j in range(cols + 1)
            if (i, j) not in hidden
        ):
            yield candidate


def _disclosures(result, threshold):
    """Hidden cells that the tables read together pin down, or whose small count they expose
    (cannot be 0, or cannot reach the threshold)."""
    worlds = [list(_grids(grid, hidden)) for _raw, grid, hidden in result]
    cases = [n for n, (raw, _g, _h) in enumerate(result) if raw.counts_cases]
    forms = [n for n, (raw, _g, _h) in enumerate(result) if not raw.counts_cases]
    totals = set.intersection(*({w[-1][-1] for w in worlds[n]} for n in cases))

    def most_forms(world):
        return max(row[0] for row in world[:-1])

    fewest = min((most_forms(w) for n in forms for w in worlds[n]), default=0)
    out = []
    for n, (raw, grid, hidden) in enumerate(result):
        if raw.counts_cases:
            possible = [w for w in worlds[n] if w[-1][-1] in totals and w[-1][-1] >= fewest]
        else:
            possible = [w for w in worlds[n] if any(most_forms(w) <= g for g in totals)]
        for i, j in hidden:
            values = {w[i][j] for w in possible}
            value = grid[i][j]
            if len(values) < 2 or (
                0 < value < threshold and (min(values) > 0 or max(values) < threshold)
            ):
                out.append((raw.key, (i, j), value, (min(values), max(values))))
    return out


def _release(a, b, months, forms):
    return [
        RawTable("a", _headers(2), _headers(2), a),
        RawTable("b", _headers(2), _headers(2), b),
        RawTable("m", _headers(len(months)), _headers(1), tuple((v,) for v in months), True),
        RawTable("f", _headers(len(forms)), _headers(1), tuple((v,) for v in forms), True, False),
    ]


def test_the_published_forms_do_not_tell_how_many_cases_there_are():
    # Two cases, two forms each: the form total (4) is published while every form row is
    # hidden, so a reader knew there were at least ceil(4 / 3) = 2 cases, i.e. the small cell
    # of table a could not be 0 or 1.
    tables = _release(((0, 2), (0, 0)), ((0, 0), (1, 1)), (2, 0), (2, 1, 1))
    assert _disclosures(suppress_tables(tables, 3), 3) == []


def test_a_total_hidden_in_two_tables_is_not_pinned_by_their_intersection():
    # Nine cases. Table a publishes a row total of 6, so the hidden number of cases is at least
    # 6; table b publishes a row total of 5 and hides the other (4) and the grand total: read
    # alone, that row total may be 0, read with table a it is at least 1.
    tables = _release(((3, 3), (2, 1)), ((0, 5), (2, 2)), (4, 1, 4), (0, 0, 0))
    assert _disclosures(suppress_tables(tables, 5), 5) == []


@st.composite
def releases(draw):
    n = draw(st.integers(min_value=1, max_value=7))

    def spread(rows, cols):
        cells = [[0] * cols for _ in range(rows)]
        for _ in range(n):
            cells[draw(st.integers(0, rows - 1))][draw(st.integers(0, cols - 1))] += 1
        return tuple(tuple(row) for row in cells)

    a, b, months = spread(2, 2), spread(2, 2), spread(2, 1)
    forms = [0, 0, 0]
    for _ in range(n):
        for k in draw(st.sets(st.integers(0, 2), min_size=1, max_size=2)):
            forms[k] += 1
    return _release(a, b, tuple(r[0] for r in months), tuple(forms))


@settings(max_examples=25, deadline=None)
@given(tables=releases(), threshold=st.sampled_from([3, 5]))
def test_no_table_of_a_release_gives_back_what_another_hides(tables, threshold):
    assert _disclosures(suppress_tables(tables, threshold), threshold) == []
