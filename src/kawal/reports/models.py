"""Reports of children seen working or begging, from the public and from staff.

A public report needs no account. It keeps only what the reporter typed
(contact details are optional) and never the sender's address; a tracking
code shows the reporter a status and nothing about any child.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

B = DataClass.BASIC
ID = DataClass.IDENTITY
R = DataClass.REPORTER

# A device's location is the sighting's place only while the reporter is still
# there; later it is wherever they are now, often their home.
POINT_FRESH_FOR = timedelta(hours=2)

# No 0/O, 1/I/L: codes are read aloud over the phone and typed on small keyboards.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{body[:5]}-{body[5:]}"


class ReportChannel(models.TextChoices):
    PUBLIC_WEB = "public_web", _("Public report form")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    SAPA129 = "sapa129", _("SAPA 129 referral")
    RT = "rt", _("RT head")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    POLICE = "police", _("Police")
    SATPOL_PP = "satpol_pp", _("Satpol PP")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("Being handled")
    HANDLED = "handled", _("Handled")


class Report(UUIDModel, TimestampedModel, VersionedModel):
    channel = models.CharField(_("channel"), max_length=12, choices=ReportChannel.choices)
    tracking_code = models.CharField(max_length=11, unique=True, default=new_tracking_code)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    seen = classified(models.JSONField(_("what was seen"), default=list), B)
    children_count = classified(models.PositiveSmallIntegerField(_("how many children")), B)
    youngest_age = classified(
        models.PositiveSmallIntegerField(_("youngest (rough age)"), null=True, blank=True), B
    )
    oldest_age = classified(
        models.PositiveSmallIntegerField(_("oldest (rough age)"), null=True, blank=True), B
    )
    seen_at = classified(models.DateTimeField(_("when")), B)
    kelurahan = classified(
        models.ForeignKey(
            "regions.Region",
            verbose_name=_("kelurahan"),
            on_delete=models.PROTECT,
            related_name="+",
        ),
        B,
    )
    landmark = classified(models.CharField(_("landmark"), max_length=200), B)
    latitude = classified(
        models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True), B
    )
    longitude = classified(
        models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True), B
    )
    description = classified(models.TextField(_("what happened"), blank=True), B)
    photo = classified(models.CharField(max_length=80, blank=True), ID)  # private storage name
    # Names of the children when the reporter knows them (an RT head often does).
    child_names = classified(models.TextField(_("children's names"), blank=True), ID)
    # Their phonetic keys, so reports naming the same child find each other
    # without comparing names in the queue.
    child_keys = classified(models.JSONField(default=list, blank=True), ID)
    # The reporter's own details: optional, and only what they typed.
    reporter_name = classified(
        models.CharField(_("reporter's name"), max_length=120, blank=True), R
    )
    reporter_phone = classified(
        models.CharField(_("reporter's phone"), max_length=30, blank=True), R
    )
    # A report taken by staff (phone, walk-in, SAPA 129…): who recorded it.
    taken_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Triage: the operation sent to look, who took it on, and why it was closed.
    operation = models.ForeignKey(
        "outreach.Operation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    handled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = classified(models.TextField(_("reason for closing"), blank=True), B)
    # Closed as the same sighting as another report, which carries on.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    # The report it was merged into at first: when that one is merged on and
    # later reopened, its own repeats come back to it.
    merged_first_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def seen_labels(self) -> list[str]:
        """What was seen, in the reader's language."""
        from kawal.outreach.models import Activity

        labels = dict(Activity.choices)
        return [str(labels.get(value, value)) for value in self.seen]
