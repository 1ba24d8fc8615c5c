"""The access log: every look at a child's data, written before the data is shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.core.models import AppendOnlyQuerySet


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    SEARCH = "search", _("appeared in search results")
    LIST = "list", _("appeared in a list")
    DOWNLOAD = "download", _("downloaded a file")
    DENIED = "denied", _("was refused")
    BREAK_GLASS = "break_glass", _("opened emergency access")


class AccessLog(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    # Snapshots: the log must say who the reader was *then*.
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32)
    # No foreign key: the log outlives and never blocks changes to case rows.
    case_id = models.BigIntegerField(_("case"), null=True, db_index=True)
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    action = models.CharField(_("what"), max_length=16, choices=AccessAction.choices)
    data_classes = models.JSONField(_("data seen"), default=list)
    via_break_glass = models.BooleanField(_("emergency access"), default=False)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["case_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.case_number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("the access log is append-only")
