"""Every read of parent programmes and community sessions, scoped to the viewer.

``reunification_readiness(case)`` is the one entry point later steps (the
"return home" placement exit) call; it does not depend on a viewer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, NoReturn

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kawal.access.catalogue import ROLES, Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.accounts.models import Agency, User
from kawal.cases.models import Case, CaseMember, Referral, ReferralStatus
from kawal.cases.policy import CaseAccess, case_access, case_access_bulk, cases_visible_to
from kawal.cases.selectors import parse_uuid
from kawal.families import policy
from kawal.families.compliance import ComplianceResult, ProgrammeFacts, derive_compliance
from kawal.families.models import (
    ATTENDANCE_FIELDS,
    AtRiskFamily,
    Attendance,
    CommunitySession,
    HomeVisit,
    ParentProgramme,
    ProgrammeParent,
    ProgrammeSession,
    ProgrammeStatus,
    RtConfirmation,
    SessionStatus,
    SupportOutcome,
    SupportReferral,
    Undertaking,
    UndertakingState,
)
from kawal.people.models import Person, PersonRelation, Relation

SAFETY_RISK = "safety-risk"
# Bands of that assessment in which the child may go home; "high" is unsafe.
SAFE_BANDS = ("low", "medium")
RUN_PARENTING_ROLES = [
    role.value for role, spec in ROLES.items() if Capability.RUN_PARENTING in spec.capabilities
]
# Who may be named as having gone on a home visit: those who run programmes and those who
# lead cases. Institution and shelter staff or the police never are: their name, role or
# office would tell where the child is, or that the police are involved.
VISITOR_ROLES = frozenset(
    role.value
    for role, spec in ROLES.items()
    if {Capability.RUN_PARENTING, Capability.OPEN_CASE} & spec.capabilities
)
# Whose name the RT head sees for a family: the first of these in the programme.
HEAD_OF_HOUSEHOLD = [
    Relation.FATHER,
    Relation.MOTHER,
    Relation.STEPFATHER,
    Relation.STEPMOTHER,
    Relation.GUARDIAN,
    Relation.GRANDPARENT,
    Relation.UNCLE_AUNT,
    Relation.OTHER,
    Relation.SIBLING,
]


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- Who may be chosen --------------------------------------------------------------


def _related_users(case: Case) -> QuerySet[User]:
    members = CaseMember.objects.filter(case=case, removed_at__isnull=True)
    agencies = set(members.exclude(agency=None).values_list("agency_id", flat=True))
    agencies |= set(
        Referral.objects.filter(case=case, status=ReferralStatus.ACCEPTED).values_list(
            "to_agency_id", flat=True
        )
    )
    related = Q(pk__in=members.exclude(user=None).values("user_id")) | Q(agency_id__in=agencies)
    related |= Q(pk__in=[pk for pk in (case.owner_id, case.supervisor_id) if pk])
    return User.objects.filter(related, is_active=True).select_related("agency")


def facilitator_candidates(case: Case) -> list[User]:
    """Psychologists and social workers on the case who see its care progress."""
    users = list(_related_users(case).filter(role__in=RUN_PARENTING_ROLES).order_by("full_name"))
    return [user for user in users if policy.reads_programme(case_access(user, case))]


def visitor_candidates(case: Case) -> list[User]:
    """Staff on the case who run its parent programme: who may be named as going on a visit.

    The psychologists and social workers on the case and its leads (owner,
    supervisor) who may record the programme; never institution or shelter
    staff or investigators, whose office would tell where the child is.
    """
    users = list(_related_users(case).filter(role__in=VISITOR_ROLES).order_by("full_name"))
    return [user for user in users if policy.records_programme(case_access(user, case))]


def staff_label(user: User) -> str:
    """A member of staff as the programme shows them: name and role title, never the office."""
    return f"{user} ({user.get_role_display()})" if user.role else str(user)


def visitors_shown(visit: HomeVisit) -> list[str]:
    """Who went on a visit, by name and role title; only programme staff are ever named
    (a visit recorded before that rule may list others: they are left out)."""
    return [staff_label(user) for user in visit.visitors.all() if user.role in VISITOR_ROLES]


def who_went(visit: HomeVisit) -> str:
    """The programme page's "who went": staff by name and role, then the others as written."""
    names = visitors_shown(visit)
    if visit.other_visitors:
        names.append(visit.other_visitors)
    return ", ".join(names)


