"""Work with parents (pola asuh) and with the community (sosialisasi).

A parent programme belongs to one case: the case is the unit of access, so
who may see a family's programme is exactly who may see that class of data on
the child's case. Nothing here records where the child is: the programme is
about the parents and their home, and parents may be the alleged
perpetrators (see "When a parent is the alleged perpetrator" in
docs/families.md).

Community sessions are not about a case: they are events in a kelurahan or RT
with counts of who came, and the families at risk the facilitators noted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel
from kawal.people.models import Relation

B = DataClass.BASIC
ID = DataClass.IDENTITY
CL = DataClass.CLINICAL
PR = DataClass.PROGRESS
FIN = DataClass.FINANCIAL


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    CLOSED = "closed", _("Closed")


class ParentProgramme(UUIDModel, TimestampedModel, VersionedModel):
    """The parents' programme on a child's case: sessions, home visits, undertakings, support."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="parent_programmes"
    )
    # The parents' psychologist or social worker; may differ from the child's.
    facilitator = classified(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            verbose_name=_("facilitator"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="facilitated_programmes",
        ),
        PR,
    )
    started_on = classified(models.DateField(_("started on")), PR)
    planned_sessions = classified(models.PositiveSmallIntegerField(_("sessions planned")), PR)
    goals = classified(models.TextField(_("goals of the programme"), blank=True), PR)
    status = classified(
        models.CharField(
            _("status"),
            max_length=8,
            choices=ProgrammeStatus.choices,
            default=ProgrammeStatus.ACTIVE,
        ),
        PR,
    )
    closed_on = classified(models.DateField(_("closed on"), null=True, blank=True), PR)
    closed_reason = classified(models.TextField(_("why it was closed"), blank=True), PR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("parent programme")
        verbose_name_plural = _("parent programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="active"),
                name="one_running_programme_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"PP-{self.pk}"


class ProgrammeParent(UUIDModel):
    """A parent or carer taking part in the programme (one of the child's relatives)."""

    programme = models.ForeignKey(ParentProgramme, on_delete=models.CASCADE, related_name="parents")
    person = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), ID
    )
    relation = classified(
        models.CharField(_("relation to the child"), max_length=16, choices=Relation.choices),
        ID,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="programme_parent_once")
        ]

    def __str__(self) -> str:
        return self.relation


class SessionKind(models.TextChoices):
    EDUCATION = "education", _("Parenting education")
    COUNSELLING = "counselling", _("Counselling")


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual (this family)")
    GROUP = "group", _("Group (with other families)")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled by the facilitator")


