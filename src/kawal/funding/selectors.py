"""Every read of funding users see, scoped by the funding policy and logged.

Cycle pages, payment lists and claims name children by their **case number**
only: finance officers read the basic class alone (no names), and a payment
list travels to the bank. Whoever may read the child's name finds it one tap
away on the case page. Institution staff see the names of the children placed
with them now on their claim page (the care they give needs them), and the
case number of a child who has left.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from kawal.access.catalogue import DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, case_access_bulk
from kawal.cases.selectors import parse_uuid
from kawal.funding import calc
from kawal.funding.models import (
    CLOSED,
    Budget,
    Claim,
    Commitment,
    Cycle,
    CycleStatus,
    Entitlement,
    EntryKind,
    Programme,
)
from kawal.funding.money import claim_difference
from kawal.funding.policy import files_claims, manages_funding, reads_funding
from kawal.funding.services import Utilisation, claim_placements, institution_of, utilisation
from kawal.institutions.models import Institution
from kawal.placement.models import Placement

B = DataClass.BASIC
FIN = DataClass.FINANCIAL


def _require_funding(user: Any) -> None:
    if not reads_funding(user):
        raise PermissionDenied


# --- Budgets ------------------------------------------------------------------------


def fiscal_years() -> list[int]:
    return sorted(set(Budget.objects.values_list("fiscal_year", flat=True)), reverse=True)


def programmes() -> list[Programme]:
    return list(Programme.objects.filter(is_active=True))


def budget_lines(user: Any, fiscal_year: int) -> list[Utilisation]:
    _require_funding(user)
    budgets = Budget.objects.filter(fiscal_year=fiscal_year).select_related("programme")
    return utilisation(budgets)


def budgets_for_commitment(user: Any, today: date) -> list[Utilisation]:
    """The budget lines a commitment made today may draw on.

    This year's and next year's; and last year's while it can still matter:
    in January (the year's books are being closed and December's days are
    committed late) always, later only the lines that still have money left —
    a commitment must still lie inside its line's fiscal year (the service
    checks), so last year's line only ever pays last year's days."""
    years = [today.year + 1, today.year, today.year - 1]
    budgets = (
        Budget.objects.filter(fiscal_year__in=years, programme__is_active=True)
        .select_related("programme")
        .order_by("-fiscal_year", "programme__order", "programme__code")
    )
    # This year's lines first (the form's default choice), then next year's, then last.
    order = {today.year: 0, today.year + 1: 1, today.year - 1: 2}
    return sorted(
        (
            line
            for line in utilisation(budgets)
            if line.budget.fiscal_year != today.year - 1 or today.month == 1 or line.remaining > 0
        ),
        key=lambda line: order[line.budget.fiscal_year],
    )


# --- A case's commitments -------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    approved: int
    paid: int
    days_paid: int


def case_commitments(case: Case) -> list[CommitmentRow]:
    rows = list(
        Commitment.objects.filter(case=case).select_related(
            "programme", "budget", "placement__institution"
        )
    )
    figures = {
        row["commitment_id"]: row
        for row in Entitlement.objects.filter(commitment__in=rows, cycle__status__in=CLOSED)
        .values("commitment_id")
        .annotate(
            approved=Sum("amount"),
            paid=Sum("amount", filter=Q(cycle__status__in=(CycleStatus.PAID, CycleStatus.LOCKED))),
            days=Sum("day_count", filter=Q(kind=EntryKind.ENTITLEMENT))
            - Sum("day_count", filter=Q(kind=EntryKind.REVERSAL), default=0),
        )
    }
    result = []
    for commitment in rows:
        figure = figures.get(commitment.pk, {})
        result.append(
            CommitmentRow(
                commitment,
                approved=int(figure.get("approved") or 0),
                paid=int(figure.get("paid") or 0),
                days_paid=int(figure.get("days") or 0),
            )
        )
    return result


def case_placements(case: Case) -> list[Placement]:
    return list(
        Placement.objects.filter(case=case).select_related("institution").order_by("-started_on")
    )


def commitment_for(request: HttpRequest, raw_uuid: Any) -> Commitment:
    key = parse_uuid(raw_uuid)
    commitment = (
        Commitment.objects.filter(uuid=key).select_related("case", "programme").first()
        if key
        else None
    )
    if commitment is None:
        raise Http404
    return commitment


def placement_of_case(case: Case, raw_uuid: Any) -> Placement | None:
    key = parse_uuid(raw_uuid)
    if key is None:
        return None
    return Placement.objects.filter(case=case, uuid=key).select_related("case").first()


# --- Cycles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    total: int
    children: int


def cycles_list(user: Any, month: date | None = None) -> list[CycleRow]:
    _require_funding(user)
    cycles = Cycle.objects.select_related("institution").annotate(
        total=Sum("entries__amount"), children=Count("entries__placement", distinct=True)
    )
    if month is not None:
        cycles = cycles.filter(month=calc.month_start(month))
    return [
        CycleRow(cycle, int(cycle.total or 0), cycle.children)
        for cycle in cycles.order_by("-month", "institution__name")[:500]
    ]


def waiting_approval(user: Any) -> int:
    return (
        Cycle.objects.filter(status=CycleStatus.SUBMITTED)
        .exclude(prepared_by=user)
        .exclude(computed_by=user)
        .count()
    )


@dataclass
class ChildLine:
    """One child on a cycle: what the roster entitles, what the institution claims."""

    placement_id: int
    case_id: int
    case_number: str
    case_uuid: Any
    entitled_days: int = 0
    entitled_amount: int = 0
    corrections: int = 0
    claimed_days: int | None = None
    claimed_amount: int | None = None
    entries: list[Entitlement] = field(default_factory=list)
    # Whether the viewer may open the case page: a finance officer who is not
    # on the case team would get a 404 behind the link.
    case_link: bool = False

    @property
    def difference(self) -> int | None:
        if self.claimed_amount is None:
            return None
        return self.claimed_amount - self.entitled_amount

    @property
    def difference_text(self) -> str:
        return claim_difference(self.difference)

    @property
    def differs(self) -> bool:
        if self.claimed_amount is None:
            return self.entitled_amount != 0
        return (
            self.claimed_amount != self.entitled_amount or self.claimed_days != self.entitled_days
        )


@dataclass
class CycleView:
    cycle: Cycle
    lines: list[ChildLine]
    claim: Claim | None
    by_programme: list[tuple[Programme, int]]

    @property
    def total(self) -> int:
        return sum(line.entitled_amount + line.corrections for line in self.lines)

    @property
    def claimed_total(self) -> int | None:
        if self.claim is None:
            return None
        if self.claim.total_amount is not None:
            return self.claim.total_amount
        return sum(line.claimed_amount or 0 for line in self.lines)

    @property
    def difference(self) -> int | None:
        claimed = self.claimed_total
        return None if claimed is None else claimed - self.total

    @property
    def difference_text(self) -> str:
        return claim_difference(self.difference, total=True)

    @property
    def is_recovery(self) -> bool:
        """Nothing to transfer: the institution owes money back (reversals only)."""
        return self.total < 0


def cycle_of(user: Any, raw_uuid: Any) -> Cycle:
    _require_funding(user)
    key = parse_uuid(raw_uuid)
    cycle = (
        Cycle.objects.filter(uuid=key)
        .select_related("institution", "prepared_by", "approved_by")
        .first()
        if key
        else None
    )
    if cycle is None:
        raise Http404
    return cycle


def cycle_view(request: HttpRequest, cycle: Cycle, *, action: str = AccessAction.VIEW) -> CycleView:
    """The cycle's lines per child against the claim; logs every case shown."""
    entries = list(
        Entitlement.objects.filter(cycle=cycle)
        .select_related("case", "programme")
        .order_by("case__number", "month", "id")
    )
    claim = (
        Claim.objects.filter(institution_id=cycle.institution_id, month=cycle.month)
        .prefetch_related("lines__placement__case")
        .first()
    )
    lines: dict[int, ChildLine] = {}

    def line_for(placement_id: int, case: Case) -> ChildLine:
        if placement_id not in lines:
            lines[placement_id] = ChildLine(placement_id, case.pk, case.number, case.uuid)
        return lines[placement_id]

    programme_totals: dict[int, int] = defaultdict(int)
    programme_rows: dict[int, Programme] = {}
    for entry in entries:
        line = line_for(entry.placement_id, entry.case)
        line.entries.append(entry)
        programme_totals[entry.programme_id] += entry.amount
        programme_rows[entry.programme_id] = entry.programme
        if entry.month == cycle.month and entry.kind == EntryKind.ENTITLEMENT:
            line.entitled_amount += entry.amount
            line.entitled_days = max(line.entitled_days, 0)
        else:
            line.corrections += entry.amount
    # Days present are counted once per child, whatever the programmes.
    for line in lines.values():
        masks = 0
        for entry in line.entries:
            if entry.month == cycle.month and entry.kind == EntryKind.ENTITLEMENT:
                masks |= entry.days
        line.entitled_days = calc.count(masks)
    if claim is not None:
        for claim_line in claim.lines.all():
            line = line_for(claim_line.placement_id, claim_line.placement.case)
            line.claimed_days = claim_line.days
            line.claimed_amount = claim_line.amount
        if claim.total_amount is None:
            for line in lines.values():
                if line.claimed_amount is None:
                    line.claimed_days, line.claimed_amount = 0, 0
    ordered = sorted(lines.values(), key=lambda line: line.case_number)
    readable = case_access_bulk(
        request.user, Case.objects.filter(pk__in={line.case_id for line in ordered})
    )
    for line in ordered:
        line.case_link = line.case_id in readable
    access_log_write(
        request,
        action=action,  # type: ignore[arg-type]
        cases=sorted({(line.case_id, line.case_number) for line in ordered}),
        data_classes=[B, FIN],
    )
    return CycleView(
        cycle=cycle,
        lines=ordered,
        claim=claim,
        by_programme=[
            (programme_rows[pk], total)
            for pk, total in sorted(
                programme_totals.items(), key=lambda kv: programme_rows[kv[0]].order
            )
        ],
    )


