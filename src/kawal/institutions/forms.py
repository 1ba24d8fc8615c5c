"""Forms of the institution registry, made for a phone.

The forms only parse input; the rules (what each kind needs, ages, capacity)
live in ``services.validate`` so that every writer obeys them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import AgencyKind
from kawal.accounts.models import Agency
from kawal.cases.forms import DateInput, kelurahan_field
from kawal.core.forms import IdChoiceField
from kawal.institutions.models import Institution, InstitutionKind, InstitutionStatus
from kawal.institutions.services import FIELDS

DATES = ("registration_start", "registration_end", "accreditation_date")


class InstitutionForm(forms.Form):
    def __init__(self, *args: Any, instance: Institution | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        generated = fields_for_model(
            Institution,
            fields=[name for name in FIELDS if name not in ("agency", "kelurahan")],
            widgets={name: DateInput() for name in DATES},
        )
        for name in FIELDS:
            if name == "agency":
                queryset = Agency.objects.filter(
                    kind=AgencyKind.CHILD_CARE_INSTITUTION, is_active=True
                )
                if instance is not None and instance.agency_id is not None:
                    queryset = queryset | Agency.objects.filter(pk=instance.agency_id)
                self.fields[name] = IdChoiceField(
                    label=_("Agency of its staff accounts"),
                    queryset=queryset.order_by("name"),
                    required=False,
                    help_text=_(
                        "Staff accounts of this agency see the institution's page and the "
                        "children placed there. Foster families have none."
                    ),
                )
            elif name == "kelurahan":
                self.fields[name] = kelurahan_field()
            else:
                self.fields[name] = generated[name]
        self.fields["registration_number"].help_text = _(
            "LKS registration (tanda daftar): required of an LKSA, a government home and a "
            "UPTD shelter."
        )
        self.fields["nsp_number"].help_text = _("Pesantren only: the NSP on its Piagam.")
        if instance is not None:
            for name in FIELDS:
                self.initial.setdefault(name, getattr(instance, name))


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the institution suspended?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("No new child can be placed there while it is suspended."),
    )


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(
        label=_("Inspected on"), widget=DateInput(), input_formats=["%Y-%m-%d"]
    )
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class RegistryFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *InstitutionKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *InstitutionStatus.choices]
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
