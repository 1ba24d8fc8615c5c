"""The hotspot map: where and when children are found, to plan patrols."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.hotspots.forms import HotspotFilterForm
from kawal.hotspots.layers import layer_data
from kawal.hotspots.selectors import (
    HotspotFilter,
    hour_weekday_counts,
    kelurahan_boundaries,
    kelurahan_counts,
)
from kawal.hotspots.selectors import (
    hotspot_data as select_hotspot_data,
)


def _require_map(request: HttpRequest) -> None:
    if not may(request.user, Capability.VIEW_HOTSPOT_MAP):
        raise PermissionDenied


def _heat(count: int, top: int) -> int:
    """Shade 0-4 of a table cell, relative to the busiest cell."""
    if count == 0 or top == 0:
        return 0
    return max(1, min(4, -(-4 * count // top)))


@require_GET
def hotspot_map(request: HttpRequest) -> HttpResponse:
    _require_map(request)
    form = HotspotFilterForm(request.GET)
    valid = form.is_valid()
    criteria = form.criteria() if valid else HotspotFilter()
    grid = hour_weekday_counts(criteria) if valid else [[0] * 7 for _hour in range(24)]
    top = max(max(row) for row in grid)
    rows = [
        (f"{hour:02d}", [(count, _heat(count, top)) for count in counts], sum(counts))
        for hour, counts in enumerate(grid)
    ]
    query = request.GET.urlencode() if valid else ""
    context = {
        "form": form,
        "valid": valid,
        "weekdays": [WEEKDAYS_ABBR[day] for day in range(7)],
        "rows": rows,
        "day_totals": [sum(grid[hour][day] for hour in range(24)) for day in range(7)],
        "total": sum(map(sum, grid)),
        "kelurahan": kelurahan_counts(criteria) if valid else [],
        "layers": layer_data(criteria) if valid else [],
        "source": criteria.source,
        "data_url": reverse("hotspots:data") + (f"?{query}" if query else ""),
        "layers_url": reverse("hotspots:layers") + (f"?{query}" if query else ""),
        "boundaries_url": reverse("hotspots:boundaries"),
        "tiles_url": settings.KAWAL_MAP_TILES_URL,
        "tiles_attribution": settings.KAWAL_MAP_TILES_ATTRIBUTION,
    }
    return render(request, "hotspots/map.html", context, status=200 if valid else 400)


@require_GET
def hotspot_data(request: HttpRequest) -> HttpResponse:
    _require_map(request)
    form = HotspotFilterForm(request.GET)
    if not form.is_valid():
        errors = {field: [str(e) for e in messages] for field, messages in form.errors.items()}
        message = _("Check the filters: %(fields)s.") % {"fields": ", ".join(sorted(errors))}
        return JsonResponse({"message": message, "errors": errors}, status=400)
    return JsonResponse(select_hotspot_data(form.criteria()))


@require_GET
def hotspot_layers(request: HttpRequest) -> HttpResponse:
    """Counts per kelurahan from the layers other apps register (``hotspots.layers``)."""
    _require_map(request)
    form = HotspotFilterForm(request.GET)
    if not form.is_valid():
        message = _("Check the filters: %(fields)s.") % {"fields": ", ".join(sorted(form.errors))}
        return JsonResponse({"message": message, "layers": []}, status=400)
    return JsonResponse({"layers": layer_data(form.criteria())})


@require_GET
def hotspot_boundaries(request: HttpRequest) -> HttpResponse:
    _require_map(request)
    return JsonResponse(kelurahan_boundaries())
