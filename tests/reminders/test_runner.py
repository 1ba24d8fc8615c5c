"""kawal run_reminders: once per rule and day, through the database task backend,
a failing rule neither stops the others nor stays failed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from kawal.cases import services as case_svc
from kawal.cases.extensions import reminder_rules
from kawal.cases.models import Task
from kawal.notify.models import Notification
from kawal.reminders import rules, services
from kawal.reminders.models import ReminderRun, ReminderSetting, RunStatus

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_reminders", *args, stdout=out)
    return out.getvalue()


class Calls:
    """A test rule's body: counts its calls, makes a task per day, fails on demand."""

    def __init__(self, case, *, failing: bool = False) -> None:
        self.case = case
        self.failing = failing
        self.seen: list[tuple[date, int | None]] = []

    def __call__(self, today: date, lead_days: int | None = None) -> int:
        self.seen.append((today, lead_days))
        _task, created = case_svc.task_remind(
            self.case, key=f"test.calls:{id(self)}:{today}", title="Something is due"
        )
        if self.failing:
            raise RuntimeError("synthetic failure of Anak Sintetis")  # never stored
        return int(created)


def test_the_database_backend_is_what_runs_the_tasks():
    assert isinstance(services.task_backend(), DatabaseBackend)


def test_settings_rows_exist_for_every_rule_and_are_made_again_when_missing():
    keys = {rule.key for rule in reminder_rules()}
    # Made after migrate (post_migrate) ...
    assert set(ReminderSetting.objects.values_list("rule_key", flat=True)) >= keys
    ReminderSetting.objects.filter(rule_key="reminders.task_overdue").delete()
    # ... and by the next run, once.
    assert services.settings_sync() == 1
    assert services.settings_sync() == 0
    row = ReminderSetting.objects.get(rule_key="reminders.task_overdue")
    assert row.enabled and row.lead_days is None


def test_enqueue_then_a_worker_pass_then_results(small, test_rule):
    body = Calls(small.case)
    test_rule("test.ok", body)
    out = run("--date", DAY.isoformat(), "--rule", "test.ok")
    assert "test.ok: queued" in out
    queued = ReminderRun.objects.get(job="test.ok", day=DAY)
    assert queued.status == RunStatus.QUEUED and body.seen == []
    result = DBTaskResult.objects.get(id=queued.task_result_id)
    assert result.status == TaskResultStatus.READY
    assert result.task_path == "kawal.reminders.tasks.run_reminder_job"
    # A second run before any worker came: nothing enqueued twice.
    assert "already queued or running" in run("--date", DAY.isoformat(), "--rule", "test.ok")
    assert DBTaskResult.objects.count() == 1
    # The worker (here the in-process pass of --wait) runs it.
    states = services.work_until_done([queued.task_result_id])
    assert states == {queued.task_result_id: "SUCCESSFUL"}
    done = ReminderRun.objects.get(pk=queued.pk)
    assert done.status == RunStatus.DONE and done.made == 1 and done.finished_at
    result.refresh_from_db()
    assert result.return_value == {"job": "test.ok", "day": DAY.isoformat(), "made": 1}
    assert body.seen == [(DAY, None)]


def test_a_second_run_the_same_day_does_nothing(small, test_rule):
    body = Calls(small.case)
    test_rule("test.ok", body)
    # A real rule too: an overdue task notifies its assignee once.
    case_svc.task_create(
        small.case,
        title="Kunjungan rumah",
        assignee=small.owner,
        assignee_agency=None,
        due_on=DAY - timedelta(days=1),
        acting_user=small.owner,
    )
    args = ["--date", DAY.isoformat(), "--rule", "test.ok", "--rule", rules.TASK_OVERDUE, "--wait"]
    first = run(*args)
    assert "test.ok 2026-12-01: done, 1 new" in first
    assert f"{rules.TASK_OVERDUE} 2026-12-01: done, 1 new" in first
    tasks, notified, results = (
        Task.objects.count(),
        Notification.objects.count(),
        DBTaskResult.objects.count(),
    )
    second = run(*args)
    assert "test.ok: already done" in second and f"{rules.TASK_OVERDUE}: already done" in second
    assert Task.objects.count() == tasks
    assert Notification.objects.count() == notified
    assert DBTaskResult.objects.count() == results  # nothing enqueued
    assert len(body.seen) == 1


