"""Shelters, rooms and beds in the configuration console (no stay is ever shown here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import AgencyKind, Capability
from kawal.access.policy import may
from kawal.accounts.admin import VersionCheckedForm
from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.accounts.models import Agency
from kawal.core.audit import AuditContext, audit_record
from kawal.core.forms import IdChoiceField
from kawal.shelters.models import Bed, Room, Shelter, Stay

IN_USE = _("A child is staying here: move or discharge the child first.")


class ConfigurationInline(admin.TabularInline):
    """Inline rows follow the same policy as their page: administrators change, nobody deletes."""

    extra = 0

    def _allowed(self, request: HttpRequest) -> bool:
        return may(request.user, Capability.MANAGE_CONFIGURATION)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Beds and rooms are named in past stays; retire them instead.
        return False


class AuditedInlinesAdmin(ConfigurationAdmin):
    """Inline rows get a version bump and an audit row, like the page's own record."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in instances:
            created = obj.pk is None
            if not created and hasattr(obj, "version"):
                obj.version += 1
            obj.save()
            audit_record(
                "configuration.created" if created else "configuration.changed",
                actor=request.user,
                context=AuditContext.from_request(request),
                target=f"{obj._meta.label}:{obj.pk}",
                fields=sorted(
                    next(
                        (f.changed_data for f in formset.forms if f.instance is obj),
                        [],
                    )
                ),
            )
        formset.save_m2m()


def _still_used(active: bool, stays: QuerySet[Stay]) -> bool:
    return not active and stays.filter(discharged_at__isnull=True).exists()


class ShelterForm(VersionCheckedForm):
    class Meta:
        model = Shelter
        fields = ("agency", "name", "is_active")
        field_classes = {"agency": IdChoiceField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            kind=AgencyKind.UPTD_PPA, is_active=True
        ) | Agency.objects.filter(pk=self.instance.agency_id or 0)
        field.help_text = _("A shelter belongs to a UPTD PPA; its shelter staff run it.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        agency = cleaned.get("agency")
        if agency is not None and agency.kind != AgencyKind.UPTD_PPA:
            self.add_error("agency", _("Choose a UPTD PPA."))
        if self.instance.pk and _still_used(
            cleaned.get("is_active", True), Stay.objects.filter(bed__room__shelter=self.instance)
        ):
            self.add_error("is_active", IN_USE)
        return cleaned


def _room_checks(form: forms.ModelForm, cleaned: dict[str, Any]) -> None:
    low, high = cleaned.get("age_min"), cleaned.get("age_max")
    for name in ("age_min", "age_max"):
        value = cleaned.get(name)
        if value is not None and value > 17:
            form.add_error(name, _("Shelter rooms are for children: 0 to 17 years."))
    if low is not None and high is not None and low > high:
        form.add_error("age_max", _("The oldest age must not be below the youngest."))
    if form.instance.pk and _still_used(
        cleaned.get("is_active", True), Stay.objects.filter(bed__room=form.instance)
    ):
        form.add_error("is_active", IN_USE)


class RoomForm(VersionCheckedForm):
    class Meta:
        model = Room
        fields = ("shelter", "name", "accepts_sex", "age_min", "age_max", "is_active")
        field_classes = {"shelter": IdChoiceField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _room_checks(self, cleaned)
        return cleaned


class RoomInlineForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ("name", "accepts_sex", "age_min", "age_max", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _room_checks(self, cleaned)
        return cleaned


class BedForm(forms.ModelForm):
    class Meta:
        model = Bed
        fields = ("label", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk and _still_used(
            cleaned.get("is_active", True), Stay.objects.filter(bed=self.instance)
        ):
            self.add_error("is_active", IN_USE)
        return cleaned


class RoomInline(ConfigurationInline):
    model = Room
    form = RoomInlineForm
    fields = ("name", "accepts_sex", "age_min", "age_max", "is_active")
    show_change_link = True
    verbose_name_plural = _("rooms (open a room to add its beds)")


class BedInline(ConfigurationInline):
    model = Bed
    form = BedForm
    fields = ("label", "is_active")


@admin.register(Shelter, site=admin_site)
class ShelterAdmin(AuditedInlinesAdmin):
    form = ShelterForm
    list_display = ("name", "agency", "is_active")
    list_filter = ("is_active", "agency")
    search_fields = ("name",)
    inlines = (RoomInline,)


@admin.register(Room, site=admin_site)
class RoomAdmin(AuditedInlinesAdmin):
    form = RoomForm
    list_display = (
        "name",
        "shelter",
        "accepts_sex",
        "age_min",
        "age_max",
        "bed_count",
        "is_active",
    )
    list_filter = ("is_active", "shelter", "accepts_sex")
    search_fields = ("name", "shelter__name")
    inlines = (BedInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Room]:
        return (
            super()
            .get_queryset(request)
            .select_related("shelter")
            .annotate(active_beds=Count("beds", filter=Q(beds__is_active=True)))
        )

    @admin.display(description=_("beds"), ordering="active_beds")
    def bed_count(self, obj: Room) -> int:
        return int(getattr(obj, "active_beds", 0))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A room stays in its shelter: past stays name both.
        return ("shelter",) if obj is not None else ()
