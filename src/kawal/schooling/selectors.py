"""Reads of the schooling records, each scoped to the viewer or documented as
unscoped for a caller that already checked who looks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.care.models import ReadinessDecision
from kawal.care.selectors import Readiness, school_readiness
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess, case_access_bulk, cases_visible_to
from kawal.cases.selectors import case_for_user, parse_uuid
from kawal.schooling import policy
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from kawal.schooling.reminders import follow_up_day
from kawal.schooling.services import is_low, previous_month

D = DataClass
LIST_LIMIT = 200


@dataclass(frozen=True)
class SchoolLine:
    """The child's current school, as daily carers need it."""

    school_name: str
    npsn: str
    level: str
    grade: int
    enrolled_on: date


def current_enrolment(case: Case) -> Enrolment | None:
    """The case's current enrolment (no viewer check: callers decide)."""
    return Enrolment.objects.current().filter(case=case).order_by("-enrolled_on", "-id").first()


def school_for_carers(case: Case) -> SchoolLine | None:
    """The current school of the case's child for those who care for them daily
    (institution staff of the placement). No viewer check: the caller has
    already established that the viewer cares for this child; the school is
    whereabouts, and the caller logs the read with the page it shows."""
    enrolment = current_enrolment(case)
    if enrolment is None:
        return None
    return SchoolLine(
        school_name=enrolment.school_name,
        npsn=enrolment.npsn,
        level=str(enrolment.get_level_display()),
        grade=enrolment.grade,
        enrolled_on=enrolment.enrolled_on,
    )


# --- The gate as the schooling pages show it ----------------------------------------

CLEARED = "cleared"
WAITING = "waiting"
NOT_CLEARED = "not_cleared"
REVOKED = "revoked"


def gate_state(readiness: Readiness) -> str:
    """Only the state of the gate, never the decision's content (progress data)."""
    if readiness.cleared:
        return CLEARED
    if readiness.revoked_at is not None:
        return REVOKED
    if readiness.decided_at is not None and readiness.confirmed_at is None:
        return WAITING
    return NOT_CLEARED


def _gate_states(cases: list[Case]) -> dict[int, str]:
    """``gate_state`` for a page of cases in one query (the latest decision is in force)."""
    states = {case.pk: NOT_CLEARED for case in cases}
    seen: set[int] = set()
    decisions = (
        ReadinessDecision.objects.filter(case_id__in=list(states))
        .only("case_id", "safe", "decided_at", "confirmed_at", "revoked_at")
        .order_by("case_id", "-decided_at", "-id")
    )
    for decision in decisions:
        if decision.case_id in seen:
            continue
        seen.add(decision.case_id)
        states[decision.case_id] = gate_state(
            Readiness(
                cleared=decision.clears,
                decided_at=decision.decided_at,
                confirmed_at=decision.confirmed_at,
                revoked_at=decision.revoked_at,
            )
        )
    return states


def due_month(enrolment: Enrolment | None, months_recorded: set[date], today: date) -> date | None:
    """The previous month, when its follow-up is asked for and missing."""
    if enrolment is None or not enrolment.is_current or today.day < follow_up_day():
        return None
    month = previous_month(today)
    if enrolment.enrolled_on >= today.replace(day=1) or month in months_recorded:
        return None
    return month


# --- One case -------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: AttendanceFollowUp
    percent: int
    low: bool


@dataclass(frozen=True)
class CaseSchooling:
    state: str
    current: Enrolment | None
    past: list[Enrolment]
    follow_ups: list[FollowUpRow]
    shows_school: bool
    records: bool
    due: date | None

    @property
    def may_enrol(self) -> bool:
        return self.records and self.state == CLEARED


def _row(follow_up: AttendanceFollowUp) -> FollowUpRow:
    attended = follow_up.school_days - follow_up.days_absent
    return FollowUpRow(
        follow_up=follow_up,
        percent=round(100 * attended / follow_up.school_days),
        low=is_low(follow_up),
    )


def case_schooling(case: Case, access: CaseAccess) -> CaseSchooling:
    """What the viewer may see of the case's schooling (the school only to
    ``policy.reads_school``); the caller logs the page."""
    enrolments = list(
        Enrolment.objects.filter(case=case)
        .select_related("arranged_by")
        .order_by("-enrolled_on", "-id")
    )
    current = next((e for e in enrolments if e.is_current), None)
    follow_ups = (
        list(
            AttendanceFollowUp.objects.filter(enrolment=current)
            .select_related("recorded_by")
            .order_by("-month")[:12]
        )
        if current is not None
        else []
    )
    records = policy.records_schooling(access) and case.status != CaseStatus.CLOSED
    return CaseSchooling(
        state=gate_state(school_readiness(case)),
        current=current,
        past=[e for e in enrolments if e is not current],
        follow_ups=[_row(f) for f in follow_ups],
        shows_school=policy.reads_school(access),
        records=records,
        due=due_month(current, {f.month for f in follow_ups}, timezone.localdate()),
    )


