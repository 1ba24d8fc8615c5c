"""What every page's layout needs: navigation for the role and the demo banner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import reads_cases
from kawal.accounts.middleware import second_factor_passed
from kawal.web.extensions import NavItem, any_of, nav_items, register_nav_item


def register_menu() -> None:
    """The menu entries of the apps the shell stands on (called from ``WebConfig.ready``).

    Apps above the shell add theirs through ``kawal.web.extensions``:
    reports at 40, outreach 50, hotspots 60 and so on.
    """
    for item in (
        NavItem("web:home", _("Home"), order=0),
        NavItem("cases:list", _("Cases"), reads_cases, order=10),
        NavItem("cases:my_tasks", _("My tasks"), reads_cases, order=20),
        NavItem("cases:referral_inbox", _("Referrals"), reads_cases, order=30),
        NavItem(
            "cases:break_glass", _("Emergency access"), any_of(Capability.BREAK_GLASS), order=80
        ),
        NavItem(
            "cases:break_glass_queue",
            _("Review emergency access"),
            any_of(Capability.REVIEW_BREAK_GLASS, Capability.APPROVE),
            order=81,
        ),
        NavItem(
            "identity:queue",
            _("Possible duplicates"),
            any_of(Capability.REVIEW_DUPLICATES),
            order=85,
        ),
        NavItem(
            "admin:index",
            _("Configuration"),
            any_of(Capability.MANAGE_CONFIGURATION, Capability.MANAGE_USERS),
            order=900,
        ),
        NavItem("accounts:security", _("Account security"), order=1000),
    ):
        register_nav_item(item)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    # Before the second factor the user has only their password: show nothing
    # that reveals what the account could reach.
    if not getattr(user, "is_authenticated", False) or not second_factor_passed(user):
        return []
    return [
        {"url": reverse(item.url_name), "label": item.label, "name": item.url_name}
        for item in nav_items()
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
