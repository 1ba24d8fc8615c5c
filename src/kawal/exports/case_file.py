"""What exports add to the case file, the shell and notifications (from ``ready()``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.extensions import CaseSection, register_section
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.exports import case_list
from kawal.exports.registry import register_export_kind
from kawal.exports.selectors import summary_allowed
from kawal.exports.services import NOTIFY_APPROVAL, NOTIFY_DECIDED
from kawal.exports.summary import CARD_KEY
from kawal.notify.kinds import NotificationKind, register_kind
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    count_card,
    register_home_card,
    register_nav_item,
)


def _summary_link(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    if not may(request.user, Capability.EXPORT_CASE_DATA) or not summary_allowed(access):
        return None
    return {"url": reverse("exports:case_summary", kwargs={"case_uuid": case.uuid})}


def _waiting_card(request: HttpRequest) -> dict[str, Any] | None:
    from kawal.exports.selectors import waiting_count

    count = waiting_count(request.user)
    if not count:
        return None
    return count_card(
        count=count,
        urgency=Urgency.WAITING,
        title=gettext_lazy("Exports to approve"),
        text=ngettext(
            "%(count)s export of children's data waits for your decision.",
            "%(count)s exports of children's data wait for your decision.",
            count,
        )
        % {"count": count},
        url=reverse("exports:waiting"),
        link=gettext_lazy("Decide"),
    )


def register() -> None:
    register_export_kind(case_list.KIND)
    register_section(
        CaseSection(
            key=CARD_KEY,
            order=90,
            slot="summary",
            template="exports/case_summary_link.html",
            data_class=DataClass.BASIC,
            context=_summary_link,
        )
    )
    register_kind(
        NotificationKind(
            key=NOTIFY_APPROVAL,
            label=gettext_lazy("An export waits for approval"),
            text=gettext_lazy(
                "An export of children's data waits for a supervisor's approval. "
                "Open the list of exports to approve."
            ),
        )
    )
    register_kind(
        NotificationKind(
            key=NOTIFY_DECIDED,
            label=gettext_lazy("Your export was decided"),
            text=gettext_lazy(
                "A supervisor decided on an export you requested. Open your exports to see it."
            ),
        )
    )
    exporters = any_of(Capability.EXPORT_CASE_DATA, Capability.EXPORT_SIMFONI)
    register_nav_item(NavItem("exports:mine", gettext_lazy("My exports"), exporters, order=80))
    register_home_card(
        HomeCard(
            key="exports.waiting",
            order=45,
            template="web/home_count.html",
            shown_to=any_of(Capability.APPROVE_EXPORT),
            context=_waiting_card,
            urgency=Urgency.WAITING,
        )
    )
