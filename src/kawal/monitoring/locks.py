"""Who may say a roster day can no longer change: funding, which sits above us.

Funding locks a month's cycle once it is paid; a presence it paid for must
not change afterwards. Funding imports monitoring, never the reverse, so it
registers a check here from its ``AppConfig.ready()``: ``fn(placement, day)``
returns True when that day is locked. Any registered check saying "locked"
locks the day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

DayLock = Callable[[Any, date], bool]

_LOCKS: list[DayLock] = []


def register_day_lock(fn: DayLock) -> None:
    """Add a check ``fn(placement, day) -> bool``; registering the same one twice is a no-op."""
    if fn not in _LOCKS:
        _LOCKS.append(fn)


def unregister_day_lock(fn: DayLock) -> None:
    """For tests: take a check out again."""
    if fn in _LOCKS:
        _LOCKS.remove(fn)


def day_locked(placement: Any, day: date) -> bool:
    return any(check(placement, day) for check in _LOCKS)
