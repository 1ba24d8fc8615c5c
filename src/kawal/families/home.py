"""The RT head's home card: the visits waiting for them, two taps from sign-in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from kawal.access.catalogue import Capability
from kawal.families.selectors import rt_pending_count
from kawal.web.extensions import HomeCard, Urgency, any_of


def _rt_card(request: HttpRequest) -> Mapping[str, Any] | None:
    # A count, no names: the list itself is logged when opened.
    waiting = rt_pending_count(request.user)
    return {"waiting": waiting, "count": waiting, "urgency": Urgency.WAITING}


RT_CARD = HomeCard(
    key="families.rt_visits",
    order=20,
    template="families/home_rt.html",
    shown_to=any_of(Capability.CONFIRM_HOME),
    context=_rt_card,
)
