"""Writes of the schooling app: each checks the policy, validates, runs in one
transaction and records who did it on the case timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kawal.care.selectors import Readiness, school_readiness
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import case_access
from kawal.cases.services import case_event_add, reminders_resolve, task_remind
from kawal.core.models import StaleVersion
from kawal.schooling import policy
from kawal.schooling.models import (
    GRADES,
    AbsenceReason,
    AttendanceFollowUp,
    Enrolment,
    Level,
)

NPSN = re.compile(r"^[0-9]{8}$")
NAME_MAX = 200
NOTE_MAX = 4000
LOW_ATTENDANCE = "schooling.low_attendance"
FOLLOW_UP_DUE = "schooling.follow_up_due"


def attendance_minimum() -> Fraction:
    """The share of school days under which the case owner is alerted (0..1)."""
    value = Fraction(str(getattr(settings, "KAWAL_SCHOOL_ATTENDANCE_MIN", "0.8")))
    return min(max(value, Fraction(0)), Fraction(1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def _access_for_recording(user: Any, case: Case) -> Any:
    access = case_access(user, case)
    if not policy.records_schooling(access):
        raise PermissionDenied
    return access


def gate_message(readiness: Readiness) -> str | None:
    """Why the child may not be enrolled now, or None when the gate is open."""
    if readiness.cleared:
        return None
    if readiness.revoked_at is not None:
        return _(
            "The decision that the child is safe to return to school was revoked. "
            "A new decision must be taken and confirmed before the child is enrolled."
        )
    if readiness.decided_at is not None and readiness.confirmed_at is None:
        return _(
            "The decision on returning to school is waiting for the supervisor's "
            "confirmation. The child can be enrolled once it is confirmed."
        )
    return _(
        "The child is not yet cleared as safe to return to school: a psychologist or "
        "social worker decides it and a supervisor confirms it first."
    )


def npsn_error(value: str) -> str | None:
    if not NPSN.match(value):
        return _("The NPSN is the school's 8-digit national number (digits only).")
    return None


def grade_error(level: str, grade: int | None) -> str | None:
    if level not in GRADES:
        return _("Choose the school level.")
    low, high = GRADES[level]
    if grade is None or not low <= grade <= high:
        return _("At this level the grade is between %(low)s and %(high)s.") % {
            "low": low,
            "high": high,
        }
    return None


@dataclass(frozen=True)
class EnrolmentInput:
    school_name: str
    npsn: str
    level: str
    grade: int
    enrolled_on: date
    notes: str = ""
    # The version of the current enrolment the user saw (None: they saw none);
    # a school changed meanwhile by someone else is a conflict, not a silent end.
    current_version: int | None = None


def enrolment_add(case: Case, data: EnrolmentInput, *, acting_user: Any) -> Enrolment:
    """Enrol the case's child in a school, once the school-readiness gate is open.

    A child already enrolled changes school: the current enrolment ends the
    day before the new one starts.
    """
    _access_for_recording(acting_user, case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    readiness = school_readiness(case)
    refused = gate_message(readiness)
    if refused:
        raise ValidationError(refused, code="not_cleared")
    errors: dict[str, list[str]] = {}
    name = data.school_name.strip()
    npsn = data.npsn.strip()
    notes = data.notes.strip()
    if not name:
        errors["school_name"] = [_("Name the school.")]
    elif len(name) > NAME_MAX:
        errors["school_name"] = [_("The name is too long (at most 200 characters).")]
    if message := npsn_error(npsn):
        errors["npsn"] = [message]
    if data.level not in Level.values:
        errors["level"] = [_("Choose the school level.")]
    elif message := grade_error(data.level, data.grade):
        errors["grade"] = [message]
    today = timezone.localdate()
    cleared_on = (
        timezone.localdate(readiness.confirmed_at) if readiness.confirmed_at is not None else today
    )
    if data.enrolled_on > today:
        errors["enrolled_on"] = [_("The date cannot be in the future.")]
    elif data.enrolled_on < cleared_on:
        errors["enrolled_on"] = [
            _("The child was cleared for school on %(day)s; the enrolment cannot be earlier.")
            % {"day": cleared_on.strftime("%d/%m/%Y")}
        ]
    if len(notes) > NOTE_MAX:
        errors["notes"] = [_("The notes are too long (at most 4000 characters).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One writer per case at a time: the second sees the first's enrolment.
        Case.objects.select_for_update().only("pk").get(pk=case.pk)
        current = Enrolment.objects.select_for_update().current().filter(child=case.child).first()
        seen = data.current_version
        if (current is None) != (seen is None) or (current is not None and current.version != seen):
            raise StaleVersion(current)
        if current is not None:
            if data.enrolled_on <= current.enrolled_on:
                raise ValidationError(
                    {
                        "enrolled_on": [
                            _("The new school must start after the current one (%(day)s).")
                            % {"day": current.enrolled_on.strftime("%d/%m/%Y")}
                        ]
                    }
                )
            current.ended_on = data.enrolled_on - timedelta(days=1)
            current.ended_by = acting_user
            current.version += 1
            current.save(update_fields=["ended_on", "ended_by", "version", "updated_at"])
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(
                    case=case,
                    child=case.child,
                    school_name=name,
                    npsn=npsn,
                    level=data.level,
                    grade=data.grade,
                    enrolled_on=data.enrolled_on,
                    arranged_by=acting_user,
                    notes=notes,
                )
        except IntegrityError as error:
            raise StaleVersion(None) from error
        case_event_add(
            case,
            "schooling.enrolled",
            acting_user,
            level=data.level,
            grade=data.grade,
            enrolled_on=data.enrolled_on.isoformat(),
            changed_school=current is not None,
        )
    return enrolment


@dataclass(frozen=True)
class FollowUpInput:
    month: date
    school_days: int
    days_absent: int
    reason: str
    reason_text: str = ""


def _follow_up_errors(enrolment: Enrolment, data: FollowUpInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    month = month_start(data.month)
    this_month = month_start(timezone.localdate())
    last = month_start(enrolment.ended_on) if enrolment.ended_on else this_month
    if month > this_month:
        errors["month"] = [_("The month cannot be in the future.")]
    elif month < month_start(enrolment.enrolled_on) or month > last:
        errors["month"] = [_("The child was not enrolled in this school that month.")]
    if not 1 <= data.school_days <= 31:
        errors["school_days"] = [_("A month has between 1 and 31 school days.")]
    elif not 0 <= data.days_absent <= data.school_days:
        errors["days_absent"] = [_("Days absent cannot exceed the school days.")]
    if data.reason not in AbsenceReason.values:
        errors["reason"] = [_("Choose the main reason for absence.")]
    elif data.reason == AbsenceReason.OTHER and not data.reason_text.strip():
        errors["reason_text"] = [_("Say what the reason was.")]
    if len(data.reason_text.strip()) > NOTE_MAX:
        errors["reason_text"] = [_("The text is too long (at most 4000 characters).")]
    return errors


def is_low(follow_up: AttendanceFollowUp) -> bool:
    """Attended share strictly under the minimum (exact arithmetic: no float edge)."""
    attended = Fraction(follow_up.school_days - follow_up.days_absent, follow_up.school_days)
    return attended < attendance_minimum()


def _alert_if_low(follow_up: AttendanceFollowUp, acting_user: Any) -> bool:
    if not is_low(follow_up):
        return False
    enrolment = follow_up.enrolment
    case = enrolment.case
    with override(settings.LANGUAGE_CODE):
        title = _("Low school attendance: talk with the school and the child")
    _task, created = task_remind(
        case,
        key=f"{LOW_ATTENDANCE}:{enrolment.uuid}:{month_key(follow_up.month)}",
        title=title,
        assignee=case.owner,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    if created:
        case_event_add(
            case,
            "schooling.low_attendance",
            acting_user,
            month=follow_up.month.isoformat(),
            school_days=follow_up.school_days,
            days_absent=follow_up.days_absent,
        )
    return created


def follow_up_record(
    enrolment: Enrolment, data: FollowUpInput, *, acting_user: Any
) -> AttendanceFollowUp:
    """The month's attendance, once per enrolment and month; alerts the case
    owner when the share attended falls under the minimum."""
    case = enrolment.case
    _access_for_recording(acting_user, case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    errors = _follow_up_errors(enrolment, data)
    if errors:
        raise ValidationError(errors)
    month = month_start(data.month)
    duplicate = ValidationError(
        {"month": [_("This month's attendance is already recorded for this school.")]}
    )
    with transaction.atomic():
        if AttendanceFollowUp.objects.filter(enrolment=enrolment, month=month).exists():
            raise duplicate
        try:
            with transaction.atomic():
                follow_up = AttendanceFollowUp.objects.create(
                    enrolment=enrolment,
                    month=month,
                    school_days=data.school_days,
                    days_absent=data.days_absent,
                    reason=data.reason,
                    reason_text=data.reason_text.strip(),
                    recorded_by=acting_user,
                )
        except IntegrityError as error:
            raise duplicate from error
        case_event_add(
            case,
            "schooling.attendance",
            acting_user,
            month=month.isoformat(),
            school_days=data.school_days,
            days_absent=data.days_absent,
        )
        reminders_resolve(case, key_prefix=f"{FOLLOW_UP_DUE}:{enrolment.uuid}:{month_key(month)}")
        _alert_if_low(follow_up, acting_user)
    return follow_up


def follow_up_correct(
    follow_up: AttendanceFollowUp,
    data: FollowUpInput,
    *,
    expected_version: int,
    acting_user: Any,
) -> AttendanceFollowUp:
    """Correct a month's figures (the month itself stays); a correction that
    brings attendance under the minimum alerts as a first recording would."""
    enrolment = follow_up.enrolment
    case = enrolment.case
    _access_for_recording(acting_user, case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    errors = _follow_up_errors(enrolment, FollowUpInput(follow_up.month, *_figures(data)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = AttendanceFollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        current.school_days = data.school_days
        current.days_absent = data.days_absent
        current.reason = data.reason
        current.reason_text = data.reason_text.strip()
        current.version += 1
        current.save()
        case_event_add(
            case,
            "schooling.attendance_corrected",
            acting_user,
            month=current.month.isoformat(),
            school_days=current.school_days,
            days_absent=current.days_absent,
        )
        current.enrolment = enrolment
        _alert_if_low(current, acting_user)
    return current


def _figures(data: FollowUpInput) -> tuple[int, int, str, str]:
    return data.school_days, data.days_absent, data.reason, data.reason_text
