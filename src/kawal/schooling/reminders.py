"""The schooling reminder rule, run daily by ``kawal run_reminders``."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, override

from kawal.cases.models import CaseStatus
from kawal.cases.policy import case_access
from kawal.cases.services import task_remind
from kawal.schooling import policy
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from kawal.schooling.services import FOLLOW_UP_DUE, month_key, previous_month


def follow_up_day() -> int:
    """From this day of the month on, the previous month's follow-up is asked for
    (schools hand out the monthly attendance recap in the first days)."""
    return min(max(int(getattr(settings, "KAWAL_SCHOOL_FOLLOW_UP_DAY", 5)), 1), 28)


def follow_up_due(today: date, lead_days: int | None = None) -> int:
    """A task for each current enrolment without the previous month's follow-up.

    It goes to whoever arranged the enrolment while they still record on the
    case, else to the case owner. One task per enrolment and month (the key
    names both), so running the rule every day reminds once. The title names
    no child and no school.
    """
    if today.day < follow_up_day():
        return 0
    month = previous_month(today)
    month_end = month_start_next(month) - timedelta(days=1)
    recorded = AttendanceFollowUp.objects.filter(enrolment=OuterRef("pk"), month=month)
    enrolments = (
        Enrolment.objects.current()
        .filter(enrolled_on__lte=month_end)
        .exclude(case__status=CaseStatus.CLOSED)
        .exclude(Exists(recorded))
        .select_related("case", "case__owner", "arranged_by")
        .order_by("pk")
    )
    with override(settings.LANGUAGE_CODE):
        title = gettext("School attendance follow-up due for last month")
    made = 0
    for enrolment in enrolments:
        case = enrolment.case
        arranger = enrolment.arranged_by
        assignee = case.owner
        if arranger.is_active and policy.records_schooling(case_access(arranger, case)):
            assignee = arranger
        _task, created = task_remind(
            case,
            key=f"{FOLLOW_UP_DUE}:{enrolment.uuid}:{month_key(month)}",
            title=title,
            assignee=assignee,
            due_on=today + timedelta(days=7),
        )
        made += int(created)
    return made


def month_start_next(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)
