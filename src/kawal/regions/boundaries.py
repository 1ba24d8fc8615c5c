"""Kelurahan boundaries from a GeoJSON file, stored on the region as GeoJSON geometry."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kawal.core.audit import AuditContext, audit_record
from kawal.regions.models import CODE_PATTERNS, Region, RegionLevel

# Property names under which published files carry the Kemendagri code.
CODE_PROPERTIES = ("code", "kode", "kode_kemendagri", "kdepum", "KDEPUM", "kode_kel")
MAX_BYTES = 200 * 1024 * 1024
MAX_ERRORS = 50
AREA_LEVELS = (RegionLevel.KELURAHAN, RegionLevel.DESA)


@dataclass
class BoundaryResult:
    updated: int = 0
    unchanged: int = 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("a ring needs at least four positions")
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(_number(value) for value in position[:2])
        ):
            return _("a position is not a pair of numbers")
        longitude, latitude = position[0], position[1]
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            return _("a position is outside longitude -180..180 / latitude -90..90")
    if ring[0][:2] != ring[-1][:2]:
        return _("a ring is not closed (first and last positions differ)")
    return None


def geometry_problem(geometry: Any) -> str | None:
    """Why a GeoJSON geometry is not a usable Polygon or MultiPolygon, or None."""
    if not isinstance(geometry, dict):
        return _("no geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else [None]
    else:
        return _("geometry type must be Polygon or MultiPolygon")
    if not polygons:
        return _("a MultiPolygon without polygons")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon without rings")
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    return None


def _code_of(properties: Any, code_property: str | None) -> str:
    if not isinstance(properties, dict):
        return ""
    names = (code_property,) if code_property else CODE_PROPERTIES
    for name in names:
        value = properties.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def boundaries_read(path: Path) -> Any:
    if path.stat().st_size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 200 MB."))
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(_("Not a GeoJSON file: %(error)s") % {"error": exc}) from exc


def boundaries_import(
    document: Any,
    *,
    code_property: str | None = None,
    context: AuditContext | None = None,
) -> BoundaryResult:
    """Check every feature, then store all boundaries in one transaction, or none."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The FeatureCollection has no features."))
    errors: list[str] = []
    found: dict[str, Any] = {}
    for number, feature in enumerate(features, start=1):
        if len(errors) >= MAX_ERRORS:
            break
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("Feature %(n)d: not a GeoJSON Feature.") % {"n": number})
            continue
        code = _code_of(feature.get("properties"), code_property)
        if not code:
            errors.append(_("Feature %(n)d: no Kemendagri code in its properties.") % {"n": number})
            continue
        if not any(CODE_PATTERNS[level].match(code) for level in AREA_LEVELS):
            errors.append(
                _("Feature %(n)d: %(code)s is not a kelurahan or desa code.")
                % {"n": number, "code": code}
            )
            continue
        if code in found:
            errors.append(_("Feature %(n)d: %(code)s appears twice.") % {"n": number, "code": code})
            continue
        problem = geometry_problem(feature.get("geometry"))
        if problem:
            errors.append(
                _("Feature %(n)d (%(code)s): %(problem)s.")
                % {"n": number, "code": code, "problem": problem}
            )
            continue
        found[code] = feature["geometry"]
    known = set(
        Region.objects.filter(code__in=found, level__in=AREA_LEVELS).values_list("code", flat=True)
    )
    errors.extend(
        _("%(code)s is not a kelurahan or desa in the region table.") % {"code": code}
        for code in sorted(set(found) - known)
    )
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    result = BoundaryResult()
    with transaction.atomic():
        for region in Region.objects.select_for_update().filter(code__in=found):
            geometry = {"type": found[region.code]["type"]}
            geometry["coordinates"] = found[region.code]["coordinates"]
            if region.boundary == geometry:
                result.unchanged += 1
                continue
            region.boundary = geometry
            region.save(update_fields=["boundary", "updated_at"])
            result.updated += 1
        audit_record(
            "regions.boundaries_imported",
            context=context,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    return result
