"""What care adds to the case file and the home page, registered from ``CareConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kawal.access.catalogue import Capability, DataClass
from kawal.care import selectors as sel
from kawal.care import services as svc
from kawal.cases.extensions import (
    CaseSection,
    ReminderRule,
    TimelineKind,
    register_reminder_rule,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess
from kawal.web.extensions import HomeCard, Urgency, any_of, register_home_card

# The case page's card looks back two weeks: this week's average against last week's.
SECTION_DAYS = 14


def _observations(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    trend = sel.care_trend(case, access, days=SECTION_DAYS)
    in_care = case.status in svc.IN_CARE
    # A child in daily care never observed is shown to every progress reader
    # (the section's class): the absence is the news, not a blank.
    if trend.first_observed is None and not in_care:
        return None
    return {
        "trend": trend,
        "in_care": in_care,
        "may_record": svc.may_record(access) and case.status != CaseStatus.CLOSED,
    }


def _readiness(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    latest = (
        case.readiness_decisions.select_related("decided_by", "confirmed_by", "revoked_by")
        .order_by("-decided_at", "-id")
        .first()
    )
    user: Any = request.user
    may_decide = svc.may_decide_readiness(user, access) and case.status != CaseStatus.CLOSED
    if latest is None and not may_decide:
        return None
    return {"latest": latest, "may_decide": may_decide}


def _day(payload: Mapping[str, Any]) -> str:
    day = parse_date(str(payload.get("observed_on", "")))
    return day.strftime("%d/%m/%Y") if day else ""


def _observation_recorded(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    if payload.get("first"):
        text = _("First daily observation recorded: %(date)s") % {"date": _day(payload)}
    else:
        text = _("Daily observation recorded: %(date)s") % {"date": _day(payload)}
    count = int(payload.get("incidents") or 0)
    if count:
        text += " · " + ngettext("%(count)s incident", "%(count)s incidents", count) % {
            "count": count
        }
    return text


def _observation_changed(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Daily observation changed: %(date)s") % {"date": _day(payload)}


def _decided(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    if payload.get("safe"):
        text = _("School readiness decided: safe to return to school (awaiting confirmation)")
        if payload.get("against_high"):
            text += " · " + _("against a high assessment result")
        return text
    return _("School readiness decided: not yet (awaiting confirmation)")


def _confirmed(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    if payload.get("safe"):
        return _("Confirmed: the child is safe to return to school")
    return _("Confirmed: the child is not yet ready to return to school")


def _revoked(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("School readiness decision revoked")


def _today_card(request: HttpRequest) -> dict[str, Any] | None:
    rows = sel.my_children_today(request)
    if not rows:
        return None
    not_seen = sum(1 for row in rows if not row.seen)
    urgency = Urgency.TODAY if not_seen else Urgency.INFO
    return {"rows": rows, "not_seen": not_seen, "count": not_seen, "urgency": urgency}


def _confirm_card(request: HttpRequest) -> dict[str, Any] | None:
    waiting = sel.readiness_to_confirm(request)
    if not waiting:
        return None
    return {"decisions": waiting, "count": len(waiting), "urgency": Urgency.WAITING}


def register() -> None:
    register_section(
        CaseSection(
            key="care.observations",
            order=30,
            template="care/case_observations.html",
            data_class=DataClass.PROGRESS,
            context=_observations,
        )
    )
    register_section(
        CaseSection(
            key="care.readiness",
            order=31,
            template="care/case_readiness.html",
            data_class=DataClass.PROGRESS,
            context=_readiness,
        )
    )
    for kind, describe in (
        ("care.observation", _observation_recorded),
        ("care.observation_changed", _observation_changed),
        ("care.readiness_decided", _decided),
        ("care.readiness_confirmed", _confirmed),
        ("care.readiness_revoked", _revoked),
    ):
        register_timeline_kind(TimelineKind(kind, describe))
    register_home_card(
        HomeCard(
            key="care.today",
            order=10,
            template="care/home_today.html",
            shown_to=any_of(Capability.RECORD_CLINICAL),
            context=_today_card,
        )
    )
    register_home_card(
        HomeCard(
            key="care.readiness_to_confirm",
            order=20,
            template="care/home_confirm.html",
            shown_to=any_of(Capability.APPROVE),
            context=_confirm_card,
        )
    )
    register_reminder_rule(
        ReminderRule(
            "care.missing_observation",
            gettext_lazy("Daily observation missing yesterday"),
            svc.missing_observation_rule,
        )
    )
