"""Counting hits in a shared cache, for rate limits that must hold across workers.

Keys are hashed with the secret key, so the cache never holds an address, a
username or a user id in clear. Each counter lives ``window`` seconds from its
first hit, so there is nothing to reset.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class CounterUnavailable(Exception):
    """The cache could not be reached; the caller decides whether to go on."""


def _key(purpose: str, subject: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{purpose}|{subject}".encode()).hexdigest()
    return f"rate:{purpose}:{digest[:32]}"


def hit(purpose: str, subject: str, *, window: int) -> int:
    """Count one hit for ``subject`` and return how many fell in the window so far."""
    key = _key(purpose, subject)
    try:
        cache.add(key, 0, timeout=window)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            return 1
    except RedisError as error:
        logger.error("rate counter %s unavailable: %s", purpose, type(error).__name__)
        raise CounterUnavailable from error


def count(purpose: str, subject: str) -> int:
    """How many hits ``subject`` has in its current window, without adding one."""
    try:
        return int(cache.get(_key(purpose, subject)) or 0)
    except RedisError as error:
        logger.error("rate counter %s unavailable: %s", purpose, type(error).__name__)
        raise CounterUnavailable from error
