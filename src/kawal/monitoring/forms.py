"""Monitoring forms: short, for a phone at the institution or on a visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.monitoring.models import IncidentKind, InSchool, ReviewOutcome

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _day(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IncidentForm(forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )
    kind = forms.ChoiceField(
        label=_("What kind of incident"), choices=IncidentKind.choices, widget=forms.RadioSelect
    )
    what_happened = _text(_("What happened"))
    action_taken = _text(_("What was done"))

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReviewForm(VersionedForm):
    reviewed_on = _day(_("Reviewed on"))
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    notes = _text(_("Notes"), required=False, rows=4)
    next_review_on = _day(_("Next review on"))

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}


class VisitForm(VersionedForm):
    visited_on = _day(_("Visited on"))
    visitors = forms.CharField(label=_("Visitors"), max_length=300)
    findings = _text(_("Findings"), rows=4)
    child_seen_alone = forms.ChoiceField(
        label=_("Was the child seen alone?"), choices=YES_NO, widget=forms.RadioSelect
    )
    concerns = _text(_("Concerns"), required=False)

    def values(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}
        data["child_seen_alone"] = data["child_seen_alone"] == "yes"
        return data


class FollowUpForm(VersionedForm):
    milestone = forms.TypedChoiceField(
        label=_("Which follow-up"),
        choices=[
            ("", _("An extra follow-up")),
            ("1", _("1 month after leaving")),
            ("3", _("3 months after leaving")),
            ("6", _("6 months after leaving")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    followed_up_on = _day(_("Followed up on"))
    wellbeing = _text(_("How the child is"))
    in_school = forms.ChoiceField(
        label=_("Does the child go to school?"), choices=InSchool.choices, widget=forms.RadioSelect
    )
    risk_signs = _text(_("Risk signs"), required=False)
    notes = _text(_("Notes"), required=False)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "expected_version"}


def today() -> Any:
    return timezone.localdate()
