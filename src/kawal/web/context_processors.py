"""What every page's layout needs: navigation for the role and the demo banner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may, reads_cases
from kawal.accounts.middleware import second_factor_passed


def _any(*capabilities: Capability) -> Callable[[Any], bool]:
    return lambda user: any(may(user, capability) for capability in capabilities)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    shown_to: Callable[[Any], bool] = lambda user: True


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("web:home", _("Home")),
    NavItem("cases:list", _("Cases"), reads_cases),
    NavItem("cases:my_tasks", _("My tasks"), reads_cases),
    NavItem("cases:referral_inbox", _("Referrals"), reads_cases),
    NavItem("reports:triage", _("Reports"), _any(Capability.TRIAGE_REPORTS)),
    NavItem("reports:take_in", _("Record a report"), _any(Capability.TAKE_REPORT)),
    NavItem("outreach:list", _("Outreach"), _any(Capability.LOG_OUTREACH)),
    NavItem("hotspots:map", _("Hotspot map"), _any(Capability.VIEW_HOTSPOT_MAP)),
    NavItem("cases:break_glass", _("Emergency access"), _any(Capability.BREAK_GLASS)),
    NavItem(
        "cases:break_glass_queue",
        _("Review emergency access"),
        _any(Capability.REVIEW_BREAK_GLASS, Capability.APPROVE),
    ),
    NavItem("identity:queue", _("Possible duplicates"), _any(Capability.REVIEW_DUPLICATES)),
    NavItem(
        "admin:index",
        _("Configuration"),
        _any(Capability.MANAGE_CONFIGURATION, Capability.MANAGE_USERS),
    ),
    NavItem("accounts:security", _("Account security")),
)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    # Before the second factor the user has only their password: show nothing
    # that reveals what the account could reach.
    if not getattr(user, "is_authenticated", False) or not second_factor_passed(user):
        return []
    return [
        {"url": reverse(item.url_name), "label": item.label, "name": item.url_name}
        for item in NAVIGATION
        if item.shown_to(user)
    ]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation_for(user),
        "current_url_name": f"{match.namespace}:{match.url_name}" if match else "",
    }
