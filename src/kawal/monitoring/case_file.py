"""What monitoring adds to the case file and the shell, registered from ``ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import TextChoices
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability, DataClass
from kawal.cases.extensions import (
    CaseSection,
    ReminderRule,
    TimelineKind,
    register_reminder_rule,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.monitoring import policy, reminders
from kawal.monitoring.models import (
    AfterCareFollowUp,
    IncidentKind,
    InSchool,
    MonitoringVisit,
    PlacementReview,
    ReviewOutcome,
)
from kawal.monitoring.selectors import (
    case_monitoring,
    home_summary,
    incidents_of,
    institution_has_staff,
    reviews_due,
)
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    count_card,
    register_home_card,
    register_nav_item,
)

WH = DataClass.WHEREABOUTS


def _section(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    user: Any = request.user
    if not policy.reads_monitoring(user, access):
        return None
    placements = case_monitoring(case)
    if not placements:
        return None
    records = policy.records_monitoring(user, access)
    return {
        "placements": placements,
        "incidents": incidents_of(case),
        "records": records,
        # Placements whose days nobody at the institution records: Dinas Sosial does.
        "worker_roster": {
            m.placement.pk
            for m in placements
            if records and not institution_has_staff(m.placement.institution)
        },
        "today": timezone.localdate(),
    }


def _label(choices: type[TextChoices], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _incident(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Incident reported by the institution: %(kind)s") % {
        "kind": _label(IncidentKind, payload.get("incident_kind"))
    }


def _review(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Placement reviewed: %(outcome)s; next review %(next)s") % {
        "outcome": _label(ReviewOutcome, payload.get("outcome")),
        "next": payload.get("next_review_on", "—"),
    }


def _visit(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    text = _("Monitoring visit to the placement")
    if not payload.get("seen_alone"):
        text += " · " + _("child not seen alone")
    if payload.get("concerns"):
        text += " · " + _("concerns noted")
    return text


def _follow_up(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    milestone = payload.get("milestone")
    school = _label(InSchool, payload.get("in_school"))
    if milestone:
        return _("After-care follow-up (%(months)s months); in school: %(school)s") % {
            "months": milestone,
            "school": school,
        }
    return _("After-care follow-up; in school: %(school)s") % {"school": school}


def _changed(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    records: dict[str, tuple[str, Any]] = {
        "review": (_("placement review"), PlacementReview),
        "visit": (_("monitoring visit"), MonitoringVisit),
        "follow_up": (_("after-care follow-up"), AfterCareFollowUp),
    }
    label, model = records.get(str(payload.get("record")), (str(payload.get("record", "")), None))
    names = []
    for name in payload.get("changed", []):
        try:
            names.append(str(model._meta.get_field(name).verbose_name) if model else str(name))
        except FieldDoesNotExist:
            names.append(str(name))
    return _("Changed the %(record)s: %(fields)s") % {"record": label, "fields": ", ".join(names)}


def _not_institution_staff(user: Any, access: CaseAccess, payload: Mapping[str, Any]) -> bool:
    """Dinas Sosial's reviews and visits are not for the institution's staff, even on the team."""
    return policy.reads_monitoring(user, access)


def _home_card(request: HttpRequest) -> dict[str, Any] | None:
    summary = home_summary(request.user, timezone.localdate())
    if summary is None:
        return None
    # Children not yet marked on today's roster are today's work.
    unmarked = max(0, summary["children"] - summary["marked"])
    return {**summary, "count": unmarked, "urgency": Urgency.TODAY if unmarked else Urgency.INFO}


def _reviews_card(request: HttpRequest) -> dict[str, Any] | None:
    due = reviews_due(request.user, timezone.localdate(), lead_days=reminders.review_lead_days())
    now = due.overdue + due.due_today
    if not now and not due.soon:
        return None
    parts = []
    if due.overdue:
        parts.append(
            ngettext("%(count)d review is overdue.", "%(count)d reviews are overdue.", due.overdue)
            % {"count": due.overdue}
        )
    if due.due_today:
        parts.append(
            ngettext(
                "%(count)d review is due today.", "%(count)d reviews are due today.", due.due_today
            )
            % {"count": due.due_today}
        )
    if due.soon:
        parts.append(
            ngettext(
                "%(count)d review falls due in the next %(days)d days.",
                "%(count)d reviews fall due in the next %(days)d days.",
                due.soon,
            )
            % {"count": due.soon, "days": reminders.review_lead_days()}
        )
    # One review due: straight to its form; several: the reminder tasks name each case.
    url = (
        reverse("monitoring:review_new", kwargs={"placement_uuid": due.only.uuid})
        if due.only is not None
        else reverse("cases:my_tasks")
    )
    return count_card(
        count=now,
        urgency=Urgency.OVERDUE if due.overdue else Urgency.TODAY if now else Urgency.INFO,
        title=gettext_lazy("Placement reviews"),
        text=" ".join(parts),
        url=url,
        link=gettext_lazy("Record the review") if due.only else gettext_lazy("Open my tasks"),
    )


def register() -> None:
    register_section(
        CaseSection(
            key="monitoring.placement",
            order=32,
            template="monitoring/case_section.html",
            data_class=WH,
            context=_section,
        )
    )
    for kind, describe in (
        ("monitoring.incident", _incident),
        ("monitoring.review", _review),
        ("monitoring.visit", _visit),
        ("monitoring.follow_up", _follow_up),
        ("monitoring.changed", _changed),
    ):
        register_timeline_kind(TimelineKind(kind, describe, shown_to=_not_institution_staff))
    register_reminder_rule(
        ReminderRule(
            "monitoring.placement_review",
            gettext_lazy("Placement reviews due"),
            reminders.review_due,
            default_lead_days=reminders.review_lead_days(),
            lead_help=gettext_lazy("Days before the review is due that the task is made."),
        )
    )
    register_reminder_rule(
        ReminderRule(
            "monitoring.aftercare",
            gettext_lazy("After-care follow-ups due"),
            reminders.aftercare_due,
            default_lead_days=reminders.aftercare_lead_days(),
            lead_help=gettext_lazy("Days before the follow-up is due that the task is made."),
        )
    )
    register_nav_item(
        NavItem(
            "monitoring:children",
            gettext_lazy("Children in our care"),
            any_of(Capability.CARE_FOR_PLACED),
            order=44,
        )
    )
    register_home_card(
        HomeCard(
            key="monitoring.in_care",
            order=15,
            template="monitoring/home_card.html",
            shown_to=any_of(Capability.CARE_FOR_PLACED),
            context=_home_card,
        )
    )
    register_home_card(
        HomeCard(
            key="monitoring.reviews_due",
            order=16,
            template="web/home_count.html",
            shown_to=any_of(Capability.MANAGE_PLACEMENT),
            context=_reviews_card,
            urgency=Urgency.TODAY,
        )
    )