def test_a_failing_rule_does_not_stop_the_others_and_is_retried_next_run(small, test_rule):
    good, bad = Calls(small.case), Calls(small.case, failing=True)
    test_rule("test.a_bad", bad)
    test_rule("test.b_good", good)
    args = ["--date", DAY.isoformat(), "--rule", "test.a_bad", "--rule", "test.b_good", "--wait"]
    with pytest.raises(CommandError, match=r"test\.a_bad"):
        run(*args)
    failed = ReminderRun.objects.get(job="test.a_bad")
    assert failed.status == RunStatus.FAILED
    assert failed.error == "builtins.RuntimeError"  # the class, never the message
    assert "Sintetis" not in failed.error
    # Its writes rolled back with it; the other rule ran and is done.
    assert not Task.objects.filter(reminder_key__startswith=f"test.calls:{id(bad)}").exists()
    assert ReminderRun.objects.get(job="test.b_good").status == RunStatus.DONE
    assert DBTaskResult.objects.get(id=failed.task_result_id).status == TaskResultStatus.FAILED
    # The next run retries the failed rule only.
    bad.failing = False
    out = run(*args)
    assert "test.a_bad: queued again (attempt 2)" in out
    assert "test.b_good: already done" in out
    retried = ReminderRun.objects.get(job="test.a_bad")
    assert retried.status == RunStatus.DONE and retried.attempt == 2 and retried.error == ""
    assert len(good.seen) == 1 and len(bad.seen) == 2


def test_a_failed_day_is_retried_by_the_next_days_run_as_of_its_own_day(small, test_rule):
    body = Calls(small.case, failing=True)
    test_rule("test.flaky", body)
    with pytest.raises(CommandError):
        run("--date", DAY.isoformat(), "--rule", "test.flaky", "--wait")
    body.failing = False
    out = run("--date", (DAY + timedelta(days=1)).isoformat(), "--rule", "test.flaky", "--wait")
    assert "test.flaky (2026-12-01): queued again (attempt 2)" in out
    assert sorted(body.seen) == [(DAY, None), (DAY, None), (DAY + timedelta(days=1), None)]
    assert set(ReminderRun.objects.values_list("status", flat=True)) == {RunStatus.DONE}


def test_switching_a_rule_off_and_changing_its_lead_time_take_effect(small, test_rule):
    body = Calls(small.case)
    test_rule("test.lead", body, default_lead_days=14)
    services.settings_sync()
    setting = ReminderSetting.objects.get(rule_key="test.lead")
    setting.enabled = False
    setting.save()
    assert "test.lead: switched off" in run("--date", DAY.isoformat(), "--rule", "test.lead")
    assert not ReminderRun.objects.filter(job="test.lead").exists()
    setting.enabled = True
    setting.lead_days = 3
    setting.save()
    run("--date", DAY.isoformat(), "--rule", "test.lead", "--wait")
    assert body.seen == [(DAY, 3)]
    setting.lead_days = None  # back to the default
    setting.save()
    run("--date", (DAY + timedelta(days=1)).isoformat(), "--rule", "test.lead", "--wait")
    assert body.seen[-1] == (DAY + timedelta(days=1), 14)


def test_the_lead_time_setting_reaches_a_real_rule(small):
    approval = case_svc.approval_request(
        small.case, kind="plan", comment="", acting_user=small.owner
    )
    asked = timezone.make_aware(datetime.combine(DAY - timedelta(days=3), time(9)))
    type(approval).objects.filter(pk=approval.pk).update(created_at=asked)
    services.settings_sync()
    ReminderSetting.objects.filter(rule_key=rules.APPROVAL_WAITING).update(lead_days=5)
    args = ["--date", DAY.isoformat(), "--rule", rules.APPROVAL_WAITING, "--wait"]
    assert "done, 0 new" in run(*args)
    ReminderSetting.objects.filter(rule_key=rules.APPROVAL_WAITING).update(lead_days=None)
    args[1] = (DAY + timedelta(days=1)).isoformat()
    assert "done, 1 new" in run(*args)  # default: two days
    assert Notification.objects.filter(kind=rules.APPROVAL_WAITING).count() == 1


def test_a_lost_task_is_enqueued_again_and_a_stale_attempt_does_nothing(small, test_rule):
    body = Calls(small.case)
    test_rule("test.lost", body)
    run("--date", DAY.isoformat(), "--rule", "test.lost")
    first = ReminderRun.objects.get(job="test.lost")
    DBTaskResult.objects.filter(id=first.task_result_id).delete()  # the queue lost it
    assert "queued again (attempt 2)" in run("--date", DAY.isoformat(), "--rule", "test.lost")
    # The first attempt's task, were it still somewhere, is refused.
    assert services.job_execute("test.lost", DAY, 1)["skipped"] is True
    services.work_until_done([])
    assert ReminderRun.objects.get(job="test.lost").status == RunStatus.DONE
    assert len(body.seen) == 1


