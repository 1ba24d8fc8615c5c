"""The day's reminder work: which rules run, claiming each once per day, running it.

``kawal run_reminders`` calls ``day_enqueue``: for every enabled rule it
claims the ``ReminderRun`` row of (rule, day) and, in the same transaction,
enqueues one task through Django's Tasks API (``kawal.reminders.tasks``).
A rule already done that day is left alone; one that failed, or whose task
was lost (a crashed worker, a queue emptied), is claimed again with the next
attempt number. The task (``job_execute``) runs the rule and records the
outcome on the row, the rule's writes and its "done" in one transaction.

The rules come from ``kawal.cases.extensions``; what an administrator set
for them (``ReminderSetting``) is read here and nowhere else.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kawal.cases.extensions import ReminderRule, reminder_rules
from kawal.reminders.models import ReminderRun, ReminderSetting, RunStatus

logger = logging.getLogger(__name__)

# Daily jobs that are not reminder rules but share the run's claim.
JOB_DIGEST = "notify.digest"
# A run still queued or running this long after its claim is taken for lost
# (the worker died, the queue was emptied) and may be claimed again; the
# rules are idempotent, so a run that was only slow does no harm twice.
STALE_AFTER = timedelta(hours=1)
# How far back a failed day is retried by the next run.
CATCH_UP_DAYS = 7
# The rules before the digest, so the day's reminders are in it.
RULE_PRIORITY = 10
DIGEST_PRIORITY = -10


# --- Settings (rules as data) ------------------------------------------------------


def settings_sync() -> int:
    """Create the missing setting rows of the registered rules; returns how many.

    Called after ``migrate`` and before every run, so a rule added by an
    upgrade gets its row (enabled, default lead time) without a migration:
    a migration cannot know which rules the apps register.
    """
    keys = [rule.key for rule in reminder_rules()]
    have = set(ReminderSetting.objects.filter(rule_key__in=keys).values_list("rule_key", flat=True))
    missing = [ReminderSetting(rule_key=key) for key in keys if key not in have]
    if missing:
        # Two processes syncing at once meet at the unique key; both are content.
        ReminderSetting.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def rule_for(key: str) -> ReminderRule | None:
    return next((rule for rule in reminder_rules() if rule.key == key), None)


def effective_lead_days(rule: ReminderRule, setting: ReminderSetting | None) -> int | None:
    """The lead time a rule runs with: the console's number, else the rule's default."""
    if rule.default_lead_days is None:
        return None
    if setting is not None and setting.lead_days is not None:
        return int(setting.lead_days)
    return rule.default_lead_days


@dataclass(frozen=True)
class RuleConfig:
    rule: ReminderRule
    enabled: bool
    lead_days: int | None


def rule_configs() -> list[RuleConfig]:
    """Every registered rule with what it runs with now, in key order."""
    settings_sync()
    rows = {row.rule_key: row for row in ReminderSetting.objects.all()}
    configs = []
    for rule in reminder_rules():
        row = rows.get(rule.key)
        configs.append(
            RuleConfig(
                rule=rule,
                enabled=row.enabled if row is not None else True,
                lead_days=effective_lead_days(rule, row),
            )
        )
    return configs


# --- Claiming and enqueueing ---------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What the run did about one job of one day."""

    job: str
    day: date
    outcome: str  # "queued", "retried", "done", "busy", "disabled"
    attempt: int = 0
    result_id: str = ""


def optional_function(module: str, name: str) -> Callable[..., Any] | None:
    """A function of another app that may not exist in this deployment (yet)."""
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return found if callable(found) else None


def task_backend() -> Any:
    """The backend the reminder tasks go to (the real one, not the default's proxy)."""
    from kawal.reminders import tasks

    return tasks.run_reminder_job.get_backend()


def _result_state(run: ReminderRun) -> str | None:
    """The task backend's status of the run's task, or None when it cannot tell."""
    from django_tasks.exceptions import TaskResultDoesNotExist

    backend = task_backend()
    if not run.task_result_id or not backend.supports_get_result:
        return None
    try:
        return str(backend.get_result(run.task_result_id).status)
    except TaskResultDoesNotExist:
        return "MISSING"


