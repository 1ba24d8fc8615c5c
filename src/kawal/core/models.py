"""Building blocks every Kawal Anak record shares."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UUIDModel(models.Model):
    """A stable public identifier beside the integer key.

    Offline devices and idempotent API creates name records before the server
    has seen them, so every record carries a UUID from the start.
    """

    uuid = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic concurrency: services compare and bump ``version`` on every update."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class StaleVersion(Exception):
    """The record changed since the editor loaded it; nothing was written.

    ``current`` is the record as saved now, for a page that shows both versions.
    """

    def __init__(self, current: models.Model | None = None) -> None:
        super().__init__("stale version")
        self.current = current


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk edits of an audit trail are refused at the ORM level."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("audit rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows are append-only")


class AuditEvent(models.Model):
    """Who did what to which record, written by the service that did it.

    Sign-in events, account changes and configuration changes land here.
    Nothing in a row may identify a child: case content has its own typed
    timeline and access log.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Snapshots, so the trail stays readable after a user changes agency or role.
    actor_label = models.CharField(_("by (as recorded)"), max_length=200, blank=True)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.CharField(_("record"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(_("request"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["subject_user", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} {self.actor_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit rows are append-only")