def neighbourhood_agencies(case: Case) -> QuerySet[Agency]:
    """The RTs that may be asked to confirm a visit: those of the family's kelurahan
    (all of them while the family's kelurahan is not known)."""
    agencies = Agency.objects.filter(kind="neighbourhood", is_active=True).order_by("name")
    home = case.child.kelurahan_id
    if home is not None:
        agencies = agencies.filter(region_id=home)
    return agencies


def enrolable_relatives(programme: ParentProgramme) -> list[PersonRelation]:
    """The child's relatives not yet taking part, adults first."""
    enrolled = programme.parents.values("person_id")
    return list(
        PersonRelation.objects.filter(child_id=programme.case.child_id)
        .exclude(relative_id__in=enrolled)
        .select_related("relative")
        .order_by("relative__full_name")
    )


def child_relatives(case: Case) -> list[PersonRelation]:
    return list(
        PersonRelation.objects.filter(child_id=case.child_id)
        .select_related("relative")
        .order_by("relative__full_name")
    )


# --- One programme ------------------------------------------------------------------


def programme_for_user(
    request: HttpRequest, programme_uuid: Any, *, need: str = DataClass.PROGRESS
) -> tuple[ParentProgramme, CaseAccess]:
    """Fetch and authorise in one step; missing and forbidden give the same 404."""
    key = parse_uuid(programme_uuid)
    programme = (
        ParentProgramme.objects.select_related(
            "case", "case__child", "case__owner", "facilitator", "facilitator__agency"
        )
        .filter(uuid=key)
        .first()
        if key is not None
        else None
    )
    access = case_access(request.user, programme.case) if programme is not None else None
    if programme is None or not policy.reads_programme(access) or access is None:
        _denied(request, programme)
    assert access is not None and programme is not None  # noqa: S101 - narrowed above
    if not access.can_read(need):
        _denied(request, programme)
    return programme, access


def record_missing(request: HttpRequest, programme: ParentProgramme) -> NoReturn:
    """A session, undertaking or referral not found under a programme the user may see:
    refused and logged like a missing programme, so probing ids leaves a trace."""
    _denied(request, programme)


def _denied(request: HttpRequest, programme: ParentProgramme | None) -> NoReturn:
    case = programme.case if programme is not None else None
    access_log_write(
        request,
        action=AccessAction.DENIED,
        cases=[(case.pk, case.number)] if case is not None else [],
    )
    raise Http404


def programme_log_view(
    request: HttpRequest,
    programme: ParentProgramme,
    access: CaseAccess,
    *,
    classes: set[DataClass] | None = None,
) -> None:
    """Log a programme page before it is built (fail-closed).

    By default the page shows progress, and names, notes and money when readable.
    """
    if classes is None:
        classes = {DataClass.BASIC, DataClass.PROGRESS}
        for extra in (DataClass.IDENTITY, DataClass.CLINICAL, DataClass.FINANCIAL):
            if access.can_read(extra):
                classes.add(extra)
    classes = {data_class for data_class in classes if access.can_read(data_class)}
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(programme.case.pk, programme.case.number)],
        data_classes=classes,
        via_break_glass=access.via_break_glass,
    )