def _lost(run: ReminderRun, now: datetime) -> bool:
    """Whether a queued or running claim no longer has a task that will finish it."""
    state = _result_state(run)
    if state in ("MISSING", "FAILED", "SUCCESSFUL"):
        # The task ended (or vanished) without recording the run: claim again.
        return True
    if run.status == RunStatus.RUNNING:
        # A worker killed mid-rule leaves both the row and its task "running".
        return run.started_at is None or run.started_at < now - STALE_AFTER
    if state is None:
        return run.queued_at < now - STALE_AFTER
    return False  # still waiting in the queue for a worker


def _enqueue(job: str, day: date, attempt: int) -> str:
    from kawal.reminders import tasks

    task = tasks.run_reminder_job.using(
        priority=DIGEST_PRIORITY if job == JOB_DIGEST else RULE_PRIORITY
    )
    result = task.enqueue(job, day.isoformat(), attempt)
    return str(result.id)


def run_claim(
    job: str, day: date, *, lead_days: int | None = None, force: bool = False, now: datetime
) -> Claim:
    """Claim (job, day) and enqueue its task, unless done or being done.

    The claim and the enqueue share one transaction: with the database task
    backend a claim never exists without its task. ``force`` claims a day
    already done again (``kawal remind``); never one still running.
    """
    with transaction.atomic():
        run, created = ReminderRun.objects.get_or_create(
            job=job, day=day, defaults={"queued_at": now, "lead_days": lead_days}
        )
        if created:
            result_id = _enqueue(job, day, run.attempt)
            ReminderRun.objects.filter(pk=run.pk).update(task_result_id=result_id)
            return Claim(job, day, "queued", run.attempt, result_id)
        if run.status == RunStatus.DONE and not force:
            return Claim(job, day, "done", run.attempt)
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING) and not _lost(run, now):
            return Claim(job, day, "busy", run.attempt)
        # Compare-and-set on (status, attempt): of two runs retrying at once, one wins.
        attempt = run.attempt + 1
        won = ReminderRun.objects.filter(pk=run.pk, status=run.status, attempt=run.attempt).update(
            status=RunStatus.QUEUED,
            attempt=attempt,
            queued_at=now,
            started_at=None,
            finished_at=None,
            error="",
            lead_days=lead_days,
        )
        if not won:
            return Claim(job, day, "busy", run.attempt)
        result_id = _enqueue(job, day, attempt)
        ReminderRun.objects.filter(pk=run.pk).update(task_result_id=result_id)
        return Claim(job, day, "retried", attempt, result_id)


def digest_due(day: date, now: datetime) -> bool:
    """The digest of a past day is always due; today's from ``KAWAL_DIGEST_HOUR`` on."""
    today = timezone.localdate(now)
    if day < today:
        return True
    return day == today and timezone.localtime(now).hour >= settings.KAWAL_DIGEST_HOUR


def day_enqueue(
    day: date,
    *,
    only: Iterable[str] = (),
    force: bool = False,
    jobs: bool = True,
    now: datetime | None = None,
) -> list[Claim]:
    """Claim and enqueue the day's work; returns what was done about each job.

    ``only`` limits the run to those rules (unknown keys are the caller's to
    refuse). ``jobs`` adds the daily jobs that are not rules: the digest
    e-mails (after the digest hour) and the purge of expired export files
    (every run: the purge is idempotent and an export lives 24 hours).
    Failed days of the last ``CATCH_UP_DAYS`` days are retried too, each
    as of its own day.
    """
    now = now or timezone.now()
    wanted = set(only)
    claims: list[Claim] = []
    enabled: dict[str, RuleConfig] = {}
    for config in rule_configs():
        if wanted and config.rule.key not in wanted:
            continue
        if not config.enabled:
            claims.append(Claim(config.rule.key, day, "disabled"))
            continue
        enabled[config.rule.key] = config
        claims.append(
            run_claim(config.rule.key, day, lead_days=config.lead_days, force=force, now=now)
        )
    earlier = ReminderRun.objects.filter(
        job__in=enabled,
        day__lt=day,
        day__gte=day - timedelta(days=CATCH_UP_DAYS),
    ).exclude(status=RunStatus.DONE)
    for run in earlier.order_by("day", "job"):
        retried = run_claim(run.job, run.day, lead_days=enabled[run.job].lead_days, now=now)
        if retried.outcome != "busy":
            claims.append(retried)
    if jobs and not wanted:
        if digest_due(day, now) and optional_function("kawal.notify.services", "send_digests"):
            claims.append(run_claim(JOB_DIGEST, day, force=force, now=now))
        if optional_function("kawal.exports.services", "exports_purge_expired"):
            from kawal.reminders import tasks

            result = tasks.purge_expired_exports.enqueue()
            claims.append(Claim("exports.purge", day, "queued", 1, str(result.id)))
    return claims


