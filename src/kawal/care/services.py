"""Every write of daily observations and school readiness: policy, validation, one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.care.models import (
    HIGH_BAND,
    SCALE_MAX,
    SCALE_MIN,
    Incident,
    IncidentKind,
    Indicator,
    Observation,
    ObservationScore,
    ReadinessDecision,
)
from kawal.cases.models import Case, CaseMember, CaseStatus
from kawal.cases.policy import CaseAccess, case_access
from kawal.cases.services import case_event_add, reminders_resolve, task_remind
from kawal.core.models import StaleVersion

D = DataClass

# A day forgotten can be recorded within a week; older days stay missing.
BACKDATE_DAYS = 7
MAX_INCIDENTS = 10
NOTE_MAX = 4000
ACTION_MAX = 1000
# Cases whose child is in daily care: listed on the psychologist's home page,
# reminded when a day is missed. Reintegration and monitoring happen at home
# or in a placement, where no one sees the child every day.
IN_CARE = (
    CaseStatus.IDENTIFIED,
    CaseStatus.ASSESSMENT,
    CaseStatus.PLAN,
    CaseStatus.INTERVENTION,
)
# Who may decide that a child is safe to return to school: the clinicians
# (psychologists) and the social workers following the child.
DECIDER_CAPABILITIES = (Capability.RECORD_CLINICAL, Capability.MANAGE_PLACEMENT)
MIN_PERIOD_DAYS = 7
# Reminder keys: "<prefix>:<case pk>:<day missed>".
MISSING_OBSERVATION = "care.missing_observation"


def _access(user: Any, case: Case) -> CaseAccess:
    access = case_access(user, case)
    if access is None or access.via_break_glass:
        raise PermissionDenied
    return access


# --- Daily observations ------------------------------------------------------


@dataclass(frozen=True)
class IncidentInput:
    kind: str
    occurred_at: time
    action_taken: str


@dataclass
class ObservationInput:
    """What a psychologist records for one day.

    ``note`` and ``incidents`` are None when the form did not offer them (a
    recorder who may not write clinical data): an edit then leaves them as
    they are.
    """

    observed_on: date
    scores: dict[str, int]
    note: str | None = None
    incidents: list[IncidentInput] | None = field(default=None)


def active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_active=True))


def may_record(access: CaseAccess | None) -> bool:
    return access is not None and not access.via_break_glass and access.can_write(D.PROGRESS)


def editable(observation: Observation, *, today: date | None = None) -> bool:
    """An observation can be changed on the day it was written, and no later."""
    today = today or timezone.localdate()
    return timezone.localtime(observation.created_at).date() == today


def _require_recorder(access: CaseAccess, data: ObservationInput) -> None:
    if not may_record(access):
        raise PermissionDenied
    clinical = bool((data.note or "").strip()) or bool(data.incidents)
    if clinical and not access.can_write(D.CLINICAL):
        raise PermissionDenied


def _validate(
    case: Case,
    data: ObservationInput,
    indicators: list[Indicator],
    *,
    today: date,
    new: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed: observations can no longer be recorded."))
    if new:
        if data.observed_on > today:
            errors["observed_on"] = [_("The date is in the future.")]
        elif data.observed_on < today - timedelta(days=BACKDATE_DAYS):
            errors["observed_on"] = [_("Record an observation within a week of the day.")]
        elif data.observed_on < case.opened_on:
            errors["observed_on"] = [_("The date is before the case was opened.")]
    codes = {indicator.code for indicator in indicators}
    for indicator in indicators:
        value = data.scores.get(indicator.code)
        if not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
            errors[f"score_{indicator.code}"] = [
                _("Choose a score from 1 to 5 for %(indicator)s.") % {"indicator": indicator.label}
            ]
    if set(data.scores) - codes:
        errors.setdefault("__all__", []).append(_("A score was given for an unknown indicator."))
    if data.note is not None and len(data.note.strip()) > NOTE_MAX:
        errors["note"] = [_("The note is too long (at most 4000 characters).")]
    incidents = data.incidents or []
    now = timezone.localtime()
    if data.observed_on == now.date() and any(
        isinstance(incident.occurred_at, time)
        and incident.occurred_at.replace(second=0, microsecond=0) > now.time()
        for incident in incidents
    ):
        errors.setdefault("__all__", []).append(
            _("An incident time is later than now (%(now)s): give the time it happened.")
            % {"now": now.strftime("%H:%M")}
        )
    if len(incidents) > MAX_INCIDENTS:
        errors.setdefault("__all__", []).append(_("At most 10 incidents a day."))
    for incident in incidents:
        if incident.kind not in IncidentKind.values:
            errors.setdefault("__all__", []).append(_("Choose what happened in each incident."))
        if not isinstance(incident.occurred_at, time):
            errors.setdefault("__all__", []).append(_("Give the time of each incident."))
        action = incident.action_taken.strip()
        if not action:
            errors.setdefault("__all__", []).append(_("Say what was done about each incident."))
        elif len(action) > ACTION_MAX:
            errors.setdefault("__all__", []).append(
                _("Say what was done in at most 1000 characters.")
            )
    if errors:
        raise ValidationError(errors)


def _already(observed_on: date) -> ValidationError:
    return ValidationError(
        {
            "observed_on": _(
                "This child's observation for %(date)s is already recorded: change it instead."
            )
            % {"date": observed_on.strftime("%d/%m/%Y")}
        }
    )


def _write_incidents(observation: Observation, incidents: list[IncidentInput]) -> None:
    Incident.objects.bulk_create(
        Incident(
            observation=observation,
            kind=incident.kind,
            occurred_at=incident.occurred_at.replace(second=0, microsecond=0),
            action_taken=incident.action_taken.strip(),
        )
        for incident in incidents
    )


def observation_record(
    case: Case, data: ObservationInput, *, acting_user: Any, as_of: date | None = None
) -> Observation:
    """Record one day of one child; one observation per child and day.

    ``as_of`` is the day the recording counts as made (today unless given):
    the demo builds weeks of history through this service, day by day. Pages
    never pass it.
    """
    access = _access(acting_user, case)
    _require_recorder(access, data)
    indicators = active_indicators()
    _validate(case, data, indicators, today=as_of or timezone.localdate(), new=True)
    with transaction.atomic():
        if Observation.objects.filter(case=case, observed_on=data.observed_on).exists():
            raise _already(data.observed_on)
        first = not Observation.objects.filter(case=case).exists()
        try:
            with transaction.atomic():
                observation = Observation.objects.create(
                    case=case,
                    observed_on=data.observed_on,
                    note=(data.note or "").strip(),
                    recorded_by=acting_user,
                )
        except IntegrityError as exc:
            # Someone else recorded the same day between the check and the insert.
            raise _already(data.observed_on) from exc
        ObservationScore.objects.bulk_create(
            ObservationScore(
                observation=observation, indicator=indicator, value=data.scores[indicator.code]
            )
            for indicator in indicators
        )
        _write_incidents(observation, data.incidents or [])
        # The day is seen: the reminders of days missed are settled too (a
        # backdated day recorded late is the usual answer to one of them).
        reminders_resolve(case, key_prefix=f"{MISSING_OBSERVATION}:{case.pk}:")
        # The timeline keeps what a reader of the case must not miss: when
        # daily care began, and days with incidents. Ordinary days are the
        # care page's history (who recorded each one is on the observation);
        # an event a day would bury everything else on the case.
        # Progress class, and no clinical fact: how many incidents, never the note.
        incident_count = len(data.incidents or [])
        if first or incident_count:
            case_event_add(
                case,
                "care.observation",
                acting_user,
                data_class=D.PROGRESS,
                observed_on=data.observed_on.isoformat(),
                incidents=incident_count,
                **({"first": True} if first else {}),
            )
    return observation


def observation_update(
    observation: Observation,
    data: ObservationInput,
    *,
    expected_version: int,
    acting_user: Any,
) -> Observation:
    """Correct an observation on the day it was written; a stale form writes nothing."""
    case = observation.case
    access = _access(acting_user, case)
    _require_recorder(access, data)
    indicators = active_indicators()
    today = timezone.localdate()
    with transaction.atomic():
        current = Observation.objects.select_for_update().get(pk=observation.pk)
        if not editable(current, today=today):
            raise ValidationError(
                _("This observation can no longer be changed: only on the day it was written.")
            )
        if current.version != expected_version:
            raise StaleVersion(current)
        data.observed_on = current.observed_on  # the day itself never moves
        _validate(case, data, indicators, today=today, new=False)
        before = {score.indicator_id: score for score in current.scores.all()}
        changed: list[str] = []
        for indicator in indicators:
            value = data.scores[indicator.code]
            score = before.get(indicator.pk)
            if score is None:
                ObservationScore.objects.create(
                    observation=current, indicator=indicator, value=value
                )
                changed.append(indicator.code)
            elif score.value != value:
                score.value = value
                score.save(update_fields=["value"])
                changed.append(indicator.code)
        if data.note is not None:
            current.note = data.note.strip()
        if data.incidents is not None:
            current.incidents.all().delete()
            _write_incidents(current, data.incidents)
        current.version += 1
        current.changed_by = acting_user
        current.save()
        case_event_add(
            case,
            "care.observation_changed",
            acting_user,
            data_class=D.PROGRESS,
            observed_on=current.observed_on.isoformat(),
            indicators=changed,
            incidents=current.incidents.count(),
        )
    return current


# --- Reminders ---------------------------------------------------------------


def missing_observation_rule(today: date, lead_days: int | None = None) -> int:
    """A task for the child's psychologist when yesterday has no observation.

    One task per case and day (the key), for the psychologist longest on the
    team who may record observations there. The title says what is due and
    the date: never the child, a place or a clinical fact.
    """
    yesterday = today - timedelta(days=1)
    in_care = Case.objects.filter(status__in=IN_CARE, opened_on__lte=yesterday)
    seen = set(
        Observation.objects.filter(case__in=in_care, observed_on=yesterday).values_list(
            "case_id", flat=True
        )
    )
    members = (
        CaseMember.objects.filter(
            case__in=in_care,
            user__isnull=False,
            user__is_active=True,
            removed_at__isnull=True,
        )
        .exclude(case_id__in=seen)
        .select_related("case", "user")
        .order_by("case_id", "added_at", "id")
    )
    created = 0
    reminded: set[int] = set()
    for member in members:
        if member.case_id in reminded:
            continue
        user = member.user
        if not may(user, Capability.RECORD_CLINICAL) or D.PROGRESS not in member.data_classes:
            continue
        if timezone.localtime(member.added_at).date() > yesterday:
            continue  # not yet on the team that day
        reminded.add(member.case_id)
        with override("id"):
            title = _("Record the daily observation missed on %(date)s") % {
                "date": yesterday.strftime("%d/%m/%Y")
            }
        _task, new = task_remind(
            member.case,
            key=f"{MISSING_OBSERVATION}:{member.case_id}:{yesterday.isoformat()}",
            title=title,
            assignee=user,
            due_on=today,
        )
        created += int(new)
    return created


# --- School readiness ----------------------------------------------------------


def signed_assessments_of(case: Case) -> list[Any]:
    """The case's signed assessments, from the assessments app."""
    from kawal.assessments.selectors import signed_assessments

    return list(signed_assessments(case))


