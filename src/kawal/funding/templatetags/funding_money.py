"""``{{ amount|rupiah }}``: funding's one number formatter in templates."""

from __future__ import annotations

from typing import Any

from django import template

from kawal.funding.money import rupiah as _rupiah

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    try:
        return _rupiah(int(value))
    except (TypeError, ValueError):
        return ""
