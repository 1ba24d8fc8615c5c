"""Every read of case data users see, scoped by the policy and logged."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from kawal.access.catalogue import DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction, AccessLog
from kawal.access.policy import may, reads_cases, reads_identity
from kawal.cases.extensions import timeline_kind
from kawal.cases.models import (
    Approval,
    ApprovalStatus,
    Attachment,
    BreakGlassGrant,
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    Note,
    Referral,
    ReferralStatus,
    RiskLevel,
    Task,
    TaskStatus,
)
from kawal.cases.policy import CaseAccess, case_access, case_access_bulk, cases_visible_to
from kawal.core.forms import parse_id
from kawal.people.identity_numbers import mask_nik
from kawal.web.sorting import chosen_sort

PAGE_SIZE = 25
# Classes whose every view is logged; basic facts are logged only in lists.
LOGGED_CLASSES = {
    DataClass.IDENTITY,
    DataClass.WHEREABOUTS,
    DataClass.CLINICAL,
    DataClass.PROGRESS,
    DataClass.INVESTIGATION,
    DataClass.REPORTER,
}


@dataclass(frozen=True)
class CaseRow:
    """One line of a list: a name only for those who may see identity."""

    case: Case
    access: CaseAccess
    overdue_tasks: int

    @property
    def child_label(self) -> str:
        child = self.case.child
        if self.access.sees_identity:
            return child.full_name
        return f"{child.initials} ({child.age_label})"


def case_for_user(
    request: HttpRequest, case_uuid: Any, *, need: str = DataClass.BASIC
) -> tuple[Case, CaseAccess]:
    """Fetch and authorise in one step; missing and forbidden give the same 404."""
    user: Any = request.user
    case = (
        Case.objects.select_related(
            "child",
            "child__kelurahan",
            "owner",
            "supervisor",
            "investigator",
            "repeat_of",
            "origin_report",
        )
        .filter(uuid=case_uuid)
        .first()
    )
    access = case_access(user, case) if case is not None else None
    if case is None or access is None or not access.can_read(need):
        access_log_write(
            request,
            action=AccessAction.DENIED,
            cases=[(case.pk, case.number)] if case is not None else [],
        )
        raise Http404
    return case, access


def prefill_log(request: HttpRequest, source: str, uuid: Any) -> None:
    """A child's name shown in the opening form is an identity read like any other.

    No case exists yet, so the row names where the name came from.
    """
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[],
        data_classes=[DataClass.IDENTITY],
        path=f"{request.path}?{source}={uuid}",
    )


def case_log_view(request: HttpRequest, case: Case, access: CaseAccess, classes: set[str]) -> None:
    """Log a page that shows these classes of the case (fail-closed: raises if it cannot)."""
    shown = {c for c in classes if access.can_read(c)}
    if shown & LOGGED_CLASSES:
        access_log_write(
            request,
            action=AccessAction.VIEW,
            cases=[(case.pk, case.number)],
            data_classes=shown,
            via_break_glass=access.via_break_glass,
        )


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    risk: str = ""
    kelurahan: str = ""
    agency: int | None = None
    mine: bool = False
    overdue: bool = False
    approval: bool = False
    sort: str = "-opened_on"


# The whitelist of ``?sort=`` keys: each a column of the list, both directions.
# Never the child's name: ordering by a name the user may not see would leak it.
SORTS = {
    "-opened_on": ("-opened_on", "-id"),
    "opened_on": ("opened_on", "id"),
    "-risk": ("-risk_rank", "-opened_on", "-id"),
    "risk": ("risk_rank", "-opened_on", "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "status": ("status_rank", "-opened_on", "-id"),
    "-status": ("-status_rank", "-opened_on", "-id"),
    "-overdue": ("-overdue_tasks", "-opened_on", "-id"),
    "overdue": ("overdue_tasks", "-opened_on", "-id"),
    "owner": ("owner__full_name", "-opened_on", "-id"),
    "-owner": ("-owner__full_name", "-opened_on", "-id"),
}
DEFAULT_SORT = "-opened_on"


def _with_overdue(cases: QuerySet[Case]) -> QuerySet[Case]:
    today = timezone.localdate()
    return cases.annotate(
        overdue_tasks=Count(
            "tasks",
            filter=Q(tasks__status=TaskStatus.OPEN, tasks__due_on__lt=today),
            distinct=True,
        )
    )


def case_filters_from(params: Mapping[str, Any]) -> CaseFilters:
    """The list's filters from a query string (the page and its export read the same)."""
    status = params.get("status", "")
    risk = params.get("risk", "")
    return CaseFilters(
        status=status if status in CaseStatus.values else "",
        risk=risk if risk in RiskLevel.values else "",
        kelurahan=str(params.get("kelurahan", ""))[:13],
        agency=parse_id(params.get("agency")),
        mine=params.get("mine") == "1",
        overdue=params.get("overdue") == "1",
        approval=params.get("approval") == "1",
        sort=chosen_sort(params.get("sort"), SORTS, DEFAULT_SORT),
    )


