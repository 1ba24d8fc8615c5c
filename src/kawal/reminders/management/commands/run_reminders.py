"""kawal run_reminders: the day's reminder work, for cron or a systemd timer.

Claims every enabled rule once per day and enqueues it through Django's Tasks
API; a second run the same day enqueues nothing for the rules already done
and retries those that failed. Run it hourly: the digest e-mails go from
``KAWAL_DIGEST_HOUR`` on, and a failure is retried within the hour. See
docs/reminders.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kawal.cases.extensions import reminder_rules
from kawal.reminders import services
from kawal.reminders.models import ReminderRun, RunStatus

OUTCOMES = {
    "queued": "queued",
    "retried": "queued again (attempt {attempt})",
    "done": "already done",
    "busy": "already queued or running",
    "disabled": "switched off",
}


def parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError("--date must be YYYY-MM-DD") from exc


def check_rules(wanted: list[str] | None) -> list[str]:
    keys = {rule.key for rule in reminder_rules()}
    unknown = set(wanted or []) - keys
    if unknown:
        raise CommandError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    return list(wanted or [])


class Command(BaseCommand):
    help = (
        "Enqueue the day's reminder rules (once per rule and day; failed ones again), "
        "the digest e-mails after the digest hour and the purge of expired exports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument("--rule", action="append", help="Run only this rule (repeatable).")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Work the queued tasks in this process (database backend) or wait for "
            "them (other backends), then report; exits with an error if a rule failed.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=600.0,
            help="With --wait: seconds to wait for other workers at most (default 600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])
        wanted = check_rules(options["rule"])
        claims = services.day_enqueue(day, only=wanted)
        self.report(claims, wait=options["wait"], timeout=options["timeout"])

    def report(self, claims: list[services.Claim], *, wait: bool, timeout: float) -> None:
        for claim in claims:
            when = "" if claim.day == claims[0].day else f" ({claim.day})"
            text = OUTCOMES[claim.outcome].format(attempt=claim.attempt)
            self.stdout.write(f"{claim.job}{when}: {text}")
        if not wait:
            return
        states = services.work_until_done(
            [claim.result_id for claim in claims if claim.result_id], timeout=timeout
        )
        failed = []
        for claim in claims:
            if claim.outcome not in ("queued", "retried"):
                continue
            run = ReminderRun.objects.filter(job=claim.job, day=claim.day).first()
            if run is None:  # a job without a claim (the purge)
                state = states.get(claim.result_id, "UNKNOWN").lower()
                self.stdout.write(f"{claim.job}: {state}")
                continue
            if run.status == RunStatus.DONE:
                self.stdout.write(f"{run.job} {run.day}: done, {run.made} new")
            else:
                self.stdout.write(f"{run.job} {run.day}: {run.status} {run.error}".rstrip())
                failed.append(run.job)
        if failed:
            raise CommandError(f"not done: {', '.join(sorted(set(failed)))}")
        self.stdout.write(self.style.SUCCESS("done"))
