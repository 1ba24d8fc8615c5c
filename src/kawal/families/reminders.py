"""Reminder rule of the parent programme, run daily by ``kawal run_reminders``."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext, override

from kawal.cases.models import CaseStatus
from kawal.cases.policy import case_access
from kawal.cases.services import task_remind
from kawal.families import policy
from kawal.families.models import HomeVisit, ParentProgramme, ProgrammeStatus

HOME_VISIT_OVERDUE = "families.home_visit_overdue"


def overdue_days() -> int:
    return int(getattr(settings, "KAWAL_HOME_VISIT_OVERDUE_DAYS", 30))


def home_visit_overdue(today: date, lead_days: int | None = None) -> int:
    """A task for each running programme without a home visit in the last N days.

    The task goes to the programme's facilitator while they still record on
    the case, else to the case manager. One task per programme and per
    stretch without a visit: the key names the last visit (or the start), so
    the next overdue stretch after a new visit reminds again, and running the
    rule twice never does. The title names no family, child or place.
    """
    cutoff = today - timedelta(days=overdue_days())
    latest = (
        HomeVisit.objects.filter(programme=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    programmes = (
        ParentProgramme.objects.filter(status=ProgrammeStatus.ACTIVE)
        .exclude(case__status=CaseStatus.CLOSED)
        .annotate(last_visit=Subquery(latest))
        .filter(Q(last_visit__lte=cutoff) | Q(last_visit__isnull=True, started_on__lte=cutoff))
        .select_related("case", "case__owner", "facilitator")
        .order_by("pk")
    )
    with override(settings.LANGUAGE_CODE):
        title = gettext("Home visit overdue (parent programme)")
    made = 0
    for programme in programmes:
        since = getattr(programme, "last_visit", None) or programme.started_on
        facilitator = programme.facilitator
        assignee = programme.case.owner
        # A facilitator taken off the case team is not reminded of a case they cannot open.
        if (
            facilitator is not None
            and facilitator.is_active
            and policy.records_programme(case_access(facilitator, programme.case))
        ):
            assignee = facilitator
        _task, created = task_remind(
            programme.case,
            key=f"{HOME_VISIT_OVERDUE}:{programme.uuid}:{since.isoformat()}",
            title=title,
            assignee=assignee,
            due_on=today,
        )
        made += int(created)
    return made
