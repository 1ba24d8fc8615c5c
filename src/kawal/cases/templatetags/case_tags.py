"""Readable labels for values stored in the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from kawal.cases.extensions import timeline_kind
from kawal.cases.models import Case, CaseStatus
from kawal.people.models import Person, PersonRelation

register = template.Library()

_FIELD_LABELS = {
    field.name: field.verbose_name
    for model in (PersonRelation, Person, Case)
    for field in model._meta.get_fields()
    if hasattr(field, "verbose_name")
}


@register.filter
def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


@register.filter
def field_label(name: str) -> str:
    if name == "aliases":
        from django.utils.translation import gettext

        return gettext("other names")
    label = _FIELD_LABELS.get(name)
    return str(label) if label else name


@register.simple_tag
def timeline_label(event: Any, readable: Mapping[str, bool]) -> str:
    """How an event of an app above ``cases`` reads, as that app registered it."""
    kind = timeline_kind(event.kind)
    if kind is None:
        return str(event.kind)
    return str(kind.describe(event.payload or {}, readable or {}))