def institutions_with_funding() -> list[Institution]:
    ids = Commitment.objects.values_list("placement__institution_id", flat=True).distinct()
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


# --- The payment list ---------------------------------------------------------------


def payment_header() -> list[str]:
    """The column names in the downloading user's language."""
    return [
        _("Cycle month"),
        _("Institution"),
        _("Bank"),
        _("Account number"),
        _("Account holder"),
        _("Programme"),
        _("Budget account code"),
        _("Case number"),
        _("Month served"),
        _("Kind"),
        _("Days"),
        _("Amount (Rp)"),
    ]


def payment_rows(request: HttpRequest, cycle: Cycle) -> list[list[Any]]:
    """The payment list of an approved cycle, one row per ledger row, and a total.

    Labels are translated (the kind, the total row); amounts and days stay
    numbers. A cycle with a negative total is a recovery statement: its
    total row says the money is owed back, never a transfer."""
    if not cycle.is_closed:
        raise PermissionDenied
    view = cycle_view(request, cycle, action=AccessAction.DOWNLOAD)
    kinds = dict(EntryKind.choices)
    rows: list[list[Any]] = []
    for line in view.lines:
        for entry in line.entries:
            rows.append(
                [
                    cycle.month.strftime("%Y-%m"),
                    cycle.institution.name,
                    cycle.bank_name,
                    cycle.bank_account_number,
                    cycle.bank_account_holder,
                    entry.programme.name,
                    entry.programme.account_code,
                    line.case_number,
                    entry.month.strftime("%Y-%m"),
                    str(kinds.get(entry.kind, entry.kind)),
                    entry.day_count if entry.kind == EntryKind.ENTITLEMENT else -entry.day_count,
                    entry.amount,
                ]
            )
    rows.append(
        [
            cycle.month.strftime("%Y-%m"),
            cycle.institution.name,
            cycle.bank_name,
            cycle.bank_account_number,
            cycle.bank_account_holder,
            _("Total to recover from the institution (not a transfer)")
            if view.is_recovery
            else _("Total to transfer"),
            "",
            "",
            "",
            "",
            "",
            view.total,
        ]
    )
    return rows