def may_decide_readiness(user: Any, access: CaseAccess | None) -> bool:
    """A psychologist or social worker on the case who reads care progress."""
    return (
        access is not None
        and not access.via_break_glass
        and access.can_read(D.PROGRESS)
        and any(may(user, capability) for capability in DECIDER_CAPABILITIES)
    )


def may_confirm_readiness(user: Any, case: Case, access: CaseAccess | None) -> bool:
    """The case's supervisor, or a supervisor of the owner's agency working on the case.

    Confirming needs the decision's basis in view: only someone who reads the
    case's care progress, never through emergency access.
    """
    if access is None or access.via_break_glass or not access.can_read(D.PROGRESS):
        return False
    if not may(user, Capability.APPROVE):
        return False
    owner_agency = case.owner.agency_id
    return case.supervisor_id == user.pk or (
        user.agency_id is not None and user.agency_id == owner_agency
    )


def latest_decision(case: Case) -> ReadinessDecision | None:
    return ReadinessDecision.objects.filter(case=case).order_by("-decided_at", "-id").first()


def open_for_decision(latest: ReadinessDecision | None) -> bool:
    """A new decision is taken when none is in force or awaiting confirmation.

    A confirmed "safe" must be revoked (with a reason) before it is replaced;
    a confirmed "not yet" can be followed by a new decision.
    """
    if latest is None or latest.revoked_at is not None:
        return True
    return latest.confirmed_at is not None and not latest.safe


