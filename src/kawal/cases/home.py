"""The case worker's home cards: tasks due, referrals and approvals waiting, emergency
accesses to review. Counts only (no case is named), each one query over what the
user may see, so nothing here is logged and the page costs the same for any caseload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability
from kawal.access.policy import reads_cases
from kawal.cases import selectors as sel
from kawal.web.extensions import HomeCard, Urgency, any_of, count_card, register_home_card


def _tasks_card(request: HttpRequest) -> Mapping[str, Any] | None:
    counts = sel.task_counts(request.user)
    if not counts.open:
        return None
    parts = []
    if counts.overdue:
        parts.append(
            ngettext("%(count)d overdue", "%(count)d overdue", counts.overdue)
            % {"count": counts.overdue}
        )
    if counts.due_today:
        parts.append(
            ngettext("%(count)d due today", "%(count)d due today", counts.due_today)
            % {"count": counts.due_today}
        )
    summary = ngettext("%(count)d open task", "%(count)d open tasks", counts.open) % {
        "count": counts.open
    }
    urgency = (
        Urgency.OVERDUE if counts.overdue else Urgency.TODAY if counts.due_today else Urgency.INFO
    )
    return count_card(
        count=counts.overdue + counts.due_today,
        urgency=urgency,
        title=gettext_lazy("My tasks"),
        text=f"{summary}: {', '.join(parts)}." if parts else f"{summary}.",
        url=reverse("cases:my_tasks"),
        link=gettext_lazy("Open my tasks"),
    )


def _referrals_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = sel.pending_referrals(request.user).count()
    if not waiting:
        return None
    return count_card(
        count=waiting,
        urgency=Urgency.WAITING,
        title=gettext_lazy("Referrals"),
        text=ngettext(
            "%(count)d referral to your agency waits for an answer.",
            "%(count)d referrals to your agency wait for an answer.",
            waiting,
        )
        % {"count": waiting},
        url=reverse("cases:referral_inbox"),
        link=gettext_lazy("Answer the referrals"),
    )


def _approvals_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = sel.approvals_waiting(request.user).count()
    if not waiting:
        return None
    return count_card(
        count=waiting,
        urgency=Urgency.WAITING,
        title=gettext_lazy("Approvals"),
        text=ngettext(
            "%(count)d case plan or closure waits for your approval.",
            "%(count)d case plans or closures wait for your approval.",
            waiting,
        )
        % {"count": waiting},
        url=reverse("cases:list") + "?approval=1",
        link=gettext_lazy("Cases to approve"),
    )


def _break_glass_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = sel.break_glass_queue(request.user).count()
    if not waiting:
        return None
    return count_card(
        count=waiting,
        urgency=Urgency.WAITING,
        title=gettext_lazy("Emergency access to review"),
        text=ngettext(
            "%(count)d emergency access waits for your review.",
            "%(count)d emergency accesses wait for your review.",
            waiting,
        )
        % {"count": waiting},
        url=reverse("cases:break_glass_queue"),
        link=gettext_lazy("Review emergency access"),
    )


CARDS = (
    HomeCard("cases.tasks", 1, "web/home_count.html", reads_cases, _tasks_card, Urgency.TODAY),
    HomeCard(
        "cases.referrals", 8, "web/home_count.html", reads_cases, _referrals_card, Urgency.WAITING
    ),
    HomeCard(
        "cases.approvals",
        9,
        "web/home_count.html",
        any_of(Capability.APPROVE),
        _approvals_card,
        Urgency.WAITING,
    ),
    HomeCard(
        "cases.break_glass",
        11,
        "web/home_count.html",
        any_of(Capability.REVIEW_BREAK_GLASS, Capability.APPROVE),
        _break_glass_card,
        Urgency.WAITING,
    ),
)


def register() -> None:
    for card in CARDS:
        register_home_card(card)
