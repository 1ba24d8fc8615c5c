from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kawal.demo.assessments import demo_load_assessments
from kawal.demo.care import demo_load_care
from kawal.demo.cases import demo_load_cases
from kawal.demo.data import ACCOUNTS
from kawal.demo.exports import demo_load_exports
from kawal.demo.families import demo_load_families
from kawal.demo.funding import demo_load_funding
from kawal.demo.history import demo_load_history
from kawal.demo.hotspots import demo_load_hotspots
from kawal.demo.identity import demo_load_identity
from kawal.demo.institutions import demo_load_institutions
from kawal.demo.monitoring import demo_load_monitoring
from kawal.demo.notify import demo_load_notify
from kawal.demo.placement import demo_load_placement
from kawal.demo.publication import demo_load_publication
from kawal.demo.reminders import demo_load_reminders
from kawal.demo.reports import demo_load_reports
from kawal.demo.schooling import demo_load_schooling
from kawal.demo.services import demo_load, demo_refuse_in_production
from kawal.demo.shelters import demo_load_shelters


class Command(BaseCommand):
    help = "Migrate, load synthetic Balikpapan demo data and serve on http://127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Load the data, then stop.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--cases", type=int, default=60, help="How many synthetic cases to create (once)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo_refuse_in_production()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        summary = demo_load(password=settings.KAWAL_DEMO_PASSWORD)
        cases = demo_load_cases(count=options["cases"])
        identity = demo_load_identity() if cases else {"duplicates": 0, "captures": 0}
        hotspots = demo_load_hotspots()
        reports = demo_load_reports()
        # Care builds on signed assessments, and families on the safety ratings.
        assessments = demo_load_assessments() if cases else 0
        care = demo_load_care() if cases else 0
        shelters = demo_load_shelters() if cases else 0
        families = demo_load_families() if cases else 0
        # Placement builds on the registry, the signed assessments and the
        # families' readiness; the roster and the school on the placements.
        institutions = demo_load_institutions()
        placement = demo_load_placement() if cases else 0
        schooling = demo_load_schooling() if cases else 0
        monitoring = demo_load_monitoring() if cases else 0
        funding = demo_load_funding() if cases else 0
        # A year of history behind the dashboards and the public figures; the
        # releases count it, and the day's reminders and notifications come last.
        history = demo_load_history() if cases else 0
        publication = demo_load_publication()
        exports = demo_load_exports() if cases else 0
        reminders = demo_load_reminders() if cases else 0
        notifications = demo_load_notify()
        address = f"http://{options['addrport']}/"
        self.stdout.write(self.style.SUCCESS("Kawal Anak DEMO — data sintetis (synthetic data)"))
        self.stdout.write(
            f"{summary.agencies} agencies, {summary.accounts} accounts loaded; "
            f"{cases} synthetic cases created; {identity['duplicates']} registered twice for the "
            f"duplicate queue; {identity['captures']} children found on an outreach operation; "
            f"{hotspots} more found on earlier operations, for the hotspot map; "
            f"{reports} reports from the public for triage; new care data: {assessments} "
            f"assessments, {care} observation and readiness records, {shelters} shelter "
            f"stays, {families} parent-programme and community-session records; "
            f"{institutions} institutions in the registry, {placement} placement records, "
            f"{schooling} schooling records, {monitoring} roster and monitoring records, "
            f"{funding} funding records (budgets, commitments, two closed months and one open); "
            f"{history} cases of a year's history for the dashboards; {publication} public "
            f"releases (one published, one waiting for approval); {exports} export waiting for "
            f"approval; {reminders} reminder records; {notifications} notifications."
        )
        self.stdout.write(f"Open {address}")
        password_note = (
            "as set in KAWAL_DEMO_PASSWORD"
            if os.environ.get("KAWAL_DEMO_PASSWORD")
            else settings.KAWAL_DEMO_PASSWORD
        )
        self.stdout.write(f"Accounts (password: {password_note}; no second factor in demo mode):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.username:<11} {account.role.label}")
        if options["no_serve"]:
            return
        call_command("runserver", options["addrport"], use_reloader=False)
