"""The notification kinds of the case workflow, registered from ``NotifyConfig.ready()``.

``cases`` raises these (``kawal.cases.services``); they live here, not in
``cases``, only because ``notify`` owns the wording that reaches a mailbox.
Nothing here imports a domain app. Apps above ``cases`` register their own
kinds in their ``ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kawal.notify.kinds import NotificationKind, register_kind

TASK_ASSIGNED = "task_assigned"
REMINDER = "reminder"
REFERRAL_RECEIVED = "referral_received"
APPROVAL_REQUESTED = "approval_requested"
APPROVAL_DECIDED = "approval_decided"
BREAK_GLASS_USED = "break_glass_used"
WELCOME = "welcome"

WORKFLOW_KINDS = (
    NotificationKind(
        key=TASK_ASSIGNED,
        label=_("Task assigned"),
        text=_("A task on a case was given to you or your agency."),
    ),
    NotificationKind(
        key=REMINDER,
        label=_("Reminder"),
        text=_("Something on a case is due or overdue: a reminder task is waiting."),
    ),
    NotificationKind(
        key=REFERRAL_RECEIVED,
        label=_("Referral received"),
        text=_("A case was referred to your agency and waits for an answer."),
    ),
    NotificationKind(
        key=APPROVAL_REQUESTED,
        label=_("Approval requested"),
        text=_("A case waits for your approval."),
    ),
    NotificationKind(
        key=APPROVAL_DECIDED,
        label=_("Approval decided"),
        text=_("Your request for approval on a case was decided."),
    ),
    NotificationKind(
        key=BREAK_GLASS_USED,
        label=_("Emergency access used"),
        text=_("Someone opened emergency access to a case you supervise. Review it."),
        urgent=True,
    ),
    NotificationKind(
        key=WELCOME,
        label=_("Welcome"),
        text=_("Your notifications appear here. Choose which of them also reach you by e-mail."),
    ),
)


def register() -> None:
    for kind in WORKFLOW_KINDS:
        register_kind(kind)
