"""What schooling adds to the case file and the shell (registered from ``ready()``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability, DataClass
from kawal.cases.extensions import (
    CaseSection,
    ReminderRule,
    TimelineKind,
    register_reminder_rule,
    register_section,
    register_timeline_kind,
)
from kawal.schooling.models import Level
from kawal.schooling.reminders import follow_up_due
from kawal.schooling.selectors import case_section, liaison_counts
from kawal.schooling.services import FOLLOW_UP_DUE
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    register_home_card,
    register_nav_item,
)


def _day(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return ""


def _month(value: Any) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "YEAR_MONTH_FORMAT")
    except ValueError:
        return ""


def _level(value: Any) -> str:
    try:
        return str(Level(value).label)
    except ValueError:
        return str(value or "")


# Timeline lines never name the school: they are basic, read by every case reader.
def _enrolled(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    text = (
        _("Changed school: %(level)s, grade %(grade)s, from %(day)s")
        if payload.get("changed_school")
        else _("Enrolled in school: %(level)s, grade %(grade)s, from %(day)s")
    )
    return text % {
        "level": _level(payload.get("level")),
        "grade": payload.get("grade", ""),
        "day": _day(payload.get("enrolled_on")),
    }


def _figures(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "month": _month(payload.get("month")),
        "absent": payload.get("days_absent", ""),
        "days": payload.get("school_days", ""),
    }


def _attendance(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("School attendance of %(month)s: %(absent)s of %(days)s days absent") % _figures(
        payload
    )


def _corrected(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _(
        "School attendance of %(month)s corrected: %(absent)s of %(days)s days absent"
    ) % _figures(payload)


def _low(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Low school attendance in %(month)s: task for the case manager") % _figures(payload)


TIMELINE_KINDS = {
    "schooling.enrolled": _enrolled,
    "schooling.attendance": _attendance,
    "schooling.attendance_corrected": _corrected,
    "schooling.low_attendance": _low,
}
SECTION = CaseSection(
    key="schooling.school",
    order=62,
    template="schooling/case_section.html",
    data_class=DataClass.BASIC,
    context=case_section,
)
REMINDER = ReminderRule(
    FOLLOW_UP_DUE,
    gettext_lazy("Monthly school attendance follow-ups"),
    follow_up_due,
)


def _home_card(request: HttpRequest) -> Mapping[str, Any] | None:
    # Counts only, no names: the list is logged when opened.
    counts = liaison_counts(request.user)
    waiting = counts.to_enrol + counts.due
    return {
        "to_enrol": counts.to_enrol,
        "due": counts.due,
        "count": waiting,
        "urgency": Urgency.TODAY if waiting else Urgency.INFO,
    }


HOME_CARD = HomeCard(
    key="schooling.liaison",
    order=25,
    template="schooling/home_card.html",
    shown_to=any_of(Capability.SCHOOL_REENROLMENT),
    context=_home_card,
)
NAV_ITEM = NavItem(
    "schooling:children",
    gettext_lazy("Children to enrol / follow"),
    any_of(Capability.SCHOOL_REENROLMENT),
    order=46,
)


def register() -> None:
    register_section(SECTION)
    for kind, describe in TIMELINE_KINDS.items():
        register_timeline_kind(TimelineKind(kind, describe))
    register_reminder_rule(REMINDER)
    register_home_card(HOME_CARD)
    register_nav_item(NAV_ITEM)
