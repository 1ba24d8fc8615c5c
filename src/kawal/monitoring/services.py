"""Every write of the monitoring app: check the policy, validate, one transaction, record who.

Institution staff mark the roster and report incidents for the children
placed with them now (``selectors.placed_with``). Dinas Sosial social workers
on the case team record reviews, monitoring visits and after-care follow-ups
(``policy.records_monitoring``), and edit them with a version check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kawal.access.catalogue import DataClass
from kawal.cases.policy import case_access
from kawal.cases.services import case_event_add, reminders_resolve, task_remind
from kawal.core.models import StaleVersion
from kawal.monitoring import policy, selectors
from kawal.monitoring.models import (
    AfterCareFollowUp,
    Incident,
    IncidentKind,
    InSchool,
    MonitoringVisit,
    PlacementReview,
    Presence,
    ReviewOutcome,
)
from kawal.monitoring.rules import roster_refusal
from kawal.placement.models import Placement

WH = DataClass.WHEREABOUTS

REVIEW_KEY = "monitoring.review"
AFTERCARE_KEY = "monitoring.aftercare"
INCIDENT_KEY = "monitoring.incident"


def _system_language() -> Any:
    """Task titles are stored once, in the site's language, not the actor's."""
    from django.conf import settings

    return override(settings.LANGUAGE_CODE)


# --- The roster ----------------------------------------------------------------------------


def _require_carer(user: Any, placement: Placement) -> None:
    if not selectors.placed_with(user).filter(pk=placement.pk).exists():
        raise PermissionDenied


def presence_mark(placement: Placement, *, day: date, present: bool, acting_user: Any) -> Presence:
    """Mark the child present or absent on ``day``: one row per placement and day,
    so marking again changes the row (idempotent), until the day is locked."""
    _require_carer(acting_user, placement)
    return _presence_write(placement, day, present, acting_user, backdated=True)


def presence_record_for_placement(
    placement: Placement, *, day: date, present: bool, acting_user: Any
) -> Presence:
    """Dinas Sosial marks a day for a placement whose institution has no staff
    account (a foster family, kinship carer or LKSA without one), e.g. from the
    carer's monthly report. Same row, same lock; the backdate window does not
    apply, the placement's days and the funding lock do. ``recorded_by`` says
    who marked it."""
    _require_recorder(acting_user, placement)
    if selectors.institution_has_staff(placement.institution):
        # Where staff keep the roster they are the ones who saw the child that day.
        raise PermissionDenied
    return _presence_write(placement, day, present, acting_user, backdated=False)


def _presence_write(
    placement: Placement, day: date, present: bool, acting_user: Any, *, backdated: bool
) -> Presence:
    today = timezone.localdate()
    with transaction.atomic():
        # The placement row is the lock: an exit recorded meanwhile is seen here.
        current = Placement.objects.select_for_update().get(pk=placement.pk)
        refusal = roster_refusal(current, day, today, backdated=backdated)
        if refusal is not None:
            raise ValidationError({"day": refusal})
        row = Presence.objects.filter(placement=current, day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    return Presence.objects.create(
                        placement=current, day=day, present=present, recorded_by=acting_user
                    )
            except IntegrityError:
                row = Presence.objects.get(placement=current, day=day)
        if row.present != present or row.recorded_by_id != acting_user.pk:
            row.present = present
            row.recorded_by = acting_user
            row.save(update_fields=["present", "recorded_by", "recorded_at"])
    return row


# --- Incidents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewIncident:
    occurred_at: datetime
    kind: str
    what_happened: str
    action_taken: str


def incident_record(placement: Placement, new: NewIncident, *, acting_user: Any) -> Incident:
    """Institution staff report an incident; the case owner gets a task to follow it up,
    and the timeline says only that one of this kind happened."""
    _require_carer(acting_user, placement)
    errors: dict[str, str] = {}
    if new.kind not in IncidentKind.values:
        errors["kind"] = _("Choose what kind of incident it was.")
    if new.occurred_at > timezone.now():
        errors["occurred_at"] = _("The time cannot be in the future.")
    elif timezone.localdate(new.occurred_at) < placement.started_on:
        errors["occurred_at"] = _("The child was not placed here yet at that time.")
    if not new.what_happened.strip():
        errors["what_happened"] = _("Say what happened.")
    if not new.action_taken.strip():
        errors["action_taken"] = _("Say what was done.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            placement=placement,
            occurred_at=new.occurred_at,
            kind=new.kind,
            what_happened=new.what_happened.strip(),
            action_taken=new.action_taken.strip(),
            recorded_by=acting_user,
        )
        case = placement.case
        case_event_add(
            case, "monitoring.incident", acting_user, data_class=WH, incident_kind=new.kind
        )
        with _system_language():
            # Task titles are basic: they never name the child or a place.
            if new.kind == IncidentKind.RAN_AWAY:
                title = _("Urgent: a placed child ran away. Tell the police today and follow it up")
            else:
                title = _("Follow up an incident reported by the institution")
        task_remind(
            case,
            key=f"{INCIDENT_KEY}:{incident.uuid}",
            title=title,
            assignee=case.owner,
            due_on=timezone.localdate(),
        )
    return incident


# --- Dinas Sosial's records -----------------------------------------------------------------


def _require_recorder(user: Any, placement: Placement) -> None:
    if not policy.records_monitoring(user, case_access(user, placement.case)):
        raise PermissionDenied


def _not_future(errors: dict[str, str], name: str, day: date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(name, _("The date cannot be in the future."))


def _within(errors: dict[str, str], name: str, placement: Placement, day: date | None) -> None:
    """A visit or review falls within the placement."""
    if day is None:
        return
    if day < placement.started_on:
        errors.setdefault(name, _("The date is before the placement began."))
    elif placement.ended_on is not None and day > placement.ended_on:
        errors.setdefault(name, _("The date is after the placement ended."))


def _require_text(errors: dict[str, str], fields: dict[str, Any], name: str, message: str) -> None:
    if not str(fields.get(name) or "").strip():
        errors.setdefault(name, message)


def _validate_review(placement: Placement, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if fields.get("outcome") not in ReviewOutcome.values:
        errors["outcome"] = _("Choose the outcome of the review.")
    reviewed_on, next_on = fields.get("reviewed_on"), fields.get("next_review_on")
    if reviewed_on is None:
        errors["reviewed_on"] = _("Give the date of the review.")
    _not_future(errors, "reviewed_on", reviewed_on)
    _within(errors, "reviewed_on", placement, reviewed_on)
    if next_on is None:
        errors["next_review_on"] = _("Give the date of the next review.")
    elif reviewed_on is not None and next_on <= reviewed_on:
        errors["next_review_on"] = _("The next review comes after this one.")
    if errors:
        raise ValidationError(errors)


def _validate_visit(placement: Placement, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    visited_on = fields.get("visited_on")
    if visited_on is None:
        errors["visited_on"] = _("Give the date of the visit.")
    _not_future(errors, "visited_on", visited_on)
    _within(errors, "visited_on", placement, visited_on)
    _require_text(errors, fields, "visitors", _("Say who visited."))
    _require_text(errors, fields, "findings", _("Write what the visit found."))
    if not isinstance(fields.get("child_seen_alone"), bool):
        errors["child_seen_alone"] = _("Say whether the child was seen alone.")
    if errors:
        raise ValidationError(errors)


def _validate_follow_up(placement: Placement, fields: dict[str, Any], *, own: Any = None) -> None:
    errors: dict[str, str] = {}
    if not selectors.follow_up_is_due(placement):
        raise ValidationError(_("After-care follow-ups are for a child who has left care."))
    day = fields.get("followed_up_on")
    if day is None:
        errors["followed_up_on"] = _("Give the date of the follow-up.")
    _not_future(errors, "followed_up_on", day)
    if day is not None and placement.ended_on is not None and day < placement.ended_on:
        errors["followed_up_on"] = _("The date is before the child left care.")
    milestone = fields.get("milestone")
    if milestone is not None:
        if milestone not in selectors.AFTERCARE_MONTHS:
            errors["milestone"] = _("Choose the 1, 3 or 6-month follow-up, or none.")
        else:
            taken = AfterCareFollowUp.objects.filter(placement=placement, milestone=milestone)
            if own is not None:
                taken = taken.exclude(pk=own.pk)
            if taken.exists():
                errors["milestone"] = _("That follow-up has been recorded already.")
    _require_text(errors, fields, "wellbeing", _("Say how the child is."))
    if fields.get("in_school") not in InSchool.values:
        errors["in_school"] = _("Say whether the child goes to school.")
    if errors:
        raise ValidationError(errors)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


REVIEW_FIELDS = {"reviewed_on", "outcome", "notes", "next_review_on"}
VISIT_FIELDS = {"visited_on", "visitors", "findings", "child_seen_alone", "concerns"}
FOLLOW_UP_FIELDS = {"milestone", "followed_up_on", "wellbeing", "in_school", "risk_signs", "notes"}


def review_record(placement: Placement, *, acting_user: Any, **fields: Any) -> PlacementReview:
    """Record the periodic review of an active placement; closes its review reminder."""
    _require_recorder(acting_user, placement)
    fields = _clean(fields)
    if set(fields) - REVIEW_FIELDS:
        raise ValueError(f"unknown fields {set(fields) - REVIEW_FIELDS}")
    if not placement.is_active:
        raise ValidationError(_("Only a placement that is still running is reviewed."))
    _validate_review(placement, fields)
    with transaction.atomic():
        review = PlacementReview.objects.create(
            placement=placement, recorded_by=acting_user, **fields
        )
        case_event_add(
            placement.case,
            "monitoring.review",
            acting_user,
            data_class=WH,
            outcome=review.outcome,
            next_review_on=review.next_review_on.isoformat(),
        )
        reminders_resolve(placement.case, key_prefix=f"{REVIEW_KEY}:{placement.uuid}:")
    return review


def visit_record(placement: Placement, *, acting_user: Any, **fields: Any) -> MonitoringVisit:
    _require_recorder(acting_user, placement)
    fields = _clean(fields)
    if set(fields) - VISIT_FIELDS:
        raise ValueError(f"unknown fields {set(fields) - VISIT_FIELDS}")
    _validate_visit(placement, fields)
    with transaction.atomic():
        visit = MonitoringVisit.objects.create(
            placement=placement, recorded_by=acting_user, **fields
        )
        case_event_add(
            placement.case,
            "monitoring.visit",
            acting_user,
            data_class=WH,
            seen_alone=visit.child_seen_alone,
            concerns=bool(visit.concerns),
        )
    return visit


def follow_up_record(placement: Placement, *, acting_user: Any, **fields: Any) -> AfterCareFollowUp:
    """Record bimbingan lanjut after the child left care; closes that milestone's reminder."""
    _require_recorder(acting_user, placement)
    fields = _clean(fields)
    if set(fields) - FOLLOW_UP_FIELDS:
        raise ValueError(f"unknown fields {set(fields) - FOLLOW_UP_FIELDS}")
    with transaction.atomic():
        # Two workers recording the same milestone at once: the second sees the first.
        Placement.objects.select_for_update().get(pk=placement.pk)
        _validate_follow_up(placement, fields)
        follow_up = AfterCareFollowUp.objects.create(
            placement=placement, recorded_by=acting_user, **fields
        )
        case_event_add(
            placement.case,
            "monitoring.follow_up",
            acting_user,
            data_class=WH,
            milestone=follow_up.milestone,
            in_school=follow_up.in_school,
        )
        if follow_up.milestone is not None:
            reminders_resolve(
                placement.case,
                key_prefix=f"{AFTERCARE_KEY}:{placement.uuid}:{follow_up.milestone}m",
            )
    return follow_up


