"""The registry of places a child can be placed: LKSA, pesantren, shelters, families.

Dinas Sosial keeps this registry (domain-rules §3, item 7): an institution's
tanda daftar (LKS registration) or its pesantren NSP, its accreditation, who
it takes (religion, sexes, ages, capacity) and whether it is suspended. The
placement rules read these fields at decision time; nothing here knows of a
child. The address is whereabouts (where placed children sleep), the bank
account financial; the rest is basic configuration.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

WH = DataClass.WHEREABOUTS
FIN = DataClass.FINANCIAL


class InstitutionKind(models.TextChoices):
    LKSA = "lksa", _("LKSA / children's home (panti asuhan)")
    PESANTREN = "pesantren", _("Boarding school (pesantren)")
    UPTD_SHELTER = "uptd_shelter", _("UPTD PPA shelter (rumah aman)")
    GOVERNMENT_PANTI = "government_panti", _("Government home or Kemensos centre (sentra)")
    FOSTER_FAMILY = "foster_family", _("Foster family (orang tua asuh)")
    KINSHIP_CARER = "kinship_carer", _("Kinship carer (relative)")


# Residential care: the "last resort" of UU 35/2014 Pasal 14 and the SNPA.
RESIDENTIAL_KINDS = frozenset(
    {InstitutionKind.LKSA, InstitutionKind.PESANTREN, InstitutionKind.GOVERNMENT_PANTI}
)
# Family-based care has no LKS registration of its own.
FAMILY_KINDS = frozenset({InstitutionKind.FOSTER_FAMILY, InstitutionKind.KINSHIP_CARER})


class Religion(models.TextChoices):
    """The religions the civil registry records, plus the beliefs (kepercayaan)."""

    ISLAM = "islam", _("Islam")
    PROTESTANT = "protestant", _("Protestant Christianity")
    CATHOLIC = "catholic", _("Catholicism")
    HINDU = "hindu", _("Hinduism")
    BUDDHIST = "buddhist", _("Buddhism")
    CONFUCIAN = "confucian", _("Confucianism (Khonghucu)")
    BELIEF = "belief", _("Belief (kepercayaan)")


class AcceptsSex(models.TextChoices):
    ANY = "", _("Girls and boys")
    FEMALE = "F", _("Girls only (putri)")
    MALE = "M", _("Boys only (putra)")


class AccreditationGrade(models.TextChoices):
    NONE = "", _("Not accredited")
    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")


class InstitutionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Institution(UUIDModel, TimestampedModel, VersionedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    name = models.CharField(_("name"), max_length=200, unique=True)
    # Staff accounts belong to the institution through this agency (kind
    # "child_care_institution"); a foster family has none.
    agency = models.OneToOneField(
        "accounts.Agency",
        verbose_name=_("agency of its staff accounts"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institution",
        limit_choices_to={"kind": "child_care_institution"},
    )
    # LKS tanda daftar (Permensos 5/2024); valid from start to end.
    registration_number = models.CharField(_("LKS registration number"), max_length=80, blank=True)
    registration_start = models.DateField(_("registered from"), null=True, blank=True)
    registration_end = models.DateField(_("registered until"), null=True, blank=True)
    accreditation_grade = models.CharField(
        _("accreditation grade"),
        max_length=1,
        choices=AccreditationGrade.choices,
        blank=True,
        default="",
    )
    accreditation_date = models.DateField(_("accredited on"), null=True, blank=True)
    # Pesantren: Nomor Statistik Pesantren from the Piagam (PMA 30/2020); no expiry.
    nsp_number = models.CharField(_("pesantren statistics number (NSP)"), max_length=40, blank=True)
    religion = models.CharField(
        _("religious affiliation"),
        max_length=16,
        choices=Religion.choices,
        blank=True,
        default="",
        help_text=_("Empty when the institution is not religion-based."),
    )
    accepts_sex = models.CharField(
        _("takes"), max_length=1, choices=AcceptsSex.choices, blank=True, default=""
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age"), default=0)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), default=17)
    capacity = models.PositiveIntegerField(_("registered capacity"))
    address = classified(models.TextField(_("address"), blank=True), WH)
    kelurahan = classified(
        models.ForeignKey(
            "regions.Region",
            verbose_name=_("kelurahan"),
            null=True,
            blank=True,
            on_delete=models.PROTECT,
            related_name="+",
        ),
        WH,
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    bank_name = classified(models.CharField(_("bank"), max_length=100, blank=True), FIN)
    bank_account_number = classified(
        models.CharField(_("bank account number"), max_length=40, blank=True), FIN
    )
    bank_account_holder = classified(
        models.CharField(_("account holder"), max_length=200, blank=True), FIN
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InstitutionStatus.choices,
        default=InstitutionStatus.ACTIVE,
    )
    suspended_reason = models.TextField(_("why suspended"), blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__lte=models.F("age_max")),
                name="institution_ages_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_start__isnull=True)
                | models.Q(registration_end__isnull=True)
                | models.Q(registration_start__lte=models.F("registration_end")),
                name="institution_registration_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_residential(self) -> bool:
        return self.kind in RESIDENTIAL_KINDS

    @property
    def is_family_based(self) -> bool:
        return self.kind in FAMILY_KINDS

    def registration_valid_on(self, day: date) -> bool:
        """Whether the LKS registration covers ``day`` (pesantren: the NSP, which never expires)."""
        if self.kind == InstitutionKind.PESANTREN:
            return bool(self.nsp_number)
        return bool(
            self.registration_number
            and self.registration_start is not None
            and self.registration_end is not None
            and self.registration_start <= day <= self.registration_end
        )


class Inspection(UUIDModel, TimestampedModel):
    """A Dinas Sosial or Kemenag visit to the institution and what it found."""

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("inspected on"))
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.institution} · {self.inspected_on}"


class RegistrationAlert(UUIDModel):
    """A reminder to Dinas Sosial that an LKS registration runs out (or ran out).

    Case tasks need a case; an institution's registration concerns none, so
    the alerts live here. One per institution, threshold and registration end:
    the daily rule may run any number of times, and a renewed registration
    (a new end date) is reminded afresh.
    """

    # Days before ``registration_end``; EXPIRED for the day after it.
    EXPIRED = 0

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="registration_alerts",
    )
    threshold = models.PositiveSmallIntegerField(_("days before the end"))
    registration_end = models.DateField(_("registered until"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Closed by the system: a more urgent alert or a renewal replaced it.
    superseded = models.BooleanField(_("replaced"), default=False)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("registration alert")
        verbose_name_plural = _("registration alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "threshold", "registration_end"],
                name="registration_alert_once",
            )
        ]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.institution} · {self.threshold} · {self.registration_end}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def expired(self) -> bool:
        return self.threshold == self.EXPIRED