def programme_facts(programmes: Sequence[ParentProgramme]) -> dict[int, ProgrammeFacts]:
    """What each programme's records add up to, in five queries however many there are."""
    ids = [programme.pk for programme in programmes]
    if not ids:
        return {}
    came = Exists(Attendance.objects.filter(session=OuterRef("pk"), attended=True))
    sessions = {
        row["programme_id"]: row
        for row in ProgrammeSession.objects.filter(programme_id__in=ids)
        .annotate(came=came)
        .order_by()
        .values("programme_id")
        .annotate(
            held=Count("pk", filter=Q(status=SessionStatus.HELD)),
            attended=Count("pk", filter=Q(status=SessionStatus.HELD, came=True)),
            upcoming=Count("pk", filter=Q(status=SessionStatus.PLANNED)),
        )
    }
    latest = HomeVisit.objects.filter(programme=OuterRef("pk")).order_by("-visited_on", "-id")
    visit_count = (
        HomeVisit.objects.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    visits = {
        row["pk"]: row
        for row in ParentProgramme.objects.filter(pk__in=ids)
        .annotate(
            visit_total=Subquery(visit_count[:1]),
            last_visit_on=Subquery(latest.values("visited_on")[:1]),
            last_visit_found_safe=Subquery(latest.values("found_safe")[:1]),
            last_visit_rt=Subquery(latest.values("rt_status")[:1]),
        )
        .values(
            "pk",
            "planned_sessions",
            "visit_total",
            "last_visit_on",
            "last_visit_found_safe",
            "last_visit_rt",
        )
    }
    undertakings = {
        row["programme_id"]: row
        for row in Undertaking.objects.filter(programme_id__in=ids)
        .order_by()
        .values("programme_id")
        .annotate(
            n=Count("pk"),
            kept=Count("pk", filter=Q(state=UndertakingState.KEPT)),
            last_signed_on=Max("signed_on"),
            last_broken_on=Max("state_on", filter=Q(state=UndertakingState.BROKEN)),
        )
    }
    support = {
        row["programme_id"]: row
        for row in SupportReferral.objects.filter(programme_id__in=ids)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"), granted=Count("pk", filter=Q(outcome=SupportOutcome.GRANTED)))
    }
    facts = {}
    for pk in ids:
        s, v = sessions.get(pk, {}), visits.get(pk, {})
        u, r = undertakings.get(pk, {}), support.get(pk, {})
        facts[pk] = ProgrammeFacts(
            planned=v.get("planned_sessions") or 0,
            held=s.get("held", 0),
            attended=s.get("attended", 0),
            upcoming=s.get("upcoming", 0),
            visits=v.get("visit_total") or 0,
            last_visit_on=v.get("last_visit_on"),
            last_visit_found_safe=v.get("last_visit_found_safe"),
            last_visit_rt=v.get("last_visit_rt") or "",
            undertakings=u.get("n", 0),
            undertakings_kept=u.get("kept", 0),
            last_signed_on=u.get("last_signed_on"),
            last_broken_on=u.get("last_broken_on"),
            support_referrals=r.get("n", 0),
            support_granted=r.get("granted", 0),
        )
    return facts


def current_programme(case: Case) -> ParentProgramme | None:
    """The running programme of the case, else its latest closed one."""
    return (
        ParentProgramme.objects.filter(case=case)
        .select_related("facilitator")
        .order_by("status", "-started_on", "-id")  # "active" sorts before "closed"
        .first()
    )


def _cached(request: HttpRequest | None, case: Case) -> dict[str, Any]:
    """One look-up of the case's programme and facts per request, shared by the sections."""
    cache: dict[int, dict[str, Any]] = getattr(request, "_families_case_cache", None) or {}
    if request is not None and not hasattr(request, "_families_case_cache"):
        request._families_case_cache = cache  # type: ignore[attr-defined]
    if case.pk not in cache:
        programme = current_programme(case)
        facts = programme_facts([programme]).get(programme.pk) if programme else None
        cache[case.pk] = {"programme": programme, "facts": facts}
    return cache[case.pk]


@dataclass(frozen=True)
class ProgrammePage:
    """What the programme page shows, each part only if the viewer may read it."""

    programme: ParentProgramme
    facts: ProgrammeFacts
    compliance: ComplianceResult
    parents: list[tuple[ProgrammeParent, str]]
    sessions: list[tuple[ProgrammeSession, list[tuple[str, bool]]]]
    visits: list[tuple[HomeVisit, str]]  # with who went, by name and role title
    undertakings: list[tuple[Undertaking, str]]
    support: list[SupportReferral] | None
    child_label: str


def parent_label(parent: ProgrammeParent, sees_names: bool) -> str:
    relation = str(Relation(parent.relation).label)
    return f"{parent.person.full_name} ({relation})" if sees_names else relation


def child_label(case: Case, access: CaseAccess) -> str:
    child = case.child
    if access.sees_identity:
        return child.full_name
    return f"{child.initials} ({child.age_label})"


def programme_page(programme: ParentProgramme, access: CaseAccess) -> ProgrammePage:
    """Everything of one programme the viewer may read (no whereabouts, for anyone)."""
    names = access.can_read(DataClass.IDENTITY)
    parents = list(programme.parents.select_related("person"))
    labels = {parent.pk: parent_label(parent, names) for parent in parents}
    sessions = list(programme.sessions.select_related("facilitator").prefetch_related("attendance"))
    rows = []
    for session in sessions:
        came = {row.parent_id: row.attended for row in session.attendance.all()}
        rows.append(
            (session, [(labels[pk], attended) for pk, attended in came.items() if pk in labels])
        )
    undertakings = list(programme.undertakings.prefetch_related("signed_by"))
    signed = [
        (item, ", ".join(labels.get(p.pk, "") for p in item.signed_by.all()))
        for item in undertakings
    ]
    facts = programme_facts([programme])[programme.pk]
    return ProgrammePage(
        programme=programme,
        facts=facts,
        compliance=derive_compliance(facts),
        parents=[(parent, labels[parent.pk]) for parent in parents],
        sessions=rows,
        visits=[
            (visit, who_went(visit))
            for visit in programme.visits.select_related("confirming_agency").prefetch_related(
                "visitors"
            )
        ],
        undertakings=signed,
        support=list(programme.support_referrals.select_related("to_agency"))
        if policy.reads_support(access)
        else None,
        child_label=child_label(programme.case, access),
    )


def session_of(programme: ParentProgramme, session_uuid: Any) -> ProgrammeSession | None:
    key = parse_uuid(session_uuid)
    return programme.sessions.filter(uuid=key).first() if key is not None else None


def undertaking_of(programme: ParentProgramme, undertaking_uuid: Any) -> Undertaking | None:
    key = parse_uuid(undertaking_uuid)
    return programme.undertakings.filter(uuid=key).first() if key is not None else None


def support_of(programme: ParentProgramme, referral_uuid: Any) -> SupportReferral | None:
    key = parse_uuid(referral_uuid)
    return programme.support_referrals.filter(uuid=key).first() if key is not None else None


def undertaking_for_download(
    request: HttpRequest, undertaking_uuid: Any
) -> tuple[Undertaking, CaseAccess]:
    """The undertaking whose scan the user may download (progress and identity on the case);
    else a logged 404. The caller opens the file, then logs the download."""
    key = parse_uuid(undertaking_uuid)
    undertaking = (
        Undertaking.objects.select_related("programme__case").filter(uuid=key).first()
        if key is not None
        else None
    )
    case = undertaking.programme.case if undertaking is not None else None
    access = case_access(request.user, case) if case is not None else None
    if undertaking is None or case is None or not policy.reads_parents(access):
        access_log_write(
            request,
            action=AccessAction.DENIED,
            cases=[(case.pk, case.number)] if case is not None else [],
        )
        raise Http404
    assert access is not None  # noqa: S101 - narrowed above
    return undertaking, access


def undertaking_log_download(
    request: HttpRequest, undertaking: Undertaking, access: CaseAccess
) -> None:
    """Log the scan's download once the file is open (fail-closed: no row, no file)."""
    case = undertaking.programme.case
    access_log_write(
        request,
        action=AccessAction.DOWNLOAD,
        cases=[(case.pk, case.number)],
        data_classes=[DataClass.IDENTITY],
        via_break_glass=access.via_break_glass,
    )


# --- The case page ------------------------------------------------------------------


def case_programme_section(
    request: HttpRequest, case: Case, access: CaseAccess
) -> dict[str, Any] | None:
    """The programme card on the case page: a fixed number of queries, whatever its size."""
    found = _cached(request, case)
    programme, facts = found["programme"], found["facts"]
    can_record = policy.records_programme(access)
    if programme is None:
        if not can_record or case.status == "closed":
            return None
        return {"programme": None, "can_record": True, "case": case}
    return {
        "programme": programme,
        "facts": facts,
        "compliance": derive_compliance(facts),
        "can_record": can_record and programme.status == ProgrammeStatus.ACTIVE,
        "reads_support": policy.reads_support(access),
        "case": case,
    }


def case_readiness_section(
    request: HttpRequest, case: Case, access: CaseAccess
) -> dict[str, Any] | None:
    found = _cached(request, case)
    if found["programme"] is None:
        return None
    return {"readiness": _readiness(case, found["programme"], found["facts"])}


# --- Reunification readiness ----------------------------------------------------------


class ReadinessItem(NamedTuple):
    code: str
    label: str
    met: bool
    detail: str


@dataclass(frozen=True)
class ReunificationReadiness:
    """Whether the child may go home, as far as the parents' side shows, and what is missing."""

    ready: bool
    items: list[ReadinessItem] = field(default_factory=list)

    @property
    def missing(self) -> list[ReadinessItem]:
        return [item for item in self.items if not item.met]


def reunification_readiness(case: Case) -> ReunificationReadiness:
    """The checklist a "return home" exit requires: the one entry point for later steps.

    Items: sessions attended against ``KAWAL_REUNIFICATION_MIN_SESSIONS``,
    undertakings kept, the last home visit found safe, and a safety/risk
    assessment signed within ``KAWAL_REUNIFICATION_ASSESSMENT_DAYS`` that is
    not high risk. Labels and details are in the active language.
    """
    programme = current_programme(case)
    facts = programme_facts([programme]).get(programme.pk) if programme else None
    return _readiness(case, programme, facts)


def _readiness(
    case: Case, programme: ParentProgramme | None, facts: ProgrammeFacts | None
) -> ReunificationReadiness:
    minimum = int(getattr(settings, "KAWAL_REUNIFICATION_MIN_SESSIONS", 4))
    none = _("No parent programme yet.")
    items = [
        _sessions_item(facts, minimum, none),
        _undertakings_item(facts, none),
        _visit_item(facts, none),
        _assessment_item(case),
    ]
    return ReunificationReadiness(ready=all(item.met for item in items), items=items)


def _sessions_item(facts: ProgrammeFacts | None, minimum: int, none: str) -> ReadinessItem:
    label = _("Parents attended at least %(minimum)s sessions") % {"minimum": minimum}
    if facts is None:
        return ReadinessItem("sessions", label, False, none)
    detail = _("%(attended)s of %(minimum)s attended.") % {
        "attended": facts.attended,
        "minimum": minimum,
    }
    return ReadinessItem("sessions", label, facts.attended >= minimum, detail)


def _undertakings_item(facts: ProgrammeFacts | None, none: str) -> ReadinessItem:
    label = _("Signed undertakings kept")
    if facts is None:
        return ReadinessItem("undertakings", label, False, none)
    if not facts.undertakings:
        return ReadinessItem("undertakings", label, False, _("No undertaking signed yet."))
    if facts.unresolved_breach and facts.last_broken_on is not None:
        detail = _("Broken on %(day)s; none signed since.") % {"day": _day(facts.last_broken_on)}
        return ReadinessItem("undertakings", label, False, detail)
    detail = _("%(count)s signed, none broken since.") % {"count": facts.undertakings}
    return ReadinessItem("undertakings", label, True, detail)


def _visit_item(facts: ProgrammeFacts | None, none: str) -> ReadinessItem:
    label = _("The last home visit found the home safe")
    if facts is None:
        return ReadinessItem("home_visit", label, False, none)
    if facts.last_visit_on is None:
        return ReadinessItem("home_visit", label, False, _("No home visit yet."))
    day = _day(facts.last_visit_on)
    if not facts.last_visit_found_safe:
        return ReadinessItem(
            "home_visit", label, False, _("%(day)s: the home was found unsafe.") % {"day": day}
        )
    if facts.last_visit_safe is False:
        return ReadinessItem(
            "home_visit",
            label,
            False,
            _("%(day)s: found safe, but the RT head disputed the visit.") % {"day": day},
        )
    if facts.last_visit_rt == RtConfirmation.CONFIRMED:
        detail = _("%(day)s: found safe, confirmed by the RT head.") % {"day": day}
    else:
        detail = _("%(day)s: found safe.") % {"day": day}
    return ReadinessItem("home_visit", label, True, detail)


def _signed_day(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _assessment_item(case: Case) -> ReadinessItem:
    days = int(getattr(settings, "KAWAL_REUNIFICATION_ASSESSMENT_DAYS", 30))
    label = _("A safety and risk assessment signed in the last %(days)s days, not high risk") % {
        "days": days
    }
    try:
        from kawal.assessments.selectors import latest_signed
    except ImportError:
        return ReadinessItem("assessment", label, False, _("Assessments are not available yet."))
    summary = latest_signed(case, SAFETY_RISK)
    if summary is None:
        return ReadinessItem(
            "assessment", label, False, _("No safety and risk assessment signed yet.")
        )
    signed = _signed_day(summary.signed_at)
    age = (timezone.localdate() - signed).days
    band = str(summary.band_label or summary.band_code)
    if age > days:
        detail = _("Signed on %(day)s, %(age)s days ago: too old.") % {
            "day": _day(signed),
            "age": age,
        }
        return ReadinessItem("assessment", label, False, detail)
    if not summary.band_code:
        detail = _("Signed on %(day)s, but too few answers to give a risk level.") % {
            "day": _day(signed)
        }
        return ReadinessItem("assessment", label, False, detail)
    detail = _("Signed on %(day)s: %(band)s.") % {"day": _day(signed), "band": band}
    # "high" means the home is not safe for the child yet.
    return ReadinessItem("assessment", label, summary.band_code in SAFE_BANDS, detail)


# --- Lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: ParentProgramme
    child_label: str
    compliance: ComplianceResult
    facts: ProgrammeFacts
    mine: bool


def programme_list(request: HttpRequest) -> list[ProgrammeRow]:
    """Programmes on the cases the user may read progress of; the user's own first. Logged."""
    user: Any = request.user
    programmes = list(
        ParentProgramme.objects.filter(case__in=cases_visible_to(user))
        .select_related("case", "case__child", "case__owner", "case__supervisor", "facilitator")
        .order_by("status", "-started_on", "-id")[:200]
    )
    accesses = case_access_bulk(user, [programme.case for programme in programmes])
    shown = [p for p in programmes if policy.reads_programme(accesses.get(p.case_id))]
    facts = programme_facts(shown)
    rows = [
        ProgrammeRow(
            programme=p,
            child_label=child_label(p.case, accesses[p.case_id]),
            compliance=derive_compliance(facts[p.pk]),
            facts=facts[p.pk],
            mine=p.facilitator_id == user.pk,
        )
        for p in shown
    ]
    rows.sort(key=lambda row: not row.mine)
    if rows:
        classes = {DataClass.BASIC, DataClass.PROGRESS}
        if any(accesses[row.programme.case_id].sees_identity for row in rows):
            classes.add(DataClass.IDENTITY)
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(row.programme.case.pk, row.programme.case.number) for row in rows],
            data_classes=classes,
        )
    return rows


