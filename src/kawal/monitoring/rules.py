"""The roster's rules, shared by selectors (to draw the buttons) and services (to refuse)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kawal.monitoring.locks import day_locked


def backdate_days() -> int:
    """How many days before today the roster may still be marked or changed."""
    return max(0, int(getattr(settings, "KAWAL_ROSTER_BACKDATE_DAYS", 3)))


def roster_days(today: date) -> list[date]:
    """The days the roster may be marked on: today and the few days before, newest first."""
    return [today - timedelta(days=n) for n in range(backdate_days() + 1)]


def roster_refusal(
    placement: Any, day: date, today: date, *, backdated: bool = True, locked: bool | None = None
) -> str | None:
    """Why ``day`` cannot be marked for this placement, or None when it can.

    ``backdated=False`` is Dinas Sosial recording from a carer's monthly report:
    the days of a whole month come in after it, so the daily window does not
    apply; the placement's days and the funding lock still do. ``locked`` is
    the lock already looked up by a page whose rows share one institution and
    month (one question instead of one per row)."""
    if day > today:
        return _("A day in the future cannot be marked.")
    back = backdate_days()
    if backdated and day < today - timedelta(days=back):
        return ngettext(
            "Only today and the day before can be marked.",
            "Only today and the %(count)d days before can be marked.",
            back,
        ) % {"count": back}
    if day < placement.started_on:
        return _("The child was not placed here yet on that day.")
    if placement.ended_on is not None and day > placement.ended_on:
        return _("The child had left by that day.")
    if day_locked(placement, day) if locked is None else locked:
        return _("That month's payments are closed: the day can no longer change.")
    return None