def case_section(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    """The schooling card of the case page. The page's log row covers what the
    case page shows; the liaison, to whom the case page shows no identity, is
    shown the child's name here and that is logged here (before it is shown)."""
    if not policy.reads_schooling(access):
        return None
    schooling = case_schooling(case, access)
    if schooling.current is None and not schooling.past and not schooling.records:
        return None
    child = None
    if not access.sees_identity and policy.sees_child(access):
        schooling_log_view(request, case, access)
        child = child_facts(case, access)
    return {"schooling": schooling, "child": child}


def enrolment_of(case: Case, enrolment_uuid: Any) -> Enrolment | None:
    """One enrolment of an already authorised case, named by a link."""
    key = parse_uuid(enrolment_uuid)
    if key is None:
        return None
    return Enrolment.objects.filter(case=case, uuid=key).select_related("case").first()


def follow_up_of(case: Case, follow_up_uuid: Any) -> AttendanceFollowUp | None:
    key = parse_uuid(follow_up_uuid)
    if key is None:
        return None
    return (
        AttendanceFollowUp.objects.filter(enrolment__case=case, uuid=key)
        .select_related("enrolment", "enrolment__case", "enrolment__case__owner")
        .first()
    )


def child_facts(case: Case, access: CaseAccess) -> dict[str, Any]:
    """The child as the schooling pages name them (``policy.sees_child``): name,
    age and sex, else initials and age; never an address or a place."""
    child = case.child
    sees = policy.sees_child(access)
    return {
        "name": child.full_name if sees else child.initials,
        "age": child.age_label,
        "sex": str(child.get_sex_display() or "") if sees else "",
    }


def schooling_log_view(request: HttpRequest, case: Case, access: CaseAccess) -> None:
    """Log a schooling page: identity for the child's name, whereabouts for the school."""
    classes = {D.BASIC}
    if policy.sees_child(access):
        classes.add(D.IDENTITY)
    if policy.reads_school(access):
        classes.add(D.WHEREABOUTS)
    if classes - {D.BASIC}:
        access_log_write(
            request,
            action=AccessAction.VIEW,
            cases=[(case.pk, case.number)],
            data_classes=classes,
            via_break_glass=access.via_break_glass,
        )


# --- The liaison's list ---------------------------------------------------------------


@dataclass(frozen=True)
class ChildRow:
    case: Case
    access: CaseAccess
    state: str
    current: Enrolment | None
    last_month: date | None
    due: date | None

    @property
    def to_enrol(self) -> bool:
        return self.state == CLEARED and self.current is None

    @property
    def shows_school(self) -> bool:
        return policy.reads_school(self.access)

    @property
    def sees_child(self) -> bool:
        return policy.sees_child(self.access)


def _liaison(user: Any) -> None:
    if not may(user, Capability.SCHOOL_REENROLMENT):
        raise PermissionDenied


def children_to_follow(request: HttpRequest) -> list[ChildRow]:
    """The open cases the liaison may see, with the gate and the schooling of each.

    Children to enrol first, then follow-ups due, then the rest; every case
    listed is logged (the child's name is identity, the school whereabouts).
    """
    user: Any = request.user
    _liaison(user)
    cases = list(
        cases_visible_to(user)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child")
        .order_by("number")[:LIST_LIMIT]
    )
    accesses = case_access_bulk(user, cases)
    cases = [case for case in cases if policy.reads_schooling(accesses.get(case.pk))]
    states = _gate_states(cases)
    current = {
        e.case_id: e
        for e in Enrolment.objects.current().filter(case__in=cases).order_by("enrolled_on", "id")
    }
    months: dict[int, set[date]] = {}
    for enrolment_id, month in AttendanceFollowUp.objects.filter(
        enrolment__in=list(current.values())
    ).values_list("enrolment_id", "month"):
        months.setdefault(enrolment_id, set()).add(month)
    today = timezone.localdate()
    rows = []
    for case in cases:
        enrolment = current.get(case.pk)
        recorded = months.get(enrolment.pk, set()) if enrolment else set()
        rows.append(
            ChildRow(
                case=case,
                access=accesses[case.pk],
                state=states[case.pk],
                current=enrolment,
                last_month=max(recorded) if recorded else None,
                due=due_month(enrolment, recorded, today),
            )
        )
    rows.sort(key=lambda row: (not row.to_enrol, row.due is None, row.case.number))
    if rows:
        classes = {D.BASIC, D.IDENTITY} if any(r.sees_child for r in rows) else {D.BASIC}
        if any(r.current is not None and policy.reads_school(r.access) for r in rows):
            classes.add(D.WHEREABOUTS)
        if classes - {D.BASIC}:
            access_log_write(
                request,
                action=AccessAction.LIST,
                cases=[(row.case.pk, row.case.number) for row in rows],
                data_classes=classes,
            )
    return rows


@dataclass(frozen=True)
class LiaisonCounts:
    to_enrol: int
    due: int


def liaison_counts(user: Any) -> LiaisonCounts:
    """Counts for the home card (no names): children cleared and not enrolled,
    and enrolments whose last month's follow-up is asked for and missing.
    A fixed number of queries whatever the caseload."""
    if not may(user, Capability.SCHOOL_REENROLMENT):
        return LiaisonCounts(0, 0)
    cases = list(cases_visible_to(user).exclude(status=CaseStatus.CLOSED).only("pk")[:LIST_LIMIT])
    states = _gate_states(cases)
    current = list(Enrolment.objects.current().filter(case__in=cases))
    enrolled = {e.case_id for e in current}
    today = timezone.localdate()
    month = previous_month(today)
    recorded = set(
        AttendanceFollowUp.objects.filter(enrolment__in=current, month=month).values_list(
            "enrolment_id", flat=True
        )
    )
    due = sum(
        1
        for e in current
        if due_month(e, {month} if e.pk in recorded else set(), today) is not None
    )
    to_enrol = sum(1 for pk, s in states.items() if s == CLEARED and pk not in enrolled)
    return LiaisonCounts(to_enrol=to_enrol, due=due)


def case_for_schooling(request: HttpRequest, case_uuid: Any) -> tuple[Case, CaseAccess]:
    """Fetch and authorise a case for the schooling pages; 404 (logged) otherwise."""
    case, access = case_for_user(request, case_uuid)
    if not policy.reads_schooling(access):
        access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
        raise Http404
    return case, access
