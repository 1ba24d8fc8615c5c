"""The SIMFONI-PPA mapping table: which SIMFONI category each local value becomes.

Configuration, not case content: edited in the configuration console by a
system administrator; every change keeps who made it and when (the row and
the audit trail). An empty SIMFONI value means "no SIMFONI value": a case
with that local value is listed as not mappable, with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.core.models import TimestampedModel, VersionedModel
from kawal.simfoni.vocab import Axis


class MappingRow(TimestampedModel, VersionedModel):
    axis = models.CharField(_("axis"), max_length=12, choices=Axis.choices)
    local_value = models.CharField(_("local value"), max_length=40)
    simfoni_value = models.CharField(
        _("SIMFONI-PPA value"),
        max_length=40,
        blank=True,
        help_text=_(
            "Empty: no SIMFONI value; cases with this local value are listed as not mappable."
        ),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["axis", "local_value"]
        verbose_name = _("SIMFONI-PPA mapping")
        verbose_name_plural = _("SIMFONI-PPA mappings")
        constraints = [
            models.UniqueConstraint(fields=["axis", "local_value"], name="simfoni_mapping_once")
        ]

    def __str__(self) -> str:
        return f"{self.axis}: {self.local_value} → {self.simfoni_value or '—'}"
