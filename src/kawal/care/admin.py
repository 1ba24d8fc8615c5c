from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kawal.accounts.admin_site import ConfigurationAdmin, admin_site
from kawal.care.models import Indicator


@admin.register(Indicator, site=admin_site)
class IndicatorAdmin(ConfigurationAdmin):
    """The scales psychologists score every day; an instrument's own can be added."""

    list_display = ("code", "label_id", "label_en", "higher_is_better", "order", "is_active")
    list_filter = ("is_active", "higher_is_better")
    search_fields = ("code", "label_id", "label_en")
    ordering = ("order", "code")
    fields = (
        "code",
        "label_id",
        "label_en",
        "low_id",
        "low_en",
        "high_id",
        "high_en",
        "higher_is_better",
        "order",
        "is_active",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Forms and charts name an indicator by its code: a new code is a new indicator.
        return ("code",) if obj is not None else ()
