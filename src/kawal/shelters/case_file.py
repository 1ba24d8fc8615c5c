"""What shelters add to the case file and the shell, registered from ``SheltersConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
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
from kawal.shelters.models import ArrivedFrom, DischargeReason
from kawal.shelters.selectors import board_summary, case_stays, shelters_run_by
from kawal.shelters.services import (
    reads_stay,
    runs_shelter,
    stay_limit_days,
    stay_long_reminders,
)
from kawal.web.extensions import (
    HomeCard,
    NavItem,
    Urgency,
    any_of,
    register_home_card,
    register_nav_item,
)

WH = DataClass.WHEREABOUTS


def _stays(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    """The case's stays the viewer may read (``reads_stay``): the current one
    first, then the past ones."""
    user: Any = request.user
    every = case_stays(case)
    stays = [stay for stay in every if reads_stay(user, access, stay.bed.room.shelter)]
    current = next((stay for stay in stays if stay.is_active), None)
    # Not offered while the child stays anywhere, a shelter the viewer may not read included.
    admits = (
        not any(stay.is_active for stay in every)
        and case.status != CaseStatus.CLOSED
        and may(user, Capability.RECORD_CARE)
        and access.can_write(WH)
        and shelters_run_by(user).exists()
    )
    if not stays and not admits:
        return None
    limit = stay_limit_days()
    days = current.days() if current is not None else 0
    return {
        "current": current,
        "past": [stay for stay in stays if stay is not current],
        "days": days,
        "long": current is not None and days > limit,
        "limit": limit,
        "admits": admits,
        "acts": current is not None
        and runs_shelter(user, current.bed.room.shelter)
        and access.can_write(WH),
    }


def _label(choices: type[TextChoices], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _place(payload: Mapping[str, Any]) -> str:
    parts = [payload.get("shelter", ""), payload.get("room", ""), payload.get("bed", "")]
    return " · ".join(str(part) for part in parts if part)


def _admitted(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Admitted to a shelter")


def _admitted_where(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    text = _("Admitted to %(place)s; came from: %(came_from)s") % {
        "place": _place(payload),
        "came_from": _label(ArrivedFrom, payload.get("came_from")),
    }
    if payload.get("age_exception"):
        text += " · " + _("outside the room's ages")
    return text


def _discharged(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Left the shelter")


def _discharged_where(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Left %(shelter)s: %(reason)s; went to: %(destination)s") % {
        "shelter": payload.get("shelter", ""),
        "reason": _label(DischargeReason, payload.get("reason")),
        "destination": payload.get("destination") or "—",
    }


def _transferred(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Moved to another shelter bed")


def _transferred_where(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Moved from %(before)s to %(after)s") % {
        "before": payload.get("before", ""),
        "after": payload.get("after", ""),
    }


def _updated(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    names = {
        "arrived_from": _("came from"),
        "arrived_from_detail": _("came from (details)"),
        "brought_by": _("brought by"),
        "reason": _("reason for admission"),
        "health": _("health check"),
        "belongings": _("belongings"),
    }
    changed = ", ".join(names.get(name, name) for name in payload.get("changed", []))
    return _("Shelter stay details changed: %(what)s") % {"what": changed}


def _where_shown_to(user: Any, access: CaseAccess, payload: Mapping[str, Any]) -> bool:
    """Where a stay was is read as the stay itself is (``reads_stay``): leads and
    whereabouts readers, but no institution staff, and shelter staff only for
    their own agency's shelters (an event without the agency stays hidden)."""
    if access.leads:
        return True
    if may(user, Capability.RECORD_CARE):
        agencies = {payload.get("shelter_agency"), payload.get("from_agency")} - {None}
        return bool(agencies) and agencies <= {user.agency_id}
    return not may(user, Capability.CARE_FOR_PLACED)


def _home_card(request: HttpRequest) -> dict[str, Any] | None:
    summary = board_summary(request.user, timezone.localdate())
    if summary is None:
        return None
    # Stays past the limit are overdue work; free beds alone are information.
    urgency = Urgency.OVERDUE if summary.long_stays else Urgency.INFO
    return {"summary": summary, "count": summary.long_stays, "urgency": urgency}


def register() -> None:
    register_section(
        CaseSection(
            key="shelters.stays",
            order=20,
            template="shelters/case_stays.html",
            data_class=WH,
            context=_stays,
        )
    )
    # The basic line tells a case reader that the child came or left; where,
    # from where and to where are whereabouts, in a second line of that class.
    for kind, describe in (
        ("shelters.admitted", _admitted),
        ("shelters.discharged", _discharged),
        ("shelters.transferred", _transferred),
    ):
        register_timeline_kind(TimelineKind(kind, describe))
    for kind, describe in (
        ("shelters.admitted_where", _admitted_where),
        ("shelters.discharged_where", _discharged_where),
        ("shelters.transferred_where", _transferred_where),
        ("shelters.updated", _updated),
    ):
        register_timeline_kind(TimelineKind(kind, describe, shown_to=_where_shown_to))
    register_reminder_rule(
        ReminderRule(
            "shelters.long_stay", gettext_lazy("Shelter stays past the limit"), stay_long_reminders
        )
    )
    register_nav_item(
        NavItem("shelters:board", gettext_lazy("Shelter"), any_of(Capability.RECORD_CARE), order=45)
    )
    register_home_card(
        HomeCard(
            key="shelters.occupancy",
            order=20,
            template="shelters/home_card.html",
            shown_to=any_of(Capability.RECORD_CARE),
            context=_home_card,
        )
    )
