"""Daily rules about cases and tasks in general: they notify, they make no tasks.

- ``reminders.task_overdue``: each open task past its due date, to its
  assignee, once a day while it stays overdue (the task exists: a task about
  a task would only double the list).
- ``reminders.break_glass_review``: emergency accesses not yet reviewed, to
  everyone who reviews them (the data protection officer), once a day.
- ``reminders.approval_waiting``: a case plan or closure waiting for the
  supervisor's approval longer than the lead time, to that supervisor, once
  a day per approval.

Each notification's key names the thing and the day, so a second run the
same day notifies nobody again (``notify_users`` is idempotent per key).
Texts name the kind of thing, never a child: the link says where.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import ROLES, Capability, DataClass
from kawal.access.policy import may
from kawal.cases.extensions import ReminderRule
from kawal.cases.models import Approval, ApprovalStatus, BreakGlassGrant, Task, TaskStatus
from kawal.cases.policy import case_access, case_access_bulk
from kawal.notify.kinds import NotificationKind
from kawal.notify.services import notify_users

TASK_OVERDUE = "reminders.task_overdue"
BREAK_GLASS_REVIEW = "reminders.break_glass_review"
APPROVAL_WAITING = "reminders.approval_waiting"

# Days an emergency access may wait for its review before the daily reminder.
BREAK_GLASS_LEAD_DAYS = 1
# Days an approval may wait before the supervisor is reminded.
APPROVAL_LEAD_DAYS = 2


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day``."""
    return timezone.make_aware(datetime.combine(day, time.min))


def users_who_may(capability: Capability) -> list[Any]:
    """Active accounts whose role has the capability, in a stable order."""
    roles = [spec.role for spec in ROLES.values() if capability in spec.capabilities]
    users = get_user_model().objects.filter(is_active=True, role__in=roles).order_by("pk")
    return [user for user in users if may(user, capability)]


def overdue_tasks(today: date, lead_days: int | None = None) -> int:
    """A notification per open task past its due date, to its assignee, once a day.

    Only tasks on cases the assignee may still see (as "my tasks" lists
    them); a task given to an agency rather than a person is left to the
    agency's own list and the home page.
    """
    tasks = (
        Task.objects.filter(
            status=TaskStatus.OPEN,
            due_on__lt=today,
            assignee__isnull=False,
            assignee__is_active=True,
        )
        .select_related("case", "assignee")
        .order_by("assignee_id", "pk")
    )
    by_user: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        by_user[task.assignee_id].append(task)  # type: ignore[index]
    url = reverse("cases:my_tasks")
    made = 0
    for user_tasks in by_user.values():
        user = user_tasks[0].assignee
        visible = case_access_bulk(user, {task.case_id: task.case for task in user_tasks}.values())
        for task in user_tasks:
            if task.case_id not in visible:
                continue
            made += notify_users(
                users=[user],
                kind=TASK_OVERDUE,
                url=url,
                key=f"{TASK_OVERDUE}:{task.uuid}:{today.isoformat()}",
                case_number=task.case.number,
            )
    return made


def break_glass_to_review(today: date, lead_days: int | None = None) -> int:
    """One notification a day to each reviewer while emergency accesses wait.

    A grant waits once it is older than the lead time (in days; 0 reminds of
    today's too). The alert sent when the access was opened goes to the
    case's supervisor; this reminder keeps the data protection officer's
    queue from being forgotten.
    """
    lead = BREAK_GLASS_LEAD_DAYS if lead_days is None else max(0, lead_days)
    waiting = BreakGlassGrant.objects.filter(
        reviewed_at__isnull=True, started_at__lt=start_of(today - timedelta(days=lead - 1))
    )
    if not waiting.exists():
        return 0
    return notify_users(
        users=users_who_may(Capability.REVIEW_BREAK_GLASS),
        kind=BREAK_GLASS_REVIEW,
        url=reverse("cases:break_glass_queue"),
        key=f"{BREAK_GLASS_REVIEW}:{today.isoformat()}",
    )


def approvals_waiting(today: date, lead_days: int | None = None) -> int:
    """A notification a day per approval waiting longer than the lead time, to the supervisor.

    Only a supervisor who may decide it now (still the case's supervisor,
    with the right to approve) is reminded; one who left is not, and the case
    page shows the request to whoever takes over.
    """
    lead = APPROVAL_LEAD_DAYS if lead_days is None else max(0, lead_days)
    approvals = (
        Approval.objects.filter(
            status=ApprovalStatus.REQUESTED,
            created_at__lt=start_of(today - timedelta(days=lead - 1)),
            case__supervisor__isnull=False,
            case__supervisor__is_active=True,
        )
        .select_related("case", "case__supervisor")
        .order_by("pk")
    )
    made = 0
    for approval in approvals:
        supervisor = approval.case.supervisor
        access = case_access(supervisor, approval.case)
        if access is None or not access.approves or not access.can_read(DataClass.BASIC):
            continue
        made += notify_users(
            users=[supervisor],
            kind=APPROVAL_WAITING,
            url=reverse(
                "cases:approval_decide",
                kwargs={"case_uuid": approval.case.uuid, "approval_uuid": approval.uuid},
            ),
            key=f"{APPROVAL_WAITING}:{approval.uuid}:{today.isoformat()}",
            case_number=approval.case.number,
        )
    return made


KINDS = (
    NotificationKind(
        key=TASK_OVERDUE,
        label=_("Overdue task"),
        text=_("A task assigned to you is past its due date."),
    ),
    NotificationKind(
        key=BREAK_GLASS_REVIEW,
        label=_("Emergency access to review"),
        text=_("Emergency accesses to case files are waiting for your review."),
    ),
    NotificationKind(
        key=APPROVAL_WAITING,
        label=_("Approval waiting"),
        text=_("A case plan or closure has been waiting for your approval."),
    ),
)

RULES = (
    ReminderRule(TASK_OVERDUE, _("Overdue tasks"), overdue_tasks),
    ReminderRule(
        BREAK_GLASS_REVIEW,
        _("Emergency accesses to review"),
        break_glass_to_review,
        default_lead_days=BREAK_GLASS_LEAD_DAYS,
        lead_help=_("Days an emergency access waits for its review before reminders start."),
    ),
    ReminderRule(
        APPROVAL_WAITING,
        _("Approvals waiting"),
        approvals_waiting,
        default_lead_days=APPROVAL_LEAD_DAYS,
        lead_help=_("Days a request waits for approval before the supervisor is reminded."),
    ),
)
