"""What every page's layout needs: navigation for the role and the demo banner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    # Shown when the user holds any of these; empty means every signed-in user.
    needs: tuple[Capability, ...] = ()


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("web:home", _("Home")),
    NavItem(
        "admin:index",
        _("Configuration"),
        (Capability.MANAGE_CONFIGURATION, Capability.MANAGE_USERS),
    ),
    NavItem("accounts:security", _("Account security")),
)


def navigation_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"url": reverse(item.url_name), "label": item.label, "name": item.url_name}
        for item in NAVIGATION
        if not item.needs or any(may(user, capability) for capability in item.needs)
    ]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation_for(user),
        "current_url_name": f"{match.namespace}:{match.url_name}" if match else "",
    }
