"""Small-cell protection of one-way tables: properties, and enumeration of what can be derived."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kawal.figures.protect import protect_line, protect_table

K = 5
tables = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 12)).map(lambda p: (p[0] + p[1], p[1])),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_no_shown_cell_has_a_small_hidden_part(cells):
    totals = [t for t, _h in cells]
    hidden = [h for _t, h in cells]
    flags, total_flag = protect_table(totals, hidden, sum(totals), sum(hidden), K)
    for flag, h in zip(flags, hidden, strict=True):
        assert flag or not 0 < h < K
    if 0 < sum(hidden) < K:
        assert total_flag and all(flags)


@settings(max_examples=200, deadline=None)
@given(tables)
def test_suppressed_cells_hide_at_least_k_hidden_cases_together(cells):
    totals = [t for t, _h in cells]
    hidden = [h for _t, h in cells]
    flags, total_flag = protect_table(totals, hidden, sum(totals), sum(hidden), K)
    if total_flag or not any(flags):
        return
    chosen = [h for h, flag in zip(hidden, flags, strict=True) if flag]
    assert len(chosen) >= 2
    assert sum(chosen) >= K


def test_no_suppressed_cell_can_be_worked_out_from_the_total():
    """Enumerate small tables: a viewer who knows the shown cells, the total and
    their own visible part must find every suppressed hidden part ambiguous."""
    for hidden in itertools.product(range(7), repeat=3):
        visible = [2, 0, 1]
        totals = [h + v for h, v in zip(hidden, visible, strict=True)]
        flags, total_flag = protect_table(totals, list(hidden), sum(totals), sum(hidden), K)
        if total_flag:
            continue
        suppressed = [i for i, flag in enumerate(flags) if flag]
        if not suppressed:
            continue
        known = sum(hidden[i] for i in range(3) if not flags[i])
        rest = sum(hidden) - known
        candidates = [
            combo
            for combo in itertools.product(range(rest + 1), repeat=len(suppressed))
            if sum(combo) == rest
        ]
        for position in range(len(suppressed)):
            values = {combo[position] for combo in candidates}
            assert len(values) > 1, (hidden, flags)


def test_a_lone_count_with_hidden_cases():
    assert protect_line([3, 20], [1, 0], K) == [True, True]
    assert protect_line([3, 20], [0, 20], K) == [False, False]
    assert protect_line([7, 9, 12], [2, 3, 0], K) == [True, True, False]
