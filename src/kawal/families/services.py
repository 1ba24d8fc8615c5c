"""Every write of parent programmes and community sessions.

Each function checks the policy (``kawal.families.policy``), validates,
writes in one transaction and records who did it: a typed event on the
child's case timeline for programme records (never naming a place where the
child is), an audit row for community sessions, which belong to no case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import AgencyKind, DataClass
from kawal.access.policy import reads_identity
from kawal.accounts.models import Agency, User
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.services import case_event_add, reminders_resolve
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.core.uploads import clean_upload, store_private
from kawal.families import policy
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
    SessionFormat,
    SessionKind,
    SessionMaterial,
    SessionStatus,
    SupportKind,
    SupportOutcome,
    SupportReferral,
    Undertaking,
    UndertakingState,
)
from kawal.families.reminders import HOME_VISIT_OVERDUE
from kawal.families.selectors import (
    facilitator_candidates,
    linkable_people,
    visitor_candidates,
)
from kawal.people.models import Person, PersonRelation
from kawal.regions.models import Region, RegionLevel

PR = DataClass.PROGRESS
FIN = DataClass.FINANCIAL

UNDERTAKING_ROOT = "families/undertakings"
MATERIAL_ROOT = "families/materials"
# Records are written soon after the fact; older dates are almost always typos.
MAX_PAST_DAYS = 730
MAX_AHEAD_DAYS = 366
MAX_TEXT = 4000
MAX_COUNT = 10_000
MAX_PLANNED_SESSIONS = 60
# Where a family is referred for economic support: offices that give it, never a
# child-care institution (whose name is where a placed child lives) or an RT.
SUPPORT_AGENCY_KINDS = (
    AgencyKind.DINAS_SOSIAL,
    AgencyKind.DP3AKB,
    AgencyKind.EDUCATION_OFFICE,
    AgencyKind.HEALTH,
    AgencyKind.OTHER,
)


def min_sessions() -> int:
    return int(getattr(settings, "KAWAL_REUNIFICATION_MIN_SESSIONS", 4))


def _today() -> date:
    return timezone.localdate()


def _past(value: date | None, field: str) -> date:
    if value is None:
        raise ValidationError({field: _("Give a date.")})
    today = _today()
    if value > today:
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value < today - timedelta(days=MAX_PAST_DAYS):
        raise ValidationError({field: _("Give a date within the last two years.")})
    return value


def _text(value: str, field: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(limit)s characters.") % {"limit": limit}})
    return text


def _access(user: Any, case: Case) -> CaseAccess:
    access = case_access(user, case)
    if access is None:
        raise PermissionDenied
    return access


def _recorder(user: Any, case: Case) -> CaseAccess:
    access = _access(user, case)
    if not policy.records_programme(access):
        raise PermissionDenied
    return access


def _running(programme: ParentProgramme) -> None:
    if programme.status != ProgrammeStatus.ACTIVE:
        raise ValidationError(_("This programme is closed; nothing more can be recorded in it."))


def _locked_programme(programme: ParentProgramme) -> ParentProgramme:
    current = ParentProgramme.objects.select_for_update().get(pk=programme.pk)
    _running(current)
    return current


def _event(case: Case, kind: str, actor: Any, data_class: str = PR, **payload: Any) -> None:
    case_event_add(case, kind, actor, data_class=data_class, **payload)


def _relatives(case: Case, people: Iterable[Person]) -> list[tuple[Person, str]]:
    """The chosen people with their relation to the child; each must be a relative."""
    relations = {
        link.relative_id: link.relation
        for link in PersonRelation.objects.filter(child_id=case.child_id)
    }
    chosen = []
    for person in people:
        if person.pk not in relations:
            raise ValidationError({"parents": _("Choose the child's parents or relatives.")})
        chosen.append((person, relations[person.pk]))
    return chosen


def _facilitator(case: Case, facilitator: User | None, acting_user: Any) -> User | None:
    if facilitator is None:
        return None
    allowed = {user.pk for user in facilitator_candidates(case)} | {acting_user.pk}
    if facilitator.pk not in allowed:
        raise ValidationError(
            {
                "facilitator": _(
                    "Choose a psychologist or social worker on the case team who sees "
                    "its care progress."
                )
            }
        )
    return facilitator


def _planned(value: int | None) -> int:
    if value is None or not 1 <= value <= MAX_PLANNED_SESSIONS:
        raise ValidationError(
            {
                "planned_sessions": _("Plan between 1 and %(max)s sessions.")
                % {"max": MAX_PLANNED_SESSIONS}
            }
        )
    return value


# --- The programme -------------------------------------------------------------


def programme_start(
    case: Case,
    *,
    facilitator: User | None,
    started_on: date,
    planned_sessions: int | None,
    goals: str,
    parents: list[Person],
    acting_user: Any,
) -> ParentProgramme:
    access = _recorder(acting_user, case)
    if parents and not access.can_read(DataClass.IDENTITY):
        raise PermissionDenied
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("The case is closed."))
    _past(started_on, "started_on")
    goals = _text(goals, "goals", required=False)
    planned = _planned(planned_sessions)
    chosen = _relatives(case, parents)
    facilitator = _facilitator(case, facilitator, acting_user)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if ParentProgramme.objects.filter(case=current, status=ProgrammeStatus.ACTIVE).exists():
            raise ValidationError(_("This case already has a running parent programme."))
        programme = ParentProgramme.objects.create(
            case=current,
            facilitator=facilitator,
            started_on=started_on,
            planned_sessions=planned,
            goals=goals,
            created_by=acting_user,
        )
        for person, relation in chosen:
            ProgrammeParent.objects.create(
                programme=programme, person=person, relation=relation, added_by=acting_user
            )
        _event(
            current,
            "families.programme_started",
            acting_user,
            started_on=started_on.isoformat(),
            parents=len(chosen),
        )
    return programme


def programme_update(
    programme: ParentProgramme,
    *,
    facilitator: User | None,
    planned_sessions: int | None,
    goals: str,
    expected_version: int,
    acting_user: Any,
) -> ParentProgramme:
    case = programme.case
    _recorder(acting_user, case)
    goals = _text(goals, "goals", required=False)
    planned = _planned(planned_sessions)
    facilitator = _facilitator(case, facilitator, acting_user)
    with transaction.atomic():
        current = ParentProgramme.objects.select_for_update().get(pk=programme.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        _running(current)
        changed = [
            name
            for name, value in (
                ("facilitator", facilitator),
                ("planned_sessions", planned),
                ("goals", goals),
            )
            if getattr(current, name) != value
        ]
        if not changed:
            return current
        current.facilitator = facilitator
        current.planned_sessions = planned
        current.goals = goals
        current.version += 1
        current.save()
        _event(case, "families.programme_updated", acting_user, fields=changed)
    return current


def programme_close(
    programme: ParentProgramme, *, reason: str, expected_version: int, acting_user: Any
) -> ParentProgramme:
    case = programme.case
    _recorder(acting_user, case)
    reason = _text(reason, "reason", required=True, limit=1000)
    with transaction.atomic():
        current = ParentProgramme.objects.select_for_update().get(pk=programme.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        _running(current)
        current.status = ProgrammeStatus.CLOSED
        current.closed_on = _today()
        current.closed_reason = reason
        current.version += 1
        current.save()
        _event(case, "families.programme_closed", acting_user)
    return current


def programme_parent_add(
    programme: ParentProgramme, *, person: Person, acting_user: Any
) -> ProgrammeParent:
    case = programme.case
    access = _recorder(acting_user, case)
    if not access.can_read(DataClass.IDENTITY):
        raise PermissionDenied
    [(person, relation)] = _relatives(case, [person])
    with transaction.atomic():
        current = _locked_programme(programme)
        if current.parents.filter(person=person).exists():
            raise ValidationError({"person": _("Already taking part in the programme.")})
        parent = ProgrammeParent.objects.create(
            programme=current, person=person, relation=relation, added_by=acting_user
        )
        _event(case, "families.parent_enrolled", acting_user, relation=relation)
    return parent


# --- Sessions ------------------------------------------------------------------


def _session_date(status: str, held_on: date | None) -> date:
    if held_on is None:
        raise ValidationError({"held_on": _("Give a date.")})
    if status == SessionStatus.HELD:
        return _past(held_on, "held_on")
    today = _today()
    if (
        not today - timedelta(days=MAX_PAST_DAYS)
        <= held_on
        <= today + timedelta(days=MAX_AHEAD_DAYS)
    ):
        raise ValidationError({"held_on": _("Give a date within a year of today.")})
    return held_on


def _attendance(session: ProgrammeSession, attended: Iterable[ProgrammeParent]) -> None:
    """One row per parent of the programme for a held session; none otherwise."""
    if session.status != SessionStatus.HELD:
        session.attendance.all().delete()
        return
    came = {parent.pk for parent in attended}
    parents = list(session.programme.parents.all())
    unknown = came - {parent.pk for parent in parents}
    if unknown:
        raise ValidationError({"attended": _("Choose among the parents in the programme.")})
    for parent in parents:
        Attendance.objects.update_or_create(
            session=session, parent=parent, defaults={"attended": parent.pk in came}
        )


def session_record(
    programme: ParentProgramme,
    *,
    kind: str,
    format: str,
    status: str,
    held_on: date | None,
    facilitator: User | None,
    topic: str,
    summary: str,
    clinical_note: str,
    attended: list[ProgrammeParent],
    acting_user: Any,
) -> ProgrammeSession:
    case = programme.case
    access = _recorder(acting_user, case)
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Choose the kind of session.")})
    if format not in SessionFormat.values:
        raise ValidationError({"format": _("Choose individual or group.")})
    if status not in SessionStatus.values:
        raise ValidationError({"status": _("Choose the status.")})
    held_on = _session_date(status, held_on)
    topic = _text(topic, "topic", required=True, limit=200)
    summary = _text(summary, "summary", required=False)
    clinical_note = _text(clinical_note, "clinical_note", required=False)
    if clinical_note and not policy.writes_clinical(access):
        raise PermissionDenied
    facilitator = _facilitator(case, facilitator, acting_user)
    with transaction.atomic():
        current = _locked_programme(programme)
        session = ProgrammeSession.objects.create(
            programme=current,
            kind=kind,
            format=format,
            status=status,
            held_on=held_on,
            facilitator=facilitator,
            topic=topic,
            summary=summary,
            clinical_note=clinical_note,
            recorded_by=acting_user,
        )
        _attendance(session, attended)
        _event(
            case,
            "families.session_recorded",
            acting_user,
            session_kind=kind,
            status=status,
            held_on=held_on.isoformat(),
        )
    return session


def session_update(
    session: ProgrammeSession,
    *,
    status: str,
    held_on: date | None,
    topic: str,
    summary: str,
    clinical_note: str | None,
    attended: list[ProgrammeParent],
    expected_version: int,
    acting_user: Any,
) -> ProgrammeSession:
    """Mark a planned session held (with who came) or cancelled, or correct it.

    ``clinical_note`` is None for an editor who may not write clinical notes:
    the note stays as it is, unseen.
    """
    case = session.programme.case
    access = _recorder(acting_user, case)
    if status not in SessionStatus.values:
        raise ValidationError({"status": _("Choose the status.")})
    held_on = _session_date(status, held_on)
    topic = _text(topic, "topic", required=True, limit=200)
    summary = _text(summary, "summary", required=False)
    if clinical_note is not None:
        if not policy.writes_clinical(access):
            raise PermissionDenied
        clinical_note = _text(clinical_note, "clinical_note", required=False)
    with transaction.atomic():
        _locked_programme(session.programme)
        current = ProgrammeSession.objects.select_for_update().get(pk=session.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        before = current.status
        current.status = status
        current.held_on = held_on
        current.topic = topic
        current.summary = summary
        if clinical_note is not None:
            current.clinical_note = clinical_note
        current.version += 1
        current.save()
        _attendance(current, attended)
        _event(
            case,
            "families.session_updated",
            acting_user,
            session_kind=current.kind,
            before=before,
            status=status,
            held_on=held_on.isoformat(),
        )
    return current


# --- Home visits ---------------------------------------------------------------


def _confirming(case: Case, agency: Agency | None) -> Agency | None:
    if agency is None:
        return None
    home = case.child.kelurahan_id
    if (
        agency.kind != AgencyKind.NEIGHBOURHOOD
        or not agency.is_active
        or (home is not None and agency.region_id != home)
    ):
        raise ValidationError(
            {"confirming_agency": _("Choose the RT of the family's neighbourhood.")}
        )
    return agency


def visit_record(
    programme: ParentProgramme,
    *,
    visited_on: date | None,
    visitors: list[User],
    other_visitors: str,
    findings: str,
    found_safe: bool | None,
    confirming_agency: Agency | None,
    acting_user: Any,
) -> HomeVisit:
    case = programme.case
    access = _recorder(acting_user, case)
    # Which RT the family lives in is identity data: only identity readers ask one.
    if confirming_agency is not None and not access.can_read(DataClass.IDENTITY):
        raise PermissionDenied
    visited_on = _past(visited_on, "visited_on")
    findings = _text(findings, "findings", required=True)
    other_visitors = _text(other_visitors, "other_visitors", required=False, limit=200)
    if found_safe is None:
        raise ValidationError({"found_safe": _("Say whether the home was found safe.")})
    allowed = {user.pk for user in visitor_candidates(case)} | {acting_user.pk}
    if not visitors and not other_visitors:
        raise ValidationError({"visitors": _("Say who went.")})
    if any(user.pk not in allowed for user in visitors):
        raise ValidationError(
            {"visitors": _("Choose among the staff on the case who run the parent programme.")}
        )
    agency = _confirming(case, confirming_agency)
    if agency is not None and not programme.parents.exists():
        raise ValidationError(
            {
                "confirming_agency": _(
                    "Add a parent to the programme first: the RT head recognises the family "
                    "by a parent's name."
                )
            }
        )
    with transaction.atomic():
        current = _locked_programme(programme)
        visit = HomeVisit.objects.create(
            programme=current,
            visited_on=visited_on,
            other_visitors=other_visitors,
            findings=findings,
            found_safe=found_safe,
            confirming_agency=agency,
            rt_status=RtConfirmation.PENDING if agency else RtConfirmation.NOT_ASKED,
            recorded_by=acting_user,
        )
        visit.visitors.set(visitors)
        # The visit settles the "home visit overdue" reminder of this programme;
        # if it is itself old, the rule reminds again on its own key.
        reminders_resolve(case, key_prefix=f"{HOME_VISIT_OVERDUE}:{current.uuid}:")
        _event(
            case,
            "families.visit_recorded",
            acting_user,
            visited_on=visited_on.isoformat(),
            found_safe=found_safe,
            rt_asked=agency is not None,
        )
    return visit


RT_OUTCOMES = (RtConfirmation.CONFIRMED, RtConfirmation.CONCERNS, RtConfirmation.NOT_CONFIRMED)


def visit_confirm(visit: HomeVisit, *, outcome: str, note: str, acting_user: Any) -> HomeVisit:
    """The RT head's confirmation of a home visit their neighbourhood was asked about.

    They read nothing of the case: the check is their capability and their
    agency, and the visit must still be waiting for them.
    """
    if not policy.confirms_home_visits(acting_user):
        raise PermissionDenied
    if visit.confirming_agency_id != acting_user.agency_id:
        raise PermissionDenied
    if outcome not in RT_OUTCOMES:
        raise ValidationError({"outcome": _("Choose one answer.")})
    note = _text(note, "note", required=outcome != RtConfirmation.CONFIRMED, limit=300)
    case = visit.programme.case
    with transaction.atomic():
        current = HomeVisit.objects.select_for_update().get(pk=visit.pk)
        if current.programme.status != ProgrammeStatus.ACTIVE:
            raise ValidationError(_("This programme is closed; the visit needs no answer."))
        if current.rt_status != RtConfirmation.PENDING:
            raise ValidationError(_("This visit was already answered."))
        current.rt_status = outcome
        current.rt_note = note
        current.rt_confirmed_by = acting_user
        current.rt_confirmed_at = timezone.now()
        current.save(
            update_fields=[
                "rt_status",
                "rt_note",
                "rt_confirmed_by",
                "rt_confirmed_at",
                "updated_at",
            ]
        )
        _event(
            case,
            "families.visit_confirmed",
            acting_user,
            visited_on=current.visited_on.isoformat(),
            outcome=outcome,
        )
    return current


# --- Undertakings --------------------------------------------------------------


def undertaking_record(
    programme: ParentProgramme,
    *,
    text: str,
    signed_on: date | None,
    signed_by: list[ProgrammeParent],
    upload: UploadedFile | None,
    acting_user: Any,
) -> Undertaking:
    case = programme.case
    access = _recorder(acting_user, case)
    # The scan carries the parents' names and signatures.
    if not access.can_read(DataClass.IDENTITY):
        raise PermissionDenied
    text = _text(text, "text", required=True)
    signed_on = _past(signed_on, "signed_on")
    if not signed_by:
        raise ValidationError({"signed_by": _("Say who signed.")})
    if any(parent.programme_id != programme.pk for parent in signed_by):
        raise ValidationError({"signed_by": _("Choose among the parents in the programme.")})
    if upload is None:
        raise ValidationError({"scan": _("Attach a photo or scan of the signed paper.")})
    clean = clean_upload(upload, max_bytes=settings.KAWAL_ATTACHMENT_MAX_MB * 1024 * 1024)
    with transaction.atomic():
        current = _locked_programme(programme)
        undertaking = Undertaking.objects.create(
            programme=current,
            text=text,
            signed_on=signed_on,
            scan_file=store_private(
                clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / UNDERTAKING_ROOT
            ),
            scan_content_type=clean.content_type,
            scan_size=clean.size,
            scan_sha256=clean.sha256,
            recorded_by=acting_user,
        )
        undertaking.signed_by.set(signed_by)
        _event(case, "families.undertaking_signed", acting_user, signed_on=signed_on.isoformat())
    return undertaking


NEXT_STATES = {
    UndertakingState.IN_FORCE: (UndertakingState.KEPT, UndertakingState.BROKEN),
    UndertakingState.KEPT: (UndertakingState.BROKEN,),
    UndertakingState.BROKEN: (),
}


def undertaking_set_state(
    undertaking: Undertaking,
    *,
    state: str,
    on: date | None,
    note: str,
    expected_version: int,
    acting_user: Any,
) -> Undertaking:
    case = undertaking.programme.case
    _recorder(acting_user, case)
    on = _past(on, "on")
    note = _text(note, "note", required=state == UndertakingState.BROKEN)
    with transaction.atomic():
        _locked_programme(undertaking.programme)
        current = Undertaking.objects.select_for_update().get(pk=undertaking.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if state not in NEXT_STATES[UndertakingState(current.state)]:
            raise ValidationError({"state": _("This undertaking cannot change that way.")})
        if on < current.signed_on:
            raise ValidationError({"on": _("The date cannot be before it was signed.")})
        current.state = state
        current.state_on = on
        current.state_note = note
        current.version += 1
        current.save()
        _event(case, f"families.undertaking_{state}", acting_user, on=on.isoformat())
    return current


# --- Referrals for economic support ---------------------------------------------


def support_refer(
    programme: ParentProgramme,
    *,
    kind: str,
    to_agency: Agency | None,
    to_other: str,
    referred_on: date | None,
    reason: str,
    acting_user: Any,
) -> SupportReferral:
    case = programme.case
    access = _access(acting_user, case)
    if not policy.records_support(access):
        raise PermissionDenied
    if kind not in SupportKind.values:
        raise ValidationError({"kind": _("Choose the kind of support.")})
    to_other = _text(to_other, "to_other", required=False, limit=200)
    if to_agency is None and not to_other:
        raise ValidationError({"to_agency": _("Say where the family was referred.")})
    if to_agency is not None and to_agency.kind not in SUPPORT_AGENCY_KINDS:
        raise ValidationError({"to_agency": _("Choose an office that gives economic support.")})
    referred_on = _past(referred_on, "referred_on")
    reason = _text(reason, "reason", required=True)
    with transaction.atomic():
        current = _locked_programme(programme)
        referral = SupportReferral.objects.create(
            programme=current,
            kind=kind,
            to_agency=to_agency,
            to_other=to_other,
            referred_on=referred_on,
            reason=reason,
            recorded_by=acting_user,
        )
        _event(case, "families.support_referred", acting_user, data_class=FIN, support=kind)
    return referral


def support_outcome(
    referral: SupportReferral,
    *,
    outcome: str,
    outcome_on: date | None,
    note: str,
    expected_version: int,
    acting_user: Any,
) -> SupportReferral:
    case = referral.programme.case
    access = _access(acting_user, case)
    if not policy.records_support(access):
        raise PermissionDenied
    if outcome not in SupportOutcome.values or outcome == SupportOutcome.PENDING:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    outcome_on = _past(outcome_on, "outcome_on")
    note = _text(note, "note", required=False)
    with transaction.atomic():
        current = SupportReferral.objects.select_for_update().get(pk=referral.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if outcome_on < current.referred_on:
            raise ValidationError({"outcome_on": _("The date cannot be before the referral.")})
        current.outcome = outcome
        current.outcome_on = outcome_on
        current.outcome_note = note
        current.version += 1
        current.save()
        _event(
            case,
            "families.support_outcome",
            acting_user,
            data_class=FIN,
            support=current.kind,
            outcome=outcome,
        )
    return current


# --- Community sessions ------------------------------------------------------------


def _rt(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if not text.isdigit() or len(text) > 3 or int(text) == 0:
        raise ValidationError({"rt": _("Give the RT number, e.g. 012.")})
    return f"{int(text):03d}"


def _counts(counts: Mapping[str, int | None]) -> dict[str, int]:
    cleaned = {}
    for name in ATTENDANCE_FIELDS:
        value = counts.get(name) or 0
        if not 0 <= value <= MAX_COUNT:
            raise ValidationError(
                {name: _("Give a number from 0 to %(max)s.") % {"max": MAX_COUNT}}
            )
        cleaned[name] = value
    return cleaned


def _community_fields(
    *,
    kelurahan: Region | None,
    rt: str,
    held_on: date | None,
    topic: str,
    venue: str,
    facilitators: list[User],
    other_facilitators: str,
    counts: Mapping[str, int | None],
    notes: str,
    acting_user: Any,
) -> dict[str, Any]:
    if kelurahan is None or kelurahan.level != RegionLevel.KELURAHAN:
        raise ValidationError({"kelurahan": _("Choose a kelurahan.")})
    fields: dict[str, Any] = {
        "kelurahan": kelurahan,
        "rt": _rt(rt),
        "held_on": _past(held_on, "held_on"),
        "topic": _text(topic, "topic", required=True, limit=200),
        "venue": _text(venue, "venue", required=False, limit=200),
        "other_facilitators": _text(
            other_facilitators, "other_facilitators", required=False, limit=300
        ),
        "notes": _text(notes, "notes", required=False),
        **_counts(counts),
    }
    chosen = list(facilitators) or [acting_user]
    if any(not user.is_active or not policy.records_community_sessions(user) for user in chosen):
        raise ValidationError(
            {"facilitators": _("Choose psychologists or social workers as facilitators.")}
        )
    fields["facilitators"] = chosen
    return fields


def community_session_create(
    *,
    kelurahan: Region | None,
    rt: str,
    held_on: date | None,
    topic: str,
    venue: str,
    facilitators: list[User],
    other_facilitators: str,
    counts: Mapping[str, int | None],
    notes: str,
    acting_user: Any,
    context: AuditContext | None = None,
) -> CommunitySession:
    if not policy.records_community_sessions(acting_user):
        raise PermissionDenied
    fields = _community_fields(
        kelurahan=kelurahan,
        rt=rt,
        held_on=held_on,
        topic=topic,
        venue=venue,
        facilitators=facilitators,
        other_facilitators=other_facilitators,
        counts=counts,
        notes=notes,
        acting_user=acting_user,
    )
    chosen = fields.pop("facilitators")
    with transaction.atomic():
        session = CommunitySession.objects.create(created_by=acting_user, **fields)
        session.facilitators.set(chosen)
        audit_record(
            "families.community_session_created",
            actor=acting_user,
            target=f"community_session:{session.uuid}",
            context=context,
            kelurahan=session.kelurahan_id,
        )
    return session


def _organiser(user: Any, session: CommunitySession) -> None:
    facilitators = set(session.facilitators.values_list("pk", flat=True))
    if not policy.organises_community_session(user, session, facilitators):
        raise PermissionDenied


def community_session_update(
    session: CommunitySession,
    *,
    kelurahan: Region | None,
    rt: str,
    held_on: date | None,
    topic: str,
    venue: str,
    facilitators: list[User],
    other_facilitators: str,
    counts: Mapping[str, int | None],
    notes: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> CommunitySession:
    _organiser(acting_user, session)
    fields = _community_fields(
        kelurahan=kelurahan,
        rt=rt,
        held_on=held_on,
        topic=topic,
        venue=venue,
        facilitators=facilitators,
        other_facilitators=other_facilitators,
        counts=counts,
        notes=notes,
        acting_user=acting_user,
    )
    chosen = fields.pop("facilitators")
    with transaction.atomic():
        current = CommunitySession.objects.select_for_update().get(pk=session.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        for name, value in fields.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        current.facilitators.set(chosen)
        audit_record(
            "families.community_session_updated",
            actor=acting_user,
            target=f"community_session:{current.uuid}",
            context=context,
        )
    return current


def community_material_add(
    session: CommunitySession,
    *,
    title: str,
    text: str,
    upload: UploadedFile | None,
    acting_user: Any,
    context: AuditContext | None = None,
) -> SessionMaterial:
    _organiser(acting_user, session)
    title = _text(title, "title", required=True, limit=150)
    text = _text(text, "text", required=False, limit=20_000)
    if not text and upload is None:
        raise ValidationError({"text": _("Attach a file or write the text of the material.")})
    clean = (
        clean_upload(upload, max_bytes=settings.KAWAL_ATTACHMENT_MAX_MB * 1024 * 1024)
        if upload is not None
        else None
    )
    with transaction.atomic():
        material = SessionMaterial(session=session, title=title, text=text, added_by=acting_user)
        if clean is not None:
            material.storage_name = store_private(
                clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / MATERIAL_ROOT
            )
            material.original_name = clean.original_name
            material.content_type = clean.content_type
            material.size = clean.size
            material.sha256 = clean.sha256
        material.save()
        audit_record(
            "families.community_material_added",
            actor=acting_user,
            target=f"community_session:{session.uuid}",
            context=context,
            material=str(material.uuid),
        )
    return material


def community_family_add(
    session: CommunitySession,
    *,
    family_name: str,
    rt: str,
    concern: str,
    person: Person | None,
    acting_user: Any,
    context: AuditContext | None = None,
) -> AtRiskFamily:
    _organiser(acting_user, session)
    if not reads_identity(acting_user):
        raise PermissionDenied
    family_name = _text(family_name, "family_name", required=True, limit=200)
    concern = _text(concern, "concern", required=True)
    rt = _rt(rt)
    if person is not None:
        allowed = {option.pk for option, _label, _case in linkable_people(acting_user, session)}
        if person.pk not in allowed:
            raise ValidationError({"person": _("Choose a person on a case you may see.")})
    with transaction.atomic():
        family = AtRiskFamily.objects.create(
            session=session,
            family_name=family_name,
            rt=rt,
            concern=concern,
            person=person,
            noted_by=acting_user,
        )
        # No name in the audit trail: it names the record, not the family.
        audit_record(
            "families.at_risk_family_noted",
            actor=acting_user,
            target=f"community_session:{session.uuid}",
            context=context,
            family=str(family.uuid),
            linked=person is not None,
        )
    return family
