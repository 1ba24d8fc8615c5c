"""Reminder rules as data, and the record of each day's run.

The rules themselves are code, registered by the apps on the case file's
extension point (``kawal.cases.extensions.ReminderRule``). What an
administrator may change of them lives here: whether a rule runs, and the
number of days it looks ahead where it has one. ``ReminderRun`` is the claim
that makes ``kawal run_reminders`` idempotent per rule and day. Neither
holds anything about a child.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.core.models import TimestampedModel, VersionedModel


class ReminderSetting(TimestampedModel, VersionedModel):
    """What an administrator set for one registered rule.

    A row per registered rule, made when missing (after ``migrate`` and at
    every run), never by hand. An empty ``lead_days`` means the rule's default
    (for the placement rules, the ``KAWAL_*_LEAD_DAYS`` settings), so the
    deployment's setting keeps working until someone chooses otherwise.
    """

    rule_key = models.CharField(_("rule"), max_length=80, unique=True)
    enabled = models.BooleanField(_("runs every day"), default=True)
    lead_days = models.PositiveSmallIntegerField(
        _("lead time (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the rule's default."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("last changed at"), null=True, blank=True)

    class Meta:
        ordering = ["rule_key"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")

    def __str__(self) -> str:
        return self.rule_key


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReminderRun(models.Model):
    """One rule (or daily job) for one day: claimed once, retried when it failed.

    ``attempt`` numbers the claims of the row: a queued task carries the
    attempt it was enqueued for and runs only while the row still has it, so
    a task enqueued twice (a lost task re-enqueued) runs once.
    """

    job = models.CharField(_("rule"), max_length=80)
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    made = models.PositiveIntegerField(_("new reminders"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_result_id = models.CharField(_("task"), max_length=64, blank=True)
    # The exception's class only: a message could quote data.
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-day", "job"]
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="reminders_run_once_per_day")
        ]
        indexes = [models.Index(fields=["status", "day"], name="reminders_run_status_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"
