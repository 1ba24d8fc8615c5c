"""The life of a placement after the decision: the roster, incidents, reviews, visits, after-care.

``Presence`` is the institution's one-tap roster: one row per placed child
per day, recorded by the institution's staff. Funding pays for the days a
child was present within an active placement, so a day exists once
(database constraint) and is never paid twice.

``Incident`` is what the institution's staff report about a child in their
care (ran away, injury, illness, conflict). ``PlacementReview``,
``MonitoringVisit`` and ``AfterCareFollowUp`` are what Dinas Sosial records:
the periodic review of the placement, its visits to the child, and the
bimbingan lanjut after the child left care (PP 78/2021). All of it is about
where and how a placed child lives: whereabouts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

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


class IncidentKind(models.TextChoices):
    RAN_AWAY = "ran_away", _("Ran away")
    INJURY = "injury", _("Injury")
    ILLNESS = "illness", _("Illness")
    CONFLICT = "conflict", _("Conflict or violence")
    OTHER = "other", _("Other")


class Incident(UUIDModel, TimestampedModel):
    """Reported by the institution's staff; the case owner gets a task to follow it up."""

    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    occurred_at = classified(models.DateTimeField(_("when it happened")), WH)
    kind = classified(models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices), WH)
    what_happened = classified(models.TextField(_("what happened")), WH)
    action_taken = classified(models.TextField(_("what was done")), WH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the placement")
    CHANGE_PLAN = "change_plan", _("Continue with a changed care plan")
    MOVE = "move", _("Move the child to another placement")
    REUNIFY = "reunify", _("Prepare the return to the family")


class PlacementReview(UUIDModel, TimestampedModel, VersionedModel):
    """The periodic review of a placement (every six months by default)."""

    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    reviewed_on = classified(models.DateField(_("reviewed on")), WH)
    outcome = classified(
        models.CharField(_("outcome"), max_length=16, choices=ReviewOutcome.choices), WH
    )
    notes = classified(models.TextField(_("notes"), blank=True), WH)
    next_review_on = classified(models.DateField(_("next review on")), WH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("placement review")
        verbose_name_plural = _("placement reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_on__gt=models.F("reviewed_on")),
                name="review_next_after_this",
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.reviewed_on}"


class MonitoringVisit(UUIDModel, TimestampedModel, VersionedModel):
    """Dinas Sosial visiting a placed child, and what it found."""

    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = classified(models.DateField(_("visited on")), WH)
    visitors = classified(models.CharField(_("visitors"), max_length=300), WH)
    findings = classified(models.TextField(_("findings")), WH)
    child_seen_alone = classified(models.BooleanField(_("child seen alone")), WH)
    concerns = classified(models.TextField(_("concerns"), blank=True), WH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.visited_on}"


class InSchool(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class AfterCareFollowUp(UUIDModel, TimestampedModel, VersionedModel):
    """Bimbingan lanjut: how the child is doing 1, 3 and 6 months after leaving care."""

    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    # Which of the 1/3/6-month follow-ups this is; empty for an extra one.
    milestone = models.PositiveSmallIntegerField(_("months after leaving"), null=True, blank=True)
    followed_up_on = classified(models.DateField(_("followed up on")), WH)
    wellbeing = classified(models.TextField(_("how the child is")), WH)
    in_school = classified(
        models.CharField(_("in school"), max_length=8, choices=InSchool.choices), WH
    )
    risk_signs = classified(models.TextField(_("risk signs"), blank=True), WH)
    notes = classified(models.TextField(_("notes"), blank=True), WH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-followed_up_on", "-id"]
        verbose_name = _("after-care follow-up")
        verbose_name_plural = _("after-care follow-ups")

    def __str__(self) -> str:
        return f"{self.placement_id} · {self.followed_up_on}"
