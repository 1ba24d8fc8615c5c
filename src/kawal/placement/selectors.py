"""Reads of placements and placement decisions.

Two kinds of selector live here:

- *Record selectors* for the apps built on placements (monitoring, schooling,
  funding): ``active_placement``, ``placements_of_institution``,
  ``placements_overlapping``, ``placement_history``, ``contact_plan_of``,
  ``care_needs_of`` and ``placement_by_uuid``. They check no viewer, like
  ``assessments.selectors.latest_signed``: the caller holds the user's
  ``CaseAccess`` (or the institution scope) and decides what to show, and logs
  the page.
- *Page selectors* (``decision_for_user``, ``placement_for_user``,
  ``placeable_cases`` ...), scoped to the user and access-logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.selectors import parse_uuid
from kawal.institutions.models import Institution
from kawal.institutions.selectors import institution_choices
from kawal.placement.models import (
    ContactFrequency,
    ContactSupervision,
    DecisionStatus,
    Placement,
    PlacementDecision,
    RestrictionBasis,
)

WH = DataClass.WHEREABOUTS
ID = DataClass.IDENTITY

_RELATED = ("institution", "case", "child", "decision", "previous", "placed_by", "ended_by")


# --- Record selectors for the apps above -----------------------------------------------


def active_placement(case: Case) -> Placement | None:
    """The case's current placement (its child's, under this case), or None."""
    return (
        Placement.objects.active().filter(case=case).select_related("institution", "child").first()
    )


def placements_of_institution(
    institution: Institution, *, active_only: bool = True
) -> QuerySet[Placement]:
    """The institution's placements (current ones by default), oldest first."""
    rows = Placement.objects.filter(institution=institution)
    if active_only:
        rows = rows.active()
    return rows.select_related("case", "child", "institution").order_by("started_on", "id")


def placements_overlapping(
    institution_ids: Iterable[int] | None, start: date, end: date
) -> QuerySet[Placement]:
    """Placements with at least one day in ``start``..``end`` (both inclusive).

    ``ended_on`` is the last day in the placement, so a child who left on the
    10th overlaps a period starting on the 10th. ``institution_ids`` None
    means every institution.
    """
    rows = Placement.objects.filter(started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )
    if institution_ids is not None:
        rows = rows.filter(institution_id__in=list(institution_ids))
    return rows.select_related("case", "child", "institution").order_by(
        "institution_id", "started_on", "id"
    )


def placement_history(case: Case) -> list[Placement]:
    """Every placement of the case's child (under this case or another), newest first."""
    return list(
        Placement.objects.filter(Q(case=case) | Q(child_id=case.child_id))
        .select_related(*_RELATED)
        .order_by("-started_on", "-id")
    )


@dataclass(frozen=True)
class ContactPlan:
    """How the child keeps in touch with the parents (UU 35/2014 Pasal 14(2))."""

    frequency: str
    frequency_label: str
    supervision: str
    supervision_label: str
    restricted: bool
    restriction: str
    restriction_label: str
    court_order_reference: str
    note: str


@dataclass(frozen=True)
class CareNeeds:
    """What the carers must know to care for the child: shown to institution staff."""

    allergies: str
    health_needs: str

    @property
    def any(self) -> bool:
        return bool(self.allergies.strip() or self.health_needs.strip())


def _decision_of(placement: Placement) -> PlacementDecision | None:
    try:
        return placement.decision
    except PlacementDecision.DoesNotExist:
        # A transfer's new placement is decided too; an old record may not be.
        return None


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def contact_plan_of(placement: Placement) -> ContactPlan | None:
    """The contact plan of the decision that made this placement, or None."""
    decision = _decision_of(placement)
    if decision is None:
        return None
    return ContactPlan(
        frequency=decision.contact_frequency,
        frequency_label=_label(ContactFrequency, decision.contact_frequency)
        if decision.contact_frequency
        else "",
        supervision=decision.contact_supervision,
        supervision_label=_label(ContactSupervision, decision.contact_supervision)
        if decision.contact_supervision
        else "",
        restricted=bool(decision.contact_restriction),
        restriction=decision.contact_restriction,
        restriction_label=_label(RestrictionBasis, decision.contact_restriction)
        if decision.contact_restriction
        else "",
        court_order_reference=decision.court_order_reference,
        note=decision.contact_note,
    )


