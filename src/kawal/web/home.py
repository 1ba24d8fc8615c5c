"""The shell's own home card (unread notifications) and the badge's count.

The inbox belongs to ``kawal.notify``; until its selector and its URL exist
the card and the badge simply stay away (no error, no empty promise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy, ngettext

from kawal.web.extensions import HomeCard, Urgency, count_card, register_home_card

_UNREAD = "_kawal_unread_notifications"


def inbox_url() -> str | None:
    try:
        return reverse("notify:inbox")
    except NoReverseMatch:
        return None


def unread_notifications(request: HttpRequest) -> int | None:
    """The user's unread count, asked once per request (badge and card share it)."""
    if hasattr(request, _UNREAD):
        cached: int | None = getattr(request, _UNREAD)
        return cached
    count: int | None = None
    user: Any = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False) and inbox_url() is not None:
        try:
            from kawal.notify.selectors import unread_count
        except ImportError:
            unread_count = None  # type: ignore[assignment]
        if unread_count is not None:
            count = unread_count(user)
    setattr(request, _UNREAD, count)
    return count


def _notifications_card(request: HttpRequest) -> Mapping[str, Any] | None:
    count = unread_notifications(request)
    url = inbox_url()
    if not count or url is None:
        return None
    return count_card(
        count=count,
        urgency=Urgency.TODAY,
        title=gettext_lazy("Notifications"),
        text=ngettext("%(count)d unread notification.", "%(count)d unread notifications.", count)
        % {"count": count},
        url=url,
        link=gettext_lazy("Open the inbox"),
    )


NOTIFICATIONS_CARD = HomeCard(
    key="web.notifications",
    order=5,
    template="web/home_count.html",
    shown_to=lambda user: True,
    context=_notifications_card,
    urgency=Urgency.TODAY,
)


def register_cards() -> None:
    register_home_card(NOTIFICATIONS_CARD)
