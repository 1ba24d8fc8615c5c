"""Monthly attendance: once per month, the alert threshold, the monthly reminder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kawal.cases.models import CaseEvent, Task, TaskStatus
from kawal.core.models import StaleVersion
from kawal.schooling import services as svc
from kawal.schooling.models import AttendanceFollowUp
from kawal.schooling.reminders import follow_up_due
from tests.schooling.conftest import enrol, follow_up_input, months_back

pytestmark = pytest.mark.django_db


def low_tasks():
    return Task.objects.filter(reminder_key__startswith=svc.LOW_ATTENDANCE)


def test_one_follow_up_per_enrolment_and_month(cleared):
    enrolment = enrol(cleared)
    month = months_back(2)
    svc.follow_up_record(enrolment, follow_up_input(month), acting_user=cleared.liaison)
    with pytest.raises(ValidationError) as error:
        svc.follow_up_record(
            enrolment, follow_up_input(month + timedelta(days=10)), acting_user=cleared.owner
        )
    assert "month" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFollowUp.objects.create(
            enrolment=enrolment,
            month=month,
            school_days=20,
            days_absent=0,
            reason="none",
            recorded_by=cleared.owner,
        )
    assert AttendanceFollowUp.objects.get().month == month


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("school_days", {"school_days": 0}),
        ("school_days", {"school_days": 32}),
        ("days_absent", {"school_days": 10, "days_absent": 11}),
        ("days_absent", {"days_absent": -1}),
        ("reason", {"reason": "holiday"}),
        ("reason_text", {"reason": "other", "reason_text": "  "}),
        ("month", {"month": "future"}),
        ("month", {"month": "before"}),
    ],
)
def test_bad_figures_are_refused(cleared, field, changes):
    enrolment = enrol(cleared)
    month = changes.pop("month", None)
    if month == "future":
        month = (timezone.localdate().replace(day=28) + timedelta(days=5)).replace(day=1)
    elif month == "before":
        month = (enrolment.enrolled_on.replace(day=1) - timedelta(days=1)).replace(day=1)
    data = follow_up_input(month or months_back(1), **changes)
    with pytest.raises(ValidationError) as error:
        svc.follow_up_record(enrolment, data, acting_user=cleared.liaison)
    assert field in error.value.message_dict
    assert not AttendanceFollowUp.objects.exists()


@pytest.mark.parametrize(
    ("school_days", "absent", "alert"),
    [
        (20, 4, False),  # exactly 80 %: at the minimum, no alert
        (20, 5, True),  # 75 %
        (10, 2, False),  # 80 %
        (10, 3, True),  # 70 %
        (21, 4, False),  # 80.95 %
        (21, 5, True),  # 76.2 %
        (5, 1, False),  # 80 % of a short month
        (20, 0, False),
        (20, 20, True),
    ],
)
def test_alert_threshold_boundary(cleared, school_days, absent, alert):
    enrolment = enrol(cleared)
    svc.follow_up_record(
        enrolment,
        follow_up_input(months_back(1), school_days, absent),
        acting_user=cleared.liaison,
    )
    tasks = list(low_tasks())
    assert len(tasks) == int(alert)
    if alert:
        assert tasks[0].assignee == cleared.owner
        assert "Sekolah" not in tasks[0].title  # no school named on "my tasks"
        assert CaseEvent.objects.filter(kind="schooling.low_attendance").count() == 1


def test_the_threshold_is_configurable(cleared, settings):
    settings.KAWAL_SCHOOL_ATTENDANCE_MIN = 0.9
    enrolment = enrol(cleared)
    svc.follow_up_record(
        enrolment, follow_up_input(months_back(1), 20, 3), acting_user=cleared.liaison
    )
    assert low_tasks().count() == 1  # 85 % < 90 %
    settings.KAWAL_SCHOOL_ATTENDANCE_MIN = "0.5"
    svc.follow_up_record(
        enrolment, follow_up_input(months_back(2), 20, 10), acting_user=cleared.liaison
    )
    assert low_tasks().count() == 1  # 50 % is not under 50 %


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(min_value=1, max_value=31),
    absent_share=st.fractions(min_value=0, max_value=1),
    minimum=st.sampled_from(["0.5", "0.75", "0.8", "0.85", "0.9", "1"]),
)
def test_low_means_strictly_under_the_minimum(days, absent_share, minimum):
    from fractions import Fraction

    from django.test import override_settings

    from kawal.schooling.models import AttendanceFollowUp as F

    absent = min(days, int(absent_share * days))
    row = F(school_days=days, days_absent=absent)
    with override_settings(KAWAL_SCHOOL_ATTENDANCE_MIN=minimum):
        assert svc.is_low(row) == (Fraction(days - absent, days) < Fraction(minimum))


def test_a_correction_under_the_minimum_alerts_once(cleared):
    enrolment = enrol(cleared)
    month = months_back(1)
    recorded = svc.follow_up_record(
        enrolment, follow_up_input(month, 20, 2), acting_user=cleared.liaison
    )
    assert not low_tasks().exists()
    corrected = svc.follow_up_correct(
        recorded,
        follow_up_input(month, 20, 8),
        expected_version=recorded.version,
        acting_user=cleared.liaison,
    )
    assert low_tasks().count() == 1
    svc.follow_up_correct(
        corrected,
        follow_up_input(month, 20, 9),
        expected_version=corrected.version,
        acting_user=cleared.liaison,
    )
    assert low_tasks().count() == 1  # same month, same key
    with pytest.raises(StaleVersion):
        svc.follow_up_correct(
            recorded,
            follow_up_input(month, 20, 0),
            expected_version=recorded.version,
            acting_user=cleared.owner,
        )


def _due_tasks():
    return Task.objects.filter(reminder_key__startswith=svc.FOLLOW_UP_DUE)


def test_the_monthly_reminder_is_idempotent_and_closed_by_the_follow_up(cleared):
    enrolment = enrol(cleared)
    today = timezone.localdate().replace(day=10)
    last_month = svc.previous_month(today)
    assert follow_up_due(today) == 1
    assert follow_up_due(today) == 0
    assert follow_up_due(today + timedelta(days=1)) == 0
    task = _due_tasks().get()
    assert task.assignee == cleared.liaison and task.status == TaskStatus.OPEN
    svc.follow_up_record(enrolment, follow_up_input(last_month), acting_user=cleared.liaison)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    # Recorded: nothing asked again, and the old key is never reused.
    assert follow_up_due(today) == 0
    assert _due_tasks().count() == 1


def test_no_reminder_before_the_day_nor_for_a_month_not_enrolled(cleared, settings):
    settings.KAWAL_SCHOOL_FOLLOW_UP_DAY = 5
    enrol(cleared, enrolled_on=timezone.localdate())
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    assert follow_up_due(this_month.replace(day=20)) == 0  # enrolled this month
    assert follow_up_due(next_month.replace(day=4)) == 0  # before the 5th
    assert follow_up_due(next_month.replace(day=5)) == 1


def test_reminder_goes_to_the_owner_when_the_arranger_left_the_team(cleared):
    enrolment = enrol(cleared)
    from kawal.cases import services as case_svc
    from kawal.cases.models import CaseMember

    member = CaseMember.objects.get(case=cleared.case, agency=cleared.liaison.agency)
    case_svc.member_remove(member, acting_user=cleared.owner)
    assert follow_up_due(timezone.localdate().replace(day=10)) == 1
    assert _due_tasks().get().assignee == cleared.owner
    assert enrolment.is_current


def test_month_helpers():
    assert svc.previous_month(date(2025, 1, 15)) == date(2024, 12, 1)
    assert svc.previous_month(date(2025, 3, 1)) == date(2025, 2, 1)
    assert svc.month_key(date(2025, 3, 1)) == "2025-03"