# --- The RT head's list ------------------------------------------------------------------


@dataclass(frozen=True)
class RtVisitRow:
    """All the RT head learns of a visit: whose home, when, and who went (name and role)."""

    uuid: Any
    family: str
    visited_on: date
    visited_by: str


def _family_name(parents: list[ProgrammeParent]) -> str:
    ranked = sorted(
        parents,
        key=lambda p: (
            HEAD_OF_HOUSEHOLD.index(p.relation)
            if p.relation in HEAD_OF_HOUSEHOLD
            else len(HEAD_OF_HOUSEHOLD)
        ),
    )
    return ranked[0].person.full_name if ranked else ""


def _rt_visits(user: Any) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(
        confirming_agency_id=user.agency_id,
        rt_status=RtConfirmation.PENDING,
        programme__status=ProgrammeStatus.ACTIVE,
    )


def _rt_row(visit: HomeVisit) -> RtVisitRow:
    # Staff by name and role title: an office's name could tell the RT head where the
    # child is (an institution, the shelter) or that the police are involved.
    return RtVisitRow(
        uuid=visit.uuid,
        family=_family_name(list(visit.programme.parents.all())),
        visited_on=visit.visited_on,
        visited_by=", ".join(visitors_shown(visit)),
    )


def rt_pending_visits(request: HttpRequest) -> list[RtVisitRow]:
    """Visits the RT head's neighbourhood was asked to confirm, oldest first. Logged."""
    user: Any = request.user
    if not policy.confirms_home_visits(user):
        return []
    visits = list(
        _rt_visits(user)
        .select_related("programme__case")
        .prefetch_related("visitors", "programme__parents__person")
        .order_by("visited_on", "id")[:100]
    )
    if visits:
        # A parent's name is identity data of the family, whatever else stays closed.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(v.programme.case.pk, v.programme.case.number) for v in visits],
            data_classes=[DataClass.IDENTITY],
        )
    return [_rt_row(visit) for visit in visits]


