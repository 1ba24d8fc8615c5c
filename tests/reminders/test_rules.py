"""Each reminder rule of the issue: due when it should be, to whom, once per day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.extensions import reminder_rules
from kawal.cases.models import Approval, BreakGlassGrant, TaskStatus
from kawal.notify.models import Notification
from kawal.regions.models import Region
from kawal.reminders import rules
from kawal.reports import reminders as triage
from kawal.reports.models import Report, ReportChannel, ReportStatus
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
REASON = "Anak dilaporkan hilang dari rumah aman malam ini"


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def notes(kind: str, user=None):
    rows = Notification.objects.filter(kind=kind)
    return rows.filter(recipient=user) if user is not None else rows


def test_every_rule_of_the_issue_is_registered_with_its_defaults():
    rules_by_key = {rule.key: rule for rule in reminder_rules()}
    assert {
        "reminders.task_overdue",
        "care.missing_observation",
        "assessments.due",
        "monitoring.placement_review",
        "institutions.registration_expiry",
        "reports.triage_overdue",
        "reminders.break_glass_review",
        "reminders.approval_waiting",
        "monitoring.aftercare",
    } <= set(rules_by_key)
    # The deployment's lead-time settings stay the defaults.
    review = rules_by_key["monitoring.placement_review"]
    aftercare = rules_by_key["monitoring.aftercare"]
    assert review.default_lead_days == settings.KAWAL_PLACEMENT_REVIEW_LEAD_DAYS
    assert aftercare.default_lead_days == settings.KAWAL_AFTERCARE_LEAD_DAYS
    assert rules_by_key["reminders.task_overdue"].default_lead_days is None


# --- Overdue tasks ---------------------------------------------------------------------


def test_an_overdue_task_notifies_its_assignee_once_a_day(small):
    today = timezone.localdate()
    overdue = case_svc.task_create(
        small.case,
        title="Kunjungan rumah",
        assignee=small.owner,
        assignee_agency=None,
        due_on=today - timedelta(days=2),
        acting_user=small.owner,
    )
    later = case_svc.task_create(
        small.case,
        title="Belum jatuh tempo",
        assignee=small.owner,
        assignee_agency=None,
        due_on=today,
        acting_user=small.owner,
    )
    assert rules.overdue_tasks(today) == 1
    assert rules.overdue_tasks(today) == 0  # the same day: nobody twice
    row = notes(rules.TASK_OVERDUE).get()
    assert row.recipient == small.owner
    assert row.case_number == small.case.number
    assert row.url == "/tugas/"
    # Tomorrow both are overdue: each once again.
    assert rules.overdue_tasks(today + timedelta(days=1)) == 2
    case_svc.task_set_status(
        overdue, status=TaskStatus.DONE, expected_version=overdue.version, acting_user=small.owner
    )
    assert rules.overdue_tasks(today + timedelta(days=2)) == 1
    keys = set(notes(rules.TASK_OVERDUE).values_list("key", flat=True))
    assert f"{rules.TASK_OVERDUE}:{later.uuid}:{today + timedelta(days=2)}" in keys


def test_an_overdue_task_on_a_case_the_assignee_no_longer_sees_is_not_announced(small):
    outsider = make_user(Role.CASE_MANAGER, username="rm-outsider")
    task = case_svc.task_create(
        small.case,
        title="Tugas lama",
        assignee=small.owner,
        assignee_agency=None,
        due_on=timezone.localdate() - timedelta(days=1),
        acting_user=small.owner,
    )
    type(task).objects.filter(pk=task.pk).update(assignee=outsider)
    assert rules.overdue_tasks(timezone.localdate()) == 0
    assert not notes(rules.TASK_OVERDUE).exists()


# --- Break-glass reviews -------------------------------------------------------------------


def test_unreviewed_emergency_access_reminds_the_reviewers_daily_until_reviewed(small):
    today = timezone.localdate()
    opener = make_user(Role.INVESTIGATOR, username="rm-cop")
    grant = case_svc.break_glass_open(small.case, reason=REASON, acting_user=opener)
    # Opened today: the alert at opening is enough for now (default lead: 1 day).
    assert rules.break_glass_to_review(today) == 0
    assert rules.break_glass_to_review(today, 0) == 1  # lead 0: today's too
    BreakGlassGrant.objects.filter(pk=grant.pk).update(started_at=at(today - timedelta(days=2)))
    tomorrow = today + timedelta(days=1)
    assert rules.break_glass_to_review(tomorrow) == 1
    assert rules.break_glass_to_review(tomorrow) == 0
    assert set(notes(rules.BREAK_GLASS_REVIEW).values_list("recipient", flat=True)) == {
        small.dpo.pk
    }
    assert rules.break_glass_to_review(tomorrow, 5) == 0  # a longer lead: not yet
    case_svc.break_glass_review(grant, outcome="Sah, darurat nyata", acting_user=small.dpo)
    assert rules.break_glass_to_review(tomorrow + timedelta(days=1)) == 0


# --- Approvals waiting ---------------------------------------------------------------------


def test_an_approval_waiting_past_the_lead_time_reminds_the_supervisor(small):
    today = timezone.localdate()
    approval = case_svc.approval_request(
        small.case, kind="plan", comment="", acting_user=small.owner
    )
    assert rules.approvals_waiting(today) == 0  # asked today
    Approval.objects.filter(pk=approval.pk).update(created_at=at(today - timedelta(days=3)))
    assert rules.approvals_waiting(today, 5) == 0  # a five-day lead: not yet
    assert rules.approvals_waiting(today) == 1
    assert rules.approvals_waiting(today) == 0
    row = notes(rules.APPROVAL_WAITING).get()
    assert row.recipient == small.supervisor
    assert str(approval.uuid) in row.url and row.case_number == small.case.number
    case_svc.approval_decide(approval, approve=True, comment="", acting_user=small.supervisor)
    assert rules.approvals_waiting(today + timedelta(days=1)) == 0


# --- Triage past three working days --------------------------------------------------------


def report(created: datetime, **extra) -> Report:
    made = Report.objects.create(
        channel=ReportChannel.RT,
        children_count=1,
        seen_at=created,
        kelurahan=Region.objects.get(code="64.71.06.1004"),
        landmark="Simpang Sintetis",
        **extra,
    )
    Report.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    return made


def test_triage_counts_working_days_and_reminds_the_team_once_a_day(small):
    friday = date(2026, 3, 6)
    assert friday.weekday() == 4
    report(at(friday))
    # Monday, Tuesday, Wednesday: due on Wednesday, past it on Thursday.
    assert triage.triage_overdue(date(2026, 3, 11)) == 0
    thursday = date(2026, 3, 12)
    made = triage.triage_overdue(thursday)
    team = set(notes(triage.RULE_KEY).values_list("recipient", flat=True))
    assert made == len(team) and {small.owner.pk, small.supervisor.pk} <= team
    assert small.dpo.pk not in team  # no triage right, no reminder
    assert triage.triage_overdue(thursday) == 0
    row = notes(triage.RULE_KEY, small.owner).get()
    assert row.url == "/laporan/" and row.case_number == ""


def test_a_report_being_handled_reminds_its_handler_only(small):
    thursday = date(2026, 3, 12)
    handled = report(
        at(date(2026, 3, 6)), status=ReportStatus.IN_PROGRESS, handled_by=small.supervisor
    )
    assert triage.triage_overdue(thursday) == 1
    row = notes(triage.RULE_KEY).get()
    assert row.recipient == small.supervisor and str(handled.uuid) in row.url
    Report.objects.filter(pk=handled.pk).update(status=ReportStatus.HANDLED)
    assert triage.triage_overdue(thursday + timedelta(days=1)) == 0
