"""Forms of the care pages: big tap targets, no typing except the optional note."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.care.models import SCALE_MAX, SCALE_MIN, IncidentKind, Indicator
from kawal.care.services import IncidentInput, ObservationInput, high_band

SCALE = [(value, str(value)) for value in range(SCALE_MIN, SCALE_MAX + 1)]


class ObservationForm(forms.Form):
    observed_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": _("Give the date."), "invalid": _("Give a valid date.")},
    )
    note = forms.CharField(
        label=_("Clinical note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only clinicians on the case can read it."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        with_note: bool,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"score_{indicator.code}"] = forms.TypedChoiceField(
                label=indicator.label,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a score."),
                    "invalid_choice": _("Choose a score from 1 to 5."),
                },
            )
        if not with_note:
            del self.fields["note"]
        if editing:
            del self.fields["observed_on"]
        else:
            del self.fields["expected_version"]

    def scales(self) -> list[tuple[Indicator, Any]]:
        return [(i, self[f"score_{i.code}"]) for i in self.indicators]

    def to_input(
        self, incidents: list[IncidentInput] | None, observed_on: date
    ) -> ObservationInput:
        data = self.cleaned_data
        return ObservationInput(
            observed_on=data.get("observed_on") or observed_on,
            scores={i.code: data[f"score_{i.code}"] for i in self.indicators},
            note=data["note"] if "note" in self.fields else None,
            incidents=incidents,
        )


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"), choices=[("", "—"), *IncidentKind.choices], required=True
    )
    occurred_at = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
    )
    action_taken = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


IncidentFormSet = forms.formset_factory(IncidentForm, extra=2, max_num=10, validate_max=True)
# Editing the day's incidents: each can be removed, one more can be added.
IncidentEditFormSet = forms.formset_factory(
    IncidentForm, extra=1, max_num=10, validate_max=True, can_delete=True
)


def incident_inputs(formset: Any) -> list[IncidentInput]:
    """The incidents as sent: each one shown before unless ticked for removal, and
    each blank row the user filled in."""
    kept = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        kept.append(
            IncidentInput(
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                action_taken=data["action_taken"],
            )
        )
    return kept


class ReadinessForm(forms.Form):
    safe = forms.TypedChoiceField(
        label=_("Is the child safe to return to school?"),
        choices=[("yes", _("Yes, safe to return to school")), ("no", _("Not yet"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or not yet.")},
    )
    period_from = forms.DateField(
        label=_("Observed from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    period_to = forms.DateField(
        label=_("Observed until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    assessments = forms.MultipleChoiceField(
        label=_("Based on these signed assessments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rationale = forms.CharField(
        label=_("Rationale (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Read by those leading the child's care: the conclusion, not the clinical detail."
        ),
    )

    # Required by the service only for a "yes" naming a high-band assessment;
    # the page shows it only then.
    against_reason = forms.CharField(
        label=_("Why is the child safe despite the high result?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The supervisor reads this before confirming."),
    )

    def __init__(self, *args: Any, assessments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessments"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        self.high_uuids = [str(item.uuid) for item in high_band(assessments)]
        field.choices = [
            (
                str(item.uuid),
                ("⚠ " if str(item.uuid) in self.high_uuids else "") + assessment_label(item),
            )
            for item in assessments
        ]

    def against_shown(self) -> bool:
        """Whether the reason field is shown before any script runs: a "yes"
        sent with a high-band assessment, or an error on the field."""
        if self["against_reason"].errors:
            return True
        if not self.is_bound:
            return False
        chosen = set(self.data.getlist("assessments")) if hasattr(self.data, "getlist") else set()
        return self.data.get("safe") == "yes" and bool(chosen & set(self.high_uuids))


def assessment_label(item: Any) -> str:
    signed = timezone.localtime(item.signed_at).strftime("%d/%m/%Y") if item.signed_at else ""
    result = " · ".join(str(part) for part in (item.band_label,) if part)
    parts = [f"{item.instrument_name} (v{item.instrument_version})", signed, result]
    return " — ".join(part for part in parts if part)


class PeriodForm(forms.Form):
    """The observation period whose trend is shown beside the decision form."""

    dari = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    sampai = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for revoking.")},
    )
