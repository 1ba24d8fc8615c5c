"""What every page with a form needs from a service's answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest


def apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields (or on top), never a 500."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def posted_version(request: HttpRequest) -> int:
    """The version the editor loaded; a missing or garbled one never matches."""
    try:
        return int(request.POST.get("expected_version", ""))
    except ValueError:
        return -1