def care_needs_of(placement: Placement) -> CareNeeds | None:
    """Allergies and health needs recorded for the carers, or None."""
    decision = _decision_of(placement)
    if decision is None:
        return None
    return CareNeeds(allergies=decision.care_allergies, health_needs=decision.care_health_needs)


def placement_by_uuid(raw: Any) -> Placement | None:
    """The placement a link names; a malformed id is a miss. No viewer check."""
    key = parse_uuid(raw)
    if key is None:
        return None
    return Placement.objects.select_related(*_RELATED).filter(uuid=key).first()


# --- Who reads what -------------------------------------------------------------------


def reads_placements(user: Any, access: CaseAccess | None) -> bool:
    """The case's placement history and decisions: leads and whereabouts readers, but
    not institution staff, whose view of a child is the monitoring app's daily-care page."""
    if access is None or not access.can_read(WH):
        return False
    if access.leads:
        return True
    return not may(user, Capability.CARE_FOR_PLACED)


def manages_placement(user: Any, access: CaseAccess | None) -> bool:
    """Dinas Sosial social workers on the case, who write its whereabouts."""
    return access is not None and may(user, Capability.MANAGE_PLACEMENT) and access.can_write(WH)


def _log(
    request: HttpRequest, case: Case, access: CaseAccess, action: AccessAction = AccessAction.VIEW
) -> None:
    classes = {DataClass.BASIC, WH} | ({ID} if access.sees_identity else set())
    access_log_write(
        request,
        action=action,
        cases=[(case.pk, case.number)],
        data_classes=classes,
        via_break_glass=access.via_break_glass,
    )


def _denied(request: HttpRequest, case: Case | None) -> NoReturn:
    access_log_write(
        request,
        action=AccessAction.DENIED,
        cases=[(case.pk, case.number)] if case is not None else [],
    )
    raise Http404


def case_for_placement(request: HttpRequest, raw: Any) -> tuple[Case, CaseAccess]:
    """A case whose placements the user may read; 404 (logged) otherwise. Logs the view."""
    key = parse_uuid(raw)
    case = Case.objects.select_related("child").filter(uuid=key).first() if key else None
    access = case_access(request.user, case) if case is not None else None
    if case is None or access is None or not reads_placements(request.user, access):
        _denied(request, case)
    _log(request, case, access)
    return case, access


def decision_for_user(
    request: HttpRequest, raw: Any, *, log: bool = True
) -> tuple[PlacementDecision, CaseAccess]:
    key = parse_uuid(raw)
    decision = (
        PlacementDecision.objects.select_related(
            "case", "case__child", "institution", "decided_by", "settled_by", "placement"
        )
        .filter(uuid=key)
        .first()
        if key
        else None
    )
    access = case_access(request.user, decision.case) if decision is not None else None
    if decision is None or access is None or not reads_placements(request.user, access):
        _denied(request, decision.case if decision is not None else None)
    if log:
        _log(request, decision.case, access)
    return decision, access


def placement_for_user(request: HttpRequest, raw: Any) -> tuple[Placement, CaseAccess]:
    placement = placement_by_uuid(raw)
    access = case_access(request.user, placement.case) if placement is not None else None
    if placement is None or access is None or not reads_placements(request.user, access):
        _denied(request, placement.case if placement is not None else None)
    _log(request, placement.case, access)
    return placement, access


def case_decisions(case: Case) -> list[PlacementDecision]:
    return list(
        PlacementDecision.objects.filter(case=case)
        .select_related("institution", "decided_by", "settled_by")
        .order_by("-created_at", "-id")
    )


def awaiting_override(case: Case) -> list[PlacementDecision]:
    return [d for d in case_decisions(case) if d.status == DecisionStatus.AWAITING_OVERRIDE]


def institutions_for_choice() -> QuerySet[Institution]:
    """Every institution, suspended ones too, so the rules refuse them with a reason."""
    return institution_choices()


def sees_address(access: CaseAccess) -> bool:
    return access.can_read(WH)
