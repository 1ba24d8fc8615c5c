"""Funding forms: whole rupiah typed as digits (dots or commas as thousands separators)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kawal.funding.models import RateKind
from kawal.funding.money import rupiah

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
RUPIAH_MAX = 10**15


class RupiahField(forms.Field):
    """A whole number of rupiah; "150.000", "150,000" and "150000" all read 150000.

    A decimal fraction ("150000,50") is refused rather than rounded."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter a whole number of rupiah, e.g. 150000.")}

    def widget_attrs(self, widget: Any) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": "24"})
        return attrs

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        cleaned = text.replace(" ", "").replace("Rp", "").replace("rp", "")
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
            cleaned = cleaned.replace(".", "").replace(",", "")
        if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 16:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        number = int(cleaned)
        if number > RUPIAH_MAX:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class MonthField(forms.Field):
    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def widget_attrs(self, widget: Any) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"type": "month", "maxlength": "7"})
        return attrs

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        match = MONTH_RE.match(str(value).strip())
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match.group(1)), int(match.group(2))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return date(year, month, 1)


def parse_month(raw: Any) -> date | None:
    try:
        return MonthField(required=False).clean(raw or "")
    except ValidationError:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class CommitmentForm(forms.Form):
    placement = forms.ChoiceField(label=_("Placement"))
    budget = forms.ChoiceField(label=_("Budget line"))
    rate_kind = forms.ChoiceField(label=_("Rate"), choices=RateKind.choices)
    rate = RupiahField(label=_("Amount (Rp)"))
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=DateInput())
    overrun_reason = forms.CharField(
        label=_("Why commit over the budget line (only when it is over)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def set_choices(
        self, placements: list[Any], budgets: list[Any], *, whereabouts: bool = False
    ) -> None:
        # The institution is where the child lives: named only to those who
        # may read the child's whereabouts (not a finance officer).
        _choice_field(self, "placement").choices = [
            (
                str(p.uuid),
                (f"{p.institution.name} · " if whereabouts else "")
                + f"{p.started_on:%d/%m/%Y} - "
                + (p.ended_on.strftime("%d/%m/%Y") if p.ended_on else "…"),
            )
            for p in placements
        ]
        _choice_field(self, "budget").choices = [
            (
                str(u.budget.uuid),
                f"{u.budget.fiscal_year} · {u.budget.programme.name} · "
                f"{u.budget.programme.account_code} · Rp {rupiah(u.remaining)}",
            )
            for u in budgets
        ]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BudgetForm(forms.Form):
    programme = forms.ChoiceField(label=_("Programme"))
    amount = RupiahField(label=_("Budget (Rp)"))

    def set_programmes(self, programmes: list[Any]) -> None:
        _choice_field(self, "programme").choices = [(p.code, p.name) for p in programmes]


class RunForm(forms.Form):
    month = MonthField(label=_("Month"))
    institution = forms.ChoiceField(label=_("Institution"), required=False)

    def set_institutions(self, institutions: list[Any]) -> None:
        _choice_field(self, "institution").choices = [
            ("", _("Every institution with commitments"))
        ] + [(str(i.uuid), i.name) for i in institutions]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does it go back?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("SP2D or transfer reference"), max_length=100)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class ClaimForm(forms.Form):
    """Per child: days and amount; or just a total for the institution."""

    total_amount = RupiahField(label=_("Total claimed (Rp), if not per child"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        children: list[Any],
        days_limit: int,
        editable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            key = child.placement.pk
            self.fields[f"days_{key}"] = forms.IntegerField(
                label=_("Days"), required=False, min_value=0, max_value=days_limit
            )
            self.fields[f"amount_{key}"] = RupiahField(label=_("Amount (Rp)"), required=False)
            if not self.is_bound:
                self.initial[f"days_{key}"] = child.days
                self.initial[f"amount_{key}"] = child.amount
        if not editable:
            # A claim that can no longer change must not look as if it could.
            for field in self.fields.values():
                field.disabled = True

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (child, self[f"days_{child.placement.pk}"], self[f"amount_{child.placement.pk}"])
            for child in self.children
        ]

    def lines(self) -> dict[int, tuple[int, int]]:
        result = {}
        for child in self.children:
            key = child.placement.pk
            days = self.cleaned_data.get(f"days_{key}")
            amount = self.cleaned_data.get(f"amount_{key}")
            if days is not None or amount is not None:
                result[key] = (days or 0, amount or 0)
        return result
