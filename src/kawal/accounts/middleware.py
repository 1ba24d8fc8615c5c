"""Server-side session limits and the second-factor gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.accounts.services import (
    SESSION_AUTH_AT,
    SESSION_SEEN_AT,
    AuthEvent,
    has_second_factor,
    session_forget,
)
from kawal.core.audit import AuditContext, audit_record

# Writing the session on every request would cost a database write per page;
# refreshing the idle clock once a minute is precise enough for a 30-minute limit.
_SEEN_RESOLUTION_SECONDS = 60


def second_factor_not_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that a signed-in user may reach before passing the second factor."""
    view.second_factor_not_required = True  # type: ignore[attr-defined]
    return view


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    if getattr(request, "htmx", False):
        # htmx would otherwise swap a whole login page into a fragment.
        response["HX-Redirect"] = url
    return response


class SessionLifetimeMiddleware:
    """End sessions idle for 30 minutes or older than 12 hours, on the server."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            auth_at = request.session.get(SESSION_AUTH_AT)
            seen_at = request.session.get(SESSION_SEEN_AT)
            if not isinstance(auth_at, int) or not isinstance(seen_at, int):
                auth_at = seen_at = 0
            expired = None
            if auth_at == 0 or now - auth_at > settings.KAWAL_SESSION_ABSOLUTE_SECONDS:
                # A session without our stamps was not opened by our sign-in.
                expired = AuthEvent.SESSION_EXPIRED_ABSOLUTE
            elif now - seen_at > settings.KAWAL_SESSION_IDLE_SECONDS:
                expired = AuthEvent.SESSION_EXPIRED_IDLE
            if expired is not None:
                audit_record(
                    expired,
                    actor=user,
                    subject_user=user,
                    context=AuditContext.from_request(request),
                )
                session_forget(request.session.session_key)
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                query = (
                    urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                )
                return _redirect(
                    request, reverse(settings.LOGIN_URL) + (f"?{query}" if query else "")
                )
            if now - seen_at >= _SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


def skips_second_factor(user: Any) -> bool:
    return bool(settings.KAWAL_DEMO_SKIPS_SECOND_FACTOR and getattr(user, "is_demo_account", False))


def second_factor_passed(user: Any) -> bool:
    """Signed in with both factors in this session (or a demo account in demo mode)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified()) or skips_second_factor(user)


class SecondFactorRequiredMiddleware:
    """No page beyond the sign-in steps until the second factor is passed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None  # LoginRequiredMiddleware has already decided.
        if getattr(view_func, "second_factor_not_required", False):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (language switch, set-password link)
        if second_factor_passed(user):
            return None
        target = "accounts:verify" if has_second_factor(user) else "accounts:setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return _redirect(request, reverse(target) + (f"?{query}" if query else ""))