def rt_pending_count(user: Any) -> int:
    if not policy.confirms_home_visits(user):
        return 0
    return _rt_visits(user).count()


def rt_visit_for_user(request: HttpRequest, visit_uuid: Any) -> tuple[HomeVisit, RtVisitRow]:
    """A visit waiting for this RT head; anything else is a 404."""
    user: Any = request.user
    key = parse_uuid(visit_uuid)
    visit = (
        _rt_visits(user)
        .select_related("programme__case")
        .prefetch_related("visitors", "programme__parents__person")
        .filter(uuid=key)
        .first()
        if key is not None and policy.confirms_home_visits(user)
        else None
    )
    if visit is None:
        access_log_write(request, action=AccessAction.DENIED)
        raise Http404
    case = visit.programme.case
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(case.pk, case.number)],
        data_classes=[DataClass.IDENTITY],
    )
    return visit, _rt_row(visit)


# --- Community sessions ------------------------------------------------------------------


def community_sessions(*, kelurahan: str = "") -> QuerySet[CommunitySession]:
    sessions = CommunitySession.objects.select_related("kelurahan").annotate(
        family_count=Count("families", distinct=True)
    )
    if kelurahan:
        sessions = sessions.filter(kelurahan_id=kelurahan)
    return sessions.order_by("-held_on", "-id")


