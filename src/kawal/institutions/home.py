"""The social worker's home card: registrations running out, two taps from sign-in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from kawal.access.catalogue import Capability
from kawal.institutions.selectors import open_alerts
from kawal.web.extensions import HomeCard, Urgency, any_of

SHOWN = 5


def _alerts_card(request: HttpRequest) -> Mapping[str, Any] | None:
    # Two queries whatever the registry's size: the first few rows and the count.
    rows = open_alerts(request.user)
    first = list(rows[:SHOWN])
    if not first:
        return None
    total = rows.count()
    # An expired registration is overdue; one running out is work for today.
    urgency = Urgency.OVERDUE if any(alert.expired for alert in first) else Urgency.TODAY
    return {"alerts": first, "total": total, "count": total, "urgency": urgency}


ALERTS_CARD = HomeCard(
    key="institutions.registration_alerts",
    order=25,
    template="institutions/home_alerts.html",
    shown_to=any_of(Capability.MANAGE_INSTITUTIONS),
    context=_alerts_card,
)
