"""Children, their relatives and households. Almost every field here is identity data."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

ID = DataClass.IDENTITY
WH = DataClass.WHEREABOUTS


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class NikStatus(models.TextChoices):
    KNOWN = "known", _("Known")
    NONE = "none", _("Has none")
    UNKNOWN = "unknown", _("Not known yet")


class SchoolStatus(models.TextChoices):
    IN_SCHOOL = "in_school", _("In school")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    NEVER_ENROLLED = "never_enrolled", _("Never enrolled")
    NOT_SCHOOL_AGE = "not_school_age", _("Not of school age")
    UNKNOWN = "unknown", _("Unknown")


class Relation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEPMOTHER = "stepmother", _("Stepmother")
    STEPFATHER = "stepfather", _("Stepfather")
    GUARDIAN = "guardian", _("Guardian")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    UNCLE_AUNT = "uncle_aunt", _("Uncle or aunt")
    OTHER = "other", _("Other relative")


class Person(UUIDModel, TimestampedModel, VersionedModel):
    """A child or an adult linked to a child's case."""

    is_child = models.BooleanField(_("child"), default=True)
    full_name = classified(models.CharField(_("full name"), max_length=200), ID)
    sex = classified(models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True), ID)
    birth_date = classified(models.DateField(_("date of birth"), null=True, blank=True), ID)
    birth_date_estimated = classified(
        models.BooleanField(_("birth date is an estimate"), default=False), ID
    )
    # A date copied from a birth certificate, NIK or KK is evidence even on 1 January or
    # 1 July, the days clerks write when only the year is known (identity matching).
    birth_date_documented = classified(
        models.BooleanField(
            _("birth date from a document"),
            default=False,
            # Bulk loads that do not name the column (the lookup bench's COPY) still work.
            db_default=False,
            help_text=_("Taken from a birth certificate, NIK or family card (KK)."),
        ),
        ID,
    )
    age_min = classified(
        models.PositiveSmallIntegerField(_("estimated age from"), null=True, blank=True), ID
    )
    age_max = classified(
        models.PositiveSmallIntegerField(_("estimated age to"), null=True, blank=True), ID
    )
    place_of_birth = classified(
        models.CharField(_("place of birth"), max_length=100, blank=True), ID
    )
    nik_status = classified(
        models.CharField(
            _("NIK"), max_length=8, choices=NikStatus.choices, default=NikStatus.UNKNOWN
        ),
        ID,
    )
    nik = classified(
        models.CharField(_("NIK number"), max_length=16, blank=True, db_index=True), ID
    )
    nik_missing_reason = classified(
        models.CharField(_("why there is no NIK"), max_length=200, blank=True), ID
    )
    kk_number = classified(models.CharField(_("KK number"), max_length=16, blank=True), ID)
    religion = classified(models.CharField(_("religion"), max_length=40, blank=True), ID)
    disability = classified(models.CharField(_("disability"), max_length=200, blank=True), ID)
    languages = classified(models.CharField(_("languages"), max_length=200, blank=True), ID)
    school_status = classified(
        models.CharField(
            _("school status"),
            max_length=16,
            choices=SchoolStatus.choices,
            default=SchoolStatus.UNKNOWN,
        ),
        WH,
    )
    school_name = classified(models.CharField(_("school"), max_length=200, blank=True), WH)
    kelurahan = classified(
        models.ForeignKey(
            "regions.Region",
            verbose_name=_("kelurahan"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        ID,
    )
    rt = classified(models.CharField(_("RT"), max_length=3, blank=True), ID)
    rw = classified(models.CharField(_("RW"), max_length=3, blank=True), ID)
    street = classified(models.CharField(_("street address"), max_length=200, blank=True), ID)
    phone = classified(models.CharField(_("phone"), max_length=30, blank=True), ID)
    occupation = classified(models.CharField(_("occupation"), max_length=100, blank=True), ID)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # Set when a reviewer found this record to be the same child as another;
    # the record and its cases stay as they were, so the merge can be undone.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="absorbed"
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.initials

    @property
    def initials(self) -> str:
        """What a user who may not see identity learns of a name."""
        parts = [part for part in self.full_name.replace(".", " ").split() if part[:1].isalpha()]
        return "".join(part[0].upper() + "." for part in parts[:3]) or "?"

    def age_on(self, day: date | None = None) -> int | None:
        day = day or timezone.localdate()
        if self.birth_date is not None:
            born = self.birth_date
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.age_min is not None:
            return self.age_min
        return None

    @property
    def age_label(self) -> str:
        age = self.age_on()
        if age is None:
            return "?"
        if self.birth_date is None and self.age_max and self.age_max != self.age_min:
            return f"{self.age_min}-{self.age_max}"
        return f"±{age}" if self.birth_date_estimated else str(age)


class PersonAlias(models.Model):
    """Other names the child is known by; street children often go by nicknames."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = classified(models.CharField(_("alias or nickname"), max_length=100), ID)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="alias_once")]

    def __str__(self) -> str:
        return self.name


class PersonRelation(UUIDModel, TimestampedModel):
    """How an adult (or sibling) is related to a child."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives_of")
    relation = classified(
        models.CharField(_("relation to the child"), max_length=16, choices=Relation.choices), ID
    )
    is_guardian = classified(models.BooleanField(_("legal guardian"), default=False), ID)

    class Meta:
        verbose_name = _("relative")
        verbose_name_plural = _("relatives")
        constraints = [
            models.UniqueConstraint(fields=["child", "relative"], name="relation_once"),
            models.CheckConstraint(
                condition=~models.Q(child=models.F("relative")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relation}"


class Household(UUIDModel, TimestampedModel):
    """A family card (KK) and who is on it."""

    kk_number = classified(models.CharField(_("KK number"), max_length=16, blank=True), ID)
    kelurahan = classified(
        models.ForeignKey(
            "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
        ),
        ID,
    )
    members = models.ManyToManyField(Person, related_name="households", blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"KK {self.pk}"
