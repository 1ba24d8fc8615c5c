"""Aggregate reads for the hotspot map: where and when children are found.

Only public-place capture points (rounded), activities, times and counts per
kelurahan leave this module: never a name, a case number, a child's id or any
address of a home, shelter or placement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.outreach.models import Activity, Capture, OperationStatus
from kawal.regions.models import Region

# Hours (local time, WITA) of each part of the day; night wraps past midnight.
TIMES_OF_DAY: dict[str, tuple[Any, tuple[int, ...]]] = {
    "morning": (_("Morning (05:00-10:59)"), tuple(range(5, 11))),
    "afternoon": (_("Afternoon (11:00-14:59)"), tuple(range(11, 15))),
    "evening": (_("Evening (15:00-18:59)"), tuple(range(15, 19))),
    "night": (_("Night (19:00-04:59)"), (*range(19, 24), *range(5))),
}
MAX_POINTS = 5000
DECIMALS = 4


@dataclass(frozen=True)
class HotspotFilter:
    date_from: date | None = None
    date_to: date | None = None
    activity: str = ""
    time_of_day: str = ""


def captures_matching(criteria: HotspotFilter) -> QuerySet[Capture]:
    """Captures on operations that took place, narrowed by the filter (local dates and hours)."""
    rows = Capture.objects.exclude(operation__status=OperationStatus.CANCELLED)
    if criteria.date_from is not None:
        rows = rows.filter(created_at__date__gte=criteria.date_from)
    if criteria.date_to is not None:
        rows = rows.filter(created_at__date__lte=criteria.date_to)
    if criteria.activity:
        rows = rows.filter(activity=criteria.activity)
    if criteria.time_of_day:
        rows = rows.filter(created_at__hour__in=TIMES_OF_DAY[criteria.time_of_day][1])
    return rows


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def hotspot_points(criteria: HotspotFilter) -> tuple[list[dict[str, Any]], bool]:
    """Capture points, newest first, and whether the list was cut at MAX_POINTS."""
    labels = dict(Activity.choices)
    rows = (
        captures_matching(criteria)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-created_at")
        .values_list("latitude", "longitude", "activity", "created_at")[: MAX_POINTS + 1]
    )
    points = []
    for latitude, longitude, activity, created_at in rows:
        local = timezone.localtime(created_at)
        points.append(
            {
                "lat": _rounded(latitude),
                "lon": _rounded(longitude),
                "activity": activity,
                "activity_label": str(labels.get(activity, activity)),
                "hour": local.hour,
                "date": local.date().isoformat(),
            }
        )
    return points[:MAX_POINTS], len(points) > MAX_POINTS


def kelurahan_counts(criteria: HotspotFilter) -> list[dict[str, Any]]:
    """Children found per kelurahan of the operation, with the kelurahan's approximate centre."""
    counts = dict(
        captures_matching(criteria)
        .order_by()
        .values("operation__area_id")
        .annotate(found=Count("pk"))
        .values_list("operation__area_id", "found")
    )
    regions = Region.objects.filter(code__in=counts).order_by("code")
    return [
        {
            "code": region.code,
            "name": region.name,
            "lat": _rounded(region.latitude),
            "lon": _rounded(region.longitude),
            "count": counts[region.code],
        }
        for region in regions
    ]


def hour_weekday_counts(criteria: HotspotFilter) -> list[list[int]]:
    """Counts by local hour (rows 0-23) and weekday (columns Monday-Sunday)."""
    tally: Counter[tuple[int, int]] = Counter()
    for created_at in captures_matching(criteria).values_list("created_at", flat=True).iterator():
        local = timezone.localtime(created_at)
        tally[(local.hour, local.weekday())] += 1
    return [[tally[(hour, day)] for day in range(7)] for hour in range(24)]


def hotspot_data(criteria: HotspotFilter) -> dict[str, Any]:
    points, truncated = hotspot_points(criteria)
    kelurahan = kelurahan_counts(criteria)
    return {
        "points": points,
        "points_truncated": truncated,
        "kelurahan": kelurahan,
        "total": sum(row["count"] for row in kelurahan),
    }
