"""The configuration console: Django's admin, for system administrators only.

Only configuration data is ever registered here (agencies, users, regions);
case content never is, so the console cannot become a side door to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.accounts.middleware import second_factor_passed
from kawal.core.audit import AuditContext, audit_record
from kawal.core.forms import parse_id


class KawalAdminSite(admin.AdminSite):
    site_header = _("Kawal Anak configuration")
    site_title = _("Kawal Anak configuration")
    index_title = _("Configuration")
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            may(user, Capability.MANAGE_CONFIGURATION) or may(user, Capability.MANAGE_USERS)
        ) and second_factor_passed(user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in path for everyone, with lockout and the second factor.
        # A signed-in user sent here simply lacks the role: refuse rather than
        # bounce between the two sign-in pages.
        if request.user.is_authenticated and second_factor_passed(request.user):
            raise PermissionDenied
        target = request.GET.get("next", "") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return HttpResponseRedirect(reverse("accounts:password_change"))

    def logout(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return HttpResponseRedirect(reverse("accounts:logout"))


admin_site = KawalAdminSite(name="admin")


INTEGER_KEYS = frozenset({"AutoField", "BigAutoField", "IntegerField", "BigIntegerField"})


class ConfigurationAdmin(admin.ModelAdmin):
    """Permissions from the policy, and an audit row for every change."""

    capability = Capability.MANAGE_CONFIGURATION

    def _allowed(self, request: HttpRequest) -> bool:
        return may(request.user, self.capability)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Configuration rows are referenced by history; retire them instead.
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # Django filters the rows of a bulk action with the posted keys as they
        # are; a key no row can have (a huge or non-numeric id) is a 500 there.
        integer_key = self.model._meta.pk.get_internal_type() in INTEGER_KEYS
        if (
            request.method == "POST"
            and integer_key
            and helpers.ACTION_CHECKBOX_NAME in request.POST
        ):
            post = request.POST.copy()
            post.setlist(
                helpers.ACTION_CHECKBOX_NAME,
                [
                    value
                    for value in post.getlist(helpers.ACTION_CHECKBOX_NAME)
                    if parse_id(value) is not None
                ],
            )
            request.POST = post  # type: ignore[assignment]
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The admin wraps this in a transaction, so the change and its audit
        # row are written together.
        if hasattr(obj, "version") and change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        audit_record(
            "configuration.changed" if change else "configuration.created",
            actor=request.user,
            context=AuditContext.from_request(request),
            target=f"{obj._meta.label}:{obj.pk}",
            fields=sorted(form.changed_data),
        )
