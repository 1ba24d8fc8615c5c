"""Reads of the region table (reference data, not child data)."""

from __future__ import annotations

from django.db.models import QuerySet

from kawal.regions.models import Region, RegionLevel


def region_list(*, level: str | None = None, within: str | None = None) -> QuerySet[Region]:
    regions = Region.objects.filter(is_active=True).select_related("parent")
    if level is not None:
        regions = regions.filter(level=level)
    if within is not None:
        regions = regions.filter(code__startswith=within + ".")
    return regions


def kelurahan_list(*, within: str) -> QuerySet[Region]:
    return region_list(level=RegionLevel.KELURAHAN, within=within)
