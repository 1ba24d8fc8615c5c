from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.cases.forms import kelurahan_field
from kawal.outreach.models import Activity
from kawal.reports.models import ReportChannel
from kawal.reports.services import PublicReport


class PublicReportForm(forms.Form):
    seen = forms.MultipleChoiceField(
        label=_("What did you see?"),
        choices=Activity.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one.")},
    )
    children_count = forms.IntegerField(label=_("How many children?"), min_value=1, max_value=30)
    youngest_age = forms.IntegerField(
        label=_("Youngest, rough age"), required=False, min_value=0, max_value=17
    )
    oldest_age = forms.IntegerField(
        label=_("Oldest, rough age"), required=False, min_value=0, max_value=17
    )
    seen_at = forms.DateTimeField(
        label=_("When?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    kelurahan = kelurahan_field(required=True)
    landmark = forms.CharField(
        label=_("Near which landmark?"),
        max_length=200,
        help_text=_("A junction, a shop, a market: a public place."),
    )
    latitude = forms.DecimalField(
        required=False, max_digits=8, decimal_places=5, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=8, decimal_places=5, widget=forms.HiddenInput
    )
    description = forms.CharField(
        label=_("Anything else we should know?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    child_names = forms.CharField(
        label=_("The children's names, if you know them (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("Location data is removed from the photo."),
    )
    reporter_name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=120)
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"),
        required=False,
        max_length=30,
        help_text=_("Only if you agree to be called back. You may stay anonymous."),
    )
    # Left empty by people; filled in by bots that fill every field.
    website = forms.CharField(required=False, max_length=200)

    def report(self) -> PublicReport:
        data: dict[str, Any] = self.cleaned_data
        return PublicReport(
            seen=list(data["seen"]),
            children_count=data["children_count"],
            youngest_age=data.get("youngest_age"),
            oldest_age=data.get("oldest_age"),
            seen_at=data["seen_at"],
            kelurahan=data["kelurahan"],
            landmark=data["landmark"],
            description=data.get("description", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            child_names=data.get("child_names", ""),
            photo=data.get("photo"),
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A citizen knows the kelurahan by its name; the code means nothing to them.
        self.fields["kelurahan"].label_from_instance = lambda region: region.name  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault(
                "seen_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)


class StaffReportForm(PublicReportForm):
    """A report taken by staff: how it came in, and the reporter as they gave themselves."""

    channel = forms.ChoiceField(
        label=_("How the report came in"),
        choices=[(value, label) for value, label in ReportChannel.choices if value != "public_web"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("photo", "website"):
            del self.fields[name]
        # Staff record what someone else saw.
        self.fields["seen"].label = _("What was seen?")
        self.fields["children_count"].label = _("How many children were seen?")
        self.fields["child_names"].label = _("The children's names, if known")
        self.fields["reporter_name"].label = _("Reporter's name")
        self.fields["reporter_phone"].label = _("Reporter's phone")
        self.fields["reporter_phone"].help_text = ""

    def report(self) -> PublicReport:
        self.cleaned_data.setdefault("photo", None)
        return super().report()


# The reporter, the photo and the device's point are as they came in.
NOT_CORRECTABLE = ("photo", "website", "reporter_name", "reporter_phone", "latitude", "longitude")


class ReportCorrectionForm(PublicReportForm):
    """What the triage team may correct: what was seen, when, where, who (names)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, names: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names are identity data: who may not read them may not see or change them.
        for name in NOT_CORRECTABLE + (() if names else ("child_names",)):
            del self.fields[name]
        self.fields["seen"].label = _("What was seen?")
        self.fields["children_count"].label = _("How many children were seen?")
        if names:
            self.fields["child_names"].label = _("The children's names, if known")
