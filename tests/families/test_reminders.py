"""families.home_visit_overdue: a programme without a home visit in the last N days."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kawal.cases import extensions
from kawal.cases import services as case_svc
from kawal.cases.models import CaseMember, Task, TaskStatus
from kawal.families import services as svc
from kawal.families.reminders import HOME_VISIT_OVERDUE, home_visit_overdue
from tests.families.conftest import days_ago

pytestmark = pytest.mark.django_db


def reminders(case) -> list[Task]:
    return list(Task.objects.filter(case=case, reminder_key__startswith=HOME_VISIT_OVERDUE))


def test_registered_on_the_case_file():
    assert HOME_VISIT_OVERDUE in {rule.key for rule in extensions.reminder_rules()}


def test_overdue_programme_reminds_its_facilitator_once(family, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 30
    # The last visit was 3 days ago: nothing due.
    assert home_visit_overdue(days_ago(0)) == 0
    later = days_ago(-28)  # 31 days after the visit
    assert home_visit_overdue(later) == 1
    assert home_visit_overdue(later) == 0  # idempotent
    [task] = reminders(family.case)
    assert task.assignee == family.world.psychologist
    assert task.due_on == later and task.created_by is None
    assert "Home visit overdue" in task.title or "Kunjungan" in task.title
    # A new visit starts a new stretch: reminded again only when that one is overdue.
    svc.visit_record(
        family.programme,
        visited_on=days_ago(0),
        visitors=[family.world.psychologist],
        other_visitors="",
        findings="Rumah aman (sintetis)",
        found_safe=True,
        confirming_agency=None,
        acting_user=family.world.psychologist,
    )
    assert home_visit_overdue(later) == 0
    assert home_visit_overdue(days_ago(-31)) == 1
    assert len(reminders(family.case)) == 2


def test_a_facilitator_off_the_team_is_not_reminded(family, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 30
    member = CaseMember.objects.get(case=family.case, user=family.world.psychologist)
    case_svc.member_remove(member, acting_user=family.world.owner)
    home_visit_overdue(days_ago(-60))
    [task] = reminders(family.case)
    assert task.assignee == family.world.owner


def test_closed_programmes_and_cases_are_left_alone(family, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 30
    svc.programme_close(
        family.programme,
        reason="Selesai (sintetis)",
        expected_version=family.programme.version,
        acting_user=family.world.owner,
    )
    assert home_visit_overdue(days_ago(-60)) == 0


def test_a_programme_without_any_visit_counts_from_its_start(world, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 14
    programme = svc.programme_start(
        world.case,
        facilitator=None,
        started_on=days_ago(10),
        planned_sessions=4,
        goals="",
        parents=[],
        acting_user=world.owner,
    )
    assert home_visit_overdue(days_ago(0)) == 0
    assert home_visit_overdue(days_ago(-4)) == 1
    [task] = reminders(world.case)
    assert task.assignee == world.owner  # no facilitator named
    assert str(programme.uuid) in task.reminder_key


def test_kawal_remind_runs_the_rule(family, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 1
    out = StringIO()
    call_command("remind", "--rule", HOME_VISIT_OVERDUE, stdout=out)
    assert f"{HOME_VISIT_OVERDUE}: 1 new task(s)" in out.getvalue()


def test_a_home_visit_closes_the_overdue_reminder_of_its_programme(family, settings):
    settings.KAWAL_HOME_VISIT_OVERDUE_DAYS = 30
    assert home_visit_overdue(days_ago(-28)) == 1
    # Another programme's reminder on the same case, and another kind, stay open.
    other = case_svc.task_remind(
        family.case,
        key=f"{HOME_VISIT_OVERDUE}:00000000-0000-0000-0000-000000000000:2026-01-01",
        title="x",
        assignee=family.world.owner,
        due_on=days_ago(0),
    )[0]
    svc.visit_record(
        family.programme,
        visited_on=days_ago(0),
        visitors=[family.world.psychologist],
        other_visitors="",
        findings="Rumah aman (sintetis)",
        found_safe=True,
        confirming_agency=None,
        acting_user=family.world.psychologist,
    )
    mine = [
        task for task in reminders(family.case) if str(family.programme.uuid) in task.reminder_key
    ]
    assert [task.status for task in mine] == [TaskStatus.DONE]
    other.refresh_from_db()
    assert other.status == TaskStatus.OPEN
