"""What funding adds to the case file and the shell, registered from ``FundingConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability, DataClass
from kawal.cases.extensions import (
    CaseSection,
    TimelineKind,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.funding import policy
from kawal.funding.selectors import (
    case_commitments,
    claim_card,
    cycles_to_prepare,
    waiting_approval,
)
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    count_card,
    register_home_card,
    register_nav_item,
)

FIN = DataClass.FINANCIAL


def _commitments(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    rows = case_commitments(case)
    commits = policy.commits_on(access)
    if not rows and not commits:
        return None
    return {
        "rows": rows,
        "commits": commits,
        # The institution's name is where the child lives.
        "whereabouts": access.can_read(DataClass.WHEREABOUTS),
    }


def _rupiah(value: Any) -> str:
    try:
        return f"Rp {int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return "Rp —"


def _committed(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    text = _("Funds committed: %(programme)s, %(rate)s %(kind)s, %(start)s to %(end)s") % {
        "programme": payload.get("programme", ""),
        "rate": _rupiah(payload.get("rate")),
        "kind": _("per day") if payload.get("rate_kind") == "daily" else _("per month"),
        "start": payload.get("starts_on", ""),
        "end": payload.get("ends_on", ""),
    }
    if payload.get("overrun"):
        text += " · " + _("over the budget line")
    return text


def _cancelled(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Funding commitment cancelled (%(programme)s): %(reason)s") % {
        "programme": payload.get("programme", ""),
        "reason": payload.get("reason", ""),
    }


def _claim_card(request: HttpRequest) -> Mapping[str, Any] | None:
    card = claim_card(request.user, timezone.localdate())
    if card is None:
        return None
    # Last month's claim not filed yet is the staff's work for today.
    filed = card["claim"] is not None
    return {**card, "count": 0 if filed else 1, "urgency": Urgency.INFO if filed else Urgency.TODAY}


def _approvals_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = waiting_approval(request.user)
    if not waiting:
        return None
    return {"waiting": waiting, "count": waiting, "urgency": Urgency.WAITING}


def _cycles_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = cycles_to_prepare(request.user, timezone.localdate())
    if not waiting:
        return None
    return count_card(
        count=waiting,
        urgency=Urgency.TODAY,
        title=gettext_lazy("Payment cycles to prepare"),
        text=ngettext(
            "%(count)d institution's payment cycle is still to be computed and submitted.",
            "%(count)d institutions' payment cycles are still to be computed and submitted.",
            waiting,
        )
        % {"count": waiting},
        url=reverse("funding:cycles"),
        link=gettext_lazy("Payment cycles"),
    )


def register() -> None:
    register_section(
        CaseSection(
            key="funding.commitments",
            order=60,
            template="funding/case_commitments.html",
            data_class=FIN,
            context=_commitments,
        )
    )
    register_timeline_kind(TimelineKind("funding.committed", _committed))
    register_timeline_kind(TimelineKind("funding.cancelled", _cancelled))
    desk = any_of(Capability.MANAGE_FUNDING, Capability.RECORD_PAYMENT)
    register_nav_item(NavItem("funding:cycles", gettext_lazy("Payments"), desk, order=60))
    register_nav_item(NavItem("funding:budgets", gettext_lazy("Budgets"), desk, order=61))
    register_nav_item(
        NavItem(
            "funding:claim",
            gettext_lazy("Monthly claim"),
            any_of(Capability.CARE_FOR_PLACED),
            order=62,
        )
    )
    register_home_card(
        HomeCard(
            key="funding.claim",
            order=40,
            template="funding/home_claim.html",
            shown_to=any_of(Capability.CARE_FOR_PLACED),
            context=_claim_card,
        )
    )
    register_home_card(
        HomeCard(
            key="funding.approvals",
            order=40,
            template="funding/home_approvals.html",
            shown_to=any_of(Capability.RECORD_PAYMENT),
            context=_approvals_card,
        )
    )
    register_home_card(
        HomeCard(
            key="funding.cycles",
            order=41,
            template="web/home_count.html",
            shown_to=any_of(Capability.MANAGE_FUNDING),
            context=_cycles_card,
            urgency=Urgency.TODAY,
        )
    )
