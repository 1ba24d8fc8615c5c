"""What placement adds to the case file, registered from ``PlacementConfig.ready()``.

The case page gets one card (slot main, class whereabouts): the child's
placements, newest first, and the decisions taken on this case. Timeline
lines come in two classes: a basic one ("a placement decision was taken",
"the placement ended") and a whereabouts one naming the institution. No
timeline line ever holds an address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.extensions import (
    CaseSection,
    TimelineKind,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess
from kawal.placement.models import DecisionStatus, ExitReason
from kawal.placement.selectors import (
    case_decisions,
    manages_placement,
    placement_history,
    reads_placements,
)

WH = DataClass.WHEREABOUTS


def _section(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    user: Any = request.user
    if not reads_placements(user, access):
        return None
    history = placement_history(case)
    decisions = case_decisions(case)
    manages = manages_placement(user, access)
    if not history and not decisions and not manages:
        return None
    current = next((p for p in history if p.is_active and p.case_id == case.pk), None)
    return {
        "current": current,
        "past": [p for p in history if p is not current],
        "decisions": decisions,
        "waiting": [d for d in decisions if d.status == DecisionStatus.AWAITING_OVERRIDE],
        "manages": manages and case.status != CaseStatus.CLOSED,
        "places": manages and case.status != CaseStatus.CLOSED and current is None,
    }


def _status_label(value: Any) -> str:
    try:
        return str(DecisionStatus(value).label)
    except ValueError:
        return str(value)


def _exit_label(value: Any) -> str:
    try:
        return str(ExitReason(value).label)
    except ValueError:
        return str(value)


def _decided(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Placement decision: %(status)s") % {"status": _status_label(payload.get("status"))}


def _decided_where(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    text = _("Placement decision for %(institution)s: %(status)s") % {
        "institution": payload.get("institution", ""),
        "status": _status_label(payload.get("status")),
    }
    failed = payload.get("failed") or []
    if failed:
        text += " · " + _("rules not met: %(codes)s") % {"codes": ", ".join(map(str, failed))}
    if payload.get("transfer"):
        text += " · " + _("transfer")
    return text


def _overridden(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("The supervisor overrode: %(codes)s") % {
        "codes": ", ".join(map(str, payload.get("rules", [])))
    }


def _declined(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("The supervisor declined a placement decision")


def _transferred(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Transferred to another placement")


def _ended(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Placement ended: %(reason)s") % {"reason": _exit_label(payload.get("reason"))}


def _ended_where(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    return _("Left %(institution)s on %(day)s: %(reason)s") % {
        "institution": payload.get("institution", ""),
        "day": payload.get("on", ""),
        "reason": _exit_label(payload.get("reason")),
    }


def _where_shown_to(user: Any, access: CaseAccess, payload: Mapping[str, Any]) -> bool:
    """Read as the placements are (``reads_placements``); institution staff only the
    line placing the child with their own institution, never an exit or a refusal."""
    if access.leads:
        return True
    if may(user, Capability.CARE_FOR_PLACED):
        agency = payload.get("institution_agency")
        return (
            agency is not None
            and agency == getattr(user, "agency_id", None)
            and payload.get("status") == DecisionStatus.PLACED
        )
    return True


def register() -> None:
    register_section(
        CaseSection(
            key="placement.history",
            order=30,
            template="placement/case_section.html",
            data_class=WH,
            context=_section,
        )
    )
    for kind, describe in (
        ("placement.decided", _decided),
        ("placement.overridden", _overridden),
        ("placement.declined", _declined),
        ("placement.transferred", _transferred),
        ("placement.ended", _ended),
    ):
        register_timeline_kind(TimelineKind(kind, describe))
    for kind, describe in (
        ("placement.decided_where", _decided_where),
        ("placement.ended_where", _ended_where),
    ):
        register_timeline_kind(TimelineKind(kind, describe, shown_to=_where_shown_to))
