"""Writes and scoped reads of outreach operations and captures."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.accounts.models import Agency
from kawal.cases.models import Case, CaseEvent, CaseStatus, Task
from kawal.core import ratelimit
from kawal.core.audit import AuditContext, audit_record
from kawal.core.uploads import clean_upload, store_private
from kawal.identity.index import identity_refresh, merge_lock, root_of
from kawal.identity.services import (
    cluster_cases,
    cluster_ids,
    intake_decision,
    knows_identity_of,
)
from kawal.outreach.models import (
    Activity,
    Capture,
    MatchOutcome,
    Operation,
    OperationStatus,
    TakenTo,
)
from kawal.people.models import Person
from kawal.regions import bounds
from kawal.regions.models import Region

# Rough ages are guesses: a child said to be 9 may be 8 or 10.
AGE_SLACK = 1


class TooManyChecks(Exception):
    """This user ran too many identity checks from capture forms within the hour."""


def capture_check_count(user: Any) -> None:
    """Count one identity check by this user; refuse past the hourly limit.

    Counted before the registry is searched, for every user alike, so that a
    refusal says nothing about what the registry holds.
    """
    limit = settings.KAWAL_CAPTURE_CHECK_RATE_PER_HOUR
    try:
        count = ratelimit.hit("outreach:capture_check", str(user.pk), window=3600)
    except ratelimit.CounterUnavailable:
        # A child found in the street is recorded even with the cache down:
        # every check is still in the access log (the counter logged the outage).
        return
    if count > limit:
        raise TooManyChecks


def operations_visible_to(user: Any) -> QuerySet[Operation]:
    """Operations the user leads, created, or whose joint team includes their agency."""
    if not may(user, Capability.LOG_OUTREACH):
        return Operation.objects.none()
    mine = Q(lead_id=user.pk) | Q(created_by_id=user.pk)
    if user.agency_id is not None:
        mine |= Q(agencies__id=user.agency_id)
    return Operation.objects.filter(mine).distinct().select_related("area", "lead")


def _validate_operation(title: str, starts_at: datetime, area: Region) -> None:
    if not title.strip():
        raise ValidationError({"title": _("Give the operation a name.")})
    if area.level != "kelurahan":
        raise ValidationError({"area": _("Choose a kelurahan.")})
    now = timezone.now()
    if not now - timedelta(days=366) <= starts_at <= now + timedelta(days=366):
        raise ValidationError({"starts_at": _("Give a date within a year of today.")})


def operation_create(
    *,
    title: str,
    starts_at: datetime,
    area: Region,
    area_note: str,
    agencies: list[Agency],
    acting_user: Any,
    context: AuditContext | None = None,
) -> Operation:
    if not may(acting_user, Capability.LOG_OUTREACH):
        raise PermissionDenied
    _validate_operation(title, starts_at, area)
    with transaction.atomic():
        operation = Operation.objects.create(
            title=title.strip()[:200],
            starts_at=starts_at,
            area=area,
            area_note=area_note.strip()[:300],
            lead=acting_user,
            created_by=acting_user,
        )
        operation.agencies.set(_team(agencies, operation.lead))
        audit_record(
            "outreach.operation_created",
            actor=acting_user,
            target=f"operation:{operation.uuid}",
            context=context,
        )
    return operation


def _team(agencies: list[Agency], lead: Any) -> set[int]:
    team = {agency.pk for agency in agencies}
    if lead.agency_id is not None:
        team.add(lead.agency_id)  # the organiser's agency is always on the team
    return team


def operation_update(
    operation: Operation,
    *,
    title: str,
    starts_at: datetime,
    area: Region,
    area_note: str,
    agencies: list[Agency],
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Operation:
    """Reschedule or re-plan an operation that has not taken place yet.

    Only its organisers (the lead's agency) may: a partner agency on the team
    must not be able to take another partner off it.
    """
    from kawal.core.models import StaleVersion

    _require_team(operation, acting_user)
    if not organises(acting_user, operation):
        raise PermissionDenied
    _validate_operation(title, starts_at, area)
    with transaction.atomic():
        current = Operation.objects.select_for_update().select_related("lead").get(pk=operation.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.status != OperationStatus.PLANNED:
            raise ValidationError(_("Only a planned operation can be changed."))
        current.title = title.strip()[:200]
        current.starts_at = starts_at
        current.area = area
        current.area_note = area_note.strip()[:300]
        current.version += 1
        current.save()
        before = set(current.agencies.values_list("pk", flat=True))
        after = _team(agencies, current.lead)
        current.agencies.set(after)
        audit_record(
            "outreach.operation_updated",
            actor=acting_user,
            target=f"operation:{current.uuid}",
            context=context,
            agencies_added=sorted(after - before),
            agencies_removed=sorted(before - after),
        )
    return current


def organises(user: Any, operation: Operation) -> bool:
    """The lead, or someone of the lead's agency."""
    lead = operation.lead
    return user.pk == lead.pk or (user.agency_id is not None and user.agency_id == lead.agency_id)


def _require_team(operation: Operation, user: Any) -> None:
    if not operations_visible_to(user).filter(pk=operation.pk).exists():
        raise PermissionDenied


# A plan becomes a record once: held or called off, never planned again.
STATUS_CHANGES: dict[str, set[str]] = {
    OperationStatus.PLANNED: {OperationStatus.CONDUCTED, OperationStatus.CANCELLED},
}


def operation_set_status(
    operation: Operation,
    *,
    status: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Operation:
    from kawal.core.models import StaleVersion

    _require_team(operation, acting_user)
    if status not in OperationStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if status not in STATUS_CHANGES.get(current.status, set()):
            raise ValidationError(_("Only a planned operation can be changed."))
        if status == OperationStatus.CANCELLED and current.captures.exists():
            raise ValidationError(_("Children were found on this operation: it took place."))
        current.status = status
        current.version += 1
        current.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            "outreach.operation_status",
            actor=acting_user,
            target=f"operation:{current.uuid}",
            context=context,
            status=status,
        )
    return current


@dataclass
class CaptureInput:
    name_as_told: str
    age_estimate: int
    sex: str
    activity: str
    place: str
    accompanying_adult: str
    taken_to: str
    undertaking_signed: bool
    # Where the child was found (a public place), if the officer gave it.
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    def matching(self, operation: Operation) -> dict[str, Any]:
        """What the candidate search compares: the name, the age range and where found."""
        return {
            "full_name": self.name_as_told,
            "age_min": max(0, self.age_estimate - AGE_SLACK),
            "age_max": self.age_estimate + AGE_SLACK,
            "sex": self.sex,
            "kelurahan": operation.area.code,
        }


def _validate(data: CaptureInput) -> None:
    errors: dict[str, str] = {}
    if not data.name_as_told.strip():
        errors["name_as_told"] = _("Write the name the child gave, or a description.")
    if not 0 <= data.age_estimate <= 17:
        errors["age_estimate"] = _("A child is 0 to 17 years old.")
    if data.activity not in Activity.values:
        errors["activity"] = _("Choose what the child was doing.")
    if data.taken_to not in TakenTo.values:
        errors["taken_to"] = _("Choose where the child was taken.")
    if data.sex not in ("", "M", "F"):
        errors["sex"] = _("Choose the sex.")
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif (
        data.latitude is not None
        and data.longitude is not None
        and not bounds.inside(data.latitude, data.longitude)
    ):
        errors["latitude"] = _("The map point is outside Balikpapan.")
    if errors:
        raise ValidationError(errors)


def _point(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.000001"))


def capture_add(
    operation: Operation,
    data: CaptureInput,
    *,
    choice: str,
    shown: list[tuple[int, Any, bool]],
    acting_user: Any,
    report: Any = None,
    context: AuditContext | None = None,
) -> Capture:
    """Record a child found; ``choice`` is "new" or "link:<person uuid>" from the panel.

    ``report`` is the report that sent the operation, if any (one assigned to it).
    """
    _require_team(operation, acting_user)
    if report is not None and report.operation_id != operation.pk:
        raise ValidationError(_("That report was not assigned to this operation."))
    _validate(data)
    with transaction.atomic():
        if choice.startswith("link:"):
            # The child's cases are read to link the capture to the latest: no
            # merge or undo may change them meanwhile (first, before any row lock).
            merge_lock(shared=True)
        # Locked and read again: a cancel made meanwhile wins, and a cancel
        # cannot slip in between this check and the capture.
        current = Operation.objects.select_for_update().get(pk=operation.pk)
        if current.status == OperationStatus.CANCELLED:
            raise ValidationError(_("This operation was cancelled."))
        capture = Capture(
            operation=operation,
            name_as_told=data.name_as_told.strip()[:200],
            age_estimate=data.age_estimate,
            sex=data.sex,
            activity=data.activity,
            place=data.place.strip()[:200],
            accompanying_adult=data.accompanying_adult.strip()[:200],
            taken_to=data.taken_to,
            undertaking_signed=data.undertaking_signed,
            latitude=_point(data.latitude),
            longitude=_point(data.longitude),
            captured_by=acting_user,
            report=report,
        )
        if choice.startswith("link:"):
            _link_known(capture, choice.removeprefix("link:"), acting_user)
        elif choice == "new":
            child = Person.objects.create(
                is_child=True,
                full_name=capture.name_as_told,
                sex=data.sex,
                age_min=max(0, data.age_estimate - AGE_SLACK),
                age_max=data.age_estimate + AGE_SLACK,
                birth_date_estimated=True,
                created_by=acting_user,
            )
            identity_refresh(child)
            intake_decision(child=child, shown=shown, reason="", acting_user=acting_user)
            capture.child = child
            # "Possibly known" whenever the registry offered anyone, visible or
            # not: were it set only for hidden candidates, the operation page
            # would tell a user who saw one candidate that a hidden one exists.
            capture.outcome = MatchOutcome.ASK if shown else MatchOutcome.NEW
        else:
            raise ValidationError(
                _("Choose one of the possible matches, or say it is a new child.")
            )
        capture.save()
        # The first child found means the operation took place; a cancel made
        # meanwhile is not overwritten (only a planned one changes).
        Operation.objects.filter(pk=operation.pk, status=OperationStatus.PLANNED).update(
            status=OperationStatus.CONDUCTED, version=F("version") + 1
        )
        audit_record(
            "outreach.capture_added",
            actor=acting_user,
            target=f"capture:{capture.uuid}",
            context=context,
        )
    return capture


def _link_known(capture: Capture, person_uuid: str, acting_user: Any) -> None:
    person = Person.objects.filter(uuid=person_uuid, is_child=True).first() if person_uuid else None
    if person is None:
        raise ValidationError(_("Choose one of the possible matches, or say it is a new child."))
    root = root_of(person)
    cases = cluster_cases(root.pk)
    # Emergency access reads the child for a few hours; the link would last.
    if not knows_identity_of(acting_user, root.pk, cases=cases):
        raise PermissionDenied
    capture.child = root
    capture.outcome = MatchOutcome.LINKED
    latest = cases[-1] if cases else None
    capture.case = latest
    if latest is None:
        return
    capture.case_linked_at = timezone.now()
    _found_on(latest, capture, acting_user)


def _found_on(case: Case, capture: Capture, acting_user: Any) -> None:
    """Tell the case the child was found: its timeline, and a closed case's manager."""
    where = capture.operation.title
    if case.status == CaseStatus.CLOSED:
        # Found again after closure: the case manager is offered a reopen.
        _on_timeline(
            case,
            "case.found_again",
            operation=where,
            acting_user=acting_user,
            task=_("Child found again during outreach (%(operation)s): consider reopening")
            % {"operation": where},
        )
    else:
        _on_timeline(case, "outreach.found", operation=where, acting_user=acting_user)


def _on_timeline(
    case: Case, kind: str, *, operation: str, acting_user: Any, task: str = ""
) -> None:
    """An event on the case's timeline, and the ``task`` for its manager (due in three days)."""
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=acting_user,
        data_class=DataClass.BASIC,
        payload={"operation": operation},
    )
    if not task:
        return
    Task.objects.create(
        case=case,
        title=task,
        assignee=case.owner,
        due_on=timezone.localdate() + timedelta(days=3),
        created_by=acting_user,
    )


def capture_case_opened(capture: Capture, case: Case, *, acting_user: Any) -> None:
    """Remember the case opened (or reopened) for a captured child, in the case's transaction."""
    _give_case(capture, case, acting_user, opened=True)
    audit_record(
        "outreach.capture_case_opened",
        actor=acting_user,
        target=f"capture:{capture.uuid}",
        case=case.number,
    )


def capture_case_attached(capture: Capture, case: Case, *, acting_user: Any) -> None:
    """The captured child is the child of this open case: the capture joins it.

    Inside the transaction of ``cases.services.case_attach_found_again``,
    which joined the capture's record to the case's child.
    """
    current = _give_case(capture, case, acting_user, opened=False)
    _found_on(case, current, acting_user)
    audit_record(
        "outreach.capture_case_attached",
        actor=acting_user,
        target=f"capture:{current.uuid}",
        case=case.number,
    )


def _give_case(capture: Capture, case: Case, acting_user: Any, *, opened: bool) -> Capture:
    """Point the capture at its case, once.

    The capture is locked: two people opening a case for the same child found
    at once (or adding it to one) get one case, and the second a message.
    """
    if not may(acting_user, Capability.OPEN_CASE):
        raise PermissionDenied
    current = Capture.objects.select_for_update().get(pk=capture.pk)
    if current.case_id is not None:
        raise ValidationError(_("A case was already opened for this child found."))
    current.case = case
    current.case_linked_at = timezone.now()
    current.case_opened_from = opened
    current.save(update_fields=["case", "case_linked_at", "case_opened_from", "updated_at"])
    return current


def captures_separated(
    person_ids: list[int], merge: Any, acting_user: Any, context: AuditContext | None
) -> None:
    """An undo separated these records: a capture's case that rested on the merge is fixed.

    A capture linked to a child while the merge was in force took the latest
    case of all the child's records; a case opened from a capture while it
    was in force (a join: ``identity.services.join_registered``) was the
    other record's child's. Either now names the latest case of its own child
    opened by the time of the capture, or none: then it is a child found
    with no case again, from which a case can be opened, and the parents'
    undertaking no longer shows on the other child's case. A link made
    before the merge is left as it was.
    """
    # Two indexed reads: an OR across the join would read every capture.
    ids = set(
        Capture.objects.filter(child_id__in=person_ids, case__isnull=False).values_list(
            "pk", flat=True
        )
    )
    ids |= set(Capture.objects.filter(case__child_id__in=person_ids).values_list("pk", flat=True))
    separated = set(person_ids)
    staying = set(cluster_ids(root_of(merge.survivor).pk))
    captures = Capture.objects.filter(pk__in=ids).select_related(
        "child", "case__child", "case__owner", "operation"
    )
    for capture in captures:
        case = capture.case
        if case is None:
            continue
        linked = capture.case_linked_at or max(capture.created_at, case.created_at)
        if linked < merge.merged_at:
            continue
        # Only a link the undo cuts: the capture on one side, its case on the other.
        sides = {capture.child_id in separated, case.child_id in separated}
        if sides != {True, False} or not {capture.child_id, case.child_id} <= separated | staying:
            continue
        # Opened (or reopened) from the capture on the merge's word, for a
        # child now judged another, the case is its manager's to keep open or
        # not; one the capture was linked or added to stood before it.
        decide = capture.case_opened_from
        root = root_of(capture.child)
        earlier = [c for c in cluster_cases(root.pk) if c.created_at <= capture.created_at]
        capture.case = earlier[-1] if earlier else None
        capture.case_linked_at = timezone.now() if capture.case else None
        capture.case_opened_from = False
        capture.save(update_fields=["case", "case_linked_at", "case_opened_from", "updated_at"])
        where = capture.operation.title
        _on_timeline(
            case,
            "outreach.separated",
            operation=where,
            acting_user=acting_user,
            task=_(
                "The child found during outreach (%(operation)s) was judged another "
                "child: check whether this case should stay open"
            )
            % {"operation": where}
            if decide
            else "",
        )
        audit_record(
            "outreach.capture_case_moved",
            actor=acting_user,
            target=f"capture:{capture.uuid}",
            context=context,
            merge=str(merge.uuid),
            before=case.number,
            after=capture.case.number if capture.case else "",
        )


UNDERTAKING_ROOT = "outreach"


def capture_undertaking_attach(
    capture: Capture,
    *,
    upload: UploadedFile,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Capture:
    """Attach a photo or PDF of the parents' signed undertaking to a child found.

    Only the operation's team may, and only once: the signed paper is a record
    of what the parents promised, not a draft to be replaced.
    """
    _require_team(capture.operation, acting_user)
    clean = clean_upload(upload, max_bytes=settings.KAWAL_ATTACHMENT_MAX_MB * 1024 * 1024)
    with transaction.atomic():
        current = Capture.objects.select_for_update().get(pk=capture.pk)
        if current.undertaking_file:
            raise ValidationError(_("A signed undertaking is already attached to this child."))
        current.undertaking_file = store_private(
            clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / UNDERTAKING_ROOT
        )
        current.undertaking_content_type = clean.content_type
        current.undertaking_signed = True
        current.undertaking_added_by = acting_user
        current.undertaking_added_at = timezone.now()
        current.save(
            update_fields=[
                "undertaking_file",
                "undertaking_content_type",
                "undertaking_signed",
                "undertaking_added_by",
                "undertaking_added_at",
                "updated_at",
            ]
        )
        audit_record(
            "outreach.undertaking_attached",
            actor=acting_user,
            target=f"capture:{current.uuid}",
            context=context,
        )
        if current.case_id is not None:
            CaseEvent.objects.create(
                case_id=current.case_id,
                kind="outreach.undertaking",
                actor=acting_user,
                data_class=DataClass.BASIC,
                payload={"operation": capture.operation.title},
            )
    return current


class Reader(enum.Enum):
    """Why someone may read a capture's undertaking."""

    TEAM = "team"
    CASE = "case"
    BREAK_GLASS = "break_glass"


def undertaking_reader(user: Any, capture: Capture) -> Reader | None:
    """The operation's team, or whoever may see who the child is on the child's case."""
    from kawal.cases.policy import case_access

    if operations_visible_to(user).filter(pk=capture.operation_id).exists():
        return Reader.TEAM
    if capture.case is None:
        return None
    access = case_access(user, capture.case)
    if access is None or not access.can_read(DataClass.IDENTITY):
        return None
    return Reader.BREAK_GLASS if access.via_break_glass else Reader.CASE
