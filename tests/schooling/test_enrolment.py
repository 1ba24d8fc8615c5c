"""Re-enrolment: the school-readiness gate, the NPSN, the grade, one current school."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.cases.models import CaseEvent
from kawal.core.models import StaleVersion
from kawal.schooling import services as svc
from kawal.schooling.models import Enrolment
from kawal.schooling.selectors import school_for_carers
from tests.helpers import make_user
from tests.schooling.conftest import NPSN, SCHOOL, clear, enrol, revoke

pytestmark = pytest.mark.django_db


def test_refused_before_any_decision(school):
    with pytest.raises(ValidationError, match="not yet cleared") as refused:
        enrol(school)
    assert refused.value.code == "not_cleared"
    assert not Enrolment.objects.exists()


def test_refused_while_the_decision_waits_for_confirmation(school):
    clear(school.case, school.psychologist, school.supervisor, confirmed=False)
    with pytest.raises(ValidationError, match="waiting for the supervisor"):
        enrol(school)
    assert not Enrolment.objects.exists()


def test_refused_when_the_decision_was_not_yet_safe(school):
    decision = clear(school.case, school.psychologist, school.supervisor)
    type(decision).objects.filter(pk=decision.pk).update(safe=False)
    with pytest.raises(ValidationError, match="not yet cleared"):
        enrol(school)


def test_allowed_after_confirmation_then_refused_after_revocation(school):
    decision = clear(school.case, school.psychologist, school.supervisor)
    first = enrol(school)
    assert first.is_current and first.arranged_by == school.liaison
    assert first.child_id == school.case.child_id
    revoke(decision, school.supervisor)
    with pytest.raises(ValidationError, match="revoked"):
        enrol(
            school,
            current_version=first.version,
            enrolled_on=timezone.localdate(),
            npsn="30405061",
        )
    first.refresh_from_db()
    assert first.is_current  # a revocation blocks new enrolments, it ends none
    assert Enrolment.objects.count() == 1


def test_not_before_the_clearance_nor_in_the_future(cleared):
    cleared_on = timezone.localdate() - timedelta(days=150)
    with pytest.raises(ValidationError) as early:
        enrol(cleared, enrolled_on=cleared_on - timedelta(days=1))
    assert "enrolled_on" in early.value.message_dict
    with pytest.raises(ValidationError) as future:
        enrol(cleared, enrolled_on=timezone.localdate() + timedelta(days=1))
    assert "enrolled_on" in future.value.message_dict
    assert enrol(cleared, enrolled_on=cleared_on)


@pytest.mark.parametrize(
    "npsn",
    ["", "1234567", "123456789", "3040506A", "3040 506", "٣٠٤٠٥٠٦٠", "30-40506", "        "],
)
def test_npsn_is_eight_ascii_digits(cleared, npsn):
    with pytest.raises(ValidationError) as error:
        enrol(cleared, npsn=npsn)
    assert "npsn" in error.value.message_dict
    assert not Enrolment.objects.exists()


def test_the_database_refuses_a_bad_npsn_too(cleared):
    good = enrol(cleared)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=good.pk).update(npsn="1234")


@pytest.mark.parametrize(
    ("level", "grade", "ok"),
    [
        ("sd", 1, True),
        ("sd", 6, True),
        ("sd", 7, False),
        ("mi", 0, False),
        ("smp", 7, True),
        ("mts", 6, False),
        ("sma", 12, True),
        ("smk", 13, False),
        ("paket_b", 9, True),
        ("paket_c", 9, False),
        ("college", 1, False),
    ],
)
def test_grade_fits_the_level(cleared, level, grade, ok):
    if ok:
        assert enrol(cleared, level=level, grade=grade).grade == grade
    else:
        with pytest.raises(ValidationError) as error:
            enrol(cleared, level=level, grade=grade)
        assert {"grade", "level"} & set(error.value.message_dict)


def test_changing_school_ends_the_current_one(cleared):
    first = enrol(cleared)
    moved_on = first.enrolled_on + timedelta(days=30)
    second = enrol(
        cleared,
        school_name="SD Negeri 002 (sintetis)",
        npsn="30405061",
        enrolled_on=moved_on,
        current_version=first.version,
    )
    first.refresh_from_db()
    assert first.ended_on == moved_on - timedelta(days=1)
    assert first.ended_by == cleared.liaison
    assert list(Enrolment.objects.current()) == [second]
    kinds = list(
        CaseEvent.objects.filter(case=cleared.case, kind="schooling.enrolled").values_list(
            "payload__changed_school", flat=True
        )
    )
    assert sorted(kinds) == [False, True]


def test_a_change_unseen_is_a_conflict_not_a_silent_end(cleared):
    first = enrol(cleared)
    later = first.enrolled_on + timedelta(days=10)
    with pytest.raises(StaleVersion):
        enrol(cleared, enrolled_on=later)  # the form showed no current school
    with pytest.raises(StaleVersion):
        enrol(cleared, enrolled_on=later, current_version=first.version + 1)
    with pytest.raises(ValidationError) as error:
        enrol(cleared, enrolled_on=first.enrolled_on, current_version=first.version)
    assert "enrolled_on" in error.value.message_dict
    first.refresh_from_db()
    assert first.is_current


def test_one_current_enrolment_per_child_in_the_database(cleared):
    first = enrol(cleared)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            case=cleared.case,
            child=cleared.case.child,
            school_name="x",
            npsn=NPSN,
            level="sd",
            grade=4,
            enrolled_on=first.enrolled_on,
            arranged_by=cleared.liaison,
        )


def test_who_records(cleared):
    # Leads, the liaison and the psychologist of the team: only the first two record.
    assert enrol(cleared, by=cleared.owner)
    with pytest.raises(PermissionDenied):
        enrol(cleared, by=cleared.psychologist)
    with pytest.raises(PermissionDenied):
        enrol(cleared, by=make_user(Role.FINANCE_OFFICER))


def test_school_for_carers(cleared):
    assert school_for_carers(cleared.case) is None
    enrolment = enrol(cleared)
    line = school_for_carers(cleared.case)
    assert line is not None
    assert (line.school_name, line.npsn, line.grade) == (SCHOOL, NPSN, 4)
    assert line.level.startswith("SD") and line.enrolled_on == enrolment.enrolled_on


def test_the_timeline_never_names_the_school(cleared):
    enrol(cleared)
    payloads = CaseEvent.objects.filter(kind__startswith="schooling.").values_list(
        "payload", flat=True
    )
    assert payloads and all(SCHOOL not in str(p) and NPSN not in str(p) for p in payloads)
    assert svc.gate_message  # the gate's text lives in one place
