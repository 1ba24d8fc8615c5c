"""The return to school: re-enrolment of a child cleared as safe, and how often they go.

An ``Enrolment`` records the school a child of a case was (re-)enrolled in,
arranged by the education office's school liaison or the case team, only
after the school-readiness decision of the care app is confirmed. A child has
at most one current enrolment (a database constraint); changing school ends
the previous one. Each month the liaison records an ``AttendanceFollowUp``
(school days, days absent, the main reason).

Which school a child attends tells where to find them during the day, so the
school's name and number are whereabouts; the education office that arranged
it is the one exception (see docs/schooling.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

WH = DataClass.WHEREABOUTS


class Level(models.TextChoices):
    SD = "sd", _("SD (primary school)")
    MI = "mi", _("MI (Islamic primary school)")
    SMP = "smp", _("SMP (junior secondary school)")
    MTS = "mts", _("MTs (Islamic junior secondary school)")
    SMA = "sma", _("SMA (senior secondary school)")
    SMK = "smk", _("SMK (vocational secondary school)")
    MA = "ma", _("MA (Islamic senior secondary school)")
    PAKET_A = "paket_a", _("Paket A (equivalent to primary)")
    PAKET_B = "paket_b", _("Paket B (equivalent to junior secondary)")
    PAKET_C = "paket_c", _("Paket C (equivalent to senior secondary)")


# The grades each level teaches (national numbering 1-12; the equivalence
# programmes follow the level they stand for).
GRADES: dict[str, tuple[int, int]] = {
    Level.SD: (1, 6),
    Level.MI: (1, 6),
    Level.PAKET_A: (1, 6),
    Level.SMP: (7, 9),
    Level.MTS: (7, 9),
    Level.PAKET_B: (7, 9),
    Level.SMA: (10, 12),
    Level.SMK: (10, 12),
    Level.MA: (10, 12),
    Level.PAKET_C: (10, 12),
}


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def current(self) -> EnrolmentQuerySet:
        return self.filter(ended_on__isnull=True)


class Enrolment(UUIDModel, TimestampedModel, VersionedModel):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="enrolments"
    )
    # The root of the child's records when enrolled (as placements keep it).
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    school_name = classified(models.CharField(_("school"), max_length=200), WH)
    # Nomor Pokok Sekolah Nasional: eight digits, the Kemendikdasmen register key.
    npsn = classified(models.CharField(_("NPSN"), max_length=8), WH)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    enrolled_on = models.DateField(_("enrolled on"))
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arranged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = classified(models.TextField(_("notes"), blank=True), WH)
    # The last school day (inclusive), set when the child changes school.
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("school enrolment")
        verbose_name_plural = _("school enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(ended_on__isnull=True),
                name="enrolment_one_current_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("enrolled_on")),
                name="enrolment_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(npsn__regex=r"^[0-9]{8}$"), name="enrolment_npsn_8_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=12), name="enrolment_grade_1_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_name} · {self.enrolled_on}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class AbsenceReason(models.TextChoices):
    NONE = "none", _("Hardly absent")
    ILLNESS = "illness", _("Illness")
    FAMILY = "family", _("Family matters")
    WORK = "work", _("Working or begging")
    SAFETY = "safety", _("Bullying or feeling unsafe")
    TRANSPORT = "transport", _("Transport or distance")
    COSTS = "costs", _("Costs (uniform, books, fees)")
    REFUSES = "refuses", _("Does not want to go")
    OTHER = "other", _("Other")


class AttendanceFollowUp(UUIDModel, TimestampedModel, VersionedModel):
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    # Always the first day of the month followed up.
    month = models.DateField(_("month"))
    school_days = models.PositiveSmallIntegerField(_("school days"))
    days_absent = models.PositiveSmallIntegerField(_("days absent"))
    reason = models.CharField(
        _("main reason for absence"), max_length=16, choices=AbsenceReason.choices
    )
    reason_text = models.TextField(_("about the absence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("attendance follow-up")
        verbose_name_plural = _("attendance follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "month"], name="attendance_once_per_enrolment_month"
            ),
            models.CheckConstraint(
                condition=models.Q(days_absent__lte=models.F("school_days")),
                name="attendance_absent_within_school_days",
            ),
            models.CheckConstraint(
                condition=models.Q(school_days__gte=1, school_days__lte=31),
                name="attendance_school_days_1_31",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.month:%Y-%m}"

    @property
    def attendance_share(self) -> float:
        """Share of school days attended, 0..1 (for display and the alert)."""
        return (self.school_days - self.days_absent) / self.school_days
