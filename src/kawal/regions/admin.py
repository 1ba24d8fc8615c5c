from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.regions.models import Region


@admin.register(Region, site=admin_site)
class RegionAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "level", "parent", "postal_code", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    ordering = ("code",)
    raw_id_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A code is the key other records point at; a changed code is a new region.
        return ("code",) if obj is not None else ()
