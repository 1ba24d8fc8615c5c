"""Demo notifications (synthetic): a few for every demo account, pointing at real work.

Runs after every other loader (cases, reports and the rest): the workflow
already notified people while those loaders went through the services (tasks
given, approvals asked, referrals sent); this adds, for each demo account, a
welcome that points at the e-mail choices, one notice per open task of theirs
(up to three) and, for the supervisor, one per approval waiting on a case they
supervise (up to three). The oldest of them are marked read, so the inbox
shows both states. Keys start with ``demo:``; a second run adds nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from kawal.access.policy import reads_cases
from kawal.accounts.models import User
from kawal.cases.models import Approval, ApprovalStatus, Task, TaskStatus
from kawal.notify import workflow
from kawal.notify.models import Notification
from kawal.notify.services import notification_mark_read, notify_users

PER_ACCOUNT = 3


def demo_load_notify() -> int:
    """Add the notifications demo; returns how many notifications it made."""
    made = 0
    for user in User.objects.filter(is_demo_account=True, is_active=True).order_by("username"):
        with transaction.atomic():
            added = notify_users(
                users=[user],
                kind=workflow.WELCOME,
                url=reverse("notify:preferences"),
                key="demo:welcome",
            )
            if reads_cases(user):
                added += _tasks(user) + _approvals(user)
            if added:
                _read_the_oldest(user)
            made += added
    return made


def _tasks(user: User) -> int:
    mine = Q(assignee=user)
    if user.agency_id is not None:
        mine |= Q(assignee__isnull=True, assignee_agency_id=user.agency_id)
    tasks = Task.objects.filter(mine, status=TaskStatus.OPEN).select_related("case")
    made = 0
    for task in tasks.order_by("due_on", "pk")[:PER_ACCOUNT]:
        made += notify_users(
            users=[user],
            kind=workflow.REMINDER if task.reminder_key else workflow.TASK_ASSIGNED,
            url=reverse("cases:my_tasks"),
            key=f"demo:task:{task.uuid}",
            case_number=task.case.number,
        )
    return made


def _approvals(user: User) -> int:
    waiting = Approval.objects.filter(
        case__supervisor=user, status=ApprovalStatus.REQUESTED
    ).select_related("case")
    made = 0
    for approval in waiting.order_by("created_at", "pk")[:PER_ACCOUNT]:
        made += notify_users(
            users=[user],
            kind=workflow.APPROVAL_REQUESTED,
            url=reverse("cases:detail", kwargs={"case_uuid": approval.case.uuid}),
            key=f"demo:approval:{approval.uuid}",
            case_number=approval.case.number,
        )
    return made


def _read_the_oldest(user: User) -> None:
    rows = list(Notification.objects.filter(recipient=user).order_by("created_at", "id"))
    # Leave the newest unread (at least one), so the header's badge has a number.
    for row in rows[: len(rows) // 2]:
        notification_mark_read(row, acting_user=user)