# --- Running one job (inside the task) --------------------------------------------------


def _perform(job: str, day: date, lead_days: int | None) -> int:
    if job == JOB_DIGEST:
        send_digests = optional_function("kawal.notify.services", "send_digests")
        if send_digests is None:
            raise LookupError("the digest e-mails are not available")
        return int(send_digests(day=day) or 0)
    rule = rule_for(job)
    if rule is None:
        raise LookupError(f"no reminder rule {job!r} is registered")
    return int(rule.run(day, lead_days))


def job_execute(job: str, day: date, attempt: int) -> dict[str, Any]:
    """Run one claimed job; what the task returns. Raises when the rule fails.

    Only the claim's current attempt runs, and only once: a task enqueued
    for an attempt that was since replaced, or already started, does nothing.
    The rule's writes and the row's "done" commit together; on failure they
    roll back together and the row says "failed" (with the exception's class,
    never its message), ready for the next run to claim again.
    """
    with transaction.atomic():
        run = ReminderRun.objects.select_for_update().filter(job=job, day=day).first()
        if run is None or run.attempt != attempt or run.status != RunStatus.QUEUED:
            return {"job": job, "day": day.isoformat(), "skipped": True}
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            made = _perform(job, day, run.lead_days)
            ReminderRun.objects.filter(pk=run.pk, attempt=attempt).update(
                status=RunStatus.DONE, made=made, finished_at=timezone.now()
            )
    except Exception as exc:
        ReminderRun.objects.filter(pk=run.pk, attempt=attempt).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__module__}.{type(exc).__qualname__}"[:200],
            finished_at=timezone.now(),
        )
        logger.warning("reminder %s for %s failed: %s", job, day, type(exc).__name__)
        raise
    return {"job": job, "day": day.isoformat(), "made": made}


# --- Waiting for the enqueued tasks (kawal run_reminders --wait) -------------------------


def _db_worker_pass(alias: str, worker_id: str) -> int:
    """Run the database backend's ready tasks in this process until none is left.

    The same claim and run as ``kawal db_worker --batch`` (its ``Worker``),
    without its connection recycling and sleeps, so it also runs inside a
    test's transaction. Returns how many tasks it ran.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=alias,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=alias)
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is not None:
                result.claim(worker_id)
        if result is None:
            return ran
        worker.run_task(result)
        ran += 1


def work_until_done(result_ids: Iterable[str], *, timeout: float = 600.0) -> dict[str, str]:
    """Wait for the given tasks: work them here with the database backend, else poll.

    With the database backend this process works the queue itself (every
    ready task, not only these: on one machine without a worker, cron's run
    is the worker). With the immediate backend they already ran. With another
    backend (Redis) its workers run them and this polls their results.
    Returns each task's final status ("READY"/"RUNNING" when the time ran out).
    """
    from django.utils.crypto import get_random_string
    from django_tasks_db.backend import DatabaseBackend

    ids = [result_id for result_id in result_ids if result_id]
    backend = task_backend()
    if isinstance(backend, DatabaseBackend):
        _db_worker_pass(backend.alias, f"run_reminders-{get_random_string(12)}")
    if not backend.supports_get_result:
        return dict.fromkeys(ids, "UNKNOWN")
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while True:
        states = {result_id: str(backend.get_result(result_id).status) for result_id in ids}
        waiting = [s for s in states.values() if s in ("READY", "RUNNING")]
        if not waiting or time.monotonic() >= deadline:
            return states
        if isinstance(backend, DatabaseBackend):
            # Another worker holds some of them; ours may have arrived since.
            _db_worker_pass(backend.alias, f"run_reminders-{get_random_string(12)}")
        time.sleep(0.5)
