from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.publication.models import PeriodKind


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[(n, str(n)) for n in range(1, 5)],
        coerce=int,
        required=False,
        help_text=_("Only for a quarter."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        last_quarter = (today.month - 1) // 3  # the last ended quarter, 0 = last year's Q4
        self.fields["year"].initial = today.year if last_quarter else today.year - 1
        self.fields["quarter"].initial = last_quarter or 4
        self.fields["kind"].initial = PeriodKind.QUARTER


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
