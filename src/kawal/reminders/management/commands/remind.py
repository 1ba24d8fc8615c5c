"""kawal remind: run the reminder rules now and wait for them (the older name).

Kept for scripts and habits from before ``kawal run_reminders``: the same
claim and the same tasks, worked in this process, but a rule already done
today runs again (the rules are idempotent, so nothing is made twice), and
no digest or purge is queued. Cron and timers should call run_reminders.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kawal.reminders import services
from kawal.reminders.management.commands.run_reminders import check_rules, parse_day
from kawal.reminders.models import ReminderRun, RunStatus


class Command(BaseCommand):
    help = (
        "Run the reminder rules now, in this process, and say how many reminders each made. "
        "Safe to run more than once a day. For cron, use run_reminders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument("--rule", action="append", help="Run only this rule (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        wanted = check_rules(options["rule"])
        claims = [
            claim
            for claim in services.day_enqueue(day, only=wanted, force=True, jobs=False)
            if claim.day == day
        ]
        services.work_until_done([claim.result_id for claim in claims if claim.result_id])
        total = 0
        failed = []
        for claim in claims:
            if claim.outcome == "disabled":
                self.stdout.write(f"{claim.job}: switched off")
                continue
            run = ReminderRun.objects.get(job=claim.job, day=day)
            if run.status == RunStatus.DONE:
                made = run.made or 0
                total += made
                self.stdout.write(f"{claim.job}: {made} new task(s)")
            else:
                self.stdout.write(f"{claim.job}: {run.status} {run.error}".rstrip())
                failed.append(claim.job)
        self.stdout.write(self.style.SUCCESS(f"{total} new reminder(s) for {day}"))
        if failed:
            raise CommandError(f"not done: {', '.join(failed)}")
