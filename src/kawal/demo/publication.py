"""Demo data for public figures (synthetic): one published release and one waiting.

Runs after every other loader, the year of synthetic history included, since it counts the
cases they made; with no case at all it still works (every count is 0). The quarter before
last is prepared by ``supervisor`` and approved by ``supervisor2`` (four eyes), so the public
page shows it; the last quarter is prepared by ``supervisor2`` and waits for ``supervisor``.
Everything goes through the services. A second run adds nothing.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kawal.accounts.models import User
from kawal.publication import services as svc
from kawal.publication.models import PeriodKind, Release, ReleaseStatus


def _ended_quarters(today: date) -> tuple[date, date]:
    """First days of the quarter before last and of the last quarter that has ended."""
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)

    def back(day: date) -> date:
        month = day.month - 3
        return date(day.year - (month < 1), month + 12 if month < 1 else month, 1)

    last = back(current)
    return back(last), last


def demo_load_publication() -> int:
    """Add the release demo; returns how many releases it made (0 when it ran before)."""
    users = {
        user.username: user
        for user in User.objects.filter(
            is_demo_account=True, username__in=["supervisor", "supervisor2"]
        )
    }
    first, second = users.get("supervisor"), users.get("supervisor2")
    if first is None or second is None:
        return 0
    older, newer = _ended_quarters(timezone.localdate())
    made = 0
    live = [ReleaseStatus.PUBLISHED, ReleaseStatus.PENDING]
    if not Release.objects.filter(
        period_kind=PeriodKind.QUARTER, period_start=older, status__in=live
    ).exists():
        try:
            release = svc.release_prepare(svc.Period(PeriodKind.QUARTER, older), acting_user=first)
            svc.release_approve(
                release,
                expected_version=release.version,
                fingerprint_seen=release.fingerprint,
                acting_user=second,
            )
            made += 1
        except (PermissionDenied, ValidationError):
            pass
    if not Release.objects.filter(
        period_kind=PeriodKind.QUARTER, period_start=newer, status__in=live
    ).exists():
        try:
            svc.release_prepare(svc.Period(PeriodKind.QUARTER, newer), acting_user=second)
            made += 1
        except (PermissionDenied, ValidationError):
            pass
    return made
