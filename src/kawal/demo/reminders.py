"""Demo data for reminders (synthetic): today's run, as the timer would have made it.

Runs last, after every other loader (the history of the statistics demo
included), so the rules find the overdue tasks, waiting approvals, reports
past triage and unreviewed emergency accesses the other demos left. It
enqueues the day's work like ``kawal run_reminders`` and works the queue in
this process (``--wait``): the console's "reminder runs" list and the users'
inboxes then show what a morning looks like. Idempotent: a second load finds
every rule done for today and adds nothing.
"""

from __future__ import annotations

from django.utils import timezone

from kawal.reminders import services
from kawal.reminders.models import ReminderRun, RunStatus


def demo_load_reminders() -> int:
    """Run today's reminders; returns how many reminders (tasks, notifications) were new."""
    today = timezone.localdate()
    before = set(
        ReminderRun.objects.filter(day=today, status=RunStatus.DONE).values_list("pk", flat=True)
    )
    claims = services.day_enqueue(today)
    services.work_until_done([claim.result_id for claim in claims if claim.result_id])
    runs = ReminderRun.objects.filter(day=today, status=RunStatus.DONE).exclude(pk__in=before)
    return sum(run.made or 0 for run in runs if run.job != services.JOB_DIGEST)
