"""Texts kept as data in both languages (instrument items, indicators, bands)."""

from __future__ import annotations

from django.utils.translation import get_language


def in_language(indonesian: str | None, english: str | None) -> str:
    """The English text on an English page when there is one, else the Indonesian.

    Indonesian is the default; a text missing in the page's language falls
    back to the other rather than showing nothing.
    """
    if (get_language() or "id").startswith("en") and english:
        return english
    return indonesian or english or ""
