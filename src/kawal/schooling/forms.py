"""Forms of the schooling pages; the services validate again (the rules live there)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.schooling.models import AbsenceReason, Level
from kawal.schooling.services import grade_error, month_start, npsn_error, previous_month


class EnrolmentForm(forms.Form):
    school_name = forms.CharField(label=_("School"), max_length=200)
    npsn = forms.CharField(
        label=_("NPSN"),
        max_length=8,
        min_length=8,
        help_text=_("The school's 8-digit national number (NPSN), e.g. on its Dapodik page."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices])
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=12)
    enrolled_on = forms.DateField(
        label=_("Enrolled on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Arrangements with the school (uniform, books, catching up)."),
    )
    # The version of the current enrolment the form showed ("" for none).
    current_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The picker offers no future day; the service still refuses one.
        self.fields["enrolled_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_npsn(self) -> str:
        value = str(self.cleaned_data["npsn"]).strip()
        message = npsn_error(value)
        if message:
            raise forms.ValidationError(message)
        return value

    def clean_current_version(self) -> int | None:
        raw = str(self.cleaned_data.get("current_version") or "").strip()
        if not raw:
            return None
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            # Hidden, so said on top: the page was tampered with or is very old.
            self.add_error(None, _("This form is out of date. Open it again from the case."))
            return None
        return int(raw)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        level, grade = cleaned.get("level"), cleaned.get("grade")
        if level and grade is not None:
            message = grade_error(level, grade)
            if message:
                self.add_error("grade", message)
        return cleaned


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return month_start(day) if day is not None else None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, date):
            return f"{value:%Y-%m}"
        return value


class FollowUpForm(forms.Form):
    month = MonthField(label=_("Month"))
    school_days = forms.IntegerField(label=_("School days in the month"), min_value=1, max_value=31)
    days_absent = forms.IntegerField(label=_("Days absent"), min_value=0, max_value=31)
    reason = forms.ChoiceField(
        label=_("Main reason for absence"), choices=[("", "—"), *AbsenceReason.choices]
    )
    reason_text = forms.CharField(
        label=_("About the absence"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, fixed_month: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The picker offers no future month; the service still refuses one.
        self.fields["month"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m}"
        if fixed_month:
            # A correction keeps its month: shown, not sent.
            self.fields["month"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        days, absent = cleaned.get("school_days"), cleaned.get("days_absent")
        if days is not None and absent is not None and absent > days:
            self.add_error("days_absent", _("Days absent cannot exceed the school days."))
        return cleaned


def default_month() -> date:
    """The month usually followed up: the previous one."""
    return previous_month(timezone.localdate())
