"""The triage team's home card: reports past the 3-working-day standard, then the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability
from kawal.reports.selectors import triage_counts
from kawal.web.extensions import HomeCard, Urgency, any_of, count_card


def _triage_card(request: HttpRequest) -> Mapping[str, Any] | None:
    # Counts only: a report says where a child was seen, so the list is opened, not shown here.
    counts = triage_counts(request.user)
    if not counts.open:
        return None
    if counts.overdue:
        text = ngettext(
            "%(overdue)d report is past the 3-working-day standard (%(open)d open).",
            "%(overdue)d reports are past the 3-working-day standard (%(open)d open).",
            counts.overdue,
        ) % {"overdue": counts.overdue, "open": counts.open}
        return count_card(
            count=counts.overdue,
            urgency=Urgency.OVERDUE,
            title=gettext_lazy("Reports to triage"),
            text=text,
            url=reverse("reports:triage") + "?sort=due",
            link=gettext_lazy("Open the queue"),
        )
    return count_card(
        count=counts.open,
        urgency=Urgency.TODAY,
        title=gettext_lazy("Reports to triage"),
        text=ngettext(
            "%(open)d open report, none past the standard.",
            "%(open)d open reports, none past the standard.",
            counts.open,
        )
        % {"open": counts.open},
        url=reverse("reports:triage"),
        link=gettext_lazy("Open the queue"),
    )


TRIAGE_CARD = HomeCard(
    key="reports.triage",
    order=12,
    template="web/home_count.html",
    shown_to=any_of(Capability.TRIAGE_REPORTS),
    context=_triage_card,
    urgency=Urgency.TODAY,
)
