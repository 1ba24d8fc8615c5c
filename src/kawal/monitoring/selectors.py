"""Every read of the monitoring records, scoped to the user and logged where it shows a child.

Institution staff read through ``placed_with`` and ``placement_for_carer``:
active placements of their own institution and nothing else. Dinas Sosial and
the case team read through the case policy (``placement_for_worker``). The
funding app reads presence through ``present_days`` and ``roster_for``, which
check no viewer: funding computes with them, and its own pages are scoped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.selectors import parse_uuid
from kawal.institutions.models import Institution
from kawal.institutions.selectors import institution_of_staff
from kawal.monitoring import policy
from kawal.monitoring.locks import day_locked
from kawal.monitoring.models import (
    AfterCareFollowUp,
    Incident,
    MonitoringVisit,
    PlacementReview,
    Presence,
)
from kawal.monitoring.rules import roster_refusal
from kawal.placement.models import ExitReason, Placement
from kawal.placement.selectors import (
    CareNeeds,
    ContactPlan,
    care_needs_of,
    contact_plan_of,
    placement_by_uuid,
    placement_history,
    placements_overlapping,
)
from kawal.schooling.selectors import school_for_carers

B = DataClass.BASIC
ID = DataClass.IDENTITY
WH = DataClass.WHEREABOUTS

AFTERCARE_MONTHS = (1, 3, 6)


# --- Settings ---------------------------------------------------------------------------


def review_months() -> int:
    return max(1, int(getattr(settings, "KAWAL_PLACEMENT_REVIEW_MONTHS", 6)))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, the month's last day where it is shorter."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


# --- Institution staff ---------------------------------------------------------------------


def institution_of(user: Any) -> Institution | None:
    """The institution whose children this user cares for, or None."""
    if not policy.cares_for_placed(user):
        return None
    return institution_of_staff(user)


def placed_with(user: Any) -> QuerySet[Placement]:
    """The placements of the user's institution covering today: the only children staff see."""
    institution = institution_of(user)
    if institution is None:
        return Placement.objects.none()
    # The placements covering today, not only those without an end: a transfer
    # starting later ends the placement here on the day before it, and until
    # that day the child still lives here and the roster is marked here.
    today = timezone.localdate()
    return placements_overlapping([institution.pk], today, today).order_by("child__full_name", "pk")


def placement_for_carer(user: Any, raw_uuid: Any) -> Placement:
    """One placement the user's institution cares for now; 404 for anything else
    (another institution's child, a child who left, a malformed id)."""
    key = parse_uuid(raw_uuid)
    if key is None:
        raise Http404
    placement = placed_with(user).filter(uuid=key).first()
    if placement is None:
        raise Http404
    return placement


def carers_log_view(request: HttpRequest, placements: Iterable[Placement]) -> None:
    """Log what institution staff saw: who the children are and where they live.

    Fail-closed: if the row cannot be written the page is not shown."""
    rows = [(p.case_id, p.case.number) for p in placements]
    access_log_write(request, action=AccessAction.VIEW, cases=rows, data_classes={B, ID, WH})


@dataclass(frozen=True)
class CarerCard:
    """What daily care needs of a child, and nothing more."""

    placement: Placement
    name: str
    age: str
    sex: str
    care_needs: CareNeeds | None
    contact_plan: ContactPlan | None
    school: Any
    # What the staff themselves (their institution) reported during this placement.
    incidents: list[Incident]


def carer_card(placement: Placement) -> CarerCard:
    child = placement.child
    return CarerCard(
        incidents=list(
            Incident.objects.filter(placement=placement)
            .select_related("recorded_by")
            .order_by("-occurred_at", "-id")
        ),
        placement=placement,
        name=child.full_name,
        age=child.age_label,
        sex=str(child.get_sex_display() or ""),
        care_needs=care_needs_of(placement),
        contact_plan=contact_plan_of(placement),
        school=school_for_carers(placement.case),
    )


@dataclass(frozen=True)
class RosterRow:
    placement: Placement
    # None: not marked yet that day.
    present: bool | None
    # Whether the day may still be marked for this child (placed by then, not locked).
    open: bool


def roster_for(institution: Institution, day: date) -> list[RosterRow]:
    """The institution's placements covering ``day`` and how each was marked.

    No viewer check (funding and the staff's roster page call it after their
    own); ``open`` says whether the day still takes a mark under the roster's
    rules and the funding lock."""
    placements = list(
        placements_overlapping([institution.pk], day, day).order_by("child__full_name", "pk")
    )
    marks = dict(
        Presence.objects.filter(placement__in=placements, day=day).values_list(
            "placement_id", "present"
        )
    )
    today = timezone.localdate()
    # Every row is this institution on this day: one lock question for all.
    locked = day_locked(placements[0], day) if placements else False
    return [
        RosterRow(p, marks.get(p.pk), roster_refusal(p, day, today, locked=locked) is None)
        for p in placements
    ]


