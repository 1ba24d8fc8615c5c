from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.notify.models import EmailDelivery
from kawal.notify.selectors import PreferenceRow


class PreferencesForm(forms.Form):
    """One choice per registered kind: e-mail at once, in the daily digest, or inbox only."""

    def __init__(self, rows: list[PreferenceRow], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            options = [
                (EmailDelivery.IMMEDIATE, _("E-mail at once")),
                (EmailDelivery.DIGEST, _("In the daily digest e-mail")),
            ]
            if not row.kind.urgent:
                options.append((EmailDelivery.NONE, _("No e-mail, inbox only")))
            self.fields[self.field_name(row.kind.key)] = forms.ChoiceField(
                label=str(row.kind.label),
                help_text=str(row.kind.text),
                choices=options,
                initial=row.delivery,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(key: str) -> str:
        return f"kind_{key}"

    def choices(self) -> dict[str, str]:
        return {row.kind.key: self.cleaned_data[self.field_name(row.kind.key)] for row in self.rows}
