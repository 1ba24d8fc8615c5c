"""Labels for the parts of a match explanation."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FIELD_LABELS = {
    "name": _("Name"),
    "birth": _("Date of birth or age"),
    "sex": _("Sex"),
    "nik": _("NIK"),
    "nik_implies": _("Birth date and sex in the NIK"),
    "parents": _("Parents' names"),
    "kelurahan": _("Kelurahan"),
    "school": _("School"),
    "city": _("City or regency (other kelurahan)"),
}
LEVEL_LABELS = {
    "missing": _("not known on both"),
    "different": _("different"),
    "different_one_shared": _("different names, one of them shared"),
    "one_name_shared": _("one of the names is the same"),
    "similar": _("similar"),
    "very_similar": _("very similar"),
    "nickname": _("nickname or other name matches"),
    "part": _("one name is part of the other"),
    "sounds_same": _("sounds the same"),
    "same": _("same"),
    "in_range": _("within the estimated age"),
    "same_year": _("same birth year"),
    "year_off_by_one": _("one year apart"),
    "day_month_swapped": _("day and month swapped"),
    "one_digit_or_swap": _("one digit differs or two are swapped"),
}
BAND_LABELS = {"likely": _("Likely the same child"), "possible": _("Possibly the same child")}


@register.filter
def match_field(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


@register.filter
def match_level(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


@register.filter
def match_band(band: str) -> str:
    return str(BAND_LABELS.get(band, band))