def present_days(placement_ids: Iterable[int], start: date, end: date) -> dict[int, set[date]]:
    """The days from ``start`` to ``end`` (inclusive) each placement's child was marked present.

    For funding: a day absent or never marked is not in the set. Every id
    asked for has an entry, empty when no day was present."""
    ids = [int(pk) for pk in placement_ids]
    found: dict[int, set[date]] = defaultdict(set)
    rows = Presence.objects.filter(
        placement_id__in=ids, day__gte=start, day__lte=end, present=True
    ).values_list("placement_id", "day")
    for placement_id, day in rows:
        found[placement_id].add(day)
    return {pk: found.get(pk, set()) for pk in ids}


# --- Dinas Sosial and the case team ------------------------------------------------------


def _denied(request: HttpRequest, case: Case | None) -> NoReturn:
    """A refused or unknown placement: 404, and the attempt in the access log
    (as the placement pages do), the case named when there is one."""
    access_log_write(
        request,
        action=AccessAction.DENIED,
        cases=[(case.pk, case.number)] if case is not None else [],
    )
    raise Http404


def placement_for_worker(request: HttpRequest, raw_uuid: Any) -> tuple[Placement, CaseAccess]:
    """A placement whose monitoring the user reads on its case; 404 (logged) otherwise."""
    placement = placement_by_uuid(raw_uuid)
    if placement is None:
        _denied(request, None)
    access = case_access(request.user, placement.case)
    if access is None or not policy.reads_monitoring(request.user, access):
        _denied(request, placement.case)
    return placement, access


def _record_for_worker(request: HttpRequest, model: Any, raw_uuid: Any) -> tuple[Any, CaseAccess]:
    key = parse_uuid(raw_uuid)
    record = (
        model.objects.filter(uuid=key).select_related("placement__case").first()
        if key is not None
        else None
    )
    if record is None:
        _denied(request, None)
    _placement, access = placement_for_worker(request, record.placement.uuid)
    return record, access


def review_for_worker(request: HttpRequest, raw_uuid: Any) -> tuple[PlacementReview, CaseAccess]:
    return _record_for_worker(request, PlacementReview, raw_uuid)


def visit_for_worker(request: HttpRequest, raw_uuid: Any) -> tuple[MonitoringVisit, CaseAccess]:
    return _record_for_worker(request, MonitoringVisit, raw_uuid)


def follow_up_for_worker(
    request: HttpRequest, raw_uuid: Any
) -> tuple[AfterCareFollowUp, CaseAccess]:
    return _record_for_worker(request, AfterCareFollowUp, raw_uuid)


def institution_has_staff(institution: Institution) -> bool:
    """Whether someone at the institution keeps its roster: an active
    institution-staff account in its active agency. Foster families, kinship
    carers and institutions without one have their days recorded by Dinas Sosial."""
    if institution.agency_id is None:
        return False
    return (
        get_user_model()
        .objects.filter(
            agency_id=institution.agency_id,
            agency__is_active=True,
            role=Role.INSTITUTION_STAFF,
            is_active=True,
        )
        .exists()
    )


@dataclass(frozen=True)
class WorkerRosterDay:
    day: date
    # None: not marked yet.
    present: bool | None
    # Still takes a mark (within the placement, not in the future, not locked).
    open: bool
    recorded_by: str


def month_days(placement: Placement, month: date, today: date) -> list[date]:
    """The days of ``month`` within the placement, up to today."""
    first = month.replace(day=1)
    last = add_months(first, 1) - timedelta(days=1)
    start = max(first, placement.started_on)
    end = min(last, today, placement.ended_on or last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def placement_months(placement: Placement, today: date) -> list[date]:
    """The months (first days) a worker may open for this placement, newest first."""
    first = placement.started_on.replace(day=1)
    last = min(today, placement.ended_on or today).replace(day=1)
    months = []
    while last >= first:
        months.append(last)
        last = (last - timedelta(days=1)).replace(day=1)
    return months


def worker_roster(placement: Placement, month: date) -> list[WorkerRosterDay]:
    """Each day of ``month`` within the placement, how it was marked and by whom.

    No viewer check: the page calls it after ``placement_for_worker``."""
    today = timezone.localdate()
    days = month_days(placement, month, today)
    if not days:
        return []
    marks = {
        row.day: row
        for row in Presence.objects.filter(
            placement=placement, day__gte=days[0], day__lte=days[-1]
        ).select_related("recorded_by")
    }
    # The funding lock is per institution and month: one question per month.
    locked = {start: day_locked(placement, start) for start in {day.replace(day=1) for day in days}}
    result = []
    for day in days:
        mark = marks.get(day)
        result.append(
            WorkerRosterDay(
                day=day,
                present=mark.present if mark is not None else None,
                open=roster_refusal(
                    placement, day, today, backdated=False, locked=locked[day.replace(day=1)]
                )
                is None,
                recorded_by=str(mark.recorded_by) if mark is not None else "",
            )
        )
    return result


def worker_log_view(request: HttpRequest, placement: Placement, access: CaseAccess) -> None:
    classes = {B, WH} | ({ID} if access.sees_identity else set())
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(placement.case_id, placement.case.number)],
        data_classes=classes,
        via_break_glass=access.via_break_glass,
    )


