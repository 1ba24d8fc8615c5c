"""An export of children's data, from the request to the file's expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.core.models import UUIDModel, VersionedModel


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"


class ExportStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for approval")
    REFUSED = "refused", _("refused")
    READY = "ready", _("ready to download")
    FAILED = "failed", _("could not be made")
    EXPIRED = "expired", _("expired")


class ExportRequest(UUIDModel, VersionedModel):
    """One request to export a table of a registered kind.

    ``cases`` holds the (id, number) pairs the table contained when it was
    requested: an approval covers those children and those ``data_classes``
    and nothing more, and the access log names them. The file itself lives in
    private media under a random name until ``expires_at``.
    """

    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    # Headers are written in the requester's language, even when the file is
    # made later, during a supervisor's approval.
    language = models.CharField(max_length=10, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    children = models.PositiveIntegerField(_("children"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    data_classes = models.JSONField(_("data it contains"), default=list)
    cases = models.JSONField(default=list)
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    failure = models.CharField(_("why it could not be made"), max_length=200, blank=True)
    file_name = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(_("made at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, db_index=True)
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.kind} {self.requested_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def case_pairs(self) -> list[tuple[int, str]]:
        return [(int(pk), str(number)) for pk, number in self.cases]
