"""The "simfoni" export kind: one row per case (victim) for double entry into SIMFONI-PPA.

The exports app turns the table into CSV or XLSX, asks for approval when it
is large, logs it and serves it. This module only decides what is in it:
the case number as the pseudonymous ID and SIMFONI's categories, never a
name, NIK, birth date, address or school. Forms of violence and services are
one column each with 1 or 0, as SIMFONI's own form ticks boxes; the
perpetrators' relationships are one column, a semicolon list in the order
they were recorded (SIMFONI enters one perpetrator at a time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.exports.registry import ExportKind, ExportTable
from kawal.simfoni.forms import period_from_params
from kawal.simfoni.selectors import SimfoniRow, simfoni_map
from kawal.simfoni.vocab import SIMFONI_VALUES, Axis

KEY = "simfoni"


def may_export(user: Any) -> bool:
    return may(user, Capability.EXPORT_SIMFONI)


def headers() -> list[str]:
    # Column names say which SIMFONI field the operator types them into.
    return [
        _("Case number (pseudonymous ID)"),
        _("Reporting date (Tanggal Pelaporan)"),
        _("Incident date (Tanggal Kejadian)"),
        _("Place (Kategori Lokasi)"),
        *[_("Form: %(form)s") % {"form": form} for form in SIMFONI_VALUES[Axis.FORM]],
        _("Perpetrators' relationship (Hubungan dengan Korban)"),
        *[
            _("Service: %(service)s") % {"service": service}
            for service in SIMFONI_VALUES[Axis.SERVICE]
        ],
        _("Age band (Usia)"),
        _("Education (Pendidikan)"),
        _("Disability (Disabilitas)"),
    ]


def table_row(row: SimfoniRow) -> list[Any]:
    return [
        row.number,
        row.opened_on,
        row.incident_on,
        row.place,
        *[1 if form in row.forms else 0 for form in SIMFONI_VALUES[Axis.FORM]],
        "; ".join(row.relations),
        *[1 if service in row.services else 0 for service in SIMFONI_VALUES[Axis.SERVICE]],
        row.age_band,
        row.education,
        row.disability,
    ]


# What the file holds: the case number, dates, forms, place category and
# service flags (basic), the perpetrators' relationship and whether there is a
# police report (investigation), and whether there were psychological services
# (progress). Identity and whereabouts are read to derive the age band, the
# disability yes/no, the school level and the shelter or placement flags, but
# only those non-identifying categories reach the file (docs/simfoni.md), so
# the file is not an identifying export.
FILE_CLASSES = frozenset({DataClass.BASIC, DataClass.INVESTIGATION, DataClass.PROGRESS})


def build(user: Any, params: Mapping[str, str]) -> ExportTable:
    """The mapped cases of the period that ``user`` may see (the unmappable ones are left
    out: the SIMFONI page lists them with the reason).

    A missing or malformed period gives an empty table: the exports page then
    says there is nothing to export, a 400, never a 500 (the SIMFONI page
    itself only links with a valid period).
    """
    if not may_export(user):
        raise PermissionDenied
    try:
        period = period_from_params(params)
    except ValidationError:
        return ExportTable(headers=headers(), rows=[], data_classes=FILE_CLASSES, case_ids=())
    result = simfoni_map(user, period)
    return ExportTable(
        headers=headers(),
        rows=[table_row(row) for row in result.rows],
        data_classes=FILE_CLASSES,
        case_ids=tuple(row.case_id for row in result.rows),
    )


EXPORT_KIND = ExportKind(
    key=KEY,
    label=gettext_lazy("SIMFONI-PPA double entry"),
    allowed=may_export,
    build=build,
    filename="simfoni",
)
