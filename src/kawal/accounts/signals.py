"""Audit rows for sign-in events raised by Django and django-axes.

These events are raised inside authentication code we do not own, so the
signals are the only place to observe them; they only write audit rows.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from kawal.core.audit import AuditContext, audit_record

# An attempted username is kept for the trail, cut short in case someone typed
# their password into the wrong box.
_ATTEMPT_MAX = 60


def _context(request: Any) -> AuditContext | None:
    return AuditContext.from_request(request) if request is not None else None


def _attempted_user(username: str) -> Any:
    from kawal.accounts.models import User

    return User.objects.filter(username=username).first() if username else None


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from kawal.accounts.services import AuthEvent

    audit_record(
        AuthEvent.LOGIN_SUCCEEDED, actor=user, subject_user=user, context=_context(request)
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    from kawal.accounts.services import AuthEvent

    username = str(credentials.get("username", ""))[:150]
    audit_record(
        AuthEvent.LOGIN_FAILED,
        subject_user=_attempted_user(username),
        context=_context(request),
        username=username[:_ATTEMPT_MAX],
    )


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from kawal.accounts.services import AuthEvent

    if user is not None:
        audit_record(AuthEvent.LOGGED_OUT, actor=user, subject_user=user, context=_context(request))


def on_locked_out(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    from kawal.accounts.services import AuthEvent

    username = (username or "")[:150]
    audit_record(
        AuthEvent.LOCKED_OUT,
        subject_user=_attempted_user(username),
        context=_context(request),
        username=username[:_ATTEMPT_MAX],
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="kawal_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="kawal_login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="kawal_logged_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="kawal_locked_out")