class ProgrammeSession(UUIDModel, TimestampedModel, VersionedModel):
    """A parenting-education or counselling session of one family's programme.

    A group session is recorded on each family's programme: one family's record
    never lists the other families in the room.
    """

    programme = models.ForeignKey(
        ParentProgramme, on_delete=models.CASCADE, related_name="sessions"
    )
    kind = classified(models.CharField(_("kind"), max_length=12, choices=SessionKind.choices), PR)
    format = classified(
        models.CharField(_("format"), max_length=12, choices=SessionFormat.choices), PR
    )
    status = classified(
        models.CharField(_("status"), max_length=10, choices=SessionStatus.choices), PR
    )
    held_on = classified(models.DateField(_("date")), PR)
    facilitator = classified(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            verbose_name=_("facilitator"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        PR,
    )
    topic = classified(models.CharField(_("topic"), max_length=200), PR)
    summary = classified(models.TextField(_("what was covered"), blank=True), PR)
    # The psychologist's own observations of the parents: clinicians only.
    clinical_note = classified(models.TextField(_("clinical note"), blank=True), CL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on}"


class Attendance(models.Model):
    """Whether one parent came to one held session."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.CASCADE, related_name="attendance"
    )
    parent = models.ForeignKey(ProgrammeParent, on_delete=models.CASCADE, related_name="+")
    attended = classified(models.BooleanField(_("attended")), PR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "parent"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.parent_id}: {self.attended}"


class RtConfirmation(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked")
    PENDING = "pending", _("Waiting for the RT head")
    CONFIRMED = "confirmed", _("Confirmed by the RT head")
    CONCERNS = "concerns", _("The RT head confirmed the visit and has concerns about the home")
    NOT_CONFIRMED = "not_confirmed", _("The RT head could not confirm the visit")


class HomeVisit(UUIDModel, TimestampedModel):
    """A visit to the family's home, and the RT head's confirmation of it as a second step."""

    programme = models.ForeignKey(ParentProgramme, on_delete=models.CASCADE, related_name="visits")
    visited_on = classified(models.DateField(_("date of the visit")), PR)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("who went"), related_name="+", blank=True
    )
    other_visitors = classified(
        models.CharField(_("others who went"), max_length=200, blank=True), PR
    )
    findings = classified(models.TextField(_("what was found")), PR)
    found_safe = classified(models.BooleanField(_("the home was found safe for the child")), PR)
    # The neighbourhood (an RT agency) asked to confirm the visit, if any. Which RT the
    # family lives in is identity data, like their address.
    confirming_agency = classified(
        models.ForeignKey(
            "accounts.Agency",
            verbose_name=_("RT asked to confirm"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        ID,
    )
    rt_status = classified(
        models.CharField(
            _("RT confirmation"),
            max_length=14,
            choices=RtConfirmation.choices,
            default=RtConfirmation.NOT_ASKED,
        ),
        PR,
    )
    rt_note = classified(models.CharField(_("the RT head's note"), max_length=300, blank=True), PR)
    rt_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rt_confirmed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["programme", "visited_on"]),
            models.Index(fields=["confirming_agency", "rt_status"]),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.visited_on}"


class UndertakingState(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class Undertaking(UUIDModel, TimestampedModel, VersionedModel):
    """A signed undertaking (surat pernyataan) of the parents, with its scan."""

    programme = models.ForeignKey(
        ParentProgramme, on_delete=models.CASCADE, related_name="undertakings"
    )
    text = classified(models.TextField(_("what the parents undertake")), PR)
    signed_on = classified(models.DateField(_("signed on")), PR)
    signed_by = models.ManyToManyField(
        ProgrammeParent, verbose_name=_("signed by"), related_name="undertakings"
    )
    # The scan names and is signed by the parents: identity data, private storage.
    scan_file = classified(models.CharField(max_length=80), ID)
    scan_content_type = models.CharField(max_length=40)
    scan_size = models.PositiveIntegerField()
    scan_sha256 = models.CharField(max_length=64)
    state = classified(
        models.CharField(
            _("state"),
            max_length=10,
            choices=UndertakingState.choices,
            default=UndertakingState.IN_FORCE,
        ),
        PR,
    )
    state_on = classified(models.DateField(_("kept or broken on"), null=True, blank=True), PR)
    state_note = classified(models.TextField(_("what happened"), blank=True), PR)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.signed_on}"


class SupportKind(models.TextChoices):
    SOCIAL_ASSISTANCE = "social_assistance", _("Social assistance (PKH, BPNT, sembako)")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance (PBI-JKN / KIS)")
    EDUCATION_ASSISTANCE = "education_assistance", _("School assistance (KIP / PIP)")
    JOB_TRAINING = "job_training", _("Job or skills training")
    BUSINESS_SUPPORT = "business_support", _("Small business support (UEP / KUBE)")
    CIVIL_DOCUMENTS = "civil_documents", _("Civil documents (KK, KTP, birth certificate)")
    OTHER = "other", _("Other support")


class SupportOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SupportReferral(UUIDModel, TimestampedModel, VersionedModel):
    """A referral of the family for economic support, with its outcome."""

    programme = models.ForeignKey(
        ParentProgramme, on_delete=models.CASCADE, related_name="support_referrals"
    )
    kind = classified(
        models.CharField(_("kind of support"), max_length=24, choices=SupportKind.choices), FIN
    )
    to_agency = classified(
        models.ForeignKey(
            "accounts.Agency",
            verbose_name=_("referred to"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        FIN,
    )
    to_other = classified(
        models.CharField(_("referred to (other)"), max_length=200, blank=True), FIN
    )
    referred_on = classified(models.DateField(_("referred on")), FIN)
    reason = classified(models.TextField(_("why")), FIN)
    outcome = classified(
        models.CharField(
            _("outcome"),
            max_length=10,
            choices=SupportOutcome.choices,
            default=SupportOutcome.PENDING,
        ),
        FIN,
    )
    outcome_on = classified(models.DateField(_("outcome on"), null=True, blank=True), FIN)
    outcome_note = classified(models.TextField(_("outcome details"), blank=True), FIN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-referred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.referred_on}"


# --- Community sessions (sosialisasi) -----------------------------------------


# Attendance of a community session by sex and age band, in display order.
ATTENDANCE_FIELDS = ("girls", "boys", "women", "men", "older_women", "older_men")


class CommunitySession(UUIDModel, TimestampedModel, VersionedModel):
    """An awareness session held in a kelurahan or one of its RTs."""

    kelurahan = models.ForeignKey(
        "regions.Region", verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), related_name="+"
    )
    other_facilitators = models.CharField(
        _("other facilitators and partners"), max_length=300, blank=True
    )
    # Attendance by sex and age band (counts only, never names).
    girls = models.PositiveIntegerField(_("girls (under 18)"), default=0)
    boys = models.PositiveIntegerField(_("boys (under 18)"), default=0)
    women = models.PositiveIntegerField(_("women (18-59)"), default=0)
    men = models.PositiveIntegerField(_("men (18-59)"), default=0)
    older_women = models.PositiveIntegerField(_("women (60 and over)"), default=0)
    older_men = models.PositiveIntegerField(_("men (60 and over)"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("community session")
        verbose_name_plural = _("community sessions")
        indexes = [models.Index(fields=["kelurahan", "held_on"])]

    def __str__(self) -> str:
        return self.topic

    @property
    def attendees(self) -> int:
        return sum(getattr(self, name) for name in ATTENDANCE_FIELDS)


class SessionMaterial(UUIDModel):
    """A handout, slide deck or text used at a community session."""

    session = models.ForeignKey(
        CommunitySession, on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("text"), blank=True)
    storage_name = models.CharField(max_length=80, blank=True)
    original_name = models.CharField(max_length=150, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.title


class AtRiskFamily(UUIDModel, TimestampedModel):
    """A family the facilitators noted as at risk at a community session."""

    session = models.ForeignKey(CommunitySession, on_delete=models.CASCADE, related_name="families")
    family_name = classified(models.CharField(_("family (head of household)"), max_length=200), ID)
    rt = classified(models.CharField(_("RT"), max_length=3, blank=True), ID)
    concern = classified(models.TextField(_("why the family is at risk")), ID)
    # Linked to a person on file when the facilitator knows who it is.
    person = classified(
        models.ForeignKey(
            "people.Person",
            verbose_name=_("person on file"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        ID,
    )
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.pk}"