# --- Claims (institution staff) ------------------------------------------------------


@dataclass(frozen=True)
class ClaimChild:
    placement: Placement
    label: str
    days: int | None
    amount: int | None


def claim_page(
    request: HttpRequest, month: date
) -> tuple[Institution, list[ClaimChild], Claim | None, Cycle | None]:
    user = request.user
    if not files_claims(user):
        raise PermissionDenied
    institution = institution_of(user)
    if institution is None:
        raise PermissionDenied
    month = calc.month_start(month)
    placements = claim_placements(institution, month)
    claim = (
        Claim.objects.filter(institution=institution, month=month).prefetch_related("lines").first()
    )
    cycle = Cycle.objects.filter(institution=institution, month=month).first()
    filed = {line.placement_id: line for line in claim.lines.all()} if claim else {}
    children = []
    for placement in placements:
        line = filed.get(placement.pk)
        # The name of a child cared for now; a child who has left is a case number.
        label = (
            f"{placement.child.full_name} · {placement.case.number}"
            if placement.ended_on is None
            else placement.case.number
        )
        children.append(
            ClaimChild(
                placement,
                label,
                line.days if line else None,
                line.amount if line else None,
            )
        )
    access_log_write(
        request,
        action=AccessAction.LIST,
        cases=sorted({(p.case_id, p.case.number) for p in placements}),
        data_classes=[B, DataClass.IDENTITY, FIN],
    )
    return institution, children, claim, cycle


