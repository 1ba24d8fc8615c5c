"""What every page's layout needs: navigation for the role, the unread badge, the demo banner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.transaction import TransactionManagementError
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import reads_cases
from kawal.accounts.middleware import second_factor_passed
from kawal.web.extensions import NavItem, any_of, nav_items, register_nav_item
from kawal.web.home import inbox_url, unread_notifications


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
    entries = []
    for item in nav_items():
        if not item.shown_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            # An app whose pages are not wired into the site's URLs yet (being
            # built beside the others) must not take every page down with it.
            continue
        entries.append({"url": url, "label": item.label, "name": item.url_name})
    return entries


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    navigation = navigation_for(user)
    return {
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation,
        "current_url_name": f"{match.namespace}:{match.url_name}" if match else "",
        **_badge(request, signed_in=bool(navigation)),
    }


def _badge(request: HttpRequest, *, signed_in: bool) -> dict[str, Any]:
    """The unread count in the header: one small query, only past the second factor."""
    if not signed_in:
        return {}
    url = inbox_url()
    if not url:
        return {}
    try:
        count = unread_notifications(request)
    except (DatabaseError, TransactionManagementError):
        # Error pages (the access log is down, the database went away) are
        # drawn with this header too: they must render without the count.
        count = None
    return {"inbox_url": url, "unread_notifications": count or 0}
