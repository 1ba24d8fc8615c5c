"""Where a child lives while in alternative care, decided by Dinas Sosial by the rules.

A ``Placement`` puts the child of a case with one institution (or a foster or
kinship family from the registry) from ``started_on`` to ``ended_on``. A child
has at most one active placement (a database constraint); a transfer ends one
and starts the next. Where a child lives is whereabouts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

WH = DataClass.WHEREABOUTS


class ExitReason(models.TextChoices):
    REUNIFICATION = "reunification", _("Returned to the family (reunification)")
    TRANSFER = "transfer", _("Transferred to another institution")
    AGE_18 = "age_18", _("Turned 18")
    RAN_AWAY = "ran_away", _("Ran away (reported to the police)")


class PlacementQuerySet(models.QuerySet["Placement"]):
    def active(self) -> PlacementQuerySet:
        return self.filter(ended_on__isnull=True)


class Placement(UUIDModel, TimestampedModel, VersionedModel):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="placements"
    )
    # The root of the child's records at placement; the services check every
    # record of a merge group under a lock, as shelters do.
    child = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), WH
    )
    institution = classified(
        models.ForeignKey(
            "institutions.Institution",
            verbose_name=_("institution"),
            on_delete=models.PROTECT,
            related_name="placements",
        ),
        WH,
    )
    started_on = classified(models.DateField(_("placed from")), WH)
    # The last day in the placement (inclusive): a child who left on the 10th
    # is cared for, and paid for, up to the 10th.
    ended_on = classified(models.DateField(_("left on"), null=True, blank=True), WH)
    # A temporary (protective) placement ends on this day unless extended.
    temporary_until = classified(models.DateField(_("temporary until"), null=True, blank=True), WH)
    exit_reason = classified(
        models.CharField(_("why it ended"), max_length=16, choices=ExitReason.choices, blank=True),
        WH,
    )
    exit_note = classified(models.TextField(_("exit notes"), blank=True), WH)
    # A child who ran away is reported to the police (domain-rules §3, item 16).
    exit_police_report_number = classified(
        models.CharField(_("police report number"), max_length=60, blank=True), WH
    )
    exit_police_report_date = classified(
        models.DateField(_("police report date"), null=True, blank=True), WH
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("transferred from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(ended_on__isnull=True),
                name="placement_one_active_per_child",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="placement_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.started_on}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PlacementType(models.TextChoices):
    """Domain-rules §3, item 1 (adoption is out of scope; reunification is an exit)."""

    KINSHIP = "kinship", _("Kinship care (relatives up to the 3rd degree)")
    FOSTER = "foster", _("Foster care (orang tua asuh)")
    GUARDIAN = "guardian", _("Guardian appointed by a court (wali)")
    LKSA = "lksa", _("LKSA / children's home (panti asuhan)")
    PESANTREN = "pesantren", _("Boarding school (pesantren)")
    SHELTER = "shelter", _("UPTD PPA temporary shelter (rumah aman)")
    GOVERNMENT_PANTI = "government_panti", _("Government home or Kemensos centre (sentra)")
    OTHER = "other", _("Other")


# The placement type an institution's kind implies when the form leaves it empty.
TYPE_OF_KIND = {
    "lksa": PlacementType.LKSA,
    "pesantren": PlacementType.PESANTREN,
    "uptd_shelter": PlacementType.SHELTER,
    "government_panti": PlacementType.GOVERNMENT_PANTI,
    "foster_family": PlacementType.FOSTER,
    "kinship_carer": PlacementType.KINSHIP,
}


class RuleSetting(TimestampedModel, VersionedModel):
    """The configurable data of one placement rule: parameters and legal basis.

    Edited in the configuration console. A decision keeps a copy of what it
    was evaluated with, so a change here never rewrites a past decision.
    """

    code = models.SlugField(_("rule code"), max_length=40, unique=True)
    title_id = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    legal_basis_id = models.TextField(_("legal basis (Indonesian)"))
    legal_basis_en = models.TextField(_("legal basis (English)"))
    # Only a soft rule can be switched off; hard rules always run.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("placement rule")
        verbose_name_plural = _("placement rules")

    def __str__(self) -> str:
        return self.code


class DecisionStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    REFUSED = "refused", _("Refused by the rules")
    AWAITING_OVERRIDE = "awaiting_override", _("Waiting for the supervisor's override")
    DECLINED = "declined", _("Declined by the supervisor")


class ContactFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    LESS_OFTEN = "less_often", _("Less often than monthly")
    NONE = "none", _("No contact")


class ContactSupervision(models.TextChoices):
    UNSUPERVISED = "unsupervised", _("Unsupervised")
    SUPERVISED = "supervised", _("Supervised by staff")
    NO_CONTACT = "no_contact", _("No contact allowed")


class RestrictionBasis(models.TextChoices):
    NONE = "", _("Not restricted")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _("A parent is the alleged perpetrator")
    COURT_ORDER = "court_order", _("Court order")


class PlacementDecision(UUIDModel, TimestampedModel, VersionedModel):
    """A Dinas Sosial decision to place a child, checked against the rules.

    ``rule_results`` is the evaluation as it was (messages and legal texts in
    both languages): the record of why the child was, or was not, placed.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="placement_decisions"
    )
    child = classified(
        models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+"), WH
    )
    institution = classified(
        models.ForeignKey(
            "institutions.Institution", on_delete=models.PROTECT, related_name="decisions"
        ),
        WH,
    )
    placement_type = classified(
        models.CharField(_("placement type"), max_length=20, choices=PlacementType.choices), WH
    )
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus.choices)
    # A transfer: the placement this decision ends when it places the child.
    transfer_from = models.ForeignKey(
        Placement,
        verbose_name=_("transfer from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    placement = models.OneToOneField(
        Placement, null=True, blank=True, on_delete=models.PROTECT, related_name="decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"))
    starts_on = classified(models.DateField(_("placement starts on")), WH)
    document_number = models.CharField(_("SK / berita acara number"), max_length=100)
    document_date = models.DateField(_("document date"))
    conference_participants = models.TextField(_("case conference participants"))
    child_views = classified(models.TextField(_("the child's own views")), WH)
    last_resort_parents = classified(
        models.TextField(_("why not the parents, with support"), blank=True), WH
    )
    last_resort_kinship = classified(models.TextField(_("why not kinship care"), blank=True), WH)
    last_resort_foster = classified(models.TextField(_("why not foster care"), blank=True), WH)
    religion_respect = classified(
        models.TextField(_("how the child's religion is respected"), blank=True), WH
    )
    temporary_until = classified(models.DateField(_("temporary until"), null=True, blank=True), WH)
    contact_frequency = classified(
        models.CharField(
            _("contact with parents"), max_length=16, choices=ContactFrequency.choices, blank=True
        ),
        WH,
    )
    contact_supervision = classified(
        models.CharField(
            _("supervision of contact"),
            max_length=16,
            choices=ContactSupervision.choices,
            blank=True,
        ),
        WH,
    )
    contact_restriction = classified(
        models.CharField(
            _("contact restricted because"),
            max_length=24,
            choices=RestrictionBasis.choices,
            blank=True,
            default="",
        ),
        WH,
    )
    court_order_reference = classified(
        models.CharField(_("court order reference"), max_length=120, blank=True), WH
    )
    contact_note = classified(models.TextField(_("contact plan notes"), blank=True), WH)
    care_allergies = classified(models.TextField(_("allergies"), blank=True), WH)
    care_health_needs = classified(models.TextField(_("health needs"), blank=True), WH)
    # Tenths of a kilometre: a whole number, no float arithmetic on a limit.
    school_distance_tenths_km = classified(
        models.PositiveIntegerField(_("distance to school (0.1 km)"), null=True, blank=True), WH
    )
    # The kesepakatan signed by the child, the parent or guardian and the institution.
    agreement_file = classified(models.CharField(max_length=80, blank=True), WH)
    agreement_name = models.CharField(max_length=150, blank=True)
    agreement_content_type = models.CharField(max_length=40, blank=True)
    agreement_size = models.PositiveIntegerField(default=0)
    agreement_sha256 = models.CharField(max_length=64, blank=True)
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    rule_results = models.JSONField(default=list)
    # [{"code", "reason", "by_id", "by_name", "at"}]: a supervisor's written reasons.
    overrides = models.JSONField(default=list, blank=True)
    decline_reason = models.TextField(_("why declined"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("placement decision")
        verbose_name_plural = _("placement decisions")

    def __str__(self) -> str:
        return f"{self.document_number} · {self.decided_on}"

    @property
    def school_distance_km(self) -> float | None:
        tenths = self.school_distance_tenths_km
        return None if tenths is None else tenths / 10
