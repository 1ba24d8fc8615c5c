"""The SIMFONI-PPA mapping in the configuration console (system administrators only).

The rows are configuration: which SIMFONI category each local value becomes.
A row's axis and local value are fixed once it exists (a new local value is a
new row); its SIMFONI value is chosen from SIMFONI's own list for the axis,
or left empty so that cases with that value are listed as not mappable.
Rows are never deleted (the console retires nothing here: empty the value).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kawal.accounts.admin import VersionCheckedForm
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.core.audit import AuditContext, audit_record
from kawal.simfoni.models import MappingRow
from kawal.simfoni.vocab import SIMFONI_VALUES, Axis, local_label, local_values

NONE = ("", _("— no SIMFONI value (list the case) —"))


def _grouped_local() -> list[Any]:
    return [(axis.label, local_values(axis)) for axis in Axis]


def _grouped_simfoni() -> list[Any]:
    return [NONE] + [
        (axis.label, [(value, value) for value in SIMFONI_VALUES[axis]]) for axis in Axis
    ]


class MappingRowForm(VersionCheckedForm):
    class Meta:
        model = MappingRow
        fields = ("axis", "local_value", "simfoni_value")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            axis = self.instance.axis
            for name in ("axis", "local_value"):
                self.fields.pop(name, None)
            choices: list[Any] = [NONE, *[(value, value) for value in SIMFONI_VALUES[axis]]]
        else:
            self.fields["local_value"] = forms.ChoiceField(
                label=_("local value"), choices=_grouped_local()
            )
            choices = _grouped_simfoni()
        self.fields["simfoni_value"] = forms.ChoiceField(
            label=_("SIMFONI-PPA value"), choices=choices, required=False
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        axis = cleaned.get("axis", self.instance.axis)
        local = cleaned.get("local_value", self.instance.local_value)
        if not axis or axis not in Axis.values:
            return cleaned
        if "local_value" in self.fields and local not in dict(local_values(axis)):
            self.add_error(
                "local_value",
                _("This is not a local value of the axis “%(axis)s”.") % {"axis": Axis(axis).label},
            )
        simfoni = cleaned.get("simfoni_value") or ""
        if simfoni and simfoni not in SIMFONI_VALUES[axis]:
            self.add_error(
                "simfoni_value",
                _("SIMFONI-PPA has no “%(value)s” for the axis “%(axis)s”.")
                % {"value": simfoni, "axis": Axis(axis).label},
            )
        if (
            self.instance.pk is None
            and local
            and MappingRow.objects.filter(axis=axis, local_value=local).exists()
        ):
            self.add_error("local_value", _("This local value already has a row; change that row."))
        return cleaned


@admin.register(MappingRow, site=admin_site)
class MappingRowAdmin(ConfigurationAdmin):
    form = MappingRowForm
    list_display = ("axis", "local_text", "simfoni_text", "updated_at", "changed_by")
    list_filter = ("axis",)
    search_fields = ("local_value", "simfoni_value")
    readonly_fields = ("axis_text", "local_text", "updated_at", "changed_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ("axis_text", "local_text", "simfoni_value", "updated_at", "changed_by")
        return ("axis", "local_value", "simfoni_value")

    @admin.display(description=_("axis"))
    def axis_text(self, obj: MappingRow) -> str:
        return str(obj.get_axis_display())

    @admin.display(description=_("local value"), ordering="local_value")
    def local_text(self, obj: MappingRow) -> str:
        return f"{local_label(obj.axis, obj.local_value)} ({obj.local_value})"

    @admin.display(description=_("SIMFONI-PPA value"), ordering="simfoni_value")
    def simfoni_text(self, obj: MappingRow) -> str:
        return obj.simfoni_value or "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = (
            MappingRow.objects.filter(pk=obj.pk).values_list("simfoni_value", flat=True).first()
            if change
            else None
        )
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)
        # The console's own audit row names the fields; this one keeps the values,
        # so "who mapped what to what, when" can be answered later.
        audit_record(
            "simfoni.mapping_changed",
            actor=request.user,
            context=AuditContext.from_request(request),
            target=f"simfoni.MappingRow:{obj.pk}",
            axis=obj.axis,
            local_value=obj.local_value,
            before=before,
            after=obj.simfoni_value,
        )
