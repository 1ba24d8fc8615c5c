"""Funding programmes in the configuration console: configuration only, never a child."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.funding.models import Programme


@admin.register(Programme, site=admin_site)
class ProgrammeAdmin(ConfigurationAdmin):
    list_display = ("code", "name_id", "name_en", "account_code", "is_active", "order")
    list_filter = ("is_active",)
    search_fields = ("code", "name_id", "name_en", "account_code")
    fields = ("code", "name_id", "name_en", "account_code", "is_active", "order")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Ledger rows and budgets name the programme by its code.
        return ("code",) if obj is not None else ()
