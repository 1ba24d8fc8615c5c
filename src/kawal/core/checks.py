"""Deployment checks of our own, run by ``kawal check --deploy``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    # Production is served behind an HTTPS proxy (README). With no proxy
    # trusted, every citizen appears with the proxy's address: one person can
    # use up the whole city's public-report limit and lock sign-ins for all.
    if settings.KAWAL_TRUSTED_PROXY_COUNT > 0:
        return []
    return [
        checks.Warning(
            "KAWAL_TRUSTED_PROXY_COUNT is 0: behind a reverse proxy every client shares "
            "the proxy's address for rate limits, sign-in lockouts and the audit trail.",
            hint="Set KAWAL_TRUSTED_PROXY_COUNT to the number of proxies in front of the "
            "app (1 for one HTTPS proxy), and keep the app reachable only through them.",
            id="kawal.W001",
        )
    ]