def _update(
    record: Any,
    *,
    expected_version: int,
    changes: dict[str, Any],
    allowed: set[str],
    label: str,
    acting_user: Any,
) -> Any:
    model = type(record)
    _require_recorder(acting_user, record.placement)
    changes = _clean(changes)
    if set(changes) - allowed:
        raise ValueError(f"unknown fields {set(changes) - allowed}")
    with transaction.atomic():
        current = (
            model.objects.select_for_update().select_related("placement__case").get(pk=record.pk)
        )
        if current.version != expected_version:
            raise StaleVersion(current)
        merged = {name: getattr(current, name) for name in allowed} | changes
        if model is PlacementReview:
            _validate_review(current.placement, merged)
        elif model is MonitoringVisit:
            _validate_visit(current.placement, merged)
        else:
            _validate_follow_up(current.placement, merged, own=current)
        changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, changes[name])
        current.version += 1
        current.save()
        case_event_add(
            current.placement.case,
            "monitoring.changed",
            acting_user,
            data_class=WH,
            record=label,
            changed=changed,
        )
    return current


def review_update(
    review: PlacementReview, *, expected_version: int, changes: dict[str, Any], acting_user: Any
) -> PlacementReview:
    return _update(
        review,
        expected_version=expected_version,
        changes=changes,
        allowed=REVIEW_FIELDS,
        label="review",
        acting_user=acting_user,
    )


def visit_update(
    visit: MonitoringVisit, *, expected_version: int, changes: dict[str, Any], acting_user: Any
) -> MonitoringVisit:
    return _update(
        visit,
        expected_version=expected_version,
        changes=changes,
        allowed=VISIT_FIELDS,
        label="visit",
        acting_user=acting_user,
    )


def follow_up_update(
    follow_up: AfterCareFollowUp,
    *,
    expected_version: int,
    changes: dict[str, Any],
    acting_user: Any,
) -> AfterCareFollowUp:
    return _update(
        follow_up,
        expected_version=expected_version,
        changes=changes,
        allowed=FOLLOW_UP_FIELDS,
        label="follow_up",
        acting_user=acting_user,
    )
