"""Public releases of the city's figures: a suppressed snapshot, prepared, approved, frozen.

A release holds only what is published: the snapshot is built from aggregates with the small
cells already removed (``null``), so neither the preview nor the public page nor the press sheet
can show more than the snapshot. Once published, a row never changes: the services refuse, the
model refuses, and the database refuses (a trigger, see migration 0002).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

B = DataClass.BASIC


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ReleaseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReleaseImmutable(PermissionError):
    """A published release was about to change."""


class Release(UUIDModel, TimestampedModel, VersionedModel):
    """One version of the figures for one calendar period."""

    period_kind = classified(
        models.CharField(_("period"), max_length=8, choices=PeriodKind.choices), B
    )
    period_start = classified(models.DateField(_("from")), B)
    period_end = classified(models.DateField(_("until")), B)
    number = classified(models.PositiveSmallIntegerField(_("version")), B)
    status = classified(
        models.CharField(
            _("status"),
            max_length=10,
            choices=ReleaseStatus.choices,
            default=ReleaseStatus.PENDING,
        ),
        B,
    )
    threshold = classified(models.PositiveSmallIntegerField(_("smallest count shown")), B)
    # Exactly what the public sees: aggregates with the suppressed cells as null.
    snapshot = classified(models.JSONField(_("published figures")), B)
    fingerprint = classified(models.CharField(_("fingerprint"), max_length=64), B)
    data_as_of = classified(models.DateTimeField(_("data as of")), B)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("prepared at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = classified(models.TextField(_("reason"), blank=True), B)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-number", "-id"]
        verbose_name = _("public release")
        verbose_name_plural = _("public releases")
        constraints = [
            # One version number per period among published releases.
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "number"],
                condition=models.Q(status="published"),
                name="publication_one_published_version",
            ),
            # One release waits per period: the next version is computed against the last.
            models.UniqueConstraint(
                fields=["period_kind", "period_start"],
                condition=models.Q(status="pending"),
                name="publication_one_pending_per_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_start"])]

    def __str__(self) -> str:
        return f"{self.period_label} v{self.number}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_start)

    @property
    def slug(self) -> str:
        return period_slug(self.period_kind, self.period_start)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Release.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ReleaseStatus.PUBLISHED:
                raise ReleaseImmutable("published releases are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == ReleaseStatus.PUBLISHED:
            raise ReleaseImmutable("published releases are immutable")
        return super().delete(*args, **kwargs)


class ReleaseSheet(models.Model):
    """The press sheet of a published release, rendered once per language from its snapshot."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="sheets")
    language = models.CharField(max_length=8)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "language"], name="publication_one_sheet")
        ]

    def __str__(self) -> str:
        return f"{self.release} ({self.language})"


def period_label(kind: str, start: date) -> str:
    if kind == PeriodKind.YEAR:
        return str(start.year)
    return f"{start.year} T{(start.month - 1) // 3 + 1}"


def period_slug(kind: str, start: date) -> str:
    if kind == PeriodKind.YEAR:
        return str(start.year)
    return f"{start.year}-t{(start.month - 1) // 3 + 1}"


def parse_slug(slug: str) -> tuple[str, date] | None:
    """``2026`` or ``2026-t3`` back to (kind, first day); None for anything else."""
    year, _, quarter = slug.partition("-t")
    if not (year.isdigit() and len(year) == 4):
        return None
    if not quarter and "-" not in slug:
        return PeriodKind.YEAR, date(int(year), 1, 1)
    if quarter in ("1", "2", "3", "4"):
        return PeriodKind.QUARTER, date(int(year), 3 * (int(quarter) - 1) + 1, 1)
    return None
