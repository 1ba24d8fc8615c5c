"""Shelter forms, made for a phone at night at the shelter's door."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.shelters.models import ArrivedFrom, Bed, DischargeReason
from kawal.shelters.selectors import CaseChoice, bed_choice_label
from kawal.shelters.services import HealthCheck

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def now_for_form() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class BedChoiceMixin:
    """A bed by its public id, among the beds of the user's shelters.

    The list shows free beds; a bed taken since the page was loaded is still
    accepted here, so that the service answers with a clear "this bed is
    taken" instead of a bare "not one of the choices".
    """

    fields: dict[str, Any]
    data: Any

    def set_beds(self, beds: list[tuple[Bed, bool]], *, exclude: Bed | None = None) -> None:
        self._beds = {str(bed.uuid): bed for bed, _free in beds if bed != exclude}
        posted = str(self.data.get("bed", "")) if self.data else ""
        shown = [
            (str(bed.uuid), bed_choice_label(bed, free))
            for bed, free in beds
            if bed != exclude and (free or str(bed.uuid) == posted)
        ]
        field = self.fields["bed"]
        field.choices = [("", "—"), *shown]
        field.valid = set(self._beds)

    def chosen_bed(self) -> Bed:
        return self._beds[self.cleaned_data["bed"]]  # type: ignore[attr-defined]


class BedField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.valid: set[str] = set()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.valid


class HealthFields(forms.Form):
    health_done = forms.BooleanField(
        label=_("The first-night health check was done"), required=False
    )
    temperature = forms.DecimalField(
        label=_("Temperature (°C)"),
        required=False,
        max_digits=3,
        decimal_places=1,
        min_value=30,
        max_value=45,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    injuries = forms.CharField(
        label=_("Injuries seen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where and what; leave empty if none were seen."),
    )
    illness = forms.CharField(
        label=_("Illness"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fever, cough, skin problems …; leave empty if none."),
    )
    needs_doctor = forms.BooleanField(label=_("Needs a doctor"), required=False)
    health_notes = forms.CharField(
        label=_("Health notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What the shelter team needs to know tonight. Psychological observations "
            "belong to the psychologist's notes."
        ),
    )

    def health(self) -> HealthCheck | None:
        data: dict[str, Any] = self.cleaned_data
        check = HealthCheck(
            temperature=data.get("temperature"),
            injuries=data.get("injuries", ""),
            illness=data.get("illness", ""),
            needs_doctor=bool(data.get("needs_doctor")),
            notes=data.get("health_notes", ""),
        )
        if check.is_empty() and not data.get("health_done"):
            return None
        return check


class AdmissionForm(BedChoiceMixin, HealthFields):
    case = forms.ChoiceField(label=_("Case"), choices=[])
    bed = BedField(label=_("Bed"), choices=[])
    admitted_at = _moment(_("Admitted at"))
    arrived_from = forms.ChoiceField(
        label=_("Came from"), choices=[("", "—"), *ArrivedFrom.choices]
    )
    arrived_from_detail = forms.CharField(
        label=_("Came from (details)"),
        required=False,
        max_length=200,
        help_text=_("For example the police station, the hospital or the operation."),
    )
    brought_by = forms.CharField(
        label=_("Brought by"),
        max_length=200,
        help_text=_("Who brought the child, and from which office."),
    )
    reason = forms.CharField(
        label=_("Reason for admission"), widget=forms.Textarea(attrs={"rows": 3})
    )
    age_exception = forms.CharField(
        label=_("Why outside the room's ages"),
        required=False,
        max_length=300,
        help_text=_("Only when the child must sleep in a room meant for other ages."),
    )

    field_order = [
        "case",
        "bed",
        "admitted_at",
        "arrived_from",
        "arrived_from_detail",
        "brought_by",
        "reason",
        "age_exception",
    ]

    def set_cases(self, choices: list[CaseChoice]) -> None:
        self._cases = {str(choice.case.uuid): choice for choice in choices}
        posted = str(self.data.get("case", "")) if self.data else ""
        field = self.fields["case"]
        field.choices = [("", "—")] + [
            (str(choice.case.uuid), choice.label)
            for choice in choices
            if not choice.staying or str(choice.case.uuid) == posted
        ]

    def chosen_case(self) -> Any:
        return self._cases[self.cleaned_data["case"]].case


class BelongingForm(forms.Form):
    description = forms.CharField(label=_("Item"), required=False, max_length=200)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        min_value=1,
        max_value=999,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class BaseBelongings(forms.BaseFormSet):
    def items(self) -> list[tuple[str, int]]:
        found = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("description", "").strip():
                found.append((data["description"], data.get("quantity") or 1))
        return found


BelongingsFormSet = forms.formset_factory(
    BelongingForm, formset=BaseBelongings, extra=3, max_num=60, validate_max=True
)


def belongings_formset(data: Any = None, initial: list[dict[str, Any]] | None = None) -> Any:
    return BelongingsFormSet(data, initial=initial, prefix="items")


class StayEditForm(HealthFields):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    arrived_from = forms.ChoiceField(label=_("Came from"), choices=ArrivedFrom.choices)
    arrived_from_detail = forms.CharField(
        label=_("Came from (details)"), required=False, max_length=200
    )
    brought_by = forms.CharField(label=_("Brought by"), max_length=200)
    reason = forms.CharField(
        label=_("Reason for admission"), widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["arrived_from", "arrived_from_detail", "brought_by", "reason"]


class DischargeForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    discharged_at = _moment(_("Left at"))
    reason = forms.ChoiceField(
        label=_("Why the child leaves"),
        choices=[("", "—")]
        + [(value, label) for value, label in DischargeReason.choices if value != "transfer"],
    )
    destination = forms.CharField(
        label=_("Where the child goes"),
        required=False,
        max_length=300,
        help_text=_("Who takes the child in, and where. Seen only by those who may know."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example which belongings were handed back."),
    )


class TransferForm(BedChoiceMixin, forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    bed = BedField(label=_("New bed"), choices=[])
    moved_at = _moment(_("Moved at"))
    reason = forms.CharField(
        label=_("Reason for the move"), widget=forms.Textarea(attrs={"rows": 2})
    )
    age_exception = forms.CharField(
        label=_("Why outside the room's ages"),
        required=False,
        max_length=300,
        help_text=_("Only when the child must sleep in a room meant for other ages."),
    )
