"""Administrative regions keyed by their Kemendagri codes."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency (kabupaten)")
    KOTA = "kota", _("City (kota)")
    KECAMATAN = "kecamatan", _("District (kecamatan)")
    KELURAHAN = "kelurahan", _("Urban village (kelurahan)")
    DESA = "desa", _("Village (desa)")


# Kemendagri codes are 2-2-2-4 digits joined by dots. Kabupaten use 01-69 and
# kota 71-99 in the second segment; kelurahan 1xxx and desa 2xxx in the last.
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    RegionLevel.PROVINSI: re.compile(r"^\d{2}$"),
    RegionLevel.KABUPATEN: re.compile(r"^\d{2}\.(0[1-9]|[1-6]\d)$"),
    RegionLevel.KOTA: re.compile(r"^\d{2}\.(7[1-9]|[89]\d)$"),
    RegionLevel.KECAMATAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    RegionLevel.KELURAHAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.1\d{3}$"),
    RegionLevel.DESA: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.2\d{3}$"),
}

PARENT_LEVELS: dict[str, tuple[str, ...]] = {
    RegionLevel.PROVINSI: (),
    RegionLevel.KABUPATEN: (RegionLevel.PROVINSI,),
    RegionLevel.KOTA: (RegionLevel.PROVINSI,),
    RegionLevel.KECAMATAN: (RegionLevel.KABUPATEN, RegionLevel.KOTA),
    RegionLevel.KELURAHAN: (RegionLevel.KECAMATAN,),
    RegionLevel.DESA: (RegionLevel.KECAMATAN,),
}

LEVEL_DEPTH: dict[str, int] = {
    RegionLevel.PROVINSI: 0,
    RegionLevel.KABUPATEN: 1,
    RegionLevel.KOTA: 1,
    RegionLevel.KECAMATAN: 2,
    RegionLevel.KELURAHAN: 3,
    RegionLevel.DESA: 3,
}


class Region(models.Model):
    code = models.CharField(_("Kemendagri code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    # Codes change with each Kepmendagri; a retired code stays for old records.
    is_active = models.BooleanField(_("in use"), default=True)
    source = models.CharField(_("legal source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Approximate centre, for the hotspot map's circles; not a surveyed point.
    latitude = models.DecimalField(
        _("latitude of the centre"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude of the centre"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # A GeoJSON Polygon or MultiPolygon geometry, loaded by ``kawal import_boundaries``.
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
