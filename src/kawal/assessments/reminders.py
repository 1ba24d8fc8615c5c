"""The "assessments due" reminder rule, run daily by ``kawal run_reminders``.

Two checks, each a task for the case manager (the case's owner):

- a case has been in the assessment stage for ``BIOPSYCHOSOCIAL_DUE_DAYS``
  without a signed initial biopsychosocial assessment;
- a child in care (a case past assessment, not closed) has no signed safety
  and risk assessment newer than ``SAFETY_REVIEW_DAYS`` (counted from the
  case's opening when there has never been one).

Task titles name what is due, never the child, a place or a result.
Reminder keys carry the day the clock started, so a rule run twice reminds
once, and a new clock (the case re-enters assessment, a new safety
assessment is signed) reminds again when it runs out.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    AssessmentStatus,
)
from kawal.cases.models import Case, CaseEvent, CaseStatus
from kawal.cases.services import task_remind

RULE_KEY = "assessments.due"
# Days in the assessment stage before the initial biopsychosocial assessment is due.
BIOPSYCHOSOCIAL_DUE_DAYS = 7
# Days after which a child in care needs a fresh safety and risk assessment.
SAFETY_REVIEW_DAYS = 30
IN_CARE = (
    CaseStatus.PLAN,
    CaseStatus.INTERVENTION,
    CaseStatus.REINTEGRATION,
    CaseStatus.MONITORING,
)


def _signed(code: str) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        case=OuterRef("pk"),
        instrument_code=code,
        status=AssessmentStatus.SIGNED,
        superseded_at__isnull=True,
    )


def _entered_assessment() -> Subquery:
    """When the case last moved into the assessment stage (or was reopened into it)."""
    return Subquery(
        CaseEvent.objects.filter(
            case=OuterRef("pk"),
            kind__in=("case.status_changed", "case.reopened"),
            payload__after=CaseStatus.ASSESSMENT,
        )
        .order_by("-at", "-id")
        .values("at")[:1]
    )


def biopsychosocial_due(today: date) -> int:
    cases = (
        Case.objects.filter(status=CaseStatus.ASSESSMENT)
        .annotate(entered_at=_entered_assessment())
        .exclude(Exists(_signed(BIOPSYCHOSOCIAL_CODE)))
        .select_related("owner")
    )
    made = 0
    for case in cases:
        entered = getattr(case, "entered_at", None)
        start = timezone.localdate(entered) if entered is not None else case.opened_on
        due = start + timedelta(days=BIOPSYCHOSOCIAL_DUE_DAYS)
        if today < due:
            continue
        _task, created = task_remind(
            case,
            key=f"{RULE_KEY}:{BIOPSYCHOSOCIAL_CODE}:{case.pk}:{start.isoformat()}",
            title=_("Initial biopsychosocial assessment due"),
            assignee=case.owner,
            due_on=due,
        )
        made += int(created)
    return made


def safety_review_due(today: date) -> int:
    latest = Subquery(_signed(SAFETY_RISK_CODE).order_by("-signed_at").values("signed_at")[:1])
    cases = (
        Case.objects.filter(status__in=IN_CARE).annotate(last_safety=latest).select_related("owner")
    )
    made = 0
    for case in cases:
        last = getattr(case, "last_safety", None)
        start = timezone.localdate(last) if last is not None else case.opened_on
        due = start + timedelta(days=SAFETY_REVIEW_DAYS)
        if today < due:
            continue
        # "signed-" or "opened-": an assessment signed on the day the case
        # opened still starts a clock of its own.
        since = f"{'signed' if last is not None else 'opened'}-{start.isoformat()}"
        _task, created = task_remind(
            case,
            key=f"{RULE_KEY}:{SAFETY_RISK_CODE}:{case.pk}:{since}",
            title=_("Safety and risk assessment due"),
            assignee=case.owner,
            due_on=due,
        )
        made += int(created)
    return made


def assessments_due(today: date, lead_days: int | None = None) -> int:
    """The registered rule: both checks, titles in the deployment's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return biopsychosocial_due(today) + safety_review_due(today)
