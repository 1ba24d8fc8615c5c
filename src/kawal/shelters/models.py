"""Shelter stays at the UPTD PPA (penampungan sementara, rumah aman).

A shelter belongs to one UPTD PPA agency and has rooms with beds; a room
accepts girls, boys or both within an age range. A stay puts the child of a
case in a bed from admission to discharge. Where a child sleeps is exactly
what the whereabouts class protects, so every field of a stay is
whereabouts; the rooms and beds themselves are configuration.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

WH = DataClass.WHEREABOUTS


class Shelter(UUIDModel, TimestampedModel, VersionedModel):
    """A rumah aman run by a UPTD PPA. No address: a safe house's place is kept off-line."""

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="shelters",
        limit_choices_to={"kind": "uptd_ppa"},
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="shelter_name_once_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class RoomSex(models.TextChoices):
    ANY = "", _("Girls and boys")
    FEMALE = "F", _("Girls only")
    MALE = "M", _("Boys only")


class Room(UUIDModel, TimestampedModel, VersionedModel):
    shelter = models.ForeignKey(
        Shelter, verbose_name=_("shelter"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    accepts_sex = models.CharField(
        _("who sleeps here"), max_length=1, choices=RoomSex.choices, blank=True, default=""
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age"), default=0)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), default=17)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["shelter", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["shelter", "name"], name="room_name_once_per_shelter"),
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")), name="room_ages_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shelter} · {self.name}"

    @property
    def accepts_label(self) -> str:
        return gettext("%(who)s, %(youngest)s-%(oldest)s years") % {
            "who": self.get_accepts_sex_display(),
            "youngest": self.age_min,
            "oldest": self.age_max,
        }


class Bed(UUIDModel):
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="beds"
    )
    label = models.CharField(_("bed"), max_length=40)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["room", "label"]
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        constraints = [
            models.UniqueConstraint(fields=["room", "label"], name="bed_label_once_per_room")
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.label}"


class ArrivedFrom(models.TextChoices):
    OUTREACH = "outreach", _("Outreach operation")
    POLICE = "police", _("Police")
    HOSPITAL = "hospital", _("Hospital or health centre")
    HOME = "home", _("Home or family")
    OTHER_SHELTER = "other_shelter", _("Another shelter")
    OTHER = "other", _("Somewhere else")


class DischargeReason(models.TextChoices):
    HOME = "home", _("Returned to the family")
    INSTITUTION = "institution", _("Placed in an institution (LKSA, pesantren)")
    HOSPITAL = "hospital", _("Taken into hospital")
    OTHER_SHELTER = "other_shelter", _("Moved to another agency's shelter")
    LEFT = "left", _("Left without permission")
    OTHER = "other", _("Other")
    # Set by a transfer between beds or shelters, never chosen on the form.
    TRANSFER = "transfer", _("Transferred to another bed")


class StayQuerySet(models.QuerySet["Stay"]):
    def active(self) -> StayQuerySet:
        return self.filter(discharged_at__isnull=True)


class Stay(UUIDModel, TimestampedModel, VersionedModel):
    """One child in one bed, from admission to discharge (or transfer)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="shelter_stays"
    )
    # The root of the child's records in the identity registry at admission.
    # A later merge rewrites no stay, so this may then be an absorbed record:
    # the services check every record of the merge group under a lock
    # (``services._lock_child``); the index below sees only one record.
    child = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), WH
    )
    bed = classified(
        models.ForeignKey(
            Bed, verbose_name=_("bed"), on_delete=models.PROTECT, related_name="stays"
        ),
        WH,
    )
    admitted_at = classified(models.DateTimeField(_("admitted")), WH)
    # When the child came into the shelters: a transfer starts a new stay but
    # not a new count of days, so the board and the long-stay reminder follow
    # the whole time in care.
    began_at = classified(models.DateTimeField(_("in the shelters since")), WH)
    arrived_from = classified(
        models.CharField(_("came from"), max_length=16, choices=ArrivedFrom.choices), WH
    )
    arrived_from_detail = classified(
        models.CharField(_("came from (details)"), max_length=200, blank=True), WH
    )
    brought_by = classified(models.CharField(_("brought by"), max_length=200), WH)
    admitted_by = classified(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            verbose_name=_("admitted by"),
            on_delete=models.PROTECT,
            related_name="+",
        ),
        WH,
    )
    reason = classified(models.TextField(_("reason for admission")), WH)
    # Why a child sleeps in a room meant for other ages (the sexes never mix).
    age_exception = classified(
        models.CharField(_("why outside the room's ages"), max_length=300, blank=True), WH
    )

    # The first-night health check, done by the shelter staff. It is a care
    # record of the shelter, read by those who know where the child is; the
    # clinical class stays the psychologists' (docs/care.md).
    health_checked_at = classified(
        models.DateTimeField(_("health check recorded"), null=True, blank=True), WH
    )
    health_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    temperature = classified(
        models.DecimalField(
            _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
        ),
        WH,
    )
    injuries = classified(models.TextField(_("injuries seen"), blank=True), WH)
    illness = classified(models.TextField(_("illness"), blank=True), WH)
    needs_doctor = classified(models.BooleanField(_("needs a doctor"), default=False), WH)
    health_notes = classified(models.TextField(_("health notes"), blank=True), WH)

    discharged_at = classified(models.DateTimeField(_("left"), null=True, blank=True), WH)
    discharge_reason = classified(
        models.CharField(
            _("reason for leaving"), max_length=16, choices=DischargeReason.choices, blank=True
        ),
        WH,
    )
    discharged_to = classified(models.CharField(_("went to"), max_length=300, blank=True), WH)
    discharge_note = classified(models.TextField(_("discharge note"), blank=True), WH)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The stay this one continues after a transfer (and ``next_stay`` back).
    previous = classified(
        models.OneToOneField(
            "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_stay"
        ),
        WH,
    )

    objects = StayQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_at", "-id"]
        verbose_name = _("shelter stay")
        verbose_name_plural = _("shelter stays")
        constraints = [
            # Partial unique indexes (SQLite and PostgreSQL): the database
            # itself refuses a second admission of a child still staying, and
            # a second child in an occupied bed, whatever the application does.
            # (One record of a child; records merged later are the services' check.)
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(discharged_at__isnull=True),
                name="one_active_stay_per_child",
            ),
            models.UniqueConstraint(
                fields=["bed"],
                condition=models.Q(discharged_at__isnull=True),
                name="one_active_stay_per_bed",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_at__isnull=True)
                | models.Q(discharged_at__gte=models.F("admitted_at")),
                name="stay_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(began_at__lte=models.F("admitted_at")),
                name="stay_began_by_admission",
            ),
            models.CheckConstraint(
                condition=(models.Q(discharged_at__isnull=True) & models.Q(discharge_reason=""))
                | (models.Q(discharged_at__isnull=False) & ~models.Q(discharge_reason="")),
                name="stay_discharge_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "admitted_at"]),
            models.Index(fields=["discharged_at", "began_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.bed_id}"

    @property
    def is_active(self) -> bool:
        return self.discharged_at is None

    def days(self, today: date | None = None) -> int:
        """Days in the shelters so far (until leaving, once discharged), transfers included."""
        start = timezone.localdate(self.began_at)
        if self.discharged_at is not None:
            end = timezone.localdate(self.discharged_at)
        else:
            end = today or timezone.localdate()
        return max((end - start).days, 0)


class Belonging(models.Model):
    """What the child brought with them, handed back on leaving."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="belongings")
    description = classified(models.CharField(_("item"), max_length=200), WH)
    quantity = classified(models.PositiveSmallIntegerField(_("quantity"), default=1), WH)

    class Meta:
        ordering = ["id"]
        verbose_name = _("belonging")
        verbose_name_plural = _("belongings")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="belonging_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"
