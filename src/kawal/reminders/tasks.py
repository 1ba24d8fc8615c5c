"""The background tasks of the day's reminder work (Django's Tasks API).

Arguments are plain JSON (a rule key, an ISO day, an attempt number) so any
backend can carry them: the database one on a single machine, a shared one
(Redis) when there are several servers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django_tasks import task

from kawal.reminders import services


@task()
def run_reminder_job(job: str, day: str, attempt: int) -> dict[str, Any]:
    """Run one rule (or the digest) for one day, for the claim's current attempt."""
    return services.job_execute(job, date.fromisoformat(day), attempt)


@task()
def purge_expired_exports() -> int:
    """Delete the export files past their 24 hours (the exports app's own purge)."""
    purge = services.optional_function("kawal.exports.services", "exports_purge_expired")
    if purge is None:
        return 0
    return int(purge(timezone.now()) or 0)
