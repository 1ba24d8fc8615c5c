"""The case file: one per child, worked on by several agencies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

B = DataClass.BASIC
ID = DataClass.IDENTITY
WH = DataClass.WHEREABOUTS
INV = DataClass.INVESTIGATION


class CaseStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN = "plan", _("Plan")
    INTERVENTION = "intervention", _("Intervention")
    REINTEGRATION = "reintegration", _("Reintegration")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class IntakeChannel(models.TextChoices):
    PUBLIC_REPORT = "public_report", _("Report from the public")
    HOTLINE = "hotline", _("Hotline")
    SAPA129 = "sapa129", _("SAPA 129 referral")
    WALK_IN = "walk_in", _("Walk-in")
    RT = "rt", _("RT head")
    OUTREACH = "outreach", _("Outreach (Satpol PP / joint operation)")
    POLICE = "police", _("Police")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health facility")
    OTHER_REGION = "other_region", _("Referral from another region")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class SimfoniForm(models.TextChoices):
    """SIMFONI-PPA's seven forms of violence (domain-rules §1)."""

    FISIK = "fisik", _("Physical")
    PSIKIS = "psikis", _("Psychological")
    SEKSUAL = "seksual", _("Sexual")
    EKSPLOITASI = "eksploitasi", _("Exploitation")
    TRAFFICKING = "trafficking", _("Trafficking")
    PENELANTARAN = "penelantaran", _("Neglect")
    LAINNYA = "lainnya", _("Other")


class CaseForm(models.TextChoices):
    """Local sub-types, finer than SIMFONI (domain-rules §5); each maps to one SIMFONI form."""

    FORCED_SELLING = "forced_selling", _("Made to sell (tissues, newspapers, snacks)")
    FORCED_BEGGING = "forced_begging", _("Made to beg, busk or perform")
    BEGGING_WITH_PARENT = "begging_with_parent", _("Taken begging by a parent")
    CHILD_LABOUR = "child_labour", _("Child labour off the street")
    NEGLECT = "neglect", _("Neglect (basic needs, not in school)")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    TRAFFICKED = "trafficked", _("Sold or trafficked")
    PHYSICAL_VIOLENCE = "physical_violence", _("Accompanying physical violence")
    PSYCHOLOGICAL_VIOLENCE = "psychological_violence", _("Accompanying psychological violence")
    OTHER = "other", _("Other")


FORM_TO_SIMFONI: dict[str, str] = {
    CaseForm.FORCED_SELLING: SimfoniForm.EKSPLOITASI,
    CaseForm.FORCED_BEGGING: SimfoniForm.EKSPLOITASI,
    CaseForm.BEGGING_WITH_PARENT: SimfoniForm.EKSPLOITASI,
    CaseForm.CHILD_LABOUR: SimfoniForm.EKSPLOITASI,
    CaseForm.NEGLECT: SimfoniForm.PENELANTARAN,
    CaseForm.SEXUAL_EXPLOITATION: SimfoniForm.EKSPLOITASI,
    CaseForm.TRAFFICKED: SimfoniForm.TRAFFICKING,
    CaseForm.PHYSICAL_VIOLENCE: SimfoniForm.FISIK,
    CaseForm.PSYCHOLOGICAL_VIOLENCE: SimfoniForm.PSIKIS,
    CaseForm.OTHER: SimfoniForm.LAINNYA,
}


class PerpetratorRelation(models.TextChoices):
    """SIMFONI-PPA's relationship categories."""

    ORANG_TUA = "orang_tua", _("Parent")
    KELUARGA = "keluarga", _("Family or relative")
    SUAMI_ISTRI = "suami_istri", _("Spouse")
    PACAR_TEMAN = "pacar_teman", _("Partner or friend")
    GURU = "guru", _("Teacher")
    MAJIKAN = "majikan", _("Employer")
    REKAN_KERJA = "rekan_kerja", _("Co-worker")
    TETANGGA = "tetangga", _("Neighbour")
    LAINNYA = "lainnya", _("Other")
    NA = "na", _("Not known")


