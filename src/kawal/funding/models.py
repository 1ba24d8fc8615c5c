"""Money that follows the child: programmes, budgets, commitments, monthly cycles.

Modelled on how social-protection programmes pay (programme → cycle →
entitlements → approval → payment batch → reconciliation):

- ``Programme`` (configuration console): permakanan, education, health ...,
  each with the regional budget account code (kode rekening).
- ``Budget``: one line per fiscal year and programme, in whole rupiah.
- ``Commitment``: Dinas Sosial commits a daily or monthly rate for one child's
  placement, from a budget line, for a period inside the placement.
- ``Cycle``: one per institution and month. Its ``Entitlement`` rows are the
  ledger: one live row per commitment and service month holding the days paid
  (a bit mask of the month's days) and the amount. A correction never edits a
  row: it adds a reversal (minus the same days and amount) and a new row, in a
  later cycle. The partial unique constraint "one live row per commitment and
  month" is what makes a day impossible to pay twice.
- ``Claim``: what the institution says it is owed for a month, per child or as
  a total, compared with the entitlements on the cycle page.

Every amount is an integer number of rupiah; nothing here is a float.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.i18n import in_language
from kawal.core.models import TimestampedModel, UUIDModel, VersionedModel

FIN = DataClass.FINANCIAL


class Programme(TimestampedModel, VersionedModel):
    """What Dinas Sosial pays for; configurable data kept in the console."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    # The regional budget account (kode rekening) the bank / SP2D papers cite.
    account_code = models.CharField(_("budget account code (kode rekening)"), max_length=60)
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_id, self.name_en)


class Budget(UUIDModel, TimestampedModel, VersionedModel):
    """One budget line: a programme's money for one fiscal year (January to December)."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="budgets"
    )
    amount = models.PositiveBigIntegerField(_("budget (Rp)"))

    class Meta:
        ordering = ["-fiscal_year", "programme__order", "programme__code"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "programme"], name="funding_budget_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.fiscal_year}"


class RateKind(models.TextChoices):
    DAILY = "daily", _("per day present")
    MONTHLY = "monthly", _("per month (prorated by days present)")


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def standing(self) -> CommitmentQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Commitment(UUIDModel, TimestampedModel, VersionedModel):
    """A rate committed for one child's placement from one budget line."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    placement = models.ForeignKey(
        "placement.Placement",
        verbose_name=_("placement"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    # Copied from the placement so that "this child, this programme, this
    # day" can be checked without a join through every placement.
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(
        Budget, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="commitments"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    rate_kind = classified(models.CharField(_("rate"), max_length=8, choices=RateKind.choices), FIN)
    rate = classified(models.PositiveBigIntegerField(_("amount (Rp)")), FIN)
    starts_on = classified(models.DateField(_("from")), FIN)
    ends_on = classified(models.DateField(_("until (inclusive)")), FIN)
    # The most the commitment can cost: what it takes from the budget line.
    committed_amount = classified(models.PositiveBigIntegerField(_("committed (Rp)")), FIN)
    # Set when the commitment was made over the budget line's remainder.
    overrun_reason = classified(models.TextField(_("why over the budget"), blank=True), FIN)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = classified(models.TextField(_("why cancelled"), blank=True), FIN)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("funding commitment")
        verbose_name_plural = _("funding commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="funding_commitment_dates_in_order",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="funding_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.starts_on} - {self.ends_on}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open (being prepared)")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    LOCKED = "locked", _("Locked")


# Once submitted the computation is frozen; from approval on the money is owed.
FROZEN = frozenset(
    {CycleStatus.SUBMITTED, CycleStatus.APPROVED, CycleStatus.PAID, CycleStatus.LOCKED}
)
CLOSED = frozenset({CycleStatus.APPROVED, CycleStatus.PAID, CycleStatus.LOCKED})


class Cycle(UUIDModel, TimestampedModel, VersionedModel):
    """One institution's payment for one month."""

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="funding_cycles",
    )
    # Always the first day of the month.
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The bank account as it was when approved: the payment list cites this.
    bank_name = classified(models.CharField(_("bank"), max_length=100, blank=True), FIN)
    bank_account_number = classified(
        models.CharField(_("bank account number"), max_length=40, blank=True), FIN
    )
    bank_account_holder = classified(
        models.CharField(_("account holder"), max_length=200, blank=True), FIN
    )
    payment_reference = classified(
        models.CharField(_("payment reference (SP2D / transfer)"), max_length=100, blank=True), FIN
    )
    paid_on = classified(models.DateField(_("paid on"), null=True, blank=True), FIN)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-month", "institution__name"]
        verbose_name = _("payment cycle")
        verbose_name_plural = _("payment cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month"], name="funding_cycle_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.month:%Y-%m}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class EntryKind(models.TextChoices):
    ENTITLEMENT = "entitlement", _("entitlement")
    REVERSAL = "reversal", _("reversal")


class Entitlement(UUIDModel):
    """A ledger row: the days of one service month paid under one commitment.

    ``days`` is a bit mask (bit 0 = the 1st of ``month``). Amount and days never
    change once written; a reversal carries minus the amount and the same days,
    and turns the row it reverses from live to not live in the same
    transaction. At most one live row per commitment and month (the database
    refuses a second), so a day is paid at most once.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="entries")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="entries")
    placement = models.ForeignKey("placement.Placement", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    # The month served (first day); a correction sits in a later cycle.
    month = models.DateField(_("month served"))
    days = classified(models.BigIntegerField(_("days (bit mask)")), FIN)
    day_count = classified(models.PositiveSmallIntegerField(_("days")), FIN)
    amount = classified(models.BigIntegerField(_("amount (Rp)")), FIN)
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    live = models.BooleanField(default=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month", "id"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "month"],
                condition=models.Q(live=True),
                name="funding_one_live_entry_per_commitment_month",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="entitlement") & models.Q(amount__gte=0))
                | (models.Q(kind="reversal") & models.Q(amount__lte=0) & models.Q(live=False)),
                name="funding_entry_sign_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["child", "programme", "month"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.amount}"

    def day_list(self) -> list[date]:
        return days_of(self.month, self.days)


def days_of(month: date, mask: int) -> list[date]:
    mask = abs(mask)
    return [month.replace(day=bit + 1) for bit in range(31) if mask >> bit & 1]


class Claim(UUIDModel, TimestampedModel, VersionedModel):
    """What the institution says it is owed for a month: per child, or a total."""

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="funding_claims"
    )
    month = models.DateField(_("month"))
    # Given when the institution claims a total without per-child lines.
    total_amount = classified(
        models.PositiveBigIntegerField(_("total claimed (Rp)"), null=True, blank=True), FIN
    )
    note = classified(models.TextField(_("note"), blank=True), FIN)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"))

    class Meta:
        ordering = ["-month"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month"], name="funding_claim_once_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.month:%Y-%m}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    placement = models.ForeignKey("placement.Placement", on_delete=models.PROTECT, related_name="+")
    days = classified(models.PositiveSmallIntegerField(_("days claimed")), FIN)
    amount = classified(models.PositiveBigIntegerField(_("amount claimed (Rp)")), FIN)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "placement"], name="funding_claim_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.claim} · {self.placement_id}"
