"""What public releases add to the shell: a menu entry, a home card, notification kinds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability
from kawal.notify.kinds import NotificationKind, register_kind
from kawal.publication import selectors as sel
from kawal.publication.services import KIND_DECIDED, KIND_WAITING
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    count_card,
    register_home_card,
    register_nav_item,
)


def _waiting_card(request: HttpRequest) -> Mapping[str, Any] | None:
    waiting = sel.waiting_for(request.user)
    if not waiting:
        return None
    return count_card(
        count=waiting,
        urgency=Urgency.WAITING,
        title=gettext_lazy("Public figures"),
        text=ngettext(
            "%(count)d release of public figures waits for your approval.",
            "%(count)d releases of public figures wait for your approval.",
            waiting,
        )
        % {"count": waiting},
        url=reverse("publication:releases"),
        link=gettext_lazy("Releases"),
    )


def register() -> None:
    publishers = any_of(Capability.PUBLISH_FIGURES)
    register_nav_item(
        NavItem("publication:releases", gettext_lazy("Public figures"), publishers, order=70)
    )
    register_home_card(
        HomeCard(
            key="publication.waiting",
            order=50,
            template="web/home_count.html",
            shown_to=publishers,
            context=_waiting_card,
            urgency=Urgency.WAITING,
        )
    )
    register_kind(
        NotificationKind(
            key=KIND_WAITING,
            label=gettext_lazy("Public figures waiting for approval"),
            text=gettext_lazy(
                "A release of public figures waits for a second supervisor's approval."
            ),
        )
    )
    register_kind(
        NotificationKind(
            key=KIND_DECIDED,
            label=gettext_lazy("Decision on public figures you prepared"),
            text=gettext_lazy("A release of public figures you prepared was approved or rejected."),
        )
    )
