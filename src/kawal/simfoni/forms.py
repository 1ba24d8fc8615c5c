"""The period of a SIMFONI export: the page's filter and the export's parameters alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.simfoni.selectors import Period

# A year of cases at most: SIMFONI is entered month by month, and a bounded
# period keeps the page and the export quick.
MAX_DAYS = 366


def default_period(today: date | None = None) -> Period:
    """This month so far: what is still to be entered."""
    today = today or timezone.localdate()
    return Period(date_from=today.replace(day=1), date_to=today)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("Cases opened from"), required=True)
    date_to = forms.DateField(label=_("until (inclusive)"), required=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise ValidationError(_("The period must start before it ends."))
            if end - start > timedelta(days=MAX_DAYS - 1):
                raise ValidationError(
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return cleaned

    def period(self) -> Period:
        return Period(
            date_from=self.cleaned_data["date_from"], date_to=self.cleaned_data["date_to"]
        )


def period_from_params(params: Mapping[str, str]) -> Period:
    """The period named by query parameters; a translated ``ValidationError`` if it is wrong."""
    form = PeriodForm(data={key: params.get(key, "") for key in ("date_from", "date_to")})
    if not form.is_valid():
        messages = [str(message) for errors in form.errors.values() for message in errors]
        raise ValidationError(" ".join(messages))
    return form.period()


def period_params(period: Period) -> dict[str, str]:
    return {"date_from": period.date_from.isoformat(), "date_to": period.date_to.isoformat()}
