"""Which address a request came from, for lockout, rate limits and audit."""

from __future__ import annotations

import ipaddress

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
    claimed = forwarded[-count]
    try:
        return str(ipaddress.ip_address(claimed))
    except ValueError:
        # Not an address (a misconfigured proxy, or a forged header with too
        # high a proxy count): never let it into logs or rate-limit keys.
        return remote


def address_bucket(address: str) -> str:
    """The unit a per-address limit counts: one IPv4 address, or one IPv6 /64.

    One IPv6 subscriber is handed a whole /64; counting single addresses
    would let them send from as many addresses as they like.
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        mapped = parsed.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
