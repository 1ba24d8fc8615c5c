"""The dashboard's filters: read from the query string, so a view is a shareable URL."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kawal.figures import policy
from kawal.figures.selectors import (
    CITY_CODE,
    Filters,
    default_period,
    quarter_bounds,
    quarter_of,
)
from kawal.regions.models import Region, RegionLevel

# Long enough for a year's comparison, short enough to keep a query cheap.
MAX_DAYS = 3 * 366
QUARTERS_OFFERED = 8


def _quarters(today: date) -> list[tuple[str, str]]:
    year, quarter = quarter_of(today)
    choices = []
    for _step in range(QUARTERS_OFFERED):
        choices.append((f"{year}-Q{quarter}", f"{year} Q{quarter}"))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return choices


class FigureFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("Whose cases"), required=False)
    date_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quarter = forms.ChoiceField(label=_("Quarter (the city's figures)"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    kelurahan = forms.ChoiceField(label=_("Kelurahan"), required=False)

    def __init__(self, data: Any, *, user: Any, today: date) -> None:
        super().__init__(data)
        self.user = user
        self.today = today
        labels = {policy.TEAM: _("My cases"), policy.CITY: _("The city (protected)")}
        self.scopes = policy.scopes_of(user)
        self._choices("scope", [(scope, labels[scope]) for scope in self.scopes])
        self._choices("quarter", [("", _("This quarter")), *_quarters(today)])
        regions = Region.objects.filter(code__startswith=CITY_CODE + ".").order_by("code")
        kecamatan = [(r.code, r.name) for r in regions if r.level == RegionLevel.KECAMATAN]
        kelurahan = [(r.code, r.name) for r in regions if r.level == RegionLevel.KELURAHAN]
        self._choices("kecamatan", [("", _("The whole city")), *kecamatan])
        self._choices("kelurahan", [("", _("All kelurahan")), *kelurahan])
        if len(self.scopes) < 2:
            self.fields["scope"].widget = forms.HiddenInput()
            self.fields["quarter"].widget = forms.HiddenInput()

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to") or self.today
        if start and end and start > end:
            self.add_error("date_to", _("'Until' cannot be before 'from'."))
        elif start and (end - start).days > MAX_DAYS:
            self.add_error("date_from", _("Choose a period of at most three years."))
        kecamatan, kelurahan = data.get("kecamatan"), data.get("kelurahan")
        if kecamatan and kelurahan and not kelurahan.startswith(kecamatan + "."):
            self.add_error("kelurahan", _("This kelurahan is not in the kecamatan chosen."))
        return data

    def criteria(self) -> Filters:
        data = self.cleaned_data
        scope = data.get("scope") or self.scopes[0]
        if scope == policy.CITY:
            # The city's figures come per calendar quarter and for the whole
            # city: periods and areas that overlap could be subtracted from
            # one another to give back a suppressed cell (docs/statistics.md).
            chosen = data.get("quarter") or ""
            year, quarter = quarter_of(self.today)
            if chosen:
                year, quarter = int(chosen[:4]), int(chosen[-1])
            start, end = quarter_bounds(year, quarter)
            return Filters(date_from=start, date_to=end, scope=scope)
        default_from, default_to = default_period(self.today)
        start = data.get("date_from") or default_from
        end = data.get("date_to") or default_to
        if (data.get("date_from") is None and (end - start).days > MAX_DAYS) or start > end:
            start = default_period(end)[0]
        return Filters(
            date_from=start,
            date_to=end,
            kecamatan=data.get("kecamatan") or "",
            kelurahan=data.get("kelurahan") or "",
            scope=scope,
        )
