"""Assessments as data: instruments (configuration) and the assessments filled in with them.

An **instrument** is configuration a system administrator edits in the
configuration console: sections, items, answer scales, sub-scales, scoring
rules and cut-off bands, in Indonesian and English. It is versioned: a
published version is immutable, and an edit is a new draft version copied
from it. An **assessment** is case content (never in the console): it points
at the exact instrument version it was filled in with, so publishing a new
version never changes a past score.

Answers carry the instrument's data class (clinical unless it says
otherwise); results (total, sub-scale scores, band) are care progress, so a
case manager follows results without reading a psychologist's answers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.i18n import in_language
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

PR = DataClass.PROGRESS

# The two instruments shipped with Kawal Anak (migration 0002); other apps
# (placement, reunification readiness, school readiness) ask for them by code.
BIOPSYCHOSOCIAL_CODE = "biopsychosocial-initial"
SAFETY_RISK_CODE = "safety-risk"
# Bands of the safety and risk assessment's total; "high" means the home is
# not safe for the child yet.
SAFETY_BAND_LOW = "low"
SAFETY_BAND_MEDIUM = "medium"
SAFETY_BAND_HIGH = "high"

# The classes an instrument's answers may have: the care classes. Anything
# wider (basic, identity ...) would show a child's answers to the whole team.
ANSWER_CLASSES = (DataClass.CLINICAL, DataClass.PROGRESS)


def localized(obj: Any, name: str) -> str:
    """``obj.<name>_en`` or ``obj.<name>_id``, by the page's language (see ``in_language``)."""
    return in_language(getattr(obj, f"{name}_id", ""), getattr(obj, f"{name}_en", ""))


class ScoringMethod(models.TextChoices):
    # A sum with missing answers is prorated: the mean of the answered items
    # times the number of items, so a skipped item never lowers the score.
    SUM = "sum", _("Sum of the item scores")
    MEAN = "mean", _("Mean of the item scores")


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (being edited)")
    PUBLISHED = "published", _("Published (in use)")
    RETIRED = "retired", _("Retired (kept for past assessments)")


class InstrumentLocked(PermissionError):
    """A published or retired instrument version, or a part of one, was about to change."""