def _snapshot(summary: Any) -> dict[str, Any]:
    signed_at = getattr(summary, "signed_at", None)
    return {
        "uuid": str(summary.uuid),
        "instrument_code": str(summary.instrument_code),
        "instrument_name": str(summary.instrument_name),
        "instrument_version": str(summary.instrument_version),
        "signed_at": signed_at.isoformat() if signed_at is not None else "",
        "signed_on": timezone.localtime(signed_at).strftime("%d/%m/%Y") if signed_at else "",
        "total": None if summary.total is None else str(summary.total),
        "band_code": str(getattr(summary, "band_code", "") or ""),
        "band_label": str(summary.band_label or ""),
    }


def high_band(summaries: list[Any]) -> list[Any]:
    """The summaries whose result is in the high band (high risk, high needs)."""
    return [item for item in summaries if getattr(item, "band_code", "") == HIGH_BAND]


def readiness_decide(
    case: Case,
    *,
    safe: bool,
    assessment_uuids: list[str],
    period_from: date,
    period_to: date,
    rationale: str,
    acting_user: Any,
    against_reason: str = "",
) -> ReadinessDecision:
    """Decide whether the child is safe to return to school; a supervisor confirms it.

    A "yes" that names an assessment in the high band (high risk, high needs)
    stands only with ``against_reason``: why the child is safe all the same.
    """
    access = _access(acting_user, case)
    if not may_decide_readiness(acting_user, access):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if period_from > period_to:
        errors["period_to"] = [_("The period ends before it starts.")]
    elif period_to > today:
        errors["period_to"] = [_("The period cannot end in the future.")]
    elif period_from < case.opened_on:
        errors["period_from"] = [_("The period starts before the case was opened.")]
    elif (period_to - period_from).days + 1 < MIN_PERIOD_DAYS:
        errors["period_from"] = [_("Observe the child for at least 7 days.")]
    signed = {str(summary.uuid): summary for summary in signed_assessments_of(case)}
    chosen = list(dict.fromkeys(str(value) for value in assessment_uuids))
    if any(value not in signed for value in chosen):
        errors["assessments"] = [_("Choose among the signed assessments of this case.")]
    elif safe and not chosen:
        errors["assessments"] = [_("Name the assessments the decision is based on.")]
    elif safe and high_band([signed[value] for value in chosen]):
        if not against_reason.strip():
            errors["against_reason"] = [
                _(
                    "An assessment you named came out high. Say why the child is safe "
                    'to return to school all the same, or decide "not yet".'
                )
            ]
        elif len(against_reason.strip()) > NOTE_MAX:
            errors["against_reason"] = [_("The reason is too long (at most 4000 characters).")]
    if (
        safe
        and "period_to" not in errors
        and "period_from" not in errors
        and not Observation.objects.filter(
            case=case, observed_on__range=(period_from, period_to)
        ).exists()
    ):
        errors["period_from"] = [_("No daily observation was recorded in this period.")]
    if len(rationale.strip()) > NOTE_MAX:
        errors["rationale"] = [_("The rationale is too long (at most 4000 characters).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One decision at a time for a case: two deciders at once get one.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if not open_for_decision(latest_decision(case)):
            raise ValidationError(
                _("A decision is in force or awaiting confirmation: revoke it first.")
            )
        try:
            with transaction.atomic():
                decision = ReadinessDecision.objects.create(
                    case=case,
                    safe=safe,
                    period_from=period_from,
                    period_to=period_to,
                    assessments=[_snapshot(signed[value]) for value in chosen],
                    rationale=rationale.strip(),
                    against_reason=against_reason.strip() if safe else "",
                    decided_by=acting_user,
                    decided_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("A decision is in force or awaiting confirmation: revoke it first.")
            ) from exc
        case_event_add(
            case,
            "care.readiness_decided",
            acting_user,
            data_class=D.PROGRESS,
            safe=safe,
            period=[period_from.isoformat(), period_to.isoformat()],
            against_high=bool(safe and against_reason.strip()),
        )
    return decision


def readiness_confirm(decision: ReadinessDecision, *, acting_user: Any) -> ReadinessDecision:
    """Four eyes: a supervisor confirms a decision somebody else took."""
    case = decision.case
    access = _access(acting_user, case)
    if not may_confirm_readiness(acting_user, case, access):
        raise PermissionDenied
    with transaction.atomic():
        current = ReadinessDecision.objects.select_for_update().get(pk=decision.pk)
        if current.decided_by_id == acting_user.pk:
            raise PermissionDenied  # nobody confirms their own decision
        if current.revoked_at is not None or current.confirmed_at is not None:
            raise ValidationError(_("This decision was already confirmed or revoked."))
        current.confirmed_by = acting_user
        current.confirmed_at = timezone.now()
        current.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
        case_event_add(
            case,
            "care.readiness_confirmed",
            acting_user,
            data_class=D.PROGRESS,
            safe=current.safe,
        )
    return current


def readiness_revoke(
    decision: ReadinessDecision, *, reason: str, acting_user: Any
) -> ReadinessDecision:
    """Withdraw a decision (pending or confirmed), with a reason."""
    case = decision.case
    access = _access(acting_user, case)
    if not (
        may_decide_readiness(acting_user, access)
        or may_confirm_readiness(acting_user, case, access)
    ):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for revoking.")})
    if len(reason.strip()) > NOTE_MAX:
        raise ValidationError({"reason": _("The reason is too long (at most 4000 characters).")})
    with transaction.atomic():
        current = ReadinessDecision.objects.select_for_update().get(pk=decision.pk)
        if current.revoked_at is not None:
            raise ValidationError(_("This decision was already revoked."))
        current.revoked_by = acting_user
        current.revoked_at = timezone.now()
        current.revoke_reason = reason.strip()
        current.save(update_fields=["revoked_by", "revoked_at", "revoke_reason", "updated_at"])
        case_event_add(
            case,
            "care.readiness_revoked",
            acting_user,
            data_class=D.PROGRESS,
            safe=current.safe,
        )
    return current
