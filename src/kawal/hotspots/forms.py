from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.hotspots.selectors import SOURCES, TIMES_OF_DAY, HotspotFilter
from kawal.outreach.models import Activity


class HotspotFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    activity = forms.ChoiceField(
        label=_("Activity"), required=False, choices=[("", _("All")), *Activity.choices]
    )
    time_of_day = forms.ChoiceField(
        label=_("Time of day"),
        required=False,
        choices=[("", _("All day"))] + [(key, label) for key, (label, _h) in TIMES_OF_DAY.items()],
    )

    source = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Sightings and children found")), *SOURCES.items()],
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("'To' cannot be before 'From'."))
        return data

    def criteria(self) -> HotspotFilter:
        data = self.cleaned_data
        return HotspotFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            activity=data.get("activity") or "",
            time_of_day=data.get("time_of_day") or "",
            source=data.get("source") or "",
        )
