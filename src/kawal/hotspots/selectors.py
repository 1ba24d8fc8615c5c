"""Aggregate reads for the hotspot map: where and when children are seen and found.

Two sources: sightings (reports from the public and staff intake, by when
and where the children were seen) and finds (children recorded on outreach
operations). Only public-place points (rounded), activities, times and
counts per kelurahan leave this module: never a name, a case number, a
child's id, a reporter or any address of a home, shelter or placement.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.outreach.models import Activity, Capture, OperationStatus
from kawal.regions.models import Region
from kawal.reports.models import POINT_FRESH_FOR, Report

# Hours (local time, WITA) of each part of the day; night wraps past midnight.
TIMES_OF_DAY: dict[str, tuple[Any, tuple[int, ...]]] = {
    "morning": (_("Morning (05:00-10:59)"), tuple(range(5, 11))),
    "afternoon": (_("Afternoon (11:00-14:59)"), tuple(range(11, 15))),
    "evening": (_("Evening (15:00-18:59)"), tuple(range(15, 19))),
    "night": (_("Night (19:00-04:59)"), (*range(19, 24), *range(5))),
}
SOURCES: dict[str, Any] = {
    "reported": _("Sightings reported"),
    "found": _("Children found on outreach"),
}
MAX_POINTS = 5000
# About 110 m: enough to plan a patrol around a junction, too coarse to point
# at a doorway if an officer's phone gave a position away from the street.
DECIMALS = 3


@dataclass(frozen=True)
class HotspotFilter:
    date_from: date | None = None
    date_to: date | None = None
    activity: str = ""
    time_of_day: str = ""
    source: str = ""  # "" for both, or a key of SOURCES

    def includes(self, source: str) -> bool:
        return self.source in ("", source)


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


def reports_matching(criteria: HotspotFilter) -> QuerySet[Report]:
    """Sightings, narrowed by the filter on when the children were seen.

    A report merged into another is the same sighting and is counted once.
    """
    rows = Report.objects.filter(duplicate_of__isnull=True)
    if criteria.date_from is not None:
        rows = rows.filter(seen_at__date__gte=criteria.date_from)
    if criteria.date_to is not None:
        rows = rows.filter(seen_at__date__lte=criteria.date_to)
    if criteria.activity:
        # ``seen`` is a JSON list; the quoted value matches one whole entry.
        rows = rows.filter(seen__icontains=f'"{criteria.activity}"')
    if criteria.time_of_day:
        rows = rows.filter(seen_at__hour__in=TIMES_OF_DAY[criteria.time_of_day][1])
    return rows


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def _point(
    kind: str, latitude: Any, longitude: Any, activity: str, when: Any, labels: dict[str, Any]
) -> dict[str, Any]:
    local = timezone.localtime(when)
    return {
        "kind": kind,
        "lat": _rounded(latitude),
        "lon": _rounded(longitude),
        "activity": activity,
        "activity_label": str(labels.get(activity, activity)),
        "hour": local.hour,
        "date": local.date().isoformat(),
    }


def hotspot_points(criteria: HotspotFilter) -> tuple[list[dict[str, Any]], bool]:
    """Points of both sources, newest first, and whether the list was cut at MAX_POINTS."""
    labels = dict(Activity.choices)
    points: list[tuple[Any, dict[str, Any]]] = []
    if criteria.includes("found"):
        rows = (
            captures_matching(criteria)
            .filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("-created_at")
            .values_list("latitude", "longitude", "activity", "created_at")[: MAX_POINTS + 1]
        )
        points += [(row[3], _point("found", *row, labels)) for row in rows]
    if criteria.includes("reported"):
        sightings = (
            reports_matching(criteria)
            .filter(latitude__isnull=False, longitude__isnull=False)
            # Only a point sent while the reporter was still at the place
            # (the rule of the public form, applied to older rows as well).
            .filter(created_at__lte=F("seen_at") + POINT_FRESH_FOR)
            .order_by("-seen_at")
            .values_list("latitude", "longitude", "seen", "seen_at")[: MAX_POINTS + 1]
        )
        for latitude, longitude, seen, seen_at in sightings:
            activity = criteria.activity or (seen[0] if seen else Activity.OTHER)
            point = _point("reported", latitude, longitude, activity, seen_at, labels)
            points.append((seen_at, point))
    points.sort(key=lambda pair: pair[0], reverse=True)
    return [point for _when, point in points[:MAX_POINTS]], len(points) > MAX_POINTS


def kelurahan_counts(criteria: HotspotFilter) -> list[dict[str, Any]]:
    """Children found (by the operation's kelurahan) and sightings reported, per kelurahan.

    Each row carries the kelurahan's approximate centre, where its circle is drawn.
    """
    found: dict[str, int] = {}
    reported: dict[str, int] = {}
    if criteria.includes("found"):
        found = dict(
            captures_matching(criteria)
            .order_by()
            .values("operation__area_id")
            .annotate(n=Count("pk"))
            .values_list("operation__area_id", "n")
        )
    if criteria.includes("reported"):
        reported = dict(
            reports_matching(criteria)
            .order_by()
            .values("kelurahan_id")
            .annotate(n=Count("pk"))
            .values_list("kelurahan_id", "n")
        )
    regions = Region.objects.filter(code__in=set(found) | set(reported)).order_by("code")
    return [
        {
            "code": region.code,
            "name": region.name,
            "lat": _rounded(region.latitude),
            "lon": _rounded(region.longitude),
            "found": found.get(region.code, 0),
            "reported": reported.get(region.code, 0),
            "count": found.get(region.code, 0) + reported.get(region.code, 0),
        }
        for region in regions
    ]


def hour_weekday_counts(criteria: HotspotFilter) -> list[list[int]]:
    """Counts by local hour (rows 0-23) and weekday (columns Monday-Sunday).

    A find counts when it was recorded, a sighting when the children were seen.
    """
    tally: Counter[tuple[int, int]] = Counter()
    moments: list[Any] = []
    if criteria.includes("found"):
        moments.append(captures_matching(criteria).values_list("created_at", flat=True))
    if criteria.includes("reported"):
        moments.append(reports_matching(criteria).values_list("seen_at", flat=True))
    for rows in moments:
        for moment in rows.iterator():
            local = timezone.localtime(moment)
            tally[(local.hour, local.weekday())] += 1
    return [[tally[(hour, day)] for day in range(7)] for hour in range(24)]


def hotspot_data(criteria: HotspotFilter) -> dict[str, Any]:
    points, truncated = hotspot_points(criteria)
    kelurahan = kelurahan_counts(criteria)
    found = sum(row["found"] for row in kelurahan)
    reported = sum(row["reported"] for row in kelurahan)
    return {
        "points": points,
        "points_truncated": truncated,
        "kelurahan": kelurahan,
        "found": found,
        "reported": reported,
        "total": found + reported,
    }


def kelurahan_boundaries() -> dict[str, Any]:
    """Imported kelurahan outlines (``kawal import_boundaries``) as a GeoJSON collection.

    Public administrative geography: codes, names and polygons, nothing else.
    """
    rows = (
        Region.objects.filter(level="kelurahan", boundary__isnull=False)
        .order_by("code")
        .values_list("code", "name", "boundary")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": boundary,
            }
            for code, name, boundary in rows
        ],
    }
