"""The schooling demo: children back at school, one under the minimum, one refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kawal.accounts.models import User
from kawal.cases.models import CaseMember, Task
from kawal.demo.assessments import demo_load_assessments
from kawal.demo.care import demo_load_care
from kawal.demo.cases import demo_load_cases
from kawal.demo.schooling import EDUCATION_OFFICE, demo_load_schooling
from kawal.demo.services import demo_load
from kawal.schooling import services as svc
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from kawal.schooling.reminders import follow_up_due
from kawal.schooling.selectors import CLEARED, WAITING, _gate_states
from tests.schooling.conftest import english_client

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_every_situation():
    demo_load(password="kawal-demo-test")
    demo_load_cases(count=40)
    demo_load_assessments()
    demo_load_care()
    made = demo_load_schooling()
    assert made == 2 + 3 + 4
    assert demo_load_schooling() == 0  # idempotent
    liaison = User.objects.get(username="sekolah")
    enrolments = list(Enrolment.objects.current().select_related("case"))
    assert len(enrolments) == 2
    assert all(e.arranged_by == liaison for e in enrolments)
    assert AttendanceFollowUp.objects.count() == 7
    low = Task.objects.filter(reminder_key__startswith=svc.LOW_ATTENDANCE)
    assert low.count() == 2  # the falling child's last two months
    # The education office is on every case of the demo's schooling.
    teams = CaseMember.objects.filter(agency__name=EDUCATION_OFFICE, removed_at__isnull=True)
    cases = [member.case for member in teams.select_related("case")]
    assert len(cases) >= 3
    states = _gate_states(cases)
    assert CLEARED in states.values() and WAITING in states.values()
    # Refused: the child whose decision waits has no enrolment.
    waiting = [case for case in cases if states[case.pk] == WAITING]
    assert not Enrolment.objects.filter(case__in=waiting).exists()
    # Last month of the well-attending child is missing: the reminder asks for it.
    today = timezone.localdate().replace(day=10)
    assert follow_up_due(today) == 1
    # The liaison's list shows them all, without any error.
    client = english_client(liaison)
    page = client.get(reverse("schooling:children"))
    assert page.status_code == 200
    assert "to enrol" in page.content.decode()
