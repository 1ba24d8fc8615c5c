"""The life of a placement after the decision: the daily roster, and more to come.

``Presence`` is the institution's one-tap roster: one row per placed child
per day, recorded by the institution's staff. Funding pays for the days a
child was present within an active placement, so a day exists once
(database constraint) and is never paid twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import UUIDModel

WH = DataClass.WHEREABOUTS


class Presence(UUIDModel):
    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="presences",
    )
    day = classified(models.DateField(_("day")), WH)
    present = classified(models.BooleanField(_("present")), WH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("presence")
        verbose_name_plural = _("presence")
        constraints = [
            models.UniqueConstraint(fields=["placement", "day"], name="presence_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.day}"
