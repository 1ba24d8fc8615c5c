"""What assessments add to the case file, registered from ``AssessmentsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import DataClass
from kawal.assessments.models import in_language
from kawal.assessments.policy import reads_results, sees_any
from kawal.assessments.selectors import case_overview, fillable_instruments
from kawal.cases.extensions import (
    CaseSection,
    TimelineKind,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess

# The case page shows the newest few; the case's assessments page has them all.
SECTION_ROWS = 5


def _section(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    """Two queries whatever the number of assessments (the case's assessments with the
    viewer's drafts, and the instruments in use); none for who reads no care class.

    Rows carry results only for progress readers, and are listed at all only
    to who reads their results or their answers.
    """
    if not sees_any(access):
        return None
    rows, drafts = case_overview(case, access, request.user, limit=SECTION_ROWS)
    fillable = (
        fillable_instruments(request.user, access) if case.status != CaseStatus.CLOSED else []
    )
    if not (rows or drafts or fillable):
        return None
    return {
        "rows": rows,
        "drafts": drafts,
        "fillable": fillable,
        "reads_results": reads_results(access),
    }


def _name(payload: Mapping[str, Any]) -> str:
    name = in_language(payload.get("name_id"), payload.get("name_en"))
    return f"{name or payload.get('instrument', '')} (v{payload.get('version', '?')})"


def _band(payload: Mapping[str, Any]) -> str:
    return in_language(payload.get("band_id"), payload.get("band_en"))


def _describe(label: str, *, with_band: bool = False) -> Any:
    def describe(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
        text = f"{_(label)}: {_name(payload)}"
        # Events are progress class already; the band is a result, shown to its readers.
        band = _band(payload) if with_band and readable.get(DataClass.PROGRESS) else ""
        if band:
            text += f" — {band}"
        if payload.get("correction"):
            text += f" ({_('correction')})"
        return text

    return describe


def register() -> None:
    register_section(
        CaseSection(
            key="assessments.case",
            order=40,
            template="assessments/case_section.html",
            # Built for every reader of the case; the selector itself lists an
            # assessment only to who reads its results or answers, and offers
            # instruments only to who may fill them in (a psychologist may read
            # clinical answers without care progress).
            data_class=DataClass.BASIC,
            context=_section,
        )
    )
    # Labels are marked for extraction here and translated when an event is shown.
    gettext_lazy("Assessment started")
    gettext_lazy("Assessment signed")
    gettext_lazy("Assessment corrected")
    gettext_lazy("Assessment draft discarded")
    gettext_lazy("correction")
    register_timeline_kind(TimelineKind("assessments.started", _describe("Assessment started")))
    register_timeline_kind(
        TimelineKind("assessments.signed", _describe("Assessment signed", with_band=True))
    )
    register_timeline_kind(
        TimelineKind("assessments.corrected", _describe("Assessment corrected", with_band=True))
    )
    register_timeline_kind(
        TimelineKind("assessments.discarded", _describe("Assessment draft discarded"))
    )