def community_session_for_user(user: Any, session_uuid: Any) -> CommunitySession:
    if not policy.reads_community_sessions(user):
        raise Http404
    key = parse_uuid(session_uuid)
    session = (
        CommunitySession.objects.select_related("kelurahan", "created_by").filter(uuid=key).first()
        if key is not None
        else None
    )
    if session is None:
        raise Http404
    return session


def community_material_for_user(user: Any, material_uuid: Any) -> Any:
    from kawal.families.models import SessionMaterial

    if not policy.reads_community_sessions(user):
        raise Http404
    key = parse_uuid(material_uuid)
    material = (
        SessionMaterial.objects.exclude(storage_name="").filter(uuid=key).first()
        if key is not None
        else None
    )
    if material is None:
        raise Http404
    return material


@dataclass(frozen=True)
class FamilyRow:
    family: AtRiskFamily
    case: Case | None  # the linked person's case, only when the viewer sees its identity


def at_risk_families(
    request: HttpRequest, session: CommunitySession, facilitator_ids: set[int]
) -> list[FamilyRow] | None:
    """The families noted at a session, for who may read them (else None). Logged."""
    user: Any = request.user
    if not policy.reads_at_risk_families(user, session, facilitator_ids):
        return None
    families = list(session.families.select_related("person"))
    linked = {family.person_id for family in families if family.person_id}
    cases_by_person: dict[int, Case] = {}
    if linked:
        candidates = list(
            Case.objects.filter(
                Q(child_id__in=linked) | Q(child__relatives__relative_id__in=linked)
            )
            .select_related("child")
            .prefetch_related("child__relatives")
            .distinct()
        )
        accesses = case_access_bulk(user, candidates)
        for case in candidates:
            access = accesses.get(case.pk)
            if access is None or not access.sees_identity:
                continue
            people = {case.child_id} | {link.relative_id for link in case.child.relatives.all()}
            for person_id in people & linked:
                cases_by_person.setdefault(person_id, case)
    rows = [
        FamilyRow(family, cases_by_person.get(family.person_id) if family.person_id else None)
        for family in families
    ]
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(row.case.pk, row.case.number) for row in rows if row.case is not None],
        data_classes=[DataClass.IDENTITY],
    )
    return rows


