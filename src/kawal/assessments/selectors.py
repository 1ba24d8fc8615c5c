"""Reads of assessments.

Two kinds live here:

- **Public selectors for other apps** (``signed_assessments``,
  ``latest_signed``, ``AssessmentSummary``): placement, reunification and
  school readiness call them to check what was assessed. They do **no access
  check**: the caller already holds a ``CaseAccess`` for the case and must
  check ``access.can_read(DataClass.PROGRESS)`` before showing a result (a
  summary carries results only, never answers, so progress is the class).
- **Page selectors** (everything else), scoped to the viewer's access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.assessments.models import (
    Assessment,
    AssessmentStatus,
    Instrument,
    InstrumentStatus,
    in_language,
)
from kawal.assessments.policy import may_fill, reads_answers, reads_results, sees_assessment
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, case_access_bulk, cases_visible_to
from kawal.cases.selectors import pick

# --- Public selectors -------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentSummary:
    """The result of one signed assessment, as other apps need it (class progress).

    ``total`` and each sub-scale score are None when "not scorable" (too few
    items answered). ``band_code`` is "" when the total has no band;
    ``band_label`` is in the current language. ``subscales`` maps sub-scale
    codes to their scores.
    """

    uuid: Any
    instrument_code: str
    instrument_name: str
    instrument_version: int
    signed_at: datetime
    signed_by_id: int
    total: Decimal | None
    band_code: str
    band_label: str
    subscales: dict[str, Decimal | None]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _summary(assessment: Assessment) -> AssessmentSummary:
    result = assessment.result or {}
    band = result.get("band") or {}
    if assessment.signed_at is None or assessment.signed_by_id is None:
        raise ValueError("only a signed assessment has a summary")
    return AssessmentSummary(
        uuid=assessment.uuid,
        instrument_code=assessment.instrument_code,
        instrument_name=assessment.instrument.name,
        instrument_version=assessment.instrument.version_number,
        signed_at=assessment.signed_at,
        signed_by_id=assessment.signed_by_id,
        total=assessment.total,
        band_code=assessment.band_code,
        band_label=in_language(band.get("label_id"), band.get("label_en")) if band else "",
        subscales={
            entry["code"]: _decimal(entry.get("score")) for entry in result.get("subscales", [])
        },
    )


def _current_signed(case: Case) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(
            case=case, status=AssessmentStatus.SIGNED, superseded_at__isnull=True
        )
        .select_related("instrument")
        .order_by("-signed_at", "-id")
    )


def signed_assessments(case: Case) -> list[AssessmentSummary]:
    """Every signed assessment of the case that no correction replaced, newest first.

    No access check: the caller holds the viewer's ``CaseAccess`` for this
    case and shows the summaries only if it reads ``DataClass.PROGRESS``.
    One query.
    """
    return [_summary(assessment) for assessment in _current_signed(case)]


def latest_signed(case: Case, instrument_code: str) -> AssessmentSummary | None:
    """The newest signed, not superseded assessment of the case with this instrument
    (any version of it), or None.

    No access check: the caller holds the viewer's ``CaseAccess`` for this
    case and shows the summary only if it reads ``DataClass.PROGRESS``. One query.
    """
    assessment = _current_signed(case).filter(instrument_code=instrument_code).first()
    return _summary(assessment) if assessment is not None else None


# --- Page selectors ----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One assessment as this viewer may see it."""

    assessment: Assessment
    results: bool
    answers: bool

    @property
    def view(self) -> dict[str, Any]:
        return result_view(self.assessment.result) if self.results else {}


def result_view(result: dict[str, Any]) -> dict[str, Any]:
    """A stored (or previewed) result in the current language, for templates."""
    band = result.get("band")
    subscales = result.get("subscales", [])
    return {
        "total": _decimal(result.get("total")),
        # The band column is left out when no sub-scale has cut-offs.
        "subscale_bands": any(entry.get("band") for entry in subscales),
        "answered": result.get("answered", 0),
        "items": result.get("items", 0),
        "method": result.get("method", ""),
        "band": _band_view(band),
        "subscales": [
            {
                "code": entry["code"],
                "name": in_language(entry.get("name_id"), entry.get("name_en")),
                "score": _decimal(entry.get("score")),
                "answered": entry.get("answered", 0),
                "items": entry.get("items", 0),
                "band": _band_view(entry.get("band")),
            }
            for entry in subscales
        ],
    }


