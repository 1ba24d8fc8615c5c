"""Outreach operations (penjangkauan) and the children found on them.

A capture is what an officer writes down in the street: the name as the
child told it, a rough age, what the child was doing, who was with them and
where the child was taken. Each capture is matched against the registry
(``kawal.identity``) and ends linked to an existing child or to a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

B = DataClass.BASIC
ID = DataClass.IDENTITY
WH = DataClass.WHEREABOUTS


class OperationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONDUCTED = "conducted", _("Conducted")
    CANCELLED = "cancelled", _("Cancelled")


class Operation(UUIDModel, TimestampedModel, VersionedModel):
    title = classified(models.CharField(_("name of the operation"), max_length=200), B)
    starts_at = classified(models.DateTimeField(_("date and time")), B)
    area = classified(
        models.ForeignKey(
            "regions.Region",
            verbose_name=_("kelurahan"),
            on_delete=models.PROTECT,
            related_name="+",
        ),
        B,
    )
    area_note = classified(models.CharField(_("places to visit"), max_length=300, blank=True), B)
    status = models.CharField(
        _("status"), max_length=10, choices=OperationStatus.choices, default=OperationStatus.PLANNED
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        related_name="led_operations",
    )
    agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("joint team"), related_name="operations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("outreach operation")
        verbose_name_plural = _("outreach operations")

    def __str__(self) -> str:
        return self.title


class Activity(models.TextChoices):
    SELLING_TISSUES = "tissues", _("Selling tissues")
    SELLING_NEWSPAPERS = "newspapers", _("Selling newspapers")
    BEGGING = "begging", _("Begging")
    BUSKING = "busking", _("Busking")
    SCAVENGING = "scavenging", _("Scavenging")
    OTHER = "other", _("Other")


class TakenTo(models.TextChoices):
    HOME = "home", _("Home, to the parents")
    UPTD = "uptd", _("UPTD PPA shelter")
    POLICE = "police", _("Police")
    STAYED = "stayed", _("Stayed where found")
    OTHER = "other", _("Other")


class MatchOutcome(models.TextChoices):
    LINKED = "linked", _("Known child")
    NEW = "new", _("New child")
    ASK = "ask", _("Possibly known: ask the case manager")


class Capture(UUIDModel, TimestampedModel):
    operation = models.ForeignKey(Operation, on_delete=models.PROTECT, related_name="captures")
    name_as_told = classified(models.CharField(_("name as told"), max_length=200), ID)
    age_estimate = classified(models.PositiveSmallIntegerField(_("rough age")), ID)
    sex = classified(models.CharField(_("sex"), max_length=1, blank=True), ID)
    activity = classified(
        models.CharField(_("activity"), max_length=12, choices=Activity.choices), B
    )
    place = classified(models.CharField(_("where found"), max_length=200, blank=True), B)
    # Where the child was found, a public place; never a home or shelter address.
    latitude = classified(
        models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True),
        B,
    )
    longitude = classified(
        models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True),
        B,
    )
    accompanying_adult = classified(
        models.CharField(_("accompanying adult"), max_length=200, blank=True), ID
    )
    taken_to = classified(
        models.CharField(_("taken to"), max_length=8, choices=TakenTo.choices), WH
    )
    undertaking_signed = classified(
        models.BooleanField(_("parents signed an undertaking (surat pernyataan)"), default=False),
        B,
    )
    # A photo or PDF of the signed undertaking: it names and is signed by the
    # parents, so it is identity data. Private storage name, never a URL.
    undertaking_file = classified(models.CharField(max_length=80, blank=True), ID)
    undertaking_content_type = models.CharField(max_length=40, blank=True)
    undertaking_added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undertaking_added_at = models.DateTimeField(null=True, blank=True)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="captures")
    outcome = models.CharField(max_length=8, choices=MatchOutcome.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="captures"
    )
    # When ``case`` was last set: an undo moves only a link made while the
    # merge it undoes was in force, and a capture may be added to a case
    # opened long before either.
    case_linked_at = models.DateTimeField(null=True, blank=True)
    # The case was opened, or reopened, from this capture (not linked to, nor
    # added to, a case that stood): an undo of the join asks its manager
    # whether it stays open.
    case_opened_from = models.BooleanField(default=False)
    # The report that sent the team to look, when there was one.
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="captures",
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("child found")
        verbose_name_plural = _("children found")

    def __str__(self) -> str:
        return f"{self.operation_id}/{self.pk}"