def linkable_people(user: Any, session: CommunitySession) -> list[tuple[Person, str, Case]]:
    """Children and their relatives on cases in the session's kelurahan whose identity the user
    sees: whom an at-risk family may be linked to. Nobody else is offered, so the list tells
    nothing of children on files the user may not see."""
    cases = list(
        cases_visible_to(user)
        .filter(child__kelurahan_id=session.kelurahan_id)
        .select_related("child")
        .prefetch_related("child__relatives__relative")
        .order_by("child__full_name")[:200]
    )
    accesses = case_access_bulk(user, cases)
    options: list[tuple[Person, str, Case]] = []
    seen: set[int] = set()
    for case in cases:
        access = accesses.get(case.pk)
        if access is None or not access.sees_identity:
            continue
        child = case.child
        if child.pk not in seen:
            seen.add(child.pk)
            options.append((child, f"{child.full_name} · {case.number}", case))
        for link in child.relatives.all():
            if link.relative_id in seen:
                continue
            seen.add(link.relative_id)
            relation = str(Relation(link.relation).label)
            options.append(
                (link.relative, f"{link.relative.full_name} ({relation}) · {case.number}", case)
            )
    return options


@dataclass(frozen=True)
class KelurahanSessions:
    """Community sessions in one kelurahan: counts only, never a name."""

    code: str
    name: str
    latitude: Any
    longitude: Any
    sessions: int
    attendees: int
    by_group: dict[str, int]
    families_at_risk: int


