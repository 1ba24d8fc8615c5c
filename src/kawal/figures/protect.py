"""Small-cell protection of figures that count cases the viewer may not see.

A dashboard figure is either exact (every case it counts is one the viewer may
see, so it tells them nothing new) or a city-wide aggregate their role is
allowed. For the latter, what must stay hidden is the part of each count made
of *hidden* cases: the viewer knows their own cases, so the difference between
the city's count and theirs is what they learn. A cell is sensitive when that
hidden part is between 1 and the threshold minus one; it is suppressed, and
further cells are suppressed until the hidden cases behind the suppressed
cells add up to at least the threshold, so the shown total cannot give a
suppressed cell back (complementary suppression).

Every dashboard figure is a one-way table (counts by one attribute) with its
total, never a cross-table, so the two-way algorithm of the published tables
(``kawal.core.suppression``) is not needed here; see docs/statistics.md.
When a table's own total has a small hidden part, the whole table is
suppressed (``protect_table``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return int(getattr(settings, "KAWAL_SUPPRESSION_MIN", 5))


@dataclass(frozen=True)
class Cell:
    """One shown number: ``value`` is None when it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def protect_line(totals: Sequence[int], hidden: Sequence[int], k: int | None = None) -> list[bool]:
    """Which cells of a one-way table (a partition, or a list of counts) to suppress.

    ``totals`` are the counts shown, ``hidden`` the part of each made of cases
    the viewer may not see. Returns a flag per cell. The table's own total is
    shown; a cell whose hidden part is 1..k-1 is suppressed, and then the
    cells with the smallest hidden parts join it until the hidden cases behind
    all suppressed cells reach k (a lone suppressed cell would be the total
    minus the others; two cells of 1 and 0 would still say "one hidden case is
    in one of these two").
    """
    k = threshold() if k is None else k
    if len(totals) != len(hidden):
        raise ValueError("totals and hidden parts differ in length")
    flags = [0 < h < k for h in hidden]
    if not any(flags):
        return flags
    # Prefer cells with hidden cases as complements (they add protection);
    # then the smallest shown counts (they cost the reader least).
    order = sorted(
        (i for i in range(len(totals)) if not flags[i]),
        key=lambda i: (hidden[i] == 0, hidden[i], totals[i], i),
    )
    while True:
        chosen = [i for i, flag in enumerate(flags) if flag]
        if len(chosen) >= 2 and sum(hidden[i] for i in chosen) >= k:
            return flags
        if not order:
            return flags
        flags[order.pop(0)] = True


def protect_total(total: int, hidden: int, k: int | None = None) -> bool:
    """Whether a lone count (no table around it) must be suppressed."""
    k = threshold() if k is None else k
    return 0 < hidden < k


def protect_table(
    totals: Sequence[int],
    hidden: Sequence[int],
    total: int,
    hidden_total: int,
    k: int | None = None,
) -> tuple[list[bool], bool]:
    """Cell flags and the total's flag; a small hidden total hides the whole table."""
    k = threshold() if k is None else k
    if protect_total(total, hidden_total, k):
        return [True] * len(totals), True
    return protect_line(totals, hidden, k), False
