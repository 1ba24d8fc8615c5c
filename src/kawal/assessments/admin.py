"""Instruments in the configuration console: edited as drafts, then published.

Only configuration is registered (instruments and their answer scales);
assessments are case content and never appear here. A published version is
read-only: "Copy as new version" makes a draft to edit, and publishing it
retires the old one, whose assessments keep their scores.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability, Role
from kawal.access.policy import may
from kawal.accounts.admin import VersionCheckedForm
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.assessments.models import (
    AnswerScale,
    Band,
    Instrument,
    InstrumentStatus,
    Item,
    ScaleOption,
    Section,
    Subscale,
)
from kawal.assessments.services import (
    instrument_new_version,
    instrument_problems,
    instrument_publish,
    instrument_retire,
)
from kawal.core.audit import AuditContext, audit_record
from kawal.core.forms import IdChoiceField


class InstrumentForm(VersionCheckedForm):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("roles that may fill it in"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "They must also be on the child's case and allowed to read the answers."
        ),
    )

    class Meta:
        model = Instrument
        fields = (
            "code",
            "name_id",
            "name_en",
            "purpose_id",
            "purpose_en",
            "roles",
            "answers_class",
            "method",
            "min_answered_percent",
        )


def _editable(request: HttpRequest, instrument: Any) -> bool:
    """Parts of an instrument change only while it is a draft (or being created)."""
    allowed = may(request.user, Capability.MANAGE_CONFIGURATION)
    return allowed and (instrument is None or instrument.status == InstrumentStatus.DRAFT)


class PartInline(admin.TabularInline):
    extra = 0
    # Texts are sentences; two lines each keeps the table readable.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}
    }

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Capability.MANAGE_CONFIGURATION)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        kwargs["form_class"] = IdChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Only this version's own sections, scales and sub-scales can be chosen.
        choices = {
            "section": Section.objects.filter(instrument=obj),
            "scale": AnswerScale.objects.filter(instrument=obj),
            "subscale": Subscale.objects.filter(instrument=obj),
        }
        for name, queryset in choices.items():
            field = formset.form.base_fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = queryset if obj is not None else queryset.none()
        return formset


class SectionInline(PartInline):
    model = Section
    fields = ("order", "title_id", "title_en", "intro_id", "intro_en")


class SubscaleInline(PartInline):
    model = Subscale
    fields = ("order", "code", "name_id", "name_en", "method")


class ItemInline(PartInline):
    model = Item
    fields = (
        "section",
        "order",
        "code",
        "text_id",
        "text_en",
        "scale",
        "reverse",
        "subscale",
        "required",
    )


class BandInline(PartInline):
    model = Band
    fields = (
        "subscale",
        "code",
        "from_score",
        "label_id",
        "label_en",
        "meaning_id",
        "meaning_en",
        "attention",
    )


@admin.register(Instrument, site=admin_site)
class InstrumentAdmin(ConfigurationAdmin):
    form = InstrumentForm
    change_form_template = "admin/assessments/instrument/change_form.html"
    list_display = ("name_id", "code", "version_number", "status", "answers_class", "published_at")
    list_filter = ("status", "answers_class", "code")
    search_fields = ("name_id", "name_en", "code")
    ordering = ("code", "-version_number")
    actions = ("publish_versions", "copy_as_new_version", "retire_versions")

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Items and bands point at sections and sub-scales saved first.
        if obj is None:
            return [SectionInline, SubscaleInline]
        return [SectionInline, SubscaleInline, ItemInline, BandInline]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(InstrumentForm.Meta.fields)
        if obj is not None:
            fields = ["version_number", "status", "publish_check", *fields, "expected_version"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.status != InstrumentStatus.DRAFT:
            return ("version_number", "status", "publish_check", *InstrumentForm.Meta.fields)
        # The code ties the versions together: it never changes once saved.
        return ("version_number", "status", "publish_check", "code")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A published or retired version is shown read-only: past scores rest on it.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only an unpublished draft can go; a used version is kept for ever.
        return self._allowed(request) and obj is not None and obj.is_draft

    @admin.display(description=gettext_lazy("before publishing"))
    def publish_check(self, obj: Instrument) -> str:
        if obj.status != InstrumentStatus.DRAFT:
            return _("Published versions do not change. Copy it as a new version to edit.")
        problems = instrument_problems(obj)
        if not problems:
            return _("Ready to publish.")
        return format_html_join("", "<p>{}</p>", ((problem,) for problem in problems))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The parts' changes are configuration changes too, audited like the instrument's.
        changed = sorted(
            formset.model._meta.model_name for formset in formsets if formset.has_changed()
        )
        if changed:
            audit_record(
                "configuration.changed",
                actor=request.user,
                context=AuditContext.from_request(request),
                target=f"{form.instance._meta.label}:{form.instance.pk}",
                parts=changed,
            )

    def _each(self, request: HttpRequest, queryset: QuerySet[Instrument], action: Any) -> int:
        context = AuditContext.from_request(request)
        done = 0
        for instrument in queryset:
            try:
                action(instrument, acting_user=request.user, context=context)
            except ValidationError as error:
                messages.error(request, f"{instrument}: {' '.join(error.messages)}")
            else:
                done += 1
        return done

    @admin.action(description=gettext_lazy("Publish (new assessments start on it)"))
    def publish_versions(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        done = self._each(request, queryset, instrument_publish)
        if done:
            messages.success(request, _("%(count)d version(s) published.") % {"count": done})

    @admin.action(description=gettext_lazy("Copy as new version (a draft to edit)"))
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        done = self._each(request, queryset, instrument_new_version)
        if done:
            messages.success(
                request, _("%(count)d draft version(s) made: edit, then publish.") % {"count": done}
            )

    @admin.action(description=gettext_lazy("Retire (no new assessments)"))
    def retire_versions(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        done = self._each(request, queryset, instrument_retire)
        if done:
            messages.success(request, _("%(count)d version(s) retired.") % {"count": done})


class ScaleOptionInline(admin.TabularInline):
    model = ScaleOption
    extra = 0
    fields = ("order", "value", "label_id", "label_en")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Capability.MANAGE_CONFIGURATION)

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        return _editable(request, obj.instrument if obj is not None else None)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


class AnswerScaleForm(forms.ModelForm):
    class Meta:
        model = AnswerScale
        fields = ("instrument", "code", "name_id", "name_en")
        field_classes = {"instrument": IdChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("instrument")
        if field is not None:
            # A scale is added to a draft version only.
            field.queryset = Instrument.objects.filter(status=InstrumentStatus.DRAFT)  # type: ignore[attr-defined]


@admin.register(AnswerScale, site=admin_site)
class AnswerScaleAdmin(ConfigurationAdmin):
    form = AnswerScaleForm
    inlines = (ScaleOptionInline,)
    list_display = ("name_id", "code", "instrument")
    list_filter = ("instrument__status", "instrument__code")
    list_select_related = ("instrument",)
    search_fields = ("name_id", "name_en", "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not obj.instrument.is_draft:
            return ("instrument", "code", "name_id", "name_en")
        return ("instrument",) if obj is not None else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or obj.instrument.is_draft
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and obj is not None and obj.instrument.is_draft

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            audit_record(
                "configuration.changed",
                actor=request.user,
                context=AuditContext.from_request(request),
                target=f"{form.instance._meta.label}:{form.instance.pk}",
                parts=["scaleoption"],
            )
