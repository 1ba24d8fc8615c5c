"""Daily reminder rules of placement monitoring, run by ``kawal run_reminders``.

Both are idempotent: the task key names the placement and the due date (or
the milestone), so running a rule twice a day, or every day until the work
is done, reminds once. Recording the review or the follow-up closes the task.
Titles name what is due, never the child or the institution.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext, override

from kawal.cases.policy import case_access
from kawal.cases.services import task_remind
from kawal.monitoring import policy
from kawal.monitoring.models import AfterCareFollowUp, PlacementReview
from kawal.monitoring.selectors import AFTERCARE_MONTHS, add_months, review_months
from kawal.monitoring.services import AFTERCARE_KEY, REVIEW_KEY
from kawal.placement.models import ExitReason, Placement


def review_lead_days() -> int:
    return max(0, int(getattr(settings, "KAWAL_PLACEMENT_REVIEW_LEAD_DAYS", 14)))


def aftercare_lead_days() -> int:
    return max(0, int(getattr(settings, "KAWAL_AFTERCARE_LEAD_DAYS", 7)))


def _worker(placement: Placement, *candidates: Any) -> Any:
    """The first candidate who may still record on the case, else the case owner."""
    for user in candidates:
        if (
            user is not None
            and user.is_active
            and policy.records_monitoring(user, case_access(user, placement.case))
        ):
            return user
    return placement.case.owner


def review_due(today: date, lead_days: int | None = None) -> int:
    """A task for each running placement whose review falls due within the lead days
    (``lead_days``, from the configuration console; the setting when None)."""
    latest = (
        PlacementReview.objects.filter(placement=OuterRef("pk"))
        .order_by("-reviewed_on", "-id")
        .values("next_review_on")[:1]
    )
    placements = (
        Placement.objects.active()
        .filter(started_on__lte=today)
        .annotate(next_review=Subquery(latest))
        .select_related("case__owner", "placed_by")
        .order_by("pk")
    )
    lead = review_lead_days() if lead_days is None else max(0, lead_days)
    horizon = today + timedelta(days=lead)
    months = review_months()
    with override(settings.LANGUAGE_CODE):
        title = gettext("Placement review due")
    made = 0
    for placement in placements:
        due = getattr(placement, "next_review", None) or add_months(placement.started_on, months)
        if due > horizon:
            continue
        _task, created = task_remind(
            placement.case,
            key=f"{REVIEW_KEY}:{placement.uuid}:{due.isoformat()}",
            title=title,
            assignee=_worker(placement, placement.placed_by),
            due_on=due,
        )
        made += int(created)
    return made


def aftercare_due(today: date, lead_days: int | None = None) -> int:
    """Tasks for the 1, 3 and 6-month after-care follow-ups (bimbingan lanjut, PP 78/2021)
    of each child who left care (not a transfer), each once, not yet recorded."""
    oldest = add_months(today, -(max(AFTERCARE_MONTHS) + 1))
    placements = list(
        Placement.objects.filter(ended_on__isnull=False, ended_on__gte=oldest)
        .exclude(exit_reason=ExitReason.TRANSFER)
        .select_related("case__owner", "placed_by", "ended_by")
        .order_by("pk")
    )
    done = set(
        AfterCareFollowUp.objects.filter(
            placement__in=placements, milestone__isnull=False
        ).values_list("placement_id", "milestone")
    )
    lead = aftercare_lead_days() if lead_days is None else max(0, lead_days)
    horizon = today + timedelta(days=lead)
    made = 0
    for placement in placements:
        ended_on = placement.ended_on
        if ended_on is None:  # filtered out above; keeps the type checker informed
            continue
        for months in AFTERCARE_MONTHS:
            due = add_months(ended_on, months)
            if due > horizon or (placement.pk, months) in done:
                continue
            with override(settings.LANGUAGE_CODE):
                title = gettext(
                    "After-care follow-up due (%(months)d months after leaving care)"
                ) % {"months": months}
            _task, created = task_remind(
                placement.case,
                key=f"{AFTERCARE_KEY}:{placement.uuid}:{months}m",
                title=title,
                assignee=_worker(placement, placement.ended_by, placement.placed_by),
                due_on=due,
            )
            made += int(created)
    return made