def claim_months(user: Any, today: date, *, back: int = 6) -> list[date]:
    """The months (newest first, up to ``back`` of them, the current one
    included) in which a child was placed with the user's institution: the
    only months a claim can be about."""
    institution = institution_of(user)
    if institution is None:
        return []
    newest = calc.month_start(today)
    oldest = newest
    for _index in range(back - 1):
        oldest = calc.previous_month(oldest)
    spans = Placement.objects.filter(
        institution=institution, started_on__lte=calc.month_end(newest)
    ).exclude(ended_on__lt=oldest)
    months: set[date] = set()
    for started_on, ended_on in spans.values_list("started_on", "ended_on"):
        months.update(calc.months_between(max(started_on, oldest), min(ended_on or newest, newest)))
    return sorted(months, reverse=True)


def claim_card(user: Any, today: date) -> dict[str, Any] | None:
    institution = institution_of(user)
    if institution is None:
        return None
    month = calc.previous_month(calc.month_start(today))
    claim = Claim.objects.filter(institution=institution, month=month).first()
    cycle = Cycle.objects.filter(institution=institution, month=month).first()
    return {"institution": institution, "month": month, "claim": claim, "cycle": cycle}


def case_access_reads(access: CaseAccess) -> bool:
    return access.can_read(FIN)


def cycles_to_prepare(user: Any, today: date) -> int:
    """Payment cycles the funding desk still has to run and submit, for the home page.

    Last month's: every institution with a standing commitment in it whose cycle
    is missing or still open; and any older cycle left open. Two queries.
    """
    if not manages_funding(user):
        return 0
    month = calc.previous_month(calc.month_start(today))
    funded = set(
        Commitment.objects.standing()
        .filter(starts_on__lte=calc.month_end(month), ends_on__gte=month)
        .values_list("placement__institution_id", flat=True)
    )
    cycles = Cycle.objects.filter(Q(month=month) | Q(status=CycleStatus.OPEN)).values_list(
        "institution_id", "month", "status"
    )
    started = set()
    waiting = 0
    for institution_id, cycle_month, status in cycles:
        if cycle_month == month:
            started.add(institution_id)
        if status == CycleStatus.OPEN:
            waiting += 1
    return waiting + len(funded - started)
