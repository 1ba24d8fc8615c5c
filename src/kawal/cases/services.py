"""Every write to a case file: policy check, validation, one transaction, a timeline event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import Action, Capability, DataClass, data_class_of
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may, may_access_class, reads_cases
from kawal.accounts.models import Agency, User
from kawal.cases.extensions import Origin, attachable, registered_children
from kawal.cases.models import (
    AllegedPerpetrator,
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Attachment,
    BreakGlassGrant,
    Case,
    CaseClassification,
    CaseCounter,
    CaseEvent,
    CaseMember,
    CaseStatus,
    Note,
    NoteKind,
    PerpetratorRelation,
    Referral,
    ReferralStatus,
    RiskLevel,
    SharingBasis,
    Task,
    TaskStatus,
)
from kawal.cases.policy import CaseAccess, case_access
from kawal.core.models import StaleVersion
from kawal.core.uploads import clean_upload, store_private
from kawal.identity.index import identity_refresh, merge_lock, root_of
from kawal.identity.services import (
    cluster_cases,
    cluster_ids,
    intake_decision,
    join_registered,
    knows_identity_of,
    sighting_record,
)
from kawal.notify import workflow as notice
from kawal.notify.services import notify_users
from kawal.people.models import Household, Person, PersonAlias, PersonRelation

D = DataClass


def _access(user: Any, case: Case) -> CaseAccess:
    access = case_access(user, case)
    if access is None:
        raise PermissionDenied
    return access


def _require_write(access: CaseAccess, data_class: str) -> None:
    if not access.can_write(data_class):
        raise PermissionDenied


# --- Notifications -------------------------------------------------------------

# An agency-wide notice goes to at most this many of its people: enough for a
# desk, bounded so a large agency does not turn one referral into a mailing.
AGENCY_NOTICE_MAX = 20


def _agency_people(agency: Agency | None) -> list[User]:
    """The active users of an agency whose role works case files, the first ones by account."""
    if agency is None:
        return []
    people = User.objects.filter(agency=agency, is_active=True).order_by("pk")[:200]
    return [user for user in people if reads_cases(user)][:AGENCY_NOTICE_MAX]


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"case_uuid": case.uuid})


def _notify_task(task: Task, *, kind: str, acting_user: User | None) -> int:
    """The assignee, else the assigned agency's people, else (a reminder for nobody) the owner."""
    users: list[User] = []
    if task.assignee is not None:
        users = [task.assignee]
    elif task.assignee_agency_id is not None:
        users = _agency_people(task.assignee_agency)
    elif kind == notice.REMINDER:
        users = [task.case.owner]
    # Nobody needs telling about a task they gave themselves.
    return notify_users(
        users=[user for user in users if acting_user is None or user.pk != acting_user.pk],
        kind=kind,
        url=reverse("cases:my_tasks"),
        key=f"task:{task.uuid}:assigned",
        case_number=task.case.number,
    )


def case_event_add(
    case: Case, kind: str, actor: Any, *, data_class: str = D.BASIC, **payload: Any
) -> CaseEvent:
    """Append a typed event to a case's timeline, inside the caller's transaction.

    Apps above ``cases`` call this from their own services; how their kinds
    read is registered with ``kawal.cases.extensions``. A payload never holds
    more than the event's data class allows its readers to see.
    """
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, data_class=data_class, payload=payload
    )