def _band_view(band: dict[str, Any] | None) -> dict[str, Any] | None:
    if not band:
        return None
    return {
        "code": band.get("code", ""),
        "label": in_language(band.get("label_id"), band.get("label_en")),
        "meaning": in_language(band.get("meaning_id"), band.get("meaning_en")),
        "attention": bool(band.get("attention")),
    }


def fillable_instruments(user: Any, access: CaseAccess | None) -> list[Instrument]:
    """The published instruments this user may fill in on this case (one query)."""
    published = Instrument.objects.filter(status=InstrumentStatus.PUBLISHED).order_by("code")
    return [instrument for instrument in published if may_fill(user, access, instrument)]


def case_assessment_rows(case: Case, access: CaseAccess, *, history: bool = False) -> list[Row]:
    """Signed assessments of the case this viewer may see, newest first (one query).

    ``history`` includes those a correction superseded.
    """
    signed = Assessment.objects.filter(case=case, status=AssessmentStatus.SIGNED)
    if not history:
        signed = signed.filter(superseded_at__isnull=True)
    signed = signed.select_related("instrument", "signed_by", "supersedes").order_by(
        "-signed_at", "-id"
    )
    # Only classes the viewer reads: results are progress, answers their own class.
    classes = set(access.readable)
    if not reads_results(access):
        signed = signed.filter(answers_class__in=classes)
    rows = []
    for assessment in signed:
        if sees_assessment(access, assessment):
            rows.append(Row(assessment, reads_results(access), reads_answers(access, assessment)))
    return rows


def case_overview(
    case: Case, access: CaseAccess, user: Any, *, limit: int
) -> tuple[list[Row], list[Assessment]]:
    """The case card in one query: the newest ``limit`` current signed assessments
    this viewer may see, and the viewer's own drafts."""
    signed = Q(status=AssessmentStatus.SIGNED, superseded_at__isnull=True)
    if not reads_results(access):
        signed &= Q(answers_class__in=set(access.readable))
    found = (
        Assessment.objects.filter(case=case)
        .filter(signed | Q(status=AssessmentStatus.DRAFT, assessor=user))
        .select_related("instrument", "signed_by")
        .order_by("-saved_at", "-id")
    )
    rows: list[Row] = []
    drafts: list[Assessment] = []
    for assessment in found:
        if assessment.is_draft:
            drafts.append(assessment)
        elif sees_assessment(access, assessment):
            rows.append(Row(assessment, reads_results(access), reads_answers(access, assessment)))
    rows.sort(key=lambda row: (row.assessment.signed_at, row.assessment.pk), reverse=True)
    return rows[:limit], drafts


def my_drafts(user: Any, case: Case) -> list[Assessment]:
    """The user's own drafts on this case (nobody else sees a draft), one query."""
    return list(
        Assessment.objects.filter(case=case, assessor=user, status=AssessmentStatus.DRAFT)
        .select_related("instrument", "supersedes")
        .order_by("-saved_at")
    )


def case_assessment(
    case: Case, access: CaseAccess, user: Any, assessment_uuid: Any
) -> Assessment | None:
    """One assessment of the case this viewer may see: a signed one whose results or
    answers they read, or their own draft. None otherwise (the view answers 404)."""
    visible = Assessment.objects.filter(case=case).filter(
        Q(status=AssessmentStatus.SIGNED) | Q(status=AssessmentStatus.DRAFT, assessor=user)
    )
    assessment: Assessment | None = pick(
        visible.select_related("instrument", "signed_by", "assessor", "supersedes"),
        assessment_uuid,
    )
    if assessment is None:
        return None
    if assessment.is_signed and not sees_assessment(access, assessment):
        return None
    return assessment


def drafts_for_home(request: Any) -> list[tuple[Assessment, Case]]:
    """The user's drafts on cases they may still see, to resume from the home page.

    The card names case numbers, so the cases are logged as listed (basic).
    """
    user = request.user
    drafts = list(
        Assessment.objects.filter(
            assessor=user, status=AssessmentStatus.DRAFT, case__in=cases_visible_to(user)
        )
        .select_related("case", "instrument")
        .order_by("-saved_at")[:10]
    )
    accesses = case_access_bulk(user, {draft.case_id: draft.case for draft in drafts}.values())
    shown = [
        (draft, draft.case)
        for draft in drafts
        if may_fill(user, accesses.get(draft.case_id), draft.instrument)
    ]
    if shown:
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases={case.pk: case.number for _draft, case in shown}.items(),
            data_classes=["basic"],
        )
    return shown
