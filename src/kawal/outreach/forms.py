from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.accounts.models import Agency
from kawal.cases.forms import kelurahan_field
from kawal.core.forms import IdMultipleChoiceField
from kawal.outreach.models import Activity, TakenTo
from kawal.outreach.services import CaptureInput
from kawal.people.models import Sex


class OperationForm(forms.Form):
    title = forms.CharField(label=_("Name of the operation"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    area = kelurahan_field(required=True)
    area_note = forms.CharField(
        label=_("Places to visit"),
        required=False,
        max_length=300,
        help_text=_("Public places only, e.g. a junction or a market."),
    )
    agencies = IdMultipleChoiceField(
        label=_("Joint team"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CaptureForm(forms.Form):
    name_as_told = forms.CharField(label=_("Name as told"), max_length=200)
    age_estimate = forms.IntegerField(label=_("Rough age"), min_value=0, max_value=17)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    activity = forms.ChoiceField(label=_("What the child was doing"), choices=Activity.choices)
    place = forms.CharField(
        label=_("Where found"),
        required=False,
        max_length=200,
        help_text=_("A public place, never a home address."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        max_digits=9,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        max_digits=9,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    accompanying_adult = forms.CharField(
        label=_("Accompanying adult"), required=False, max_length=200
    )
    # No default: where a child went is never assumed.
    taken_to = forms.ChoiceField(label=_("Taken to"), choices=[("", "—"), *TakenTo.choices])
    undertaking_signed = forms.BooleanField(
        label=_("Parents signed an undertaking (surat pernyataan)"), required=False
    )
    report = forms.ChoiceField(label=_("Report that led here"), required=False, choices=[])
    identity_check = forms.CharField(required=False, widget=forms.HiddenInput)
    identity_choice = forms.CharField(required=False, max_length=80)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not self.errors:
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        return data

    def __init__(self, *args: Any, reports: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [
            (str(report.uuid), f"{report.landmark} · {report.tracking_code}") for report in reports
        ]
        self.fields["report"].choices = choices  # type: ignore[attr-defined]
        self._reports = {str(report.uuid): report for report in reports}
        if len(self._reports) == 1:
            # The operation was sent for one report: that is what led here.
            self.initial.setdefault("report", next(iter(self._reports)))

    def chosen_report(self) -> Any:
        return self._reports.get(self.cleaned_data.get("report") or "")

    def capture_input(self) -> CaptureInput:
        data: dict[str, Any] = self.cleaned_data
        return CaptureInput(
            name_as_told=data["name_as_told"],
            age_estimate=data["age_estimate"],
            sex=data.get("sex") or "",
            activity=data["activity"],
            place=data.get("place", ""),
            accompanying_adult=data.get("accompanying_adult", ""),
            taken_to=data["taken_to"],
            undertaking_signed=bool(data.get("undertaking_signed")),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


class UndertakingForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or PDF of the signed undertaking"),
        help_text=_("JPEG, PNG or PDF. Location data is removed from photos."),
    )
