from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.exports.models import ExportFormat


class RequestForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    comment = forms.CharField(
        label=_("Comment (required to refuse)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)