def community_session_stats(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    kelurahan: Sequence[str] | None = None,
) -> list[KelurahanSessions]:
    """Sessions, attendance by sex and age band and families noted, per kelurahan.

    For the hotspot map's layer and the statistics of a later issue: numbers
    and the kelurahan only, in one query.
    """
    sessions = CommunitySession.objects.all()
    if date_from is not None:
        sessions = sessions.filter(held_on__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(held_on__lte=date_to)
    if kelurahan is not None:
        sessions = sessions.filter(kelurahan_id__in=list(kelurahan))
    families = (
        AtRiskFamily.objects.filter(session__kelurahan_id=OuterRef("kelurahan_id"))
        .filter(session__in=sessions)
        .order_by()
        .values("session__kelurahan_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        sessions.order_by()
        .values("kelurahan_id", "kelurahan__name", "kelurahan__latitude", "kelurahan__longitude")
        .annotate(
            sessions=Count("pk"),
            **{name: Sum(name) for name in ATTENDANCE_FIELDS},
            families_at_risk=Subquery(families[:1]),
        )
        .order_by("kelurahan_id")
    )
    return [
        KelurahanSessions(
            code=row["kelurahan_id"],
            name=row["kelurahan__name"],
            latitude=row["kelurahan__latitude"],
            longitude=row["kelurahan__longitude"],
            sessions=row["sessions"],
            attendees=sum(row[name] or 0 for name in ATTENDANCE_FIELDS),
            by_group={name: row[name] or 0 for name in ATTENDANCE_FIELDS},
            families_at_risk=row["families_at_risk"] or 0,
        )
        for row in rows
    ]


def community_kelurahan_list() -> list[KelurahanSessions]:
    """Every kelurahan with sessions, for the list page's overview."""
    return community_session_stats()
