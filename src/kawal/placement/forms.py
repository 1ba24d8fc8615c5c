"""The placement decision, override and exit forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.core.forms import IdChoiceField
from kawal.institutions.models import Institution
from kawal.placement.models import (
    ContactFrequency,
    ContactSupervision,
    PlacementType,
    RestrictionBasis,
)
from kawal.placement.services import EXIT_REASONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _institution_label(institution: Institution) -> str:
    return f"{institution.name} — {institution.get_kind_display()}"


class DecisionForm(forms.Form):
    institution = IdChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    placement_type = forms.ChoiceField(
        label=_("Placement type"),
        choices=[("", _("As the institution's kind")), *PlacementType.choices],
        required=False,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    starts_on = forms.DateField(label=_("Placement starts on"), widget=DATE)
    document_number = forms.CharField(label=_("SK / berita acara number"), max_length=100)
    document_date = forms.DateField(label=_("Document date"), widget=DATE)
    conference_participants = forms.CharField(
        label=_("Case conference participants"),
        widget=TEXT,
        help_text=_("Name and agency of each: case manager, psychologist, Dinas Sosial, police."),
    )
    child_views = forms.CharField(label=_("The child's own views"), widget=TEXT)
    last_resort_parents = forms.CharField(
        label=_("Why not the parents, with support"), widget=TEXT, required=False
    )
    last_resort_kinship = forms.CharField(
        label=_("Why not kinship care"), widget=TEXT, required=False
    )
    last_resort_foster = forms.CharField(
        label=_("Why not foster care"), widget=TEXT, required=False
    )
    religion_respect = forms.CharField(
        label=_("How the institution respects the child's religion"),
        widget=TEXT,
        required=False,
        help_text=_("For an institution that is not religion-based (UU 23/2002 Pasal 37(4))."),
    )
    temporary_until = forms.DateField(
        label=_("Temporary placement until"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for a placement without an end date."),
    )
    contact_frequency = forms.ChoiceField(
        label=_("Contact with the parents"),
        choices=[("", "—"), *ContactFrequency.choices],
        required=False,
    )
    contact_supervision = forms.ChoiceField(
        label=_("Supervision of contact"),
        choices=[("", "—"), *ContactSupervision.choices],
        required=False,
    )
    contact_restriction = forms.ChoiceField(
        label=_("Contact restricted because"), choices=RestrictionBasis.choices, required=False
    )
    court_order_reference = forms.CharField(
        label=_("Court order reference"), max_length=120, required=False
    )
    contact_note = forms.CharField(label=_("Contact plan notes"), widget=TEXT, required=False)
    care_allergies = forms.CharField(
        label=_("Allergies"),
        widget=TEXT,
        required=False,
        help_text=_("Shown to the institution's staff."),
    )
    care_health_needs = forms.CharField(
        label=_("Health needs"),
        widget=TEXT,
        required=False,
        help_text=_("Shown to the institution's staff."),
    )
    school_distance_km = forms.DecimalField(
        label=_("Distance to school (km)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("500"),
        decimal_places=1,
        max_digits=4,
    )
    # Not required by the form: a refusal is recorded without them. On the page
    # from the start, marked as needed to place the child; htmx keeps the chosen
    # file across the preview (hx-preserve), which a full page reload cannot.
    agreement = forms.FileField(
        label=_("Signed agreement (child, parent or guardian, institution)"),
        required=False,
        help_text=_("PDF, JPEG or PNG of the signed kesepakatan."),
        widget=forms.ClearableFileInput(attrs={"hx-preserve": "true"}),
    )
    agreement_signed_on = forms.DateField(
        label=_("Agreement signed on"), widget=DATE, required=False
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    # Needed to place the child, not to record a refusal: marked on the page.
    COMMIT_FIELDS = ("agreement", "agreement_signed_on")

    def __init__(self, *args: Any, institutions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        field.queryset = institutions if institutions is not None else Institution.objects.none()  # type: ignore[attr-defined]
        field.label_from_instance = _institution_label  # type: ignore[attr-defined]

    @property
    def main_fields(self) -> list[Any]:
        return [f for f in self.visible_fields() if f.name not in self.COMMIT_FIELDS]

    @property
    def commit_fields(self) -> list[Any]:
        return [self[name] for name in self.COMMIT_FIELDS]

    def distance_tenths(self) -> int | None:
        value = self.cleaned_data.get("school_distance_km")
        return None if value is None else int((value * 10).to_integral_value())


class OverrideForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, codes: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        for code, title in codes:
            self.fields[f"reason_{code}"] = forms.CharField(
                label=_("Why place the child despite: %(rule)s") % {"rule": title},
                widget=TEXT,
                min_length=10,
            )

    def reasons(self) -> dict[str, str]:
        return {
            name.removeprefix("reason_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("reason_")
        }


class DeclineForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    decline_reason = forms.CharField(label=_("Why decline"), widget=TEXT)


class ExitForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label=_("Why the placement ends"),
        choices=[(r.value, r.label) for r in EXIT_REASONS],
    )
    on = forms.DateField(label=_("Last day in the placement"), widget=DATE)
    police_report_number = forms.CharField(
        label=_("Police report number"),
        max_length=60,
        required=False,
        help_text=_("Required when the child ran away."),
    )
    police_report_date = forms.DateField(label=_("Police report date"), widget=DATE, required=False)
    note = forms.CharField(label=_("Notes"), widget=TEXT, required=False)