def test_a_run_left_running_by_a_dead_worker_is_claimed_again_after_an_hour(small, test_rule):
    body = Calls(small.case)
    test_rule("test.dead", body)
    run("--date", DAY.isoformat(), "--rule", "test.dead")
    row = ReminderRun.objects.get(job="test.dead")
    # A worker took it and died: the row and its task both say "running".
    started = timezone.now() - timedelta(minutes=10)
    ReminderRun.objects.filter(pk=row.pk).update(status=RunStatus.RUNNING, started_at=started)
    DBTaskResult.objects.filter(id=row.task_result_id).update(status=TaskResultStatus.RUNNING)
    assert "already queued or running" in run("--date", DAY.isoformat(), "--rule", "test.dead")
    ReminderRun.objects.filter(pk=row.pk).update(started_at=started - services.STALE_AFTER)
    assert "queued again (attempt 2)" in run("--date", DAY.isoformat(), "--rule", "test.dead")


def test_the_digest_waits_for_its_hour_and_the_rules_run_before_it(settings, small):
    settings.KAWAL_DIGEST_HOUR = 7
    today = date(2026, 12, 2)
    early = timezone.make_aware(datetime.combine(today, time(6, 30)))
    late = timezone.make_aware(datetime.combine(today, time(7, 5)))
    with_time = services.day_enqueue(today, now=early)
    assert services.JOB_DIGEST not in {claim.job for claim in with_time}
    claims = services.day_enqueue(today, now=late)
    digest = next(claim for claim in claims if claim.job == services.JOB_DIGEST)
    assert digest.outcome == "queued"
    # Every rule was claimed at 06:30; at 07:05 only the digest is new (and the
    # purge of expired exports, which goes every run).
    rules_now = {c.outcome for c in claims if c.job not in (services.JOB_DIGEST, "exports.purge")}
    assert rules_now <= {"busy", "disabled"}
    ordered = list(DBTaskResult.objects.ready().values_list("args_kwargs", flat=True))
    assert ordered[-1]["args"][0] == services.JOB_DIGEST  # lowest priority: last
    # A past day's digest is always due.
    assert services.digest_due(today - timedelta(days=1), early)


def test_kawal_remind_runs_the_rules_now_and_again(small, test_rule):
    body = Calls(small.case)
    test_rule("test.remind", body)
    out = StringIO()
    call_command("remind", "--date", DAY.isoformat(), "--rule", "test.remind", stdout=out)
    call_command("remind", "--date", DAY.isoformat(), "--rule", "test.remind", stdout=out)
    assert "test.remind: 1 new task(s)" in out.getvalue()
    assert "test.remind: 0 new task(s)" in out.getvalue()
    assert len(body.seen) == 2
    assert ReminderRun.objects.get(job="test.remind").attempt == 2


def test_unknown_rules_and_bad_dates_are_refused():
    with pytest.raises(CommandError, match="unknown rule"):
        run("--rule", "no.such.rule")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "01/12/2026")


def test_the_worker_pass_works_inside_one_connection():
    # The in-process pass must not close the connection a cron run (or a test) holds.
    services.work_until_done([])
    assert connection.connection is not None


def test_a_whole_day_runs_every_registered_rule_and_the_daily_jobs(small, settings):
    settings.KAWAL_DIGEST_HOUR = 0
    today = timezone.localdate()
    case_svc.task_create(
        small.case,
        title="Kunjungan rumah",
        assignee=small.owner,
        assignee_agency=None,
        due_on=today - timedelta(days=1),
        acting_user=small.owner,
    )
    out = run("--wait")
    runs = {run.job: run for run in ReminderRun.objects.filter(day=today)}
    assert {rule.key for rule in reminder_rules()} <= set(runs)
    assert services.JOB_DIGEST in runs
    assert {run.status for run in runs.values()} == {RunStatus.DONE}, out
    assert runs[rules.TASK_OVERDUE].made == 1
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    notified = Notification.objects.count()
    again = run("--wait")
    assert Notification.objects.count() == notified
    assert f"{rules.TASK_OVERDUE}: already done" in again