class LegalStage(models.TextChoices):
    PEMERIKSAAN = "pemeriksaan", _("Examination")
    PENYELIDIKAN = "penyelidikan", _("Inquiry")
    PENYIDIKAN = "penyidikan", _("Investigation")
    PENANGKAPAN = "penangkapan", _("Arrest")
    PENAHANAN = "penahanan", _("Detention")
    PENGGELEDAHAN = "penggeledahan", pgettext_lazy("legal stage", "Search")
    PENYITAAN = "penyitaan", _("Seizure")
    PRA_PENUNTUTAN = "pra_penuntutan", _("Pre-prosecution")
    DIVERSI = "diversi", _("Diversion")
    PENUNTUTAN = "penuntutan", _("Prosecution")
    PENGADILAN_1 = "pengadilan_1", _("First-instance court")
    PENGADILAN_2 = "pengadilan_2", _("Appeal court")
    KASASI = "kasasi", _("Cassation")
    PK = "peninjauan_kembali", _("Judicial review")


class SharingBasis(models.TextChoices):
    """Why the child's data may be shared with another agency (UU 27/2022 Pasal 20, 25)."""

    NONE = "none", _("Not recorded — no sharing")
    GUARDIAN_CONSENT = "guardian_consent", _("Consent of a parent or guardian")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (child protection duty)")
    PUBLIC_TASK = "public_task", _("Public task of the agency")
    VITAL_INTEREST = "vital_interest", _("Vital interest of the child")


class FamilyGroup(UUIDModel, TimestampedModel):
    """Siblings' cases, linked so workers see the family together."""

    class Meta:
        verbose_name = _("family group")

    def __str__(self) -> str:
        return f"FG-{self.pk}"