def case_list_queryset(user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """Every case of the list, filtered and ordered, not yet paged or logged."""
    from django.db.models import Case as When_
    from django.db.models import IntegerField, Value, When

    cases = cases_visible_to(user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.risk:
        cases = cases.filter(risk_level=filters.risk)
    if filters.kelurahan and reads_identity(user):
        cases = cases.filter(pk__in=_identity_visible(user, cases, filters.kelurahan))
    if filters.agency:
        cases = cases.filter(
            Q(owner__agency_id=filters.agency)
            | Q(
                Exists(
                    CaseMember.objects.filter(case=OuterRef("pk"), removed_at__isnull=True).filter(
                        Q(agency_id=filters.agency) | Q(user__agency_id=filters.agency)
                    )
                )
            )
        )
    if filters.mine:
        cases = cases.filter(owner=user)
    if filters.approval:
        cases = cases.filter(pk__in=approvals_waiting(user).values("case_id"))
    cases = _with_overdue(cases)
    if filters.overdue:
        cases = cases.filter(overdue_tasks__gt=0)  # type: ignore[misc]
    cases = cases.annotate(
        risk_rank=When_(
            When(risk_level="high", then=Value(3)),
            When(risk_level="medium", then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        # The workflow's order, not the alphabet's.
        status_rank=When_(
            *(When(status=value, then=Value(rank)) for rank, value in enumerate(CaseStatus.values)),
            default=Value(len(CaseStatus.values)),
            output_field=IntegerField(),
        ),
    )
    return cases.select_related("child", "owner").order_by(
        *SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    )


def case_list(
    request: HttpRequest, *, filters: CaseFilters, page_number: Any = 1
) -> tuple[Page[CaseRow], int]:
    """A page of the cases the user may see, logged as listed."""
    user: Any = request.user
    paginator = Paginator(case_list_queryset(user, filters), PAGE_SIZE)
    page = paginator.get_page(page_number)
    rows = _rows(user, list(page.object_list))
    _log_listed(request, AccessAction.LIST, rows)
    page.object_list = rows  # type: ignore[assignment]
    return page, paginator.count  # type: ignore[return-value]


def _identity_visible(user: Any, cases: QuerySet[Case], kelurahan: str) -> list[int]:
    """Cases in a kelurahan whose identity the user may see on that very case.

    Filtering by home area reveals where a child lives, so it must not select
    cases the user sees only the basic facts of.
    """
    candidates = list(cases.filter(child__kelurahan_id=kelurahan).only("pk", "owner", "supervisor"))
    accesses = case_access_bulk(user, candidates)
    return [pk for pk, access in accesses.items() if access.sees_identity]


def _rows(user: Any, cases: list[Case]) -> list[CaseRow]:
    accesses = case_access_bulk(user, cases)
    return [
        CaseRow(
            case=case, access=accesses[case.pk], overdue_tasks=getattr(case, "overdue_tasks", 0)
        )
        for case in cases
        if case.pk in accesses
    ]


def _log_listed(request: HttpRequest, action: AccessAction, rows: list[CaseRow]) -> None:
    if not rows:
        return
    classes = {DataClass.BASIC}
    if any(row.access.sees_identity for row in rows):
        classes.add(DataClass.IDENTITY)
    access_log_write(
        request,
        action=action,
        cases=[(row.case.pk, row.case.number) for row in rows],
        data_classes=classes,
    )


def case_search(request: HttpRequest, query: str, *, limit: int = 50) -> list[CaseRow]:
    """Search by name, alias, NIK or case number, within what the user may see.

    Names, aliases and NIK only match for users whose role reads identity, so a
    search cannot be used to test whether a named child has a case.
    """
    user: Any = request.user
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    condition = Q(number__icontains=query)
    if reads_identity(user):
        digits = "".join(ch for ch in query if ch.isdigit())
        condition |= Q(child__full_name__icontains=query) | Q(child__aliases__name__icontains=query)
        if len(digits) == 16:
            condition |= Q(child__nik=digits)
    ids = list(
        cases_visible_to(user).filter(condition).values_list("pk", flat=True).distinct()[:limit]
    )
    cases = list(
        _with_overdue(Case.objects.filter(pk__in=ids))
        .select_related("child", "owner")
        .order_by("-opened_on")
    )
    rows = _rows(user, cases)
    # A match on name or NIK tells the user something about identity only if
    # they may see identity on that case; drop the others.
    rows = [
        row for row in rows if row.access.sees_identity or query.lower() in row.case.number.lower()
    ]
    _log_listed(request, AccessAction.SEARCH, rows)
    return rows


def case_timeline(case: Case, access: CaseAccess, user: Any) -> list[CaseEvent]:
    """The latest events of the classes the viewer reads, less those an app hides from them."""
    events = case.events.filter(data_class__in=access.readable).select_related("actor")[:200]
    shown = []
    for event in events:
        kind = timeline_kind(event.kind)
        if kind is None or kind.shown_to(user, access, event.payload or {}):
            shown.append(event)
    _hide_other_case_numbers(shown, user)
    return shown


# Events naming another case (of the same child, or a sibling's), and the
# payload key of its number: shown only to who may see that case, as the
# page's list of siblings is. Not "case.found_again": the earlier case's
# manager is told the new number on purpose, to know whom to ask
# (``services.case_open``).
OTHER_CASE_NUMBER = {"case.repeat": "earlier", "family.linked": "sibling"}


def _hide_other_case_numbers(events: list[CaseEvent], user: Any) -> None:
    """Blank, on the page only, the number of another case the reader may not see.

    A child found again, or a brother, may be held by another team: the
    number would tell this case's readers of a case closed to them.
    """
    named = {
        event.payload.get(OTHER_CASE_NUMBER[event.kind])
        for event in events
        if event.kind in OTHER_CASE_NUMBER and event.payload
    } - {None, ""}
    if not named:
        return
    visible = set(cases_visible_to(user).filter(number__in=named).values_list("number", flat=True))
    for event in events:
        key = OTHER_CASE_NUMBER.get(event.kind)
        if key and event.payload and event.payload.get(key) not in visible:
            event.payload = {**event.payload, key: ""}


def repeat_of_visible(case: Case, user: Any) -> bool:
    """Whether the reader may see the earlier case this one repeats (to name it)."""
    if case.repeat_of_id is None:
        return False
    return cases_visible_to(user).filter(pk=case.repeat_of_id).exists()


def case_notes(case: Case, access: CaseAccess) -> list[Note]:
    notes = (
        case.notes.filter(data_class__in=access.readable)
        .select_related("author", "supersedes")
        .prefetch_related(Prefetch("superseded_by"))
    )
    return list(notes)


def case_attachments(case: Case, access: CaseAccess) -> QuerySet[Attachment]:
    return case.attachments.filter(
        data_class__in=access.readable, deleted_at__isnull=True
    ).select_related("uploaded_by")


def case_team(case: Case) -> QuerySet[CaseMember]:
    return case.members.filter(removed_at__isnull=True).select_related(
        "user", "user__agency", "agency"
    )


def case_referrals(case: Case) -> QuerySet[Referral]:
    return case.referrals.select_related("to_agency", "requested_by", "decided_by")


def case_tasks(case: Case) -> QuerySet[Task]:
    return case.tasks.select_related("assignee", "assignee_agency").order_by(
        "status", "due_on", "id"
    )


def child_identity(case: Case, access: CaseAccess) -> dict[str, Any] | None:
    """The child's identity as the user may see it: full, or None (initials and age only)."""
    if not access.sees_identity:
        return None
    child = case.child
    return {
        "person": child,
        "aliases": [alias.name for alias in child.aliases.all()],
        "nik_masked": mask_nik(child.nik) if child.nik else "",
        "relatives": list(child.relatives.select_related("relative")),
        **_household(child),
    }


def _household(child: Any) -> dict[str, Any]:
    """Who shares the child's family card: relatives by name, anyone else only counted.

    Another member may be a child with a case of their own that this user may
    not see; a name here must not reveal it.
    """
    relative_ids = set(child.relatives.values_list("relative_id", flat=True))
    named: list[Any] = []
    others = 0
    for household in child.households.prefetch_related("members"):
        for member in household.members.all():
            if member.pk == child.pk:
                continue
            if member.pk in relative_ids:
                named.append(member)
            else:
                others += 1
    return {"household": named, "household_others": others}


MY_TASKS_PAGE_SIZE = 25


@dataclass(frozen=True)
class TaskPage:
    page: Page  # of (task, access) pairs, overdue first
    open_count: int
    overdue_count: int


# The whitelist of ``?sort=`` keys of "my tasks"; by due date = overdue first, undated last.
TASK_SORTS = ("due", "-due", "title", "-title", "case", "-case")


def _task_order(tasks: list[Task], sort: str) -> None:
    far = date.max
    keys: dict[str, Any] = {
        "due": lambda task: (task.due_on or far, task.pk),
        "title": lambda task: (task.title.casefold(), task.due_on or far, task.pk),
        "case": lambda task: (task.case.number, task.due_on or far, task.pk),
    }
    field = sort.lstrip("-")
    tasks.sort(key=keys.get(field, keys["due"]), reverse=sort.startswith("-"))


def my_tasks(request: HttpRequest, page_number: Any = None, sort: str = "due") -> TaskPage:
    """Open tasks for the user or their agency, overdue first, on cases they may still see.

    Reminders can make many tasks at once, so the list comes in pages; the
    page names each task's case, so every case on it is logged as listed
    (fail-closed, before the page is built), and only those.
    """
    user: Any = request.user
    tasks = list(
        _my_open_tasks(user).select_related("case", "case__child").order_by("due_on", "id")[:500]
    )
    accesses = case_access_bulk(user, {task.case_id: task.case for task in tasks}.values())
    today = timezone.localdate()
    _task_order(tasks, sort if sort in TASK_SORTS else "due")
    shown = [(task, accesses[task.case_id]) for task in tasks if task.case_id in accesses]
    page = Paginator(shown, MY_TASKS_PAGE_SIZE).get_page(page_number)
    listed = {task.case_id: task.case.number for task, _access in page.object_list}
    if listed:
        # The page shows case numbers and task titles only: basic, whatever
        # else the user might read on those cases.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=listed.items(),
            data_classes=[DataClass.BASIC],
        )
    overdue = sum(1 for task, _access in shown if task.due_on and task.due_on < today)
    return TaskPage(page=page, open_count=len(shown), overdue_count=overdue)


def pending_referrals(user: Any) -> QuerySet[Referral]:
    if user.agency_id is None or not reads_cases(user):
        return Referral.objects.none()
    return Referral.objects.filter(
        to_agency_id=user.agency_id, status=ReferralStatus.REQUESTED
    ).select_related("case", "requested_by", "requested_by__agency")


def access_log_for_case(case: Case) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(case_id=case.pk).select_related("user")[:500]


def break_glass_queue(user: Any) -> QuerySet[BreakGlassGrant]:
    """Grants waiting for review: the DPO sees all; a supervisor those on cases they supervise."""
    from kawal.access.catalogue import Capability

    grants = BreakGlassGrant.objects.filter(reviewed_at__isnull=True).select_related("case", "user")
    if may(user, Capability.REVIEW_BREAK_GLASS):
        return grants
    if may(user, Capability.APPROVE):
        return grants.filter(Q(case__supervisor=user) | Q(case__owner=user)).exclude(user=user)
    return grants.none()


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from user input, or None: a malformed id is a miss, never a 500."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def pick(rows: QuerySet[Any], raw_uuid: Any) -> Any:
    """The row of an already scoped queryset that a form or link names by UUID."""
    key = parse_uuid(raw_uuid)
    return rows.filter(uuid=key).first() if key is not None else None


def case_note(case: Case, access: CaseAccess, note_uuid: Any) -> Note | None:
    """One note of the case, if its class is readable by this user."""
    note: Note | None = pick(case.notes.filter(data_class__in=access.readable), note_uuid)
    return note


def case_attachment(case: Case, access: CaseAccess, attachment_uuid: Any) -> Attachment | None:
    return case.attachments.filter(
        uuid=attachment_uuid, deleted_at__isnull=True, data_class__in=access.readable
    ).first()


def perpetrator_candidates(case: Case) -> QuerySet[Any]:
    """The child's relatives not yet recorded as alleged perpetrators."""
    from kawal.people.models import Person

    return Person.objects.filter(relatives_of__child_id=case.child_id).exclude(
        pk__in=case.perpetrators.values("person_id")
    )


def case_for_access_log(request: HttpRequest, case_uuid: Any) -> Case:
    """The case whose access log the user may read: its leads and the DPO; else 404."""
    from kawal.access.catalogue import Capability

    user: Any = request.user
    key = parse_uuid(case_uuid)
    case = Case.objects.filter(uuid=key).first() if key is not None else None
    access = case_access(user, case) if case is not None else None
    allowed = case is not None and (
        (access is not None and access.leads) or may(user, Capability.VIEW_ACCESS_LOG)
    )
    if case is None or not allowed:
        access_log_write(
            request,
            action=AccessAction.DENIED,
            cases=[(case.pk, case.number)] if case is not None else [],
        )
        raise Http404
    return case


def case_by_number_for_break_glass(number: str) -> Case | None:
    """Emergency access names a case by number; the caller is by definition not on it."""
    return Case.objects.filter(number=number.strip()[:40]).first() if number.strip() else None


# --- The home page's counts (no case is named, so nothing is logged) ----------


@dataclass(frozen=True)
class TaskCounts:
    open: int
    overdue: int
    due_today: int


def _my_open_tasks(user: Any) -> QuerySet[Task]:
    """The same tasks as ``my_tasks``: the user's or their agency's, on cases they may see."""
    mine = Q(assignee=user)
    if user.agency_id is not None:
        mine |= Q(assignee_agency_id=user.agency_id, assignee__isnull=True)
    return Task.objects.filter(mine, status=TaskStatus.OPEN, case__in=cases_visible_to(user))


def task_counts(user: Any) -> TaskCounts:
    """Open, overdue and due-today tasks in one query, whatever the caseload."""
    if not reads_cases(user):
        return TaskCounts(0, 0, 0)
    today = timezone.localdate()
    counts = _my_open_tasks(user).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_today=Count("pk", filter=Q(due_on=today)),
    )
    return TaskCounts(counts["open"], counts["overdue"], counts["due_today"])


def approvals_waiting(user: Any) -> QuerySet[Approval]:
    """Requests the user may decide: on cases they supervise, never their own (four eyes)."""
    from kawal.access.catalogue import Capability

    if not may(user, Capability.APPROVE):
        return Approval.objects.none()
    return Approval.objects.filter(
        status=ApprovalStatus.REQUESTED,
        case__supervisor=user,
        case__in=cases_visible_to(user),
    ).exclude(requested_by=user)
