"""Where a child lives while in alternative care, decided by Dinas Sosial by the rules.

A ``Placement`` puts the child of a case with one institution (or a foster or
kinship family from the registry) from ``started_on`` to ``ended_on``. A child
has at most one active placement (a database constraint); a transfer ends one
and starts the next. Where a child lives is whereabouts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

WH = DataClass.WHEREABOUTS


class ExitReason(models.TextChoices):
    REUNIFICATION = "reunification", _("Returned to the family (reunification)")
    TRANSFER = "transfer", _("Transferred to another institution")
    AGE_18 = "age_18", _("Turned 18")
    RAN_AWAY = "ran_away", _("Ran away (reported to the police)")


class PlacementQuerySet(models.QuerySet["Placement"]):
    def active(self) -> PlacementQuerySet:
        return self.filter(ended_on__isnull=True)


class Placement(UUIDModel, TimestampedModel, VersionedModel):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="placements"
    )
    # The root of the child's records at placement; the services check every
    # record of a merge group under a lock, as shelters do.
    child = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), WH
    )
    institution = classified(
        models.ForeignKey(
            "institutions.Institution",
            verbose_name=_("institution"),
            on_delete=models.PROTECT,
            related_name="placements",
        ),
        WH,
    )
    started_on = classified(models.DateField(_("placed from")), WH)
    # The last day in the placement (inclusive): a child who left on the 10th
    # is cared for, and paid for, up to the 10th.
    ended_on = classified(models.DateField(_("left on"), null=True, blank=True), WH)
    # A temporary (protective) placement ends on this day unless extended.
    temporary_until = classified(models.DateField(_("temporary until"), null=True, blank=True), WH)
    exit_reason = classified(
        models.CharField(_("why it ended"), max_length=16, choices=ExitReason.choices, blank=True),
        WH,
    )
    exit_note = classified(models.TextField(_("exit notes"), blank=True), WH)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(ended_on__isnull=True),
                name="placement_one_active_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="placement_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.started_on}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
