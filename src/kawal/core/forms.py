"""Row ids taken from users, checked before any query sees them.

Our keys are signed 64-bit (BigAutoField). A larger number typed into a form
or a query string never names a row, yet SQLite cannot even bind it ("Python
int too large to convert to SQLite INTEGER") and would answer with a 500.
Django guards ``pk=`` itself but not ``pk__in=`` nor lookups through a foreign
key, so every id from a request goes through ``parse_id`` or one of the fields
below, whichever database runs underneath.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

ID_MAX = 2**63 - 1


def _as_int(raw: object) -> int | None:
    """``raw`` read as Django reads an integer key, or None if it is no integer."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        # Also the answer for more digits than int() agrees to read.
        return None


def _in_range(number: int) -> bool:
    return 0 < number <= ID_MAX


def parse_id(raw: object) -> int | None:
    """The row id in a request value, or None unless it is a positive 64-bit integer."""
    number = _as_int(raw)
    return number if number is not None and _in_range(number) else None


class _IdRangeMixin:
    """Refuse, as an invalid choice, an integer key that no row can have."""

    queryset: Any
    to_field_name: str | None
    error_messages: dict[str, Any]

    def _key_is_integer(self) -> bool:
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        # A one-to-one primary key holds the id of the row it points to.
        while getattr(field, "target_field", None) is not None and field.is_relation:
            field = field.target_field
        return isinstance(field, models.IntegerField)

    def _refuse_out_of_range(self, value: Any) -> None:
        if isinstance(value, models.Model) or not self._key_is_integer():
            return
        number = _as_int(value)
        # Not an integer at all: Django's own check reports it.
        if number is not None and not _in_range(number):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class IdChoiceField(_IdRangeMixin, forms.ModelChoiceField):
    """A ``ModelChoiceField`` that turns an id beyond 64 bits into a form error."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values:
            self._refuse_out_of_range(value)
        return super().to_python(value)


class IdMultipleChoiceField(_IdRangeMixin, forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that turns an id beyond 64 bits into a form error."""

    def clean(self, value: Any) -> Any:
        # Django raises its own error for a value that is not a list.
        if isinstance(value, (list, tuple)):
            for item in value:
                self._refuse_out_of_range(item)
        return super().clean(value)
