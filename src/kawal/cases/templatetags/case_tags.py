"""Readable labels for values stored in the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from kawal.cases.extensions import timeline_kind
from kawal.cases.models import ApprovalKind, Case, CaseStatus
from kawal.people.models import Person, PersonRelation

register = template.Library()

_FIELDS = {
    field.name: field
    for model in (PersonRelation, Person, Case)
    for field in model._meta.get_fields()
    if hasattr(field, "verbose_name")
}
_FIELD_LABELS = {name: field.verbose_name for name, field in _FIELDS.items()}


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


@register.filter
def approval_label(value: str) -> str:
    try:
        return str(ApprovalKind(value).label)
    except ValueError:
        return value


@register.simple_tag
def change_value(name: str, value: Any) -> str:
    """A changed field's old or new value as the form showed it, not as stored.

    The history keeps stored values ("legal_obligation", "False"); a reader
    should see the choice's label, or yes/no.
    """
    from django.db import models
    from django.utils.translation import gettext

    field = _FIELDS.get(name)
    text = "" if value is None else str(value)
    if text in ("", "None"):
        return "—"
    if isinstance(field, models.BooleanField):
        return gettext("yes") if text == "True" else gettext("no") if text == "False" else text
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(text, text))


@register.simple_tag
def timeline_label(event: Any, readable: Mapping[str, bool]) -> str:
    """How an event of an app above ``cases`` reads, as that app registered it."""
    kind = timeline_kind(event.kind)
    if kind is None:
        return str(event.kind)
    return str(kind.describe(event.payload or {}, readable or {}))
