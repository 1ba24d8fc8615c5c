"""The daily rule for reports left in triage past the standard (3 working days).

Run by ``kawal run_reminders`` through the case file's reminder registry. A
report is no case, so the rule notifies rather than making case tasks:

- a report being handled reminds its handler (if they still triage);
- a report nobody took up reminds the whole triage team, once a day, with
  a link to the queue.

The due date is the triage queue's own (``working_days_after`` the day the
report came in, ``FOLLOW_UP_WORKING_DAYS``). Keys name the report (or the
queue) and the day: a second run the same day notifies nobody again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import ROLES, Capability
from kawal.access.policy import may
from kawal.accounts.models import User
from kawal.cases.extensions import ReminderRule, register_reminder_rule
from kawal.notify.kinds import NotificationKind, register_kind
from kawal.notify.services import notify_users
from kawal.reports.models import Report, ReportStatus
from kawal.reports.selectors import FOLLOW_UP_WORKING_DAYS, working_days_after

RULE_KEY = "reports.triage_overdue"


def triage_team() -> list[User]:
    roles = [spec.role for spec in ROLES.values() if Capability.TRIAGE_REPORTS in spec.capabilities]
    users = User.objects.filter(is_active=True, role__in=roles).order_by("pk")
    return [user for user in users if may(user, Capability.TRIAGE_REPORTS)]


def triage_overdue(today: date, lead_days: int | None = None) -> int:
    # Three working days are at least three calendar days: older reports only.
    newest = timezone.make_aware(
        datetime.combine(today - timedelta(days=FOLLOW_UP_WORKING_DAYS), time.min)
    )
    reports = (
        Report.objects.filter(
            status__in=[ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS], created_at__lt=newest
        )
        .select_related("handled_by")
        .order_by("created_at", "pk")
    )
    made = 0
    unattended = False
    for report in reports:
        received = timezone.localtime(report.created_at).date()
        if working_days_after(received, FOLLOW_UP_WORKING_DAYS) >= today:
            continue
        handler = report.handled_by
        if (
            report.status == ReportStatus.IN_PROGRESS
            and handler is not None
            and may(handler, Capability.TRIAGE_REPORTS)
        ):
            made += notify_users(
                users=[handler],
                kind=RULE_KEY,
                url=reverse("reports:detail", kwargs={"report_uuid": report.uuid}),
                key=f"{RULE_KEY}:{report.uuid}:{today.isoformat()}",
            )
        else:
            unattended = True
    if unattended:
        made += notify_users(
            users=triage_team(),
            kind=RULE_KEY,
            url=reverse("reports:triage"),
            key=f"{RULE_KEY}:queue:{today.isoformat()}",
        )
    return made


RULE = ReminderRule(RULE_KEY, _("Reports in triage past three working days"), triage_overdue)


def register() -> None:
    register_kind(
        NotificationKind(
            key=RULE_KEY,
            label=_("Report past the triage standard"),
            text=_("A report has waited in triage longer than three working days."),
        )
    )
    register_reminder_rule(RULE)