_event = case_event_add


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _apply_changes(
    instance: Model, changes: dict[str, Any], allowed: set[str]
) -> dict[str, dict[str, list[str]]]:
    """Set fields and return the diff grouped by data class, for the history."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    diff: dict[str, dict[str, list[str]]] = {}
    for name, value in changes.items():
        before = getattr(instance, name)
        if before == value:
            continue
        model_field = instance._meta.get_field(name)
        diff.setdefault(data_class_of(model_field), {})[name] = [_display(before), _display(value)]
        setattr(instance, name, value)
    return diff


# --- Opening a case ----------------------------------------------------------


def case_number_next(year: int) -> str:
    """Draw the next number of the year; the counter row is locked until commit."""
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return settings.KAWAL_CASE_NUMBER_FORMAT.format(year=year, seq=counter.last)


CHILD_FIELDS = {
    "full_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "birth_date_documented",
    "age_min",
    "age_max",
    "place_of_birth",
    "nik_status",
    "nik",
    "nik_missing_reason",
    "kk_number",
    "school_name",
    "religion",
    "disability",
    "languages",
    "school_status",
    "kelurahan",
    "rt",
    "rw",
    "street",
}

CASE_BASIC_FIELDS = {
    "intake_channel",
    "risk_level",
    "risk_rationale",
    "supervisor",
    "sharing_basis",
    "sharing_basis_note",
}
CASE_INVESTIGATION_FIELDS = {
    "police_report_number",
    "legal_stage",
    "investigator",
    "parent_is_alleged_perpetrator",
}


@dataclass
class NewCase:
    child: dict[str, Any]
    aliases: list[str] = field(default_factory=list)
    intake_channel: str = "other"
    risk_level: str = RiskLevel.MEDIUM
    risk_rationale: str = ""
    forms: list[str] = field(default_factory=list)
    supervisor: User | None = None
    opened_on: date | None = None
    sibling_of: Case | None = None
    # Identity resolution at intake (kawal.identity.panel): an existing child
    # the user chose, or the candidates they were shown and why they declined.
    existing_child: Person | None = None
    parents: list[tuple[str, str]] = field(default_factory=list)  # (relation, name)
    candidates_shown: list[Any] = field(default_factory=list)  # (root id, Score, visible)
    new_child_reason: str = ""
    # What the case is opened from (a report, a child found on outreach ...),
    # as registered by those apps on the case file (kawal.cases.extensions).
    origins: list[Origin] = field(default_factory=list)
    # The existing child is one an origin registered already (a child found
    # in the street): the form's details complete that record.
    completes_existing: bool = False


def _validate_child(child: Person) -> None:
    from kawal.people.identity_numbers import parse_kk, parse_nik

    errors: dict[str, list[str]] = {}
    if child.nik_status == "known":
        try:
            child.nik = parse_nik(child.nik).nik
        except ValidationError as exc:
            errors["nik"] = exc.messages
    elif child.nik:
        errors["nik"] = [_("Choose 'Known' to record a NIK.")]
    elif child.nik_status == "none" and not child.nik_missing_reason:
        errors["nik_missing_reason"] = [_("Say why the child has no NIK.")]
    if child.kk_number:
        try:
            child.kk_number = parse_kk(child.kk_number).kk
        except ValidationError as exc:
            errors["kk_number"] = exc.messages
    if child.birth_date and child.birth_date > timezone.localdate():
        errors["birth_date"] = [_("The date of birth is in the future.")]
    if child.age_min is not None and child.age_max is not None and child.age_min > child.age_max:
        errors["age_max"] = [_("The age range is reversed.")]
    if child.birth_date is None and child.age_min is None:
        errors["age_min"] = [_("Give a date of birth or at least an estimated age.")]
    if errors:
        raise ValidationError(errors)


def case_open(new: NewCase, *, acting_user: User) -> Case:
    """Register a child and open their case, led by the acting user."""
    if not may(acting_user, Capability.OPEN_CASE):
        raise PermissionDenied
    if new.risk_level not in RiskLevel.values:
        raise ValidationError({"risk_level": _("Choose a risk level.")})
    declined_likely = [
        entry for entry in new.candidates_shown if entry[2] and entry[1].band == "likely"
    ]
    registers_new = new.existing_child is None or new.completes_existing
    if registers_new and declined_likely and not new.new_child_reason.strip():
        raise ValidationError(
            {"new_child_reason": _("Say why this is not the likely match shown.")}
        )
    with transaction.atomic():
        # The case number first: the counter row is then every opening's first
        # lock. Joining a capture's record to a known child locks the child's
        # earlier cases, and an opening for a brother or sister locks the case
        # it names after drawing its number; in the other order the two
        # deadlocked (PostgreSQL: "deadlock detected").
        opened_on = new.opened_on or timezone.localdate()
        number = case_number_next(opened_on.year)
        earlier: Case | None = None
        existing = new.existing_child
        # Records an origin registered (a child found in the street) that are
        # not the known child the user chose: the same child, joined below.
        joins = [
            child
            for child in registered_children(new.origins)
            if existing is not None and not new.completes_existing and child.pk != existing.pk
        ]
        if existing is not None:
            # The child's cluster is read to link the new case as a repeat: no
            # merge or undo may change it meanwhile (first, before any row lock);
            # joining a record to it is a merge, which takes the lock whole.
            merge_lock(shared=not joins)
            # Serialise openings for one child (double submits, two users at once),
            # and read the child as committed: an undo may have moved its root.
            existing = (
                Person.objects.select_for_update(no_key=True).filter(pk=existing.pk).first()
                or existing
            )
            # The root too: a reopen locks the root, and one open case per child
            # holds across the records merged into it.
            Person.objects.select_for_update(no_key=True).filter(pk=root_of(existing).pk).first()
        first_case = (
            new.completes_existing
            and existing is not None
            and not cluster_cases(root_of(existing).pk)
        )
        if existing is not None and not first_case:
            child, earlier = _found_again(existing, acting_user)
            _join_origins(joins, into=child, acting_user=acting_user)
        else:
            # A child only captured in the street so far gets their first case:
            # the form's details complete the record the capture began.
            child = existing or Person(is_child=True, created_by=acting_user)
            _apply_changes(child, new.child, CHILD_FIELDS)
            _validate_child(child)
            child.full_clean()
            child.save()
            household_sync(child)
            for alias in {a.strip() for a in new.aliases if a.strip()}:
                PersonAlias.objects.get_or_create(person=child, name=alias[:100])
            for relation, name in new.parents:
                if name.strip():
                    parent = Person.objects.create(
                        is_child=False, full_name=name.strip()[:200], created_by=acting_user
                    )
                    PersonRelation.objects.create(child=child, relative=parent, relation=relation)
            intake_decision(
                child=child,
                shown=new.candidates_shown,
                reason=new.new_child_reason,
                acting_user=acting_user,
            )
        case = Case(
            number=number,
            child=child,
            opened_on=opened_on,
            intake_channel=new.intake_channel,
            risk_level=new.risk_level,
            risk_rationale=new.risk_rationale,
            owner=acting_user,
            supervisor=new.supervisor,
            repeat_of=earlier,
        )
        for origin in new.origins:
            for name, value in origin.source.case_fields(origin.obj).items():
                setattr(case, name, value)
        if new.sibling_of is not None:
            from kawal.cases.models import FamilyGroup

            sibling_access = case_access(acting_user, new.sibling_of)
            if sibling_access is None or not sibling_access.can_write(D.BASIC):
                raise ValidationError({"sibling_case": _("You may not change that case.")})
            sibling = Case.objects.select_for_update().get(pk=new.sibling_of.pk)
            group = sibling.family_group or FamilyGroup.objects.create()
            if sibling.family_group_id is None:
                sibling.family_group = group
                sibling.version += 1
                sibling.save(update_fields=["family_group", "version"])
            case.family_group = group
        case.full_clean(exclude=["child", "owner"])
        if new.supervisor is not None and new.supervisor.pk == acting_user.pk:
            raise ValidationError({"supervisor": _("The supervisor must be someone else.")})
        if new.supervisor is not None and not may(new.supervisor, Capability.APPROVE):
            raise ValidationError({"supervisor": _("Choose a user with the supervisor role.")})
        if new.supervisor is not None and new.supervisor.agency_id != acting_user.agency_id:
            # A new case has no sharing basis yet.
            raise ValidationError(
                {"supervisor": _("Choose a supervisor of your own agency; share the case later.")}
            )
        case.save()
        for form in set(new.forms):
            CaseClassification.objects.create(case=case, form=form)
        _event(case, "case.opened", acting_user, number=case.number, forms=sorted(set(new.forms)))
        if new.sibling_of is not None:
            _event(new.sibling_of, "family.linked", acting_user, sibling=case.number)
            _event(case, "family.linked", acting_user, sibling=new.sibling_of.number)
        for origin in new.origins:
            origin.source.opened(origin.obj, case, acting_user)
        if existing is not None and not first_case and not registered_children(new.origins):
            # A known child found again, with no record of this sighting
            # registered yet (a capture's): how the form wrote them is kept.
            sighting_record(case=case, seen=new.child, aliases=new.aliases, acting_user=acting_user)
        if earlier is not None:
            _event(case, "case.repeat", acting_user, earlier=earlier.number)
            # The earlier case's manager learns the child was found again; the
            # number alone, as they may not be on the new case.
            _event(earlier, "case.found_again", acting_user, later=case.number)
    return case


def _found_again(existing: Person, acting_user: User) -> tuple[Person, Case | None]:
    """The child to open a new case for, and their latest earlier case."""
    root = root_of(existing)
    # Emergency access reads the child for a few hours; a case for them would last.
    if not knows_identity_of(acting_user, root.pk):
        raise PermissionDenied
    cases = cluster_cases(root.pk)
    still_open = [case for case in cases if case.status != CaseStatus.CLOSED]
    if still_open:
        # The number only for who may see that case.
        if case_access(acting_user, still_open[-1]) is not None:
            raise ValidationError(
                _("This child already has an open case (%(number)s); add to it instead.")
                % {"number": still_open[-1].number}
            )
        raise ValidationError(
            _("This child already has an open case held by %(name)s; ask them.")
            % {"name": still_open[-1].owner.get_full_name()}
        )
    return root, (cases[-1] if cases else None)


# --- Editing -----------------------------------------------------------------


def case_update(
    case: Case, *, expected_version: int, changes: dict[str, Any], acting_user: User
) -> Case:
    """Change case facts; each field needs write access to its data class."""
    access = _access(acting_user, case)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        diff = _apply_changes(current, changes, CASE_BASIC_FIELDS | CASE_INVESTIGATION_FIELDS)
        for data_class in diff:
            _require_write(access, data_class)
        # Who supervises the case and on what basis it is shared decide who
        # sees it: only those leading the case may change those facts.
        if D.BASIC in diff and not access.leads:
            raise PermissionDenied
        new_supervisor = changes.get("supervisor")
        if new_supervisor is not None and new_supervisor.pk != case.supervisor_id:
            if not may(new_supervisor, Capability.APPROVE):
                raise ValidationError({"supervisor": _("Choose a user with the supervisor role.")})
            if new_supervisor.pk == current.owner_id:
                raise ValidationError({"supervisor": _("The supervisor must be someone else.")})
            _require_sharing(current, new_supervisor.agency, field="supervisor")
        new_investigator = changes.get("investigator")
        if new_investigator is not None and not may(
            new_investigator, Capability.RECORD_INVESTIGATION
        ):
            raise ValidationError({"investigator": _("Choose a police investigator.")})
        if current.risk_level == RiskLevel.HIGH and not current.risk_rationale.strip():
            raise ValidationError({"risk_rationale": _("Explain why the risk is high.")})
        if not diff:
            return current
        current.version += 1
        current.save()
        for data_class, fields in diff.items():
            _event(current, "case.updated", acting_user, data_class=data_class, changes=fields)
    return current


def child_update(
    case: Case,
    *,
    expected_version: int,
    changes: dict[str, Any],
    aliases: list[str] | None,
    acting_user: User,
) -> Person:
    access = _access(acting_user, case)
    with transaction.atomic():
        child = Person.objects.select_for_update(no_key=True).get(pk=case.child_id)
        if child.version != expected_version:
            raise StaleVersion(child)
        diff = _apply_changes(child, changes, CHILD_FIELDS)
        for data_class in diff:
            _require_write(access, data_class)
        _validate_child(child)
        child.full_clean()
        if aliases is not None:
            _require_write(access, D.IDENTITY)
            wanted = {a.strip()[:100] for a in aliases if a.strip()}
            existing = set(child.aliases.values_list("name", flat=True))
            if wanted != existing:
                child.aliases.exclude(name__in=wanted).delete()
                for name in wanted - existing:
                    PersonAlias.objects.create(person=child, name=name)
                diff.setdefault(D.IDENTITY, {})["aliases"] = [
                    ", ".join(sorted(existing)) or "—",
                    ", ".join(sorted(wanted)) or "—",
                ]
        if not diff:
            return child
        child.version += 1
        child.save()
        household_sync(child)
        identity_refresh(child)
        for data_class, fields in diff.items():
            _event(case, "child.updated", acting_user, data_class=data_class, changes=fields)
    return child


def household_sync(person: Person) -> None:
    """Put a person on the household of their family card (KK), creating it when new."""
    # A person is on one family card at a time: leaving the old one is part of the change.
    for old in person.households.exclude(kk_number=person.kk_number):
        old.members.remove(person)
    if not person.kk_number:
        return
    household, _created = Household.objects.get_or_create(
        kk_number=person.kk_number, defaults={"kelurahan": person.kelurahan}
    )
    household.members.add(person)


RELATIVE_FIELDS = {
    "full_name",
    "sex",
    "nik",
    "kk_number",
    "phone",
    "occupation",
    "kelurahan",
    "rt",
    "rw",
    "street",
}


def _validate_relative(relative: Person) -> None:
    from kawal.people.identity_numbers import parse_kk, parse_nik

    if relative.nik:
        try:
            relative.nik = parse_nik(relative.nik).nik
            relative.nik_status = "known"
        except ValidationError as exc:
            raise ValidationError({"nik": exc.messages}) from exc
    if relative.kk_number:
        try:
            relative.kk_number = parse_kk(relative.kk_number).kk
        except ValidationError as exc:
            raise ValidationError({"kk_number": exc.messages}) from exc
    relative.full_clean()


def relative_add(
    case: Case, *, person: dict[str, Any], relation: str, is_guardian: bool, acting_user: User
) -> PersonRelation:
    _require_write(_access(acting_user, case), D.IDENTITY)
    with transaction.atomic():
        relative = Person(is_child=False, created_by=acting_user, age_min=18)
        _apply_changes(relative, person, RELATIVE_FIELDS)
        _validate_relative(relative)
        relative.save()
        household_sync(relative)
        link = PersonRelation.objects.create(
            child_id=case.child_id, relative=relative, relation=relation, is_guardian=is_guardian
        )
        identity_refresh(case.child)
        _event(case, "relative.added", acting_user, data_class=D.IDENTITY, relation=relation)
    return link


def relative_update(
    case: Case,
    link: PersonRelation,
    *,
    expected_version: int,
    person: dict[str, Any],
    relation: str,
    is_guardian: bool,
    acting_user: User,
) -> PersonRelation:
    """Correct a relative's details; the old and new values go into the case history."""
    _require_write(_access(acting_user, case), D.IDENTITY)
    if link.child_id != case.child_id:
        raise PermissionDenied
    with transaction.atomic():
        relative = Person.objects.select_for_update(no_key=True).get(pk=link.relative_id)
        if relative.version != expected_version:
            raise StaleVersion(relative)
        diff = _apply_changes(relative, person, RELATIVE_FIELDS)
        if relative.nik and relative.nik_status != "known":
            relative.nik_status = "known"
        _validate_relative(relative)
        current = PersonRelation.objects.select_for_update().get(pk=link.pk)
        for name, value in (("relation", relation), ("is_guardian", is_guardian)):
            if getattr(current, name) != value:
                diff.setdefault(D.IDENTITY, {})[name] = [
                    _display(getattr(current, name)),
                    _display(value),
                ]
                setattr(current, name, value)
        if not diff:
            return current
        relative.version += 1
        relative.save()
        current.save()
        household_sync(relative)
        identity_refresh(case.child)
        for data_class, fields in diff.items():
            _event(case, "relative.updated", acting_user, data_class=data_class, changes=fields)
    return current


