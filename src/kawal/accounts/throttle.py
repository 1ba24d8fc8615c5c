"""Failed sign-ins counted per address across usernames (against password spraying).

django-axes pauses one username at one address; spraying one password over
many usernames never trips it. This counter pauses the whole address for the
same cool-off time once too many sign-ins from it failed, whoever they named.
A success does not reset it: one valid account must not launder a spray.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from kawal.core import ratelimit
from kawal.core.audit import AuditContext, audit_record
from kawal.core.net import address_bucket, client_ip

PURPOSE = "login-failures"


def _window() -> int:
    return int(settings.AXES_COOLOFF_TIME * 3600)


def _subject(request: HttpRequest) -> str:
    return address_bucket(client_ip(request))


def address_failed(request: HttpRequest) -> None:
    try:
        ratelimit.hit(PURPOSE, _subject(request), window=_window())
    except ratelimit.CounterUnavailable:
        # The per-username lockout in the database still holds.
        return


def address_paused(request: HttpRequest, username: str) -> bool:
    """True while this address has used up its failures; the refusal is audited."""
    try:
        failures = ratelimit.count(PURPOSE, _subject(request))
    except ratelimit.CounterUnavailable:
        return False
    if failures < settings.KAWAL_LOGIN_ADDRESS_FAILURES:
        return False
    from kawal.accounts.services import AuthEvent

    try:
        # One audit row per paused address and window: anonymous requests must
        # not be able to fill the trail.
        first = ratelimit.hit(f"{PURPOSE}-audited", _subject(request), window=_window()) == 1
    except ratelimit.CounterUnavailable:
        first = True
    if first:
        audit_record(
            AuthEvent.LOCKED_OUT,
            context=AuditContext.from_request(request),
            username=username[:60],
            scope="address",
        )
    return True
