"""Reminder rules in the configuration console: on/off and lead time; the runs, read-only.

The rules are code (registered by the apps); their rows are made by the
reminders app, never added or deleted here. A lead time can only be given to
a rule that has one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.accounts.admin import VersionCheckedForm
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.reminders.models import ReminderRun, ReminderSetting
from kawal.reminders.services import effective_lead_days, rule_for, settings_sync

# More than a year ahead is a typing error, not a reminder.
MAX_LEAD_DAYS = 366


class ReminderSettingForm(VersionCheckedForm):
    class Meta:
        model = ReminderSetting
        fields = ("enabled", "lead_days")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = rule_for(self.instance.rule_key) if self.instance.pk else None
        field = self.fields["lead_days"]
        if rule is not None and rule.default_lead_days is not None:
            field.help_text = _("%(meaning)s Leave empty for the default (%(days)d days).") % {
                "meaning": rule.lead_help,
                "days": rule.default_lead_days,
            }
        else:
            field.disabled = True
            field.help_text = _("This rule has no lead time.")

    def clean_lead_days(self) -> int | None:
        value = self.cleaned_data.get("lead_days")
        if value is not None and value > MAX_LEAD_DAYS:
            raise forms.ValidationError(
                _("At most %(days)d days.") % {"days": MAX_LEAD_DAYS}, code="max"
            )
        rule = rule_for(self.instance.rule_key)
        if value is not None and (rule is None or rule.default_lead_days is None):
            raise forms.ValidationError(_("This rule has no lead time."), code="no_lead")
        return value


@admin.register(ReminderSetting, site=admin_site)
class ReminderSettingAdmin(ConfigurationAdmin):
    form = ReminderSettingForm
    list_display = ("rule_key", "label", "enabled", "lead_time", "changed_by", "changed_at")
    list_filter = ("enabled",)
    readonly_fields = ("rule_key", "label", "changed_by", "changed_at")
    fields = ("rule_key", "label", "enabled", "lead_days", "changed_by", "changed_at")
    search_fields = ("rule_key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The rules are code; their rows are made by the reminders app.
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        settings_sync()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("reminder"))
    def label(self, obj: ReminderSetting) -> str:
        rule = rule_for(obj.rule_key)
        return str(rule.label) if rule is not None else str(_("(no longer registered)"))

    @admin.display(description=_("lead time (days)"))
    def lead_time(self, obj: ReminderSetting) -> str:
        rule = rule_for(obj.rule_key)
        if rule is None or rule.default_lead_days is None:
            return "—"
        days = effective_lead_days(rule, obj)
        if obj.lead_days is None:
            return str(_("%(days)s (default)") % {"days": days})
        return str(days)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.changed_by = request.user
        obj.changed_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ReminderRun, site=admin_site)
class ReminderRunAdmin(ConfigurationAdmin):
    """What ran, when and how it ended: for the administrator who runs the timer."""

    list_display = ("day", "job", "status", "attempt", "made", "started_at", "finished_at", "error")
    list_filter = ("status", "job")
    date_hierarchy = "day"
    readonly_fields = (
        "job",
        "day",
        "status",
        "attempt",
        "made",
        "lead_days",
        "queued_at",
        "started_at",
        "finished_at",
        "task_result_id",
        "error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