def review_due_on(placement: Placement) -> date:
    """When the placement's next review is due: the last review's own date for it,
    else the configured interval after the start."""
    last = placement.reviews.order_by("-reviewed_on", "-id").first()
    if last is not None:
        return last.next_review_on
    return add_months(placement.started_on, review_months())


def incidents_of(case: Case) -> list[Incident]:
    """Every incident reported on the case's placements, newest first. No viewer
    check: callers show them only to whereabouts readers of the case."""
    return list(
        Incident.objects.filter(placement__case=case)
        .select_related("placement__institution", "recorded_by")
        .order_by("-occurred_at", "-id")
    )


def follow_up_is_due(placement: Placement) -> bool:
    return placement.ended_on is not None and placement.exit_reason != ExitReason.TRANSFER


@dataclass(frozen=True)
class PlacementMonitoring:
    placement: Placement
    review_due: date | None
    reviews: list[PlacementReview]
    visits: list[MonitoringVisit]
    follow_ups: list[AfterCareFollowUp]
    # The 1/3/6-month follow-ups of an exit with their due day and whether done.
    milestones: list[tuple[int, date, bool]]
    present_last_30: int
    marked_last_30: int


def case_monitoring(case: Case) -> list[PlacementMonitoring]:
    """The monitoring of each placement of the case, newest first (no viewer check:
    the case page shows it to ``reads_monitoring`` only)."""
    placements = placement_history(case)
    prefetch_related_objects(placements, "reviews", "visits", "follow_ups")
    today = timezone.localdate()
    since = today - timedelta(days=29)
    marks: dict[int, list[bool]] = defaultdict(list)
    for placement_id, present in Presence.objects.filter(
        placement__in=placements, day__gte=since, day__lte=today
    ).values_list("placement_id", "present"):
        marks[placement_id].append(present)
    result = []
    for placement in placements:
        reviews = sorted(placement.reviews.all(), key=lambda r: (r.reviewed_on, r.pk), reverse=True)
        follow_ups = list(placement.follow_ups.all())
        done = {f.milestone for f in follow_ups}
        milestones = []
        if follow_up_is_due(placement) and placement.ended_on is not None:
            milestones = [
                (m, add_months(placement.ended_on, m), m in done) for m in AFTERCARE_MONTHS
            ]
        review_due = None
        if placement.is_active:
            review_due = (
                reviews[0].next_review_on
                if reviews
                else add_months(placement.started_on, review_months())
            )
        result.append(
            PlacementMonitoring(
                placement=placement,
                review_due=review_due,
                reviews=reviews,
                visits=list(placement.visits.all()),
                follow_ups=follow_ups,
                milestones=milestones,
                present_last_30=sum(1 for p in marks[placement.pk] if p),
                marked_last_30=len(marks[placement.pk]),
            )
        )
    return result


def home_summary(user: Any, today: date) -> dict[str, Any] | None:
    """The institution staff's home card: how many children, how many marked today (counts only)."""
    institution = institution_of(user)
    if institution is None:
        return None
    ids = list(placed_with(user).values_list("pk", flat=True))
    marked = Presence.objects.filter(placement_id__in=ids, day=today).count()
    return {"institution": institution, "children": len(ids), "marked": marked, "today": today}


@dataclass(frozen=True)
class ReviewsDue:
    overdue: int
    due_today: int
    soon: int
    # The placement to open when exactly one review is due now.
    only: Placement | None


def reviews_due(user: Any, today: date, *, lead_days: int = 14) -> ReviewsDue:
    """Placement reviews due on the cases the user may see, for the home page.

    One query whatever the caseload: each running placement with its last
    review's next date; the dates are compared here (the interval in months
    is computed in Python, as everywhere else in the app).
    """
    from django.db.models import OuterRef, Subquery

    from kawal.access.catalogue import Capability
    from kawal.access.policy import may
    from kawal.cases.policy import cases_visible_to

    if not may(user, Capability.MANAGE_PLACEMENT):
        return ReviewsDue(0, 0, 0, None)
    latest = (
        PlacementReview.objects.filter(placement=OuterRef("pk"))
        .order_by("-reviewed_on", "-id")
        .values("next_review_on")[:1]
    )
    placements = (
        Placement.objects.active()
        .filter(started_on__lte=today, case__in=cases_visible_to(user))
        .annotate(next_review=Subquery(latest))
        .only("pk", "uuid", "started_on")
    )
    months = review_months()
    horizon = today + timedelta(days=lead_days)
    overdue = due_today = soon = 0
    now_due: list[Placement] = []
    for placement in placements:
        due = getattr(placement, "next_review", None) or add_months(placement.started_on, months)
        if due < today:
            overdue += 1
            now_due.append(placement)
        elif due == today:
            due_today += 1
            now_due.append(placement)
        elif due <= horizon:
            soon += 1
    return ReviewsDue(overdue, due_today, soon, now_due[0] if len(now_due) == 1 else None)
