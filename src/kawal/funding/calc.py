"""The arithmetic of funding, pure: no database, integers only.

Rounding rule (docs/funding.md): a monthly rate is prorated as
``rate * days_present // days_in_month`` — rounded *down* to the whole rupiah,
per commitment and month, so a full month pays exactly the rate and a
partial month never pays more than its share.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from kawal.funding.models import RateKind


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_in_month(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def next_month(month: date) -> date:
    return (month_end(month) + timedelta(days=1)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from ``first``'s to ``last``'s, inclusive."""
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def mask_of(days: Iterable[date], month: date) -> int:
    mask = 0
    for day in days:
        if day.year == month.year and day.month == month.month:
            mask |= 1 << (day.day - 1)
    return mask


def count(mask: int) -> int:
    return bin(mask).count("1")


def amount_for(rate_kind: str, rate: int, day_count: int, month: date) -> int:
    """What ``day_count`` days of ``month`` are worth at this rate, in whole rupiah."""
    if day_count <= 0:
        return 0
    if rate_kind == RateKind.DAILY:
        return rate * day_count
    return rate * day_count // days_in_month(month)


def committed_amount(rate_kind: str, rate: int, starts_on: date, ends_on: date) -> int:
    """The most a commitment can cost: every day of its period paid."""
    total = 0
    for month in months_between(starts_on, ends_on):
        first = max(starts_on, month)
        last = min(ends_on, month_end(month))
        total += amount_for(rate_kind, rate, (last - first).days + 1, month)
    return total


def window_mask(month: date, first: date, last: date | None) -> int:
    """The days of ``month`` inside [first, last] (``last`` None: open-ended)."""
    start = max(first, month)
    end = month_end(month) if last is None else min(last, month_end(month))
    if end < start:
        return 0
    mask = 0
    for number in range(start.day, end.day + 1):
        mask |= 1 << (number - 1)
    return mask
