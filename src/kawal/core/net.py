"""Which address a request came from, for lockout, rate limits and audit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client address, trusting X-Forwarded-For only behind known proxies.

    With ``KAWAL_TRUSTED_PROXY_COUNT = n`` the n-th address from the right of the
    header is the client (each trusted proxy appends the address it saw); a
    client that forges the header only adds entries further to the left.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
    count = settings.KAWAL_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
