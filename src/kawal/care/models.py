"""The psychologist's daily observations and the "safe to return to school" decision.

An observation is one day of one child: scores on 1-5 scales (care progress,
read by those leading the child's care), incidents (kind and time are
progress, what was done is clinical) and a free clinical note (clinical: only
clinicians on the case). The indicators are configuration data, so an
instrument's own indicators can be added in the configuration console.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.i18n import in_language
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

PROGRESS = DataClass.PROGRESS
CLINICAL = DataClass.CLINICAL

SCALE_MIN = 1
SCALE_MAX = 5


class Indicator(VersionedModel):
    """One scale the psychologist scores every day (configuration, not case data)."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short and stable, e.g. mood; scores refer to it."),
    )
    label_id = models.CharField(_("name (Indonesian)"), max_length=80)
    label_en = models.CharField(_("name (English)"), max_length=80)
    low_id = models.CharField(_("what 1 means (Indonesian)"), max_length=60, blank=True)
    low_en = models.CharField(_("what 1 means (English)"), max_length=60, blank=True)
    high_id = models.CharField(_("what 5 means (Indonesian)"), max_length=60, blank=True)
    high_en = models.CharField(_("what 5 means (English)"), max_length=60, blank=True)
    higher_is_better = models.BooleanField(
        _("a higher score is better"),
        default=True,
        help_text=_("Off for scales where 5 means a problem, e.g. aggression."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Retire an indicator instead of deleting it: past scores keep it."),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("observation indicator")
        verbose_name_plural = _("observation indicators")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_language(self.label_id, self.label_en)

    @property
    def low(self) -> str:
        return in_language(self.low_id, self.low_en)

    @property
    def high(self) -> str:
        return in_language(self.high_id, self.high_en)


class Observation(UUIDModel, TimestampedModel, VersionedModel):
    """One day of one child, recorded by a psychologist."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="observations")
    observed_on = classified(models.DateField(_("date")), PROGRESS)
    note = classified(models.TextField(_("clinical note"), blank=True), CLINICAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("daily observation")
        verbose_name_plural = _("daily observations")
        constraints = [
            # A child has one open case at a time, so one a case and day is
            # one a child and day.
            models.UniqueConstraint(
                fields=["case", "observed_on"], name="one_observation_per_child_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.observed_on:%Y-%m-%d}"


class ObservationScore(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = classified(models.PositiveSmallIntegerField(_("score")), PROGRESS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "indicator"], name="one_score_per_indicator"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=SCALE_MIN) & models.Q(value__lte=SCALE_MAX),
                name="score_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class IncidentKind(models.TextChoices):
    AGGRESSION = "aggression", _("Aggression towards others")
    SELF_HARM = "self_harm", _("Self-harm, or a threat of it")
    RUNNING_AWAY = "running_away", _("Ran away, or tried to")
    DISTRESS = "distress", _("Severe distress (panic, crying fit)")
    CONFLICT = "conflict", _("Conflict with other children")
    HEALTH = "health", _("Health problem or injury")
    OUTSIDE_CONTACT = "outside_contact", _("Unwanted contact from outside")
    OTHER = "other", _("Other")


class Incident(UUIDModel):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="incidents")
    kind = classified(
        models.CharField(_("what happened"), max_length=20, choices=IncidentKind.choices),
        PROGRESS,
    )
    occurred_at = classified(models.TimeField(_("time")), PROGRESS)
    action_taken = classified(models.TextField(_("what was done")), CLINICAL)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%H:%M}"


# ``AssessmentSummary.band_code`` of a high-risk or high-needs result.
HIGH_BAND = "high"


class ReadinessDecision(UUIDModel, TimestampedModel):
    """ "Safe to return to school": decided on the case, confirmed by a supervisor.

    The latest decision of a case is the one in force. It clears the child
    only when it says yes, is confirmed, and is not revoked
    (``kawal.care.selectors.school_readiness``).
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="readiness_decisions"
    )
    safe = classified(models.BooleanField(_("safe to return to school")), PROGRESS)
    period_from = classified(models.DateField(_("observed from")), PROGRESS)
    period_to = classified(models.DateField(_("observed until")), PROGRESS)
    # The signed assessments the decision rests on, as they read when it was
    # made: uuid, instrument and result (a later correction is a new assessment).
    assessments = classified(models.JSONField(_("assessments"), default=list), PROGRESS)
    rationale = classified(models.TextField(_("rationale"), blank=True), PROGRESS)
    # Why a "yes" stands although an assessment it names came out high: the
    # decider must say so in words, and the confirming supervisor reads it.
    against_reason = classified(
        models.TextField(_("reason for deciding against a high result"), blank=True), PROGRESS
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = classified(models.TextField(_("reason for revoking"), blank=True), PROGRESS)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("school readiness decision")
        verbose_name_plural = _("school readiness decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(confirmed_at__isnull=True, revoked_at__isnull=True),
                name="one_readiness_decision_awaiting_confirmation",
            ),
            models.CheckConstraint(
                condition=models.Q(period_from__lte=models.F("period_to")),
                name="readiness_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {'yes' if self.safe else 'no'}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.confirmed_at is not None:
            return "confirmed"
        return "pending"

    @property
    def high_assessments(self) -> list[dict[str, object]]:
        """The named assessments whose result was in the high band when decided."""
        return [item for item in self.assessments if item.get("band_code") == HIGH_BAND]

    @property
    def clears(self) -> bool:
        return self.safe and self.confirmed_at is not None and self.revoked_at is None
