"""kawal remind: run every registered reminder rule for today (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kawal.cases.extensions import reminder_rules


class Command(BaseCommand):
    help = (
        "Create the reminder tasks due today (missing observations, assessments due, "
        "overdue home visits, long shelter stays ...). Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument("--rule", action="append", help="Run only this rule (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        rules = reminder_rules()
        wanted = set(options["rule"] or [])
        unknown = wanted - {rule.key for rule in rules}
        if unknown:
            raise CommandError(f"unknown rule(s): {', '.join(sorted(unknown))}")
        total = 0
        for rule in rules:
            if wanted and rule.key not in wanted:
                continue
            made = rule.run(today)
            total += made
            self.stdout.write(f"{rule.key}: {made} new task(s)")
        self.stdout.write(self.style.SUCCESS(f"{total} new reminder task(s) for {today}"))