class Instrument(TimestampedModel, VersionedModel):
    """One version of an assessment instrument.

    ``version`` is the row's edit counter (stale edits in the console are
    refused); ``version_number`` is the instrument's own version, shown to
    users and kept on every assessment.
    """

    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stays the same across versions; other parts of Kawal Anak look it up."),
    )
    version_number = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.DRAFT,
        editable=False,
    )
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    purpose_id = models.TextField(_("purpose (Indonesian)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    roles = models.JSONField(
        _("roles that may fill it in"),
        default=list,
        blank=True,
        help_text=_("They must also be on the child's case and allowed to read the answers."),
    )
    answers_class = models.CharField(
        _("data class of the answers"),
        max_length=16,
        choices=[(value.value, value.label) for value in ANSWER_CLASSES],
        default=DataClass.CLINICAL,
    )
    method = models.CharField(
        _("total score"), max_length=8, choices=ScoringMethod.choices, default=ScoringMethod.SUM
    )
    min_answered_percent = models.PositiveSmallIntegerField(
        _("answered items needed for a score (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "With fewer items answered, the total (or a sub-scale) is 'not scorable' "
            "rather than a guess."
        ),
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["code", "-version_number"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version_number"], name="instrument_version_once"
            ),
            # New assessments start on the one published version of a code.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="published"),
                name="one_published_version_per_instrument",
            ),
            # Edits gather in one draft at a time.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="draft"),
                name="one_draft_version_per_instrument",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Past scores depend on a published version staying exactly as it was;
        # the stored status decides, whatever this instance holds.
        _require_draft(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status != InstrumentStatus.DRAFT:
            raise InstrumentLocked("a published instrument version cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def purpose(self) -> str:
        return localized(self, "purpose")

    @property
    def is_draft(self) -> bool:
        return self.status == InstrumentStatus.DRAFT


def _require_draft(instrument_id: int | None) -> None:
    if instrument_id is None:
        return
    status = Instrument.objects.filter(pk=instrument_id).values_list("status", flat=True).first()
    if status is not None and status != InstrumentStatus.DRAFT:
        raise InstrumentLocked("a published instrument version cannot change")


class InstrumentPart(models.Model):
    """A part of one instrument version: editable only while that version is a draft."""

    instrument: Any

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _require_draft(self._instrument_id())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _require_draft(self._instrument_id())
        return super().delete(*args, **kwargs)

    def _instrument_id(self) -> int | None:
        return self.instrument_id  # type: ignore[attr-defined]

    def _same_instrument(self, **parts: Any) -> None:
        """Refuse a section, scale or sub-scale that belongs to another instrument version."""
        errors = {
            name: _("Choose one of this instrument version's own.")
            for name, part in parts.items()
            if part is not None and part.instrument_id != self._instrument_id()
        }
        if errors:
            raise ValidationError(errors)


class Section(InstrumentPart):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_id = models.TextField(_("instructions (Indonesian)"), blank=True)
    intro_en = models.TextField(_("instructions (English)"), blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def intro(self) -> str:
        return localized(self, "intro")


class AnswerScale(InstrumentPart):
    """The answers an item offers, e.g. No / Partly / Yes scored 0, 1, 2."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales")
    code = models.SlugField(_("code"), max_length=40)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["instrument", "code"]
        verbose_name = _("answer scale")
        verbose_name_plural = _("answer scales")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="scale_code_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ScaleOption(models.Model):
    scale = models.ForeignKey(AnswerScale, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    label_id = models.CharField(_("label (Indonesian)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "value", "id"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        constraints = [models.UniqueConstraint(fields=["scale", "value"], name="option_value_once")]

    def __str__(self) -> str:
        return f"{value_key(self.value)} = {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        _require_draft(self._instrument_id())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        _require_draft(self._instrument_id())
        return super().delete(*args, **kwargs)

    def _instrument_id(self) -> int | None:
        if self.scale_id is None:
            return None
        found = AnswerScale.objects.filter(pk=self.scale_id).values_list("instrument_id", flat=True)
        return found.first()

    @property
    def label(self) -> str:
        return localized(self, "label")


class Subscale(InstrumentPart):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="subscales")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    method = models.CharField(
        _("score"), max_length=8, choices=ScoringMethod.choices, default=ScoringMethod.MEAN
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("sub-scale")
        verbose_name_plural = _("sub-scales")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="subscale_code_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Item(InstrumentPart):
    """A question. With an answer scale it is scored; without one it takes a written answer."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    # RESTRICT: a section still holding questions cannot be deleted by mistake.
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.RESTRICT, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stays the same across versions of the instrument.")
    )
    text_id = models.TextField(_("question (Indonesian)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    scale = models.ForeignKey(
        AnswerScale,
        verbose_name=_("answer scale"),
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: a scale in use stays, yet a whole draft
        # version (scales and items together) can still be deleted.
        on_delete=models.RESTRICT,
        related_name="items",
        help_text=_("Leave empty for a written answer, which is not scored."),
    )
    reverse = models.BooleanField(
        _("reverse-scored"),
        default=False,
        help_text=_("Scored from the other end of the scale (a 'yes' here lowers the score)."),
    )
    subscale = models.ForeignKey(
        Subscale,
        verbose_name=_("sub-scale"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="items",
    )
    required = models.BooleanField(
        _("required"), default=True, help_text=_("An assessment cannot be signed without it.")
    )

    class Meta:
        ordering = ["section__order", "order", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_once")
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        self._same_instrument(
            section=self.section_or_none, scale=self.scale, subscale=self.subscale
        )
        if self.scale_id is None and (self.reverse or self.subscale_id is not None):
            raise ValidationError(
                _("A written answer is not scored: it cannot be reverse-scored or in a sub-scale.")
            )

    @property
    def section_or_none(self) -> Section | None:
        return self.section if self.section_id is not None else None

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def is_scored(self) -> bool:
        return self.scale_id is not None


class Band(InstrumentPart):
    """A cut-off: from ``from_score`` (inclusive) up to the next band's, this band applies.

    A score exactly at a limit belongs to the band that starts there. Bands
    without a sub-scale apply to the total.
    """

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="bands")
    subscale = models.ForeignKey(
        Subscale,
        verbose_name=_("sub-scale"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bands",
        help_text=_("Leave empty for a band of the total score."),
    )
    code = models.SlugField(_("code"), max_length=40)
    from_score = models.DecimalField(_("from score (inclusive)"), max_digits=8, decimal_places=2)
    label_id = models.CharField(_("label (Indonesian)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    meaning_id = models.TextField(_("meaning (Indonesian)"), blank=True)
    meaning_en = models.TextField(_("meaning (English)"), blank=True)
    attention = models.BooleanField(
        _("needs attention"), default=False, help_text=_("Shown highlighted on the case.")
    )

    class Meta:
        ordering = ["subscale__order", "from_score", "id"]
        verbose_name = _("cut-off band")
        verbose_name_plural = _("cut-off bands")

    def __str__(self) -> str:
        return f"{self.code} ≥ {value_key(self.from_score)}"

    def clean(self) -> None:
        self._same_instrument(subscale=self.subscale)

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def meaning(self) -> str:
        return localized(self, "meaning")


def value_key(value: Decimal) -> str:
    """A score as typed and posted: "2", "2.5", "-1" (never "2.00" or "1E+1")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    DISCARDED = "discarded", _("Discarded")


class AssessmentLocked(PermissionError):
    """A signed assessment was about to change; a correction is a new assessment."""


class Assessment(UUIDModel, VersionedModel):
    """One assessment of a child with one exact instrument version.

    A draft is saved as the assessor goes (autosave) and only they see it.
    Signed, it is immutable: the server scored it, and a correction is a new
    assessment that ``supersedes`` it (the old one is then marked with
    ``superseded_at`` and stays in the history).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    # Copied from the instrument so constraints and look-ups need no join.
    instrument_code = models.SlugField(max_length=40, editable=False)
    answers_class = models.CharField(
        _("data class of the answers"), max_length=16, choices=DataClass.choices, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # {item code: "score" or written text}. The class of this field is the
    # row's ``answers_class`` (clinical unless the instrument says otherwise),
    # like a note's body has its note's class.
    answers = classified(models.JSONField(_("answers"), default=dict), DataClass.CLINICAL)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    saved_at = models.DateTimeField(_("last saved"), auto_now_add=True)
    signed_at = classified(models.DateTimeField(_("signed"), null=True, blank=True), PR)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = classified(
        models.DecimalField(_("total score"), max_digits=9, decimal_places=2, null=True), PR
    )
    band_code = classified(models.CharField(_("band"), max_length=40, blank=True), PR)
    # The full scoring with the texts it showed (band and sub-scale names in
    # both languages), so a result reads the same forever.
    result = classified(models.JSONField(_("result"), default=dict), PR)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    superseded_at = models.DateTimeField(_("corrected later on"), null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-started_at", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            # "Start" resumes the assessor's draft instead of opening another.
            models.UniqueConstraint(
                fields=["case", "instrument_code", "assessor"],
                condition=models.Q(status="draft", supersedes__isnull=True),
                name="one_draft_per_assessor_and_instrument",
            ),
            # One correction at a time of a signed assessment.
            models.UniqueConstraint(
                fields=["supersedes"],
                condition=models.Q(status__in=["draft", "signed"]),
                name="one_live_correction",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed")
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_has_signer",
            ),
            models.CheckConstraint(
                condition=models.Q(superseded_at__isnull=True) | models.Q(status="signed"),
                name="only_signed_is_superseded",
            ),
        ]
        indexes = [models.Index(fields=["case", "status", "instrument_code"])]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.uuid}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stored status decides: a signed (or discarded) row never changes,
        # whatever an instance in memory holds.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in (AssessmentStatus.SIGNED, AssessmentStatus.DISCARDED):
                raise AssessmentLocked("a signed assessment never changes; correct it instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AssessmentLocked("assessments are kept; discard a draft instead")

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None