def perpetrator_add(
    case: Case, *, person: Person, relationship: str, acting_user: User
) -> AllegedPerpetrator:
    _require_write(_access(acting_user, case), D.INVESTIGATION)
    if relationship not in PerpetratorRelation.values:
        raise ValidationError({"relationship": _("Choose a relationship.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if AllegedPerpetrator.objects.filter(case=current, person=person).exists():
            raise ValidationError({"person": _("This person is already recorded.")})
        record = AllegedPerpetrator.objects.create(
            case=current, person=person, relationship=relationship
        )
        is_parent = relationship == PerpetratorRelation.ORANG_TUA
        if is_parent and not current.parent_is_alleged_perpetrator:
            current.parent_is_alleged_perpetrator = True
            current.version += 1
            current.save(update_fields=["parent_is_alleged_perpetrator", "version", "updated_at"])
            _event(
                current,
                "case.updated",
                acting_user,
                data_class=D.INVESTIGATION,
                changes={"parent_is_alleged_perpetrator": [_display(False), _display(True)]},
            )
        _event(
            case,
            "perpetrator.added",
            acting_user,
            data_class=D.INVESTIGATION,
            relationship=relationship,
        )
    return record


# --- Workflow ----------------------------------------------------------------

S = CaseStatus

# from -> allowed destinations. Guards below say what else each move needs.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.IDENTIFIED: (S.ASSESSMENT, S.INTERVENTION),
    S.ASSESSMENT: (S.PLAN,),
    S.PLAN: (S.INTERVENTION, S.ASSESSMENT),
    S.INTERVENTION: (S.REINTEGRATION, S.PLAN),
    S.REINTEGRATION: (S.MONITORING, S.INTERVENTION),
    S.MONITORING: (S.CLOSED, S.INTERVENTION),
    S.CLOSED: (S.ASSESSMENT,),
}


def _approved(case: Case, kind: str) -> Approval | None:
    latest = case.approvals.filter(kind=kind).order_by("-created_at", "-id").first()
    return latest if latest is not None and latest.status == ApprovalStatus.APPROVED else None


def transition_problems(case: Case, target: str, *, reason: str) -> list[str]:
    """Why the move is not allowed now; empty when it is."""
    if target not in TRANSITIONS.get(case.status, ()):
        return [_("A case cannot move from this status to that one.")]
    problems: list[str] = []
    if case.status == S.IDENTIFIED and target == S.INTERVENTION:
        # Emergency protection before assessment, for high-risk cases only.
        if case.risk_level != RiskLevel.HIGH:
            problems.append(
                _("Only a high-risk case may get emergency protection before assessment.")
            )
        if not reason.strip():
            problems.append(_("Give the reason for emergency protection."))
    needs_assessment = target == S.PLAN and case.status == S.ASSESSMENT
    if needs_assessment and not case.notes.filter(kind=NoteKind.ASSESSMENT).exists():
        problems.append(_("A plan needs an assessment: record one first."))
    if (
        case.status == S.PLAN
        and target == S.INTERVENTION
        and _approved(case, ApprovalKind.PLAN) is None
    ):
        problems.append(_("The case plan must be approved by the supervisor first."))
    if target == S.CLOSED:
        if not reason.strip():
            problems.append(_("Give the reason for closing."))
        if _approved(case, ApprovalKind.CLOSURE) is None:
            problems.append(_("Closing needs the supervisor's approval."))
    if case.status == S.CLOSED and not reason.strip():
        problems.append(_("Give the reason for reopening."))
    return problems


def case_transition(case: Case, *, target: str, reason: str, acting_user: User) -> Case:
    access = _access(acting_user, case)
    if not access.leads:
        raise PermissionDenied
    with transaction.atomic():
        # A reopen reads the child's other cases; opening a case for a child
        # found again locks the child before naming the closed case in a new
        # row, so this takes the child first too (else the two deadlock). No
        # key update: writers that lock the case first and then insert a row
        # naming the child (a key-share lock: an enrolment) are not blocked.
        merge_lock(shared=True)
        root = root_of(Person.objects.get(pk=case.child_id))
        Person.objects.select_for_update(no_key=True).filter(pk=root.pk).first()
        current = Case.objects.select_for_update().get(pk=case.pk)
        problems = transition_problems(current, target, reason=reason)
        if problems:
            raise ValidationError(problems)
        if current.status == S.CLOSED:
            _require_no_other_open_case(current)
        previous = current.status
        current.status = target
        if target == S.CLOSED:
            current.closed_reason = reason
            current.closed_on = timezone.localdate()
        if previous == S.IDENTIFIED and target == S.INTERVENTION:
            current.emergency_protection = True
        if previous == S.CLOSED:
            current.closed_on = None
        current.version += 1
        current.save()
        kind = "case.reopened" if previous == S.CLOSED else "case.status_changed"
        _event(current, kind, acting_user, before=previous, after=target, reason=reason)
    return current


def case_reopen_found_again(
    case: Case,
    *,
    reason: str,
    origins: list[Origin],
    acting_user: User,
    seen: dict[str, Any] | None = None,
    aliases: list[str] | None = None,
) -> Case:
    """Reopen a closed case for its child found again, from the case-opening form.

    A record an origin registered (a child found in the street) is the same
    child: joined to them, as ``case_open`` does when a new case is opened
    for a known child, and the origin is told the case, all in one
    transaction. Without one, how the form wrote the child (``seen``,
    ``aliases``) is kept as a sighting, as ``case_open`` keeps it.
    """
    registered = registered_children(origins)
    with transaction.atomic():
        # Joining is a merge: the lock whole, first (the transition takes it shared again).
        if registered:
            merge_lock()
        reopened = case_transition(
            case, target=S.ASSESSMENT, reason=reason, acting_user=acting_user
        )
        root = root_of(Person.objects.get(pk=reopened.child_id))
        reason = _("The known child's closed case was reopened for this record of a child found.")
        _join_origins(registered, into=root, acting_user=acting_user, reason=reason)
        if seen and not registered:
            sighting_record(
                case=reopened, seen=seen, aliases=aliases or [], acting_user=acting_user
            )
        for origin in origins:
            origin.source.opened(origin.obj, reopened, acting_user)
    return reopened


def case_attach_found_again(case: Case, *, origins: list[Origin], acting_user: User) -> Case:
    """Add what the case-opening form was opened from to the child's open case.

    The user chose a known child who has an open case, which a second case
    may not repeat. A record an origin registered (a child found in the
    street) is joined to that child, as ``case_open`` does, and each origin
    is told the case, in one transaction. The user must know the child's
    identity through the case itself: the origin's details go onto it.
    """
    if not attachable(origins):
        raise ValidationError(_("This cannot be added to an open case."))
    with transaction.atomic():
        # Joining is a merge: the lock whole, first; then the child, then the case.
        merge_lock()
        root = root_of(Person.objects.get(pk=case.child_id))
        Person.objects.select_for_update(no_key=True).filter(pk=root.pk).first()
        current = Case.objects.select_for_update().get(pk=case.pk)
        access = case_access(acting_user, current)
        if access is None or not access.knows_identity:
            raise PermissionDenied
        if current.status == S.CLOSED:
            raise ValidationError(_("That case was closed meanwhile. Check the matches again."))
        reason = _("The known child's open case was chosen for this record of a child found.")
        _join_origins(
            registered_children(origins), into=root, acting_user=acting_user, reason=reason
        )
        for origin in origins:
            if (attached := origin.source.attached) is not None:  # every one: attachable()
                attached(origin.obj, current, acting_user)
    return current


def _join_origins(
    registered: list[Person], *, into: Person, acting_user: User, reason: str = ""
) -> None:
    """Join each record an origin registered to the child chosen (a root), or refuse.

    ``join_registered`` leaves a record that has a case of its own to the
    review queue, as its manager has a say. The origin would then land on
    another child's case with no merge an undo could take back, so the whole
    opening is refused instead, in the caller's transaction.
    """
    for child in registered:
        join_registered(registered=child, into=into, acting_user=acting_user, reason=reason)
        if root_of(Person.objects.get(pk=child.pk)).pk != into.pk:
            raise ValidationError(
                _(
                    "The child found is on file with a case of their own. Ask a reviewer "
                    "of duplicates whether they are the same child."
                )
            )


def _require_no_other_open_case(case: Case) -> None:
    """One open case per child, across records merged into one child too.

    The caller holds the child's root record locked, as every case opening does.
    """
    others = Case.objects.filter(child_id__in=cluster_ids(root_of(case.child).pk)).exclude(
        pk=case.pk
    )
    if others.exclude(status=S.CLOSED).exists():
        raise ValidationError(_("This child has another open case; it cannot be reopened."))


def approval_request(case: Case, *, kind: str, comment: str, acting_user: User) -> Approval:
    access = _access(acting_user, case)
    if not access.leads:
        raise PermissionDenied
    if kind not in ApprovalKind.values:
        raise ValidationError(_("Unknown approval."))
    if case.supervisor_id is None:
        raise ValidationError(_("Assign a supervisor to the case first."))
    with transaction.atomic():
        if case.approvals.filter(kind=kind, status=ApprovalStatus.REQUESTED).exists():
            raise ValidationError(_("An approval of this kind is already waiting."))
        approval = Approval.objects.create(
            case=case, kind=kind, request_comment=comment, requested_by=acting_user
        )
        _event(case, "approval.requested", acting_user, approval=kind)
        notify_users(
            users=[case.supervisor],
            kind=notice.APPROVAL_REQUESTED,
            url=_case_url(case),
            key=f"approval:{approval.uuid}:requested",
            case_number=case.number,
        )
    return approval


def approval_decide(
    approval: Approval, *, approve: bool, comment: str, acting_user: User
) -> Approval:
    access = _access(acting_user, approval.case)
    if not access.approves:
        raise PermissionDenied
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what must change before approval.")})
    with transaction.atomic():
        current = Approval.objects.select_for_update().get(pk=approval.pk)
        if current.status != ApprovalStatus.REQUESTED:
            raise ValidationError(_("This approval was already decided."))
        if current.requested_by_id == acting_user.pk:
            raise PermissionDenied  # four eyes: nobody approves their own request
        current.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.RETURNED
        current.decided_by = acting_user
        current.decision_comment = comment
        current.decided_at = timezone.now()
        current.save()
        _event(
            current.case,
            "approval.approved" if approve else "approval.returned",
            acting_user,
            approval=current.kind,
            comment=comment,
        )
        notify_users(
            users=[current.requested_by],
            kind=notice.APPROVAL_DECIDED,
            url=_case_url(current.case),
            key=f"approval:{current.uuid}:decided",
            case_number=current.case.number,
        )
    return current


# --- Team, referral, transfer ------------------------------------------------


def _require_sharing(case: Case, agency: Agency | None, *, field: str | None = None) -> None:
    if not _sharing_allowed(case, agency):
        message = _(
            "Record the consent or legal basis for sharing before involving another agency."
        )
        raise ValidationError({field: message} if field else message)


def _sharing_allowed(case: Case, agency: Agency | None) -> bool:
    """Sharing outside the owner's agency needs a recorded consent or legal basis."""
    # Read the basis as stored now, not as the caller's copy remembers it.
    case = Case.objects.select_related("owner").get(pk=case.pk)
    owner_agency_id = case.owner.agency_id
    if agency is not None and agency.pk == owner_agency_id:
        return True
    return case.sharing_basis != SharingBasis.NONE


def _granted(data_classes: list[str]) -> list[str]:
    unknown = set(data_classes) - set(DataClass.values)
    if unknown:
        raise ValidationError({"data_classes": _("Unknown data class.")})
    return sorted(set(data_classes) | {D.BASIC})


def member_add(
    case: Case,
    *,
    user: User | None = None,
    agency: Agency | None = None,
    case_role: str,
    data_classes: list[str],
    acting_user: User,
) -> CaseMember:
    access = _access(acting_user, case)
    if not access.leads:
        raise PermissionDenied
    if (user is None) == (agency is None):
        raise ValidationError(_("Add either a person or an agency."))
    target_agency = agency or (user.agency if user is not None else None)
    if user is not None and not user.is_active:
        raise ValidationError({"user": _("This account is deactivated.")})
    if not _sharing_allowed(case, target_agency):
        raise ValidationError(
            _("Record the consent or legal basis for sharing before adding another agency.")
        )
    with transaction.atomic():
        live = CaseMember.objects.filter(case=case, removed_at__isnull=True)
        if live.filter(user=user, agency=agency).exists():
            raise ValidationError(_("Already on the team."))
        member = CaseMember.objects.create(
            case=case,
            user=user,
            agency=agency,
            case_role=case_role.strip()[:100] or "-",
            data_classes=_granted(data_classes),
            added_by=acting_user,
        )
        _event(
            case,
            "team.added",
            acting_user,
            member=str(user or agency),
            role=member.case_role,
            data_classes=member.data_classes,
        )
    return member


def member_remove(member: CaseMember, *, acting_user: User) -> None:
    access = _access(acting_user, member.case)
    if not access.leads:
        raise PermissionDenied
    with transaction.atomic():
        updated = CaseMember.objects.filter(pk=member.pk, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_by=acting_user
        )
        if updated:
            _event(
                member.case, "team.removed", acting_user, member=str(member.user or member.agency)
            )


def referral_request(
    case: Case, *, to_agency: Agency, data_classes: list[str], reason: str, acting_user: User
) -> Referral:
    access = _access(acting_user, case)
    if not access.leads:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the referral.")})
    if not _sharing_allowed(case, to_agency):
        raise ValidationError(
            _("Record the consent or legal basis for sharing before referring to another agency.")
        )
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            to_agency=to_agency,
            data_classes=_granted(data_classes),
            reason=reason,
            requested_by=acting_user,
        )
        _event(case, "referral.requested", acting_user, agency=str(to_agency))
        notify_users(
            users=_agency_people(to_agency),
            kind=notice.REFERRAL_RECEIVED,
            url=reverse("cases:referral_inbox"),
            key=f"referral:{referral.uuid}",
            case_number=case.number,
        )
    return referral


def referral_decide(
    referral: Referral, *, accept: bool, reason: str, acting_user: User
) -> Referral:
    """Someone of the receiving agency accepts or declines (with a reason)."""
    if acting_user.agency_id != referral.to_agency_id or not may_access_class(
        acting_user, Action.READ, D.BASIC
    ):
        raise PermissionDenied
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for declining.")})
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status != ReferralStatus.REQUESTED:
            raise ValidationError(_("This referral was already decided."))
        current.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
        current.decided_by = acting_user
        current.decision_reason = reason
        current.decided_at = timezone.now()
        current.save()
        _event(
            current.case,
            "referral.accepted" if accept else "referral.declined",
            acting_user,
            agency=str(current.to_agency),
            reason=reason,
        )
    return current


def case_transfer(case: Case, *, new_owner: User, acting_user: User) -> Case:
    access = _access(acting_user, case)
    if not access.leads:
        raise PermissionDenied
    if not (new_owner.is_active and may(new_owner, Capability.OPEN_CASE)):
        raise ValidationError({"new_owner": _("Choose an active case manager.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        _require_sharing(current, new_owner.agency, field="new_owner")
        previous = current.owner
        current.owner = new_owner
        current.version += 1
        current.save()
        _event(current, "case.transferred", acting_user, before=str(previous), after=str(new_owner))
    return current


# --- Tasks -------------------------------------------------------------------


def task_create(
    case: Case,
    *,
    title: str,
    assignee: User | None,
    assignee_agency: Agency | None,
    due_on: date | None,
    acting_user: User,
) -> Task:
    _require_write(_access(acting_user, case), D.BASIC)
    if not title.strip():
        raise ValidationError({"title": _("Say what has to be done.")})
    if assignee is not None and case_access(assignee, case) is None:
        raise ValidationError({"assignee": _("That person is not on the case team.")})
    with transaction.atomic():
        task = Task.objects.create(
            case=case,
            title=title.strip()[:200],
            assignee=assignee,
            assignee_agency=assignee_agency,
            due_on=due_on,
            created_by=acting_user,
        )
        _event(case, "task.created", acting_user, title=task.title)
        _notify_task(task, kind=notice.TASK_ASSIGNED, acting_user=acting_user)
    return task


def task_remind(
    case: Case,
    *,
    key: str,
    title: str,
    assignee: User | None = None,
    assignee_agency: Agency | None = None,
    due_on: date | None = None,
) -> tuple[Task, bool]:
    """Create a reminder task once per ``key``; returns (task, created).

    Called by the services of apps above ``cases`` and by the reminder rules,
    never from a page: there is no acting user to check, and the system is
    the creator. A key once used is never reused, even after the task was
    done or cancelled, so a rule run twice a day reminds once. The title is
    class basic (it is listed on "my tasks"): it names what is due, never the
    child, a place or a clinical fact.
    """
    if not title.strip() or not key:
        raise ValueError("a reminder needs a key and a title")
    with transaction.atomic():
        existing = Task.objects.filter(reminder_key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                task = Task.objects.create(
                    case=case,
                    title=title.strip()[:200],
                    assignee=assignee,
                    assignee_agency=assignee_agency,
                    due_on=due_on,
                    created_by=None,
                    reminder_key=key[:160],
                )
        except IntegrityError:
            # Another worker made it between the look-up and the insert.
            return Task.objects.get(reminder_key=key[:160]), False
        _event(case, "task.created", None, title=task.title, reminder=True)
        _notify_task(task, kind=notice.REMINDER, acting_user=None)
    return task, True


def reminders_resolve(case: Case, *, key_prefix: str) -> int:
    """Mark done the open reminder tasks of this case whose key starts with the prefix.

    Called inside the transaction of the write that settles what they were
    about (the observation recorded, the assessment signed, the home visited),
    so nobody is left chasing a task already done.
    """
    if not key_prefix:
        raise ValueError("a reminder prefix is needed")
    open_tasks = list(
        Task.objects.filter(
            case=case, status=TaskStatus.OPEN, reminder_key__startswith=key_prefix
        ).select_for_update()
    )
    for task in open_tasks:
        task.status = TaskStatus.DONE
        task.version += 1
        task.save(update_fields=["status", "version", "updated_at"])
        _event(case, "task.status_changed", None, title=task.title, status=TaskStatus.DONE)
    return len(open_tasks)


def task_set_status(task: Task, *, status: str, expected_version: int, acting_user: User) -> Task:
    access = _access(acting_user, task.case)
    mine = task.assignee_id == acting_user.pk or (
        task.assignee_agency_id is not None and task.assignee_agency_id == acting_user.agency_id
    )
    if not (mine or access.leads):
        raise PermissionDenied
    if status not in TaskStatus.values:
        raise ValidationError(_("Unknown task status."))
    with transaction.atomic():
        current = Task.objects.select_for_update().get(pk=task.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        current.status = status
        current.version += 1
        current.save()
        _event(current.case, "task.status_changed", acting_user, title=current.title, status=status)
    return current


# --- Notes and files ---------------------------------------------------------


def note_add(
    case: Case,
    *,
    data_class: str,
    body: str,
    kind: str = NoteKind.GENERAL,
    supersedes: Note | None = None,
    acting_user: User,
) -> Note:
    _require_write(_access(acting_user, case), data_class)
    if not body.strip():
        raise ValidationError({"body": _("The note is empty.")})
    if kind not in NoteKind.values:
        raise ValidationError({"kind": _("Unknown kind of note.")})
    with transaction.atomic():
        if supersedes is not None:
            current = Note.objects.select_for_update().get(pk=supersedes.pk)
            if current.case_id != case.pk or current.data_class != data_class:
                raise ValidationError(_("A correction must stay in the same case and data class."))
            if Note.objects.filter(supersedes=current).exists():
                raise ValidationError(_("This note was already corrected; correct the newest one."))
        note = Note.objects.create(
            case=case,
            data_class=data_class,
            kind=kind,
            body=body.strip(),
            author=acting_user,
            supersedes=supersedes,
        )
        _event(
            case,
            "note.corrected" if supersedes else "note.added",
            acting_user,
            data_class=data_class,
            note_kind=kind,
        )
    return note


def attachment_add(
    case: Case, *, upload: UploadedFile, title: str, data_class: str, acting_user: User
) -> Attachment:
    _require_write(_access(acting_user, case), data_class)
    clean = clean_upload(upload, max_bytes=settings.KAWAL_ATTACHMENT_MAX_MB * 1024 * 1024)
    with transaction.atomic():
        storage_name = store_private(clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT)
        attachment = Attachment.objects.create(
            case=case,
            data_class=data_class,
            title=(title.strip() or clean.original_name)[:150],
            original_name=clean.original_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            storage_name=storage_name,
            uploaded_by=acting_user,
        )
        _event(case, "attachment.added", acting_user, data_class=data_class, title=attachment.title)
    return attachment


def attachment_delete(attachment: Attachment, *, acting_user: User) -> None:
    """Soft delete: the file stays for the record, hidden from the case page."""
    access = _access(acting_user, attachment.case)
    _require_write(access, attachment.data_class)
    with transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), deleted_by=acting_user
        )
        _event(
            attachment.case,
            "attachment.deleted",
            acting_user,
            data_class=attachment.data_class,
            title=attachment.title,
        )


# --- Break-glass -------------------------------------------------------------


def break_glass_open(
    case: Case, *, reason: str, acting_user: User, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Emergency read access to one case for a few hours, logged and announced to the supervisor.

    ``request`` gives the access-log row its address, request id and path.
    """
    if not may(acting_user, Capability.BREAK_GLASS):
        raise PermissionDenied
    if len(reason.strip()) < 15:
        raise ValidationError({"reason": _("Describe the emergency (at least 15 characters).")})
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            case=case,
            user=acting_user,
            reason=reason.strip(),
            expires_at=timezone.now() + timedelta(hours=settings.KAWAL_BREAK_GLASS_HOURS),
        )
        _event(case, "break_glass.opened", acting_user, user=str(acting_user))
        # In the grant's transaction: an emergency access that cannot be logged
        # must not exist, nor an alert about one (AccessLogUnavailable rolls
        # both back and the middleware answers 503).
        access_log_write(
            request,
            user=acting_user,
            action=AccessAction.BREAK_GLASS,
            cases=[(case.pk, case.number)],
            via_break_glass=True,
        )
        alerted = case.supervisor or case.owner
        reviews = may(alerted, Capability.REVIEW_BREAK_GLASS) or may(alerted, Capability.APPROVE)
        # Urgent: e-mailed at once by default. No child data in it, only the
        # case number and a link behind the sign-in.
        notify_users(
            users=[alerted],
            kind=notice.BREAK_GLASS_USED,
            url=reverse("cases:break_glass_queue") if reviews else _case_url(case),
            key=f"break_glass:{grant.uuid}",
            case_number=case.number,
        )
    return grant


def break_glass_review(
    grant: BreakGlassGrant, *, outcome: str, acting_user: User
) -> BreakGlassGrant:
    if not (
        may(acting_user, Capability.REVIEW_BREAK_GLASS) or may(acting_user, Capability.APPROVE)
    ):
        raise PermissionDenied
    if grant.user_id == acting_user.pk:
        raise PermissionDenied
    if not may(acting_user, Capability.REVIEW_BREAK_GLASS) and acting_user.pk not in (
        grant.case.supervisor_id,
        grant.case.owner_id,
    ):
        raise PermissionDenied
    if not outcome.strip():
        raise ValidationError({"outcome": _("Record the outcome of the review.")})
    with transaction.atomic():
        BreakGlassGrant.objects.filter(pk=grant.pk, reviewed_at__isnull=True).update(
            reviewed_by=acting_user,
            reviewed_at=timezone.now(),
            review_outcome=outcome.strip()[:300],
        )
        _event(grant.case, "break_glass.reviewed", acting_user)
    grant.refresh_from_db()
    return grant