class Case(UUIDModel, TimestampedModel, VersionedModel):
    number = classified(models.CharField(_("case number"), max_length=40, unique=True), B)
    child = models.ForeignKey(
        "people.Person", verbose_name=_("child"), on_delete=models.PROTECT, related_name="cases"
    )
    family_group = models.ForeignKey(
        FamilyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    opened_on = classified(models.DateField(_("opened on")), B)
    intake_channel = classified(
        models.CharField(_("intake channel"), max_length=16, choices=IntakeChannel.choices), B
    )
    status = classified(
        models.CharField(
            _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.IDENTIFIED
        ),
        B,
    )
    risk_level = classified(
        models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices), B
    )
    risk_rationale = classified(models.TextField(_("why this risk level"), blank=True), B)
    emergency_protection = classified(
        models.BooleanField(_("emergency protection"), default=False), B
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case manager"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_cases",
    )
    sharing_basis = classified(
        models.CharField(
            _("basis for sharing with other agencies"),
            max_length=20,
            choices=SharingBasis.choices,
            default=SharingBasis.NONE,
        ),
        B,
    )
    sharing_basis_note = classified(
        models.CharField(_("sharing basis details"), max_length=300, blank=True), B
    )
    parent_is_alleged_perpetrator = classified(
        models.BooleanField(_("a parent is the alleged perpetrator"), default=False), INV
    )
    police_report_number = classified(
        models.CharField(_("police report (LP) number"), max_length=60, blank=True), INV
    )
    legal_stage = classified(
        models.CharField(_("legal stage"), max_length=20, choices=LegalStage.choices, blank=True),
        INV,
    )
    investigator = classified(
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            verbose_name=_("investigator"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="investigated_cases",
        ),
        INV,
    )
    closed_reason = classified(models.TextField(_("reason for closing"), blank=True), B)
    closed_on = classified(models.DateField(_("closed on"), null=True, blank=True), B)
    # The child was found again: the case this one repeats (usually closed).
    repeat_of = classified(
        models.ForeignKey(
            "self",
            verbose_name=_("repeat of"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="repeats",
        ),
        B,
    )

    # The report (from the public or staff intake) the case was opened from.
    origin_report = classified(
        models.ForeignKey(
            "reports.Report",
            verbose_name=_("origin report"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="cases",
        ),
        B,
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            # One open case per child; a child found again gets a new case after closure.
            models.UniqueConstraint(
                fields=["child"],
                condition=~models.Q(status="closed"),
                name="one_open_case_per_child",
            )
        ]
        indexes = [
            models.Index(fields=["status", "risk_level"]),
            # Dashboards, the public tables and SIMFONI all cut by the opening day.
            models.Index(fields=["opened_on"], name="cases_case_opened_2a8d0c_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseCounter(models.Model):
    """The last number issued per year, locked while a new case number is drawn."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseClassification(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classifications")
    form = classified(models.CharField(_("form"), max_length=32, choices=CaseForm.choices), B)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "form"], name="form_once")]

    def __str__(self) -> str:
        return self.form

    @property
    def simfoni(self) -> str:
        return FORM_TO_SIMFONI[self.form]


class AllegedPerpetrator(UUIDModel, TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    person = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), INV
    )
    relationship = classified(
        models.CharField(
            _("relationship to the child"), max_length=16, choices=PerpetratorRelation.choices
        ),
        INV,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="perpetrator_once")]

    def __str__(self) -> str:
        return self.relationship


class CaseMember(UUIDModel):
    """A user or a whole agency on the case team, with the data classes the membership grants."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_role = models.CharField(_("role in the case"), max_length=100)
    data_classes = models.JSONField(_("data classes granted"), default=list)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(agency__isnull=True))
                | (models.Q(user__isnull=True) & models.Q(agency__isnull=False)),
                name="member_is_user_or_agency",
            )
        ]
        indexes = [
            models.Index(fields=["user", "removed_at"]),
            models.Index(fields=["agency", "removed_at"]),
        ]

    def __str__(self) -> str:
        return self.case_role


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Referral(UUIDModel, TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    data_classes = models.JSONField(_("data classes shared"), default=list)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_agency_id}"


class ApprovalKind(models.TextChoices):
    PLAN = "plan", _("Case plan")
    CLOSURE = "closure", _("Closure")


class ApprovalStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class Approval(UUIDModel, TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=10, choices=ApprovalKind.choices)
    status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.REQUESTED
    )
    request_comment = models.TextField(_("comment"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_comment = models.TextField(_("comments"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"


class CaseEvent(models.Model):
    """The typed timeline of a case, also its field-level change history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The class of data the event reveals; the timeline shows only permitted ones.
    data_class = models.CharField(max_length=16, choices=DataClass.choices, default=B)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.kind


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(UUIDModel, TimestampedModel, VersionedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = classified(models.CharField(_("task"), max_length=200), B)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assignee_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("assigned to agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    due_on = classified(models.DateField(_("due on"), null=True, blank=True), B)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # Empty for a reminder the system created (``task_remind``).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Names what a system reminder is about (e.g. "care.observation:<case>:<day>"),
    # so running the same rule twice never creates a second task. NULL (not "")
    # for tasks people make, so the unique constraint leaves them alone.
    reminder_key = models.CharField(  # noqa: DJ001
        max_length=160, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reminder_key"], name="one_task_per_reminder_key")
        ]

    def __str__(self) -> str:
        return self.title


class NoteKind(models.TextChoices):
    GENERAL = "general", _("Note")
    ASSESSMENT = "assessment", _("Assessment")
    PLAN = "plan", _("Case plan")
    VISIT = "visit", _("Visit")
    INVESTIGATION = "investigation", _("Investigation note")


class Note(UUIDModel):
    """Append-only: a correction is a new note that supersedes the old one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass.choices)
    kind = models.CharField(
        _("kind"), max_length=16, choices=NoteKind.choices, default=NoteKind.GENERAL
    )
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"


class Attachment(UUIDModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass.choices)
    title = models.CharField(_("title"), max_length=150)
    original_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=80, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class BreakGlassGrant(UUIDModel):
    """Emergency read access to one case, time-limited and reviewed afterwards."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(_("review outcome"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id}"
