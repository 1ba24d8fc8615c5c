"""Placement rules in the configuration console: parameters and legal texts only.

Decisions and placements are case content and never appear here. A rule's
code and hardness are the code's: the console edits what a rule is checked
with and the legal basis it shows; a hard rule cannot be switched off.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kawal.accounts.admin import VersionCheckedForm
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.placement.models import RuleSetting
from kawal.placement.rules import DEFAULTS, HARD_CODES


class RuleSettingForm(VersionCheckedForm):
    class Meta:
        model = RuleSetting
        fields = (
            "title_id",
            "title_en",
            "parameters",
            "legal_basis_id",
            "legal_basis_en",
            "active",
        )

    def clean_parameters(self) -> Any:
        value = self.cleaned_data.get("parameters")
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give the parameters as a JSON object."))
        known = DEFAULTS.get(self.instance.code, {}).get("parameters", {})
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise forms.ValidationError(
                _("Unknown parameters: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(sorted(known)) or "—"}
            )
        for name, default in known.items():
            if name in value and isinstance(default, int):
                number = value[name]
                if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                    raise forms.ValidationError(
                        _("%(name)s must be a whole number of 0 or more.") % {"name": name}
                    )
            if name in value and isinstance(default, list) and not isinstance(value[name], list):
                raise forms.ValidationError(_("%(name)s must be a list.") % {"name": name})
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.code in HARD_CODES and cleaned.get("active") is False:
            self.add_error("active", _("A hard rule always applies; it cannot be switched off."))
        for name in ("legal_basis_id", "legal_basis_en", "title_id", "title_en"):
            if name in cleaned and not str(cleaned[name]).strip():
                self.add_error(name, _("This text is required."))
        return cleaned


@admin.register(RuleSetting, site=admin_site)
class RuleSettingAdmin(ConfigurationAdmin):
    form = RuleSettingForm
    list_display = ("code", "title_en", "hard", "active", "parameters_text")
    readonly_fields = ("code", "hard")
    search_fields = ("code", "title_id", "title_en")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The rules are code; their rows are seeded by a migration.
        return False

    @admin.display(description=_("hard rule"), boolean=True)
    def hard(self, obj: RuleSetting) -> bool:
        return obj.code in HARD_CODES

    @admin.display(description=_("parameters"))
    def parameters_text(self, obj: RuleSetting) -> str:
        return json.dumps(obj.parameters, ensure_ascii=False)
