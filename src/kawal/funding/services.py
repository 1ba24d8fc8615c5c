"""Every write of funding: policy, validation, one transaction, audit or timeline.

The cycle computation (``cycle_compute``) is the heart: it works out, for an
institution and a month, what each commitment is owed from the roster, and
brings the ledger (``Entitlement``) to that state with as few rows as it can:

- nothing changed → nothing written (a re-run is a no-op);
- an open cycle's own rows are a draft and are replaced;
- a row in an approved (or paid, locked) cycle is never touched: a change to
  a month already approved — a late roster fix, a placement that ended
  earlier than recorded, a cancelled commitment — becomes a reversal of that
  row plus a new row, both in the cycle being computed.

Concurrent runs for the same institution and month meet at the cycle's unique
constraint and then at its row lock, so they produce one cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import DataClass
from kawal.cases.policy import case_access
from kawal.cases.services import case_event_add
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.funding import calc
from kawal.funding.models import (
    CLOSED,
    Budget,
    Claim,
    ClaimLine,
    Commitment,
    Cycle,
    CycleStatus,
    Entitlement,
    EntryKind,
    Programme,
    RateKind,
)
from kawal.funding.money import rupiah
from kawal.funding.policy import (
    commits_on,
    files_claims,
    manages_funding,
    may_approve,
    records_payment,
    sets_budgets,
)
from kawal.institutions.models import Institution
from kawal.institutions.selectors import institution_of_staff
from kawal.monitoring.selectors import present_days
from kawal.placement.models import Placement

FIN = DataClass.FINANCIAL
# A rate above this is a typing slip (an extra zero or three), not a rate.
DEFAULT_RATE_MAX = 50_000_000
DEFAULT_BUDGET_MAX = 10**15
DEFAULT_CORRECTION_MONTHS = 12


def _setting_int(name: str, default: int) -> int:
    try:
        return max(int(getattr(settings, name, default)), 0)
    except (TypeError, ValueError):
        return default


def rate_max() -> int:
    """``KAWAL_FUNDING_RATE_MAX``: the largest rate a commitment may carry (Rp 50,000,000)."""
    return _setting_int("KAWAL_FUNDING_RATE_MAX", DEFAULT_RATE_MAX) or DEFAULT_RATE_MAX


def correction_months() -> int:
    """``KAWAL_FUNDING_CORRECTION_MONTHS``: how many approved months a cycle re-checks (12)."""
    return _setting_int("KAWAL_FUNDING_CORRECTION_MONTHS", DEFAULT_CORRECTION_MONTHS)


def _check_version(obj: Any, expected_version: int) -> None:
    if obj.version != expected_version:
        raise StaleVersion(obj)


def _bump(obj: Any, fields: list[str]) -> None:
    obj.version += 1
    obj.save(update_fields=[*fields, "version", "updated_at"])


# --- Budgets ---------------------------------------------------------------------


def budget_set(
    *,
    fiscal_year: int,
    programme: Programme,
    amount: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Budget:
    """Create or change a budget line; never below what is already committed."""
    if not sets_budgets(acting_user):
        raise PermissionDenied
    if (
        not isinstance(amount, int)
        or isinstance(amount, bool)
        or not 0 <= amount <= DEFAULT_BUDGET_MAX
    ):
        raise ValidationError({"amount": _("Enter a whole number of rupiah.")})
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError({"fiscal_year": _("Enter a fiscal year between 2000 and 2100.")})
    with transaction.atomic():
        budget = (
            Budget.objects.select_for_update()
            .filter(fiscal_year=fiscal_year, programme=programme)
            .first()
        )
        before = budget.amount if budget is not None else None
        if budget is None:
            try:
                with transaction.atomic():
                    budget = Budget.objects.create(
                        fiscal_year=fiscal_year, programme=programme, amount=amount
                    )
            except IntegrityError:
                budget = Budget.objects.select_for_update().get(
                    fiscal_year=fiscal_year, programme=programme
                )
                before = budget.amount
        if before is not None:
            # Lowering a line under its commitments would make a negative
            # remainder that no one wrote a reason for.
            committed = utilisation([budget])[0].committed
            if amount < committed:
                raise ValidationError(
                    {
                        "amount": _(
                            "The budget line cannot be less than what is already committed"
                            " on it (Rp %(committed)s)."
                        )
                        % {"committed": rupiah(committed)}
                    }
                )
            budget.amount = amount
            _bump(budget, ["amount"])
        audit_record(
            "funding.budget_set",
            actor=acting_user,
            context=context,
            target=f"funding.Budget:{budget.pk}",
            fiscal_year=fiscal_year,
            programme=programme.code,
            before=before,
            after=amount,
        )
    return budget


@dataclass(frozen=True)
class Utilisation:
    """A budget line's figures, whole rupiah: what is promised, paid and left."""

    budget: Budget
    committed: int
    approved: int
    paid: int

    @property
    def remaining(self) -> int:
        return self.budget.amount - self.committed

    @property
    def overrun(self) -> bool:
        return self.remaining < 0

    @property
    def unpaid_approved(self) -> int:
        return self.approved - self.paid


def effective_committed(
    rate_kind: str, rate: int, starts_on: date, ends_on: date, placement_ended_on: date | None
) -> int:
    """What a standing commitment can still cost: its period cut at the placement's end."""
    last = ends_on if placement_ended_on is None else min(ends_on, placement_ended_on)
    if last < starts_on:
        return 0
    return calc.committed_amount(rate_kind, rate, starts_on, last)


def utilisation(budgets: Iterable[Budget]) -> list[Utilisation]:
    """Committed = standing commitments over their period (cut at the
    placement's end), plus what cancelled ones had approved; approved and paid
    come from the ledger of closed cycles."""
    budgets = list(budgets)
    ids = [budget.pk for budget in budgets]
    standing: dict[int, int] = defaultdict(int)
    for budget_id, total in (
        Commitment.objects.standing()
        .filter(budget_id__in=ids)
        .exclude(placement__ended_on__lt=F("ends_on"))
        .values_list("budget_id")
        .annotate(total=Sum("committed_amount"))
    ):
        standing[budget_id] += int(total or 0)
    # A placement that ended before the commitment's end pays no day after it:
    # counting the full period would overstate "committed" (and understate
    # "remaining") for the rest of the year.
    for budget_id, rate_kind, rate, starts_on, ends_on, ended_on in (
        Commitment.objects.standing()
        .filter(budget_id__in=ids, placement__ended_on__lt=F("ends_on"))
        .values_list(
            "budget_id", "rate_kind", "rate", "starts_on", "ends_on", "placement__ended_on"
        )
    ):
        standing[budget_id] += effective_committed(rate_kind, rate, starts_on, ends_on, ended_on)
    spent_cancelled = dict(
        Entitlement.objects.filter(
            budget_id__in=ids, commitment__cancelled_at__isnull=False, cycle__status__in=CLOSED
        )
        .values_list("budget_id")
        .annotate(total=Sum("amount"))
    )
    approved = dict(
        Entitlement.objects.filter(budget_id__in=ids, cycle__status__in=CLOSED)
        .values_list("budget_id")
        .annotate(total=Sum("amount"))
    )
    paid = dict(
        Entitlement.objects.filter(
            budget_id__in=ids, cycle__status__in=(CycleStatus.PAID, CycleStatus.LOCKED)
        )
        .values_list("budget_id")
        .annotate(total=Sum("amount"))
    )
    return [
        Utilisation(
            budget=budget,
            committed=int(standing.get(budget.pk) or 0) + int(spent_cancelled.get(budget.pk) or 0),
            approved=int(approved.get(budget.pk) or 0),
            paid=int(paid.get(budget.pk) or 0),
        )
        for budget in budgets
    ]


# --- Commitments ------------------------------------------------------------------


@dataclass(frozen=True)
class NewCommitment:
    placement: Placement
    budget: Budget
    rate_kind: str
    rate: int
    starts_on: date
    ends_on: date
    # An explicit "yes, over the budget", with the reason written down.
    overrun_reason: str = ""


def commitment_check(new: NewCommitment) -> tuple[int, Utilisation]:
    """What the commitment would take and the budget line's figures now; raises
    ValidationError for anything wrong except the overrun itself."""
    errors: dict[str, list[str]] = defaultdict(list)
    placement = new.placement
    if new.rate_kind not in RateKind.values:
        errors["rate_kind"].append(_("Choose a daily or a monthly rate."))
    if (
        not isinstance(new.rate, int)
        or isinstance(new.rate, bool)
        or not 0 < new.rate <= rate_max()
    ):
        errors["rate"].append(
            _("Enter a whole number of rupiah between 1 and %(max)s.") % {"max": rupiah(rate_max())}
        )
    if not new.budget.programme.is_active:
        errors["budget"].append(_("This programme is no longer in use."))
    if new.ends_on < new.starts_on:
        errors["ends_on"].append(_("The end comes before the start."))
    if new.starts_on < placement.started_on:
        errors["starts_on"].append(
            _("The commitment starts before the placement (%(day)s).")
            % {"day": placement.started_on.strftime("%d/%m/%Y")}
        )
    if placement.ended_on is not None and new.ends_on > placement.ended_on:
        errors["ends_on"].append(
            _("The placement ended on %(day)s; the commitment cannot run past it.")
            % {"day": placement.ended_on.strftime("%d/%m/%Y")}
        )
    year = new.budget.fiscal_year
    if new.starts_on.year != year or new.ends_on.year != year:
        errors["ends_on"].append(
            _("A commitment stays inside the budget line's fiscal year (%(year)s).")
            % {"year": year}
        )
    if not errors:
        # A commitment pays no day after its placement ended, so after a
        # transfer the old home's commitment (often made to 31 December) does
        # not stand in the way of the new home's: cancelling it instead would
        # claw back every day it rightly paid.
        overlapping = (
            Commitment.objects.standing()
            .filter(
                child_id=placement.child_id,
                programme_id=new.budget.programme_id,
                starts_on__lte=new.ends_on,
                ends_on__gte=new.starts_on,
            )
            .filter(Q(placement__ended_on__isnull=True) | Q(placement__ended_on__gte=new.starts_on))
        )
        if overlapping.exists():
            errors["starts_on"].append(
                _(
                    "The child already has a commitment of this programme for part of"
                    " this period; cancel it or start after it ends."
                )
            )
    if errors:
        raise ValidationError(dict(errors))
    amount = calc.committed_amount(new.rate_kind, new.rate, new.starts_on, new.ends_on)
    return amount, utilisation([new.budget])[0]


def commitment_create(new: NewCommitment, *, acting_user: Any) -> Commitment:
    placement = new.placement
    access = case_access(acting_user, placement.case)
    if not commits_on(access):
        raise PermissionDenied
    reason = new.overrun_reason.strip()
    with transaction.atomic():
        # One commitment at a time per budget line, so two cannot both fit
        # into the same remainder.
        budget = (
            Budget.objects.select_for_update().select_related("programme").get(pk=new.budget.pk)
        )
        fresh = Placement.objects.get(pk=placement.pk)
        new = NewCommitment(
            placement=fresh,
            budget=budget,
            rate_kind=new.rate_kind,
            rate=new.rate,
            starts_on=new.starts_on,
            ends_on=new.ends_on,
            overrun_reason=reason,
        )
        amount, figures = commitment_check(new)
        over = amount > figures.remaining
        if over and not reason:
            raise ValidationError(
                {
                    "overrun_reason": _(
                        "This commitment (Rp %(amount)s) is more than what is left on the"
                        " budget line (Rp %(remaining)s). To commit anyway, write why."
                    )
                    % {"amount": rupiah(amount), "remaining": rupiah(figures.remaining)}
                },
                code="overrun",
            )
        commitment = Commitment.objects.create(
            case=fresh.case,
            placement=fresh,
            child_id=fresh.child_id,
            budget=budget,
            programme=budget.programme,
            rate_kind=new.rate_kind,
            rate=new.rate,
            starts_on=new.starts_on,
            ends_on=new.ends_on,
            committed_amount=amount,
            overrun_reason=reason if over else "",
            committed_by=acting_user,
        )
        case_event_add(
            fresh.case,
            "funding.committed",
            acting_user,
            data_class=FIN,
            programme=budget.programme.code,
            rate_kind=new.rate_kind,
            rate=new.rate,
            starts_on=new.starts_on.isoformat(),
            ends_on=new.ends_on.isoformat(),
            amount=amount,
            overrun=over,
        )
    return commitment


def commitment_cancel(
    commitment: Commitment, *, reason: str, expected_version: int, acting_user: Any
) -> Commitment:
    """Cancel a commitment (a wrong rate, a wrong programme). What it paid is
    reversed by the next cycle of the institution; a new commitment can then
    take the same days."""
    if not commits_on(case_access(acting_user, commitment.case)):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the commitment is cancelled.")})
    with transaction.atomic():
        current = Commitment.objects.select_for_update().get(pk=commitment.pk)
        _check_version(current, expected_version)
        if current.is_cancelled:
            raise ValidationError(_("This commitment is already cancelled."))
        current.cancelled_at = timezone.now()
        current.cancelled_by = acting_user
        current.cancel_reason = reason
        _bump(current, ["cancelled_at", "cancelled_by", "cancel_reason"])
        case_event_add(
            current.case,
            "funding.cancelled",
            acting_user,
            data_class=FIN,
            programme=current.programme.code,
            reason=reason,
        )
    return current


# --- The roster -------------------------------------------------------------------


def day_locked(placement: Any, day: date) -> bool:
    """Monitoring's roster lock: a day of a locked cycle is not changed any more."""
    return Cycle.objects.filter(
        institution_id=placement.institution_id,
        month=calc.month_start(day),
        status=CycleStatus.LOCKED,
    ).exists()


# --- The monthly cycle -------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """A standing commitment as the computation needs it (plain values, no model)."""

    pk: int
    placement_id: int
    case_id: int
    child_id: int
    budget_id: int
    programme_id: int
    rate_kind: str
    rate: int
    starts_on: date
    ends_on: date
    placed_from: date
    placed_until: date | None
    institution_id: int


@dataclass(frozen=True)
class Live:
    """A live ledger row as the computation needs it."""

    pk: int
    commitment_id: int
    month: date
    days: int
    amount: int
    cycle_id: int
    cycle_status: str
    institution_id: int
    placement_id: int
    case_id: int
    child_id: int
    budget_id: int
    programme_id: int
    day_count: int


@dataclass(frozen=True)
class RunResult:
    cycle: Cycle
    # Rows written: 0 when the run changed nothing.
    written: int
    removed: int
    reversals: int


def _terms(institution_ids: list[int], first: date, last: date) -> list[Terms]:
    rows = (
        Commitment.objects.standing()
        .filter(
            placement__institution_id__in=institution_ids, starts_on__lte=last, ends_on__gte=first
        )
        .values_list(
            "pk",
            "placement_id",
            "case_id",
            "child_id",
            "budget_id",
            "programme_id",
            "rate_kind",
            "rate",
            "starts_on",
            "ends_on",
            "placement__started_on",
            "placement__ended_on",
            "placement__institution_id",
        )
    )
    return [Terms(*row) for row in rows]


def _live(institution_ids: list[int], child_ids: set[int], months: set[date]) -> list[Live]:
    """Live rows of these institutions, and of these children wherever they are."""
    fields = (
        "pk",
        "commitment_id",
        "month",
        "days",
        "amount",
        "cycle_id",
        "cycle__status",
        "placement__institution_id",
        "placement_id",
        "case_id",
        "child_id",
        "budget_id",
        "programme_id",
        "day_count",
    )
    base = Entitlement.objects.filter(month__in=months, live=True)
    found = {
        row[0]: Live(*row)
        for row in base.filter(placement__institution_id__in=institution_ids).values_list(*fields)
    }
    if child_ids:
        for row in base.filter(child_id__in=child_ids).values_list(*fields):
            found.setdefault(row[0], Live(*row))
    return list(found.values())


def _roster_masks(present: Mapping[int, Iterable[date]]) -> dict[tuple[int, date], int]:
    """(placement, month) → the days present, as a bit mask."""
    masks: dict[tuple[int, date], int] = defaultdict(int)
    for placement_id, days in present.items():
        for day in days:
            masks[(placement_id, day.replace(day=1))] |= 1 << (day.day - 1)
    return masks


def _due_masks(
    terms: list[Terms],
    months: list[date],
    masks: Mapping[tuple[int, date], int],
    elsewhere: Mapping[tuple[int, int, date], int],
) -> dict[tuple[int, date], tuple[Terms, int, int]]:
    """(commitment, month) → (terms, days mask, amount) from the roster."""
    due = {}
    for t in terms:
        end = t.ends_on if t.placed_until is None else min(t.ends_on, t.placed_until)
        begin = max(t.starts_on, t.placed_from)
        for month in months:
            mask = calc.window_mask(month, begin, end) & masks.get((t.placement_id, month), 0)
            mask &= ~elsewhere.get((t.child_id, t.programme_id, month), 0)
            if mask:
                amount = calc.amount_for(t.rate_kind, t.rate, calc.count(mask), month)
                due[(t.pk, month)] = (t, mask, amount)
    return due


def _compute(
    institution_ids: list[int],
    month: date,
    *,
    acting_user: Any,
    context: AuditContext | None,
) -> list[RunResult]:
    """Bring the ledger of these institutions' cycles for ``month`` to what the
    roster says, in one transaction with every cycle row locked (in id order,
    so that two runs never deadlock)."""
    month = calc.month_start(month)
    if not institution_ids:
        return []
    with transaction.atomic():
        Cycle.objects.bulk_create(
            [Cycle(institution_id=pk, month=month) for pk in institution_ids],
            ignore_conflicts=True,
        )
        cycles = list(
            Cycle.objects.select_for_update()
            .filter(institution_id__in=institution_ids, month=month)
            .order_by("pk")
        )
        open_cycles = {c.institution_id: c for c in cycles if not c.is_frozen}
        results = {c.pk: RunResult(c, 0, 0, 0) for c in cycles}
        if open_cycles:
            _compute_open(open_cycles, month, results, acting_user=acting_user, context=context)
    by_institution = {result.cycle.institution_id: result for result in results.values()}
    return [by_institution[pk] for pk in institution_ids if pk in by_institution]


def _compute_open(
    open_cycles: dict[int, Cycle],
    month: date,
    results: dict[int, RunResult],
    *,
    acting_user: Any,
    context: AuditContext | None,
) -> None:
    ids = sorted(open_cycles)
    horizon = month
    for _step in range(correction_months()):
        horizon = calc.previous_month(horizon)
    months_of: dict[int, list[date]] = {pk: [month] for pk in ids}
    for institution_id, closed_month in Cycle.objects.filter(
        institution_id__in=ids, month__lt=month, month__gte=horizon, status__in=CLOSED
    ).values_list("institution_id", "month"):
        months_of[institution_id].append(closed_month)
    every_month = {m for months in months_of.values() for m in months}
    terms = _terms(ids, min(every_month), calc.month_end(max(every_month)))
    present = (
        present_days(
            sorted({t.placement_id for t in terms}),
            min(every_month),
            calc.month_end(max(every_month)),
        )
        if terms
        else {}
    )
    masks = _roster_masks(present)
    live = _live(ids, {t.child_id for t in terms}, every_month)
    terms_of: dict[int, list[Terms]] = defaultdict(list)
    for t in terms:
        terms_of[t.institution_id].append(t)
    live_at: dict[int, list[Live]] = defaultdict(list)
    children_of: dict[int, set[int]] = defaultdict(set)
    for t in terms:
        children_of[t.institution_id].add(t.child_id)
    live_of_child: dict[int, list[Live]] = defaultdict(list)
    for row in live:
        live_at[row.institution_id].append(row)
        live_of_child[row.child_id].append(row)
    now = timezone.now()
    new: list[Entitlement] = []
    drafts: list[int] = []
    reversals: list[Live] = []
    changed: dict[int, tuple[int, int, int]] = {}
    # Days given to a child under an institution earlier in this same run: the
    # ledger read above does not hold them yet, and a later institution of the
    # run must not pay them again.
    given: dict[int, list[tuple[int, date, int, int]]] = defaultdict(list)
    for institution_id in ids:
        cycle = open_cycles[institution_id]
        months = months_of[institution_id]
        # Days of these children already paid under a placement elsewhere (a
        # transfer day, a commitment cancelled there and not yet reversed)
        # are not paid here as well.
        elsewhere: dict[tuple[int, int, date], int] = defaultdict(int)
        for child_id in children_of.get(institution_id, ()):
            for row in live_of_child[child_id]:
                if row.institution_id != institution_id:
                    elsewhere[(row.child_id, row.programme_id, row.month)] |= row.days
            for programme_id, served, other, mask in given.get(child_id, ()):
                if other != institution_id:
                    elsewhere[(child_id, programme_id, served)] |= mask
        own = {
            (row.commitment_id, row.month): row
            for row in live_at.get(institution_id, ())
            if row.month in months
        }
        due = _due_masks(terms_of.get(institution_id, []), months, masks, elsewhere)
        written = removed = reversed_ = 0
        for key in set(due) | set(own):
            wanted = due.get(key)
            entry = own.get(key)
            if entry is not None:
                if wanted is not None and (entry.days, entry.amount) == wanted[1:]:
                    continue
                if entry.cycle_id == cycle.pk:
                    # A draft row of an open cycle was never approved: no money moved.
                    drafts.append(entry.pk)
                    removed += 1
                elif entry.cycle_status in CLOSED:
                    reversals.append(entry)
                    new.append(_reversal(cycle, entry))
                    reversed_ += 1
                    written += 1
                else:
                    continue  # another open cycle holds it and settles it itself
            if wanted is not None:
                new.append(_entry(cycle, *wanted, month=key[1]))
                written += 1
        for (_pk, served), (t, mask, _amount) in due.items():
            given[t.child_id].append((t.programme_id, served, institution_id, mask))
        if written or removed or cycle.computed_at is None:
            changed[cycle.pk] = (written, removed, reversed_)
    if drafts:
        Entitlement.objects.filter(pk__in=drafts, live=True).delete()
    if reversals:
        Entitlement.objects.filter(pk__in=[r.pk for r in reversals], live=True).update(live=False)
    Entitlement.objects.bulk_create(new, batch_size=2000)
    if not changed:
        return
    Cycle.objects.filter(pk__in=list(changed)).update(
        computed_at=now, computed_by=acting_user, version=F("version") + 1, updated_at=now
    )
    for cycle in open_cycles.values():
        if cycle.pk in changed:
            cycle.refresh_from_db()
            results[cycle.pk] = RunResult(cycle, *changed[cycle.pk])
    audit_record(
        "funding.cycles_computed",
        actor=acting_user,
        context=context,
        target=f"funding.Cycle:{month:%Y-%m}",
        month=month.isoformat(),
        cycles={str(pk): list(counts) for pk, counts in changed.items()},
    )


def _entry(cycle: Cycle, t: Terms, mask: int, amount: int, *, month: date) -> Entitlement:
    return Entitlement(
        cycle=cycle,
        commitment_id=t.pk,
        placement_id=t.placement_id,
        case_id=t.case_id,
        child_id=t.child_id,
        budget_id=t.budget_id,
        programme_id=t.programme_id,
        month=month,
        days=mask,
        day_count=calc.count(mask),
        amount=amount,
        kind=EntryKind.ENTITLEMENT,
        live=True,
    )


def _reversal(cycle: Cycle, entry: Live) -> Entitlement:
    return Entitlement(
        cycle=cycle,
        commitment_id=entry.commitment_id,
        placement_id=entry.placement_id,
        case_id=entry.case_id,
        child_id=entry.child_id,
        budget_id=entry.budget_id,
        programme_id=entry.programme_id,
        month=entry.month,
        days=entry.days,
        day_count=entry.day_count,
        amount=-entry.amount,
        kind=EntryKind.REVERSAL,
        live=False,
        reverses_id=entry.pk,
    )


def _refuse_unbegun(month: date) -> None:
    """A month that has not begun has no roster yet: a cycle of it could be
    approved and locked empty, and the lock would then shut the roster for
    the whole month."""
    if calc.month_start(month) > calc.month_start(timezone.localdate()):
        raise ValidationError({"month": _("A cycle is for a month that has begun.")})


def cycle_compute(
    institution: Institution,
    month: date,
    *,
    acting_user: Any,
    context: AuditContext | None = None,
) -> RunResult:
    """Compute (or re-compute) the institution's cycle for ``month``."""
    if not manages_funding(acting_user):
        raise PermissionDenied
    _refuse_unbegun(month)
    return _compute([institution.pk], month, acting_user=acting_user, context=context)[0]


def institutions_to_pay(month: date) -> list[Institution]:
    """Institutions with a standing commitment in the month, or a cycle for it."""
    month = calc.month_start(month)
    end = calc.month_end(month)
    ids = set(
        Commitment.objects.standing()
        .filter(starts_on__lte=end, ends_on__gte=month)
        .values_list("placement__institution_id", flat=True)
    )
    ids |= set(Cycle.objects.filter(month=month).values_list("institution_id", flat=True))
    return list(Institution.objects.filter(pk__in=ids).order_by("name"))


def cycles_compute_month(
    month: date, *, acting_user: Any, context: AuditContext | None = None
) -> list[RunResult]:
    """Every institution's cycle for the month, in one transaction."""
    if not manages_funding(acting_user):
        raise PermissionDenied
    _refuse_unbegun(month)
    ids = [institution.pk for institution in institutions_to_pay(month)]
    return _compute(ids, month, acting_user=acting_user, context=context)


def _locked_cycle(cycle: Cycle, expected_version: int) -> Cycle:
    current = Cycle.objects.select_for_update().select_related("institution").get(pk=cycle.pk)
    _check_version(current, expected_version)
    return current


def _cycle_audit(kind: str, cycle: Cycle, acting_user: Any, context: Any, **detail: Any) -> None:
    audit_record(
        kind,
        actor=acting_user,
        context=context,
        target=f"funding.Cycle:{cycle.pk}",
        institution=cycle.institution_id,
        month=cycle.month.isoformat(),
        **detail,
    )


class FiguresChanged(ValidationError):
    """Submitting found the roster changed: the figures were recomputed, not submitted."""


def cycle_total(cycle: Cycle) -> int:
    """What the cycle pays (positive) or asks back (negative), whole rupiah."""
    total = Entitlement.objects.filter(cycle=cycle).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def cycle_submit(
    cycle: Cycle, *, expected_version: int, acting_user: Any, context: AuditContext | None = None
) -> Cycle:
    """The preparer hands the computed cycle over for approval; it is frozen from here.

    The figures are computed again first, in the same transaction: a roster
    marked (or a placement ended) since the last run would otherwise reach the
    approver as old figures. If that run changes anything the new figures are
    kept but the cycle is **not** submitted (``FiguresChanged``): the preparer
    looks at them and submits again, so nobody submits figures they have not
    seen. The run records the submitter as ``computed_by``, so four eyes
    still holds: neither the submitter nor whoever wrote the figures approves.
    """
    if not manages_funding(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked_cycle(cycle, expected_version)
        if current.status != CycleStatus.OPEN:
            raise ValidationError(_("Only an open cycle can be submitted."))
        if current.computed_at is None:
            raise ValidationError(_("Compute the cycle before submitting it."))
        run = _compute(
            [current.institution_id], current.month, acting_user=acting_user, context=context
        )[0]
        changed = bool(run.written or run.removed)
        if not changed:
            current.status = CycleStatus.SUBMITTED
            current.prepared_by = acting_user
            current.prepared_at = timezone.now()
            _bump(current, ["status", "prepared_by", "prepared_at"])
            _cycle_audit("funding.cycle_submitted", current, acting_user, context)
    if changed:
        # Raised after the transaction so that the new figures stay.
        raise FiguresChanged(
            _(
                "The roster changed since the figures were computed: they have been"
                " computed again. Check them and submit again."
            ),
            code="figures_changed",
        )
    return current


def cycle_return(
    cycle: Cycle,
    *,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Cycle:
    """The approver sends a submitted cycle back to be prepared again."""
    if not records_payment(acting_user):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the cycle goes back.")})
    with transaction.atomic():
        current = _locked_cycle(cycle, expected_version)
        if current.status != CycleStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted cycle can be sent back."))
        current.status = CycleStatus.OPEN
        current.prepared_by = None
        current.prepared_at = None
        _bump(current, ["status", "prepared_by", "prepared_at"])
        _cycle_audit("funding.cycle_returned", current, acting_user, context, reason=reason)
    return current


def cycle_approve(
    cycle: Cycle,
    *,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
    recovery_acknowledged: bool = False,
) -> Cycle:
    """Four eyes: a finance officer other than the preparer approves.

    A cycle whose total is negative (only reversals, or reversals larger than
    what is due) is not a transfer but money the institution owes back: it is
    approved only with ``recovery_acknowledged`` (the approver ticked "this is
    money to recover"), and its list is a recovery statement, not a payment
    list for the bank."""
    if not records_payment(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked_cycle(cycle, expected_version)
        if not may_approve(acting_user, current):
            raise PermissionDenied
        if current.status != CycleStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted cycle can be approved."))
        total = cycle_total(current)
        if total < 0 and not recovery_acknowledged:
            raise ValidationError(
                {
                    "recovery_acknowledged": _(
                        "This cycle pays nothing: the institution owes Rp %(amount)s back."
                        " Confirm that it is money to recover, not a transfer."
                    )
                    % {"amount": rupiah(-total)}
                },
                code="recovery",
            )
        institution = current.institution
        if not institution.bank_account_number:
            raise ValidationError(
                _("The institution has no bank account on record; add it to the registry first.")
            )
        current.status = CycleStatus.APPROVED
        current.approved_by = acting_user
        current.approved_at = timezone.now()
        current.bank_name = institution.bank_name
        current.bank_account_number = institution.bank_account_number
        current.bank_account_holder = institution.bank_account_holder
        _bump(
            current,
            [
                "status",
                "approved_by",
                "approved_at",
                "bank_name",
                "bank_account_number",
                "bank_account_holder",
            ],
        )
        _cycle_audit(
            "funding.cycle_approved",
            current,
            acting_user,
            context,
            total=total,
            recovery=total < 0,
        )
    return current


def cycle_record_payment(
    cycle: Cycle,
    *,
    reference: str,
    paid_on: date,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Cycle:
    if not records_payment(acting_user):
        raise PermissionDenied
    reference = reference.strip()
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = _("Enter the SP2D or transfer reference.")
    if paid_on > timezone.localdate():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked_cycle(cycle, expected_version)
        if current.status != CycleStatus.APPROVED:
            raise ValidationError(_("Only an approved cycle can be marked as paid."))
        if current.approved_at is not None and paid_on < timezone.localdate(current.approved_at):
            raise ValidationError({"paid_on": _("The payment date is before the approval.")})
        current.status = CycleStatus.PAID
        current.payment_reference = reference
        current.paid_on = paid_on
        current.paid_by = acting_user
        _bump(current, ["status", "payment_reference", "paid_on", "paid_by"])
        _cycle_audit("funding.cycle_paid", current, acting_user, context, reference=reference)
    return current


def cycle_lock(
    cycle: Cycle, *, expected_version: int, acting_user: Any, context: AuditContext | None = None
) -> Cycle:
    """Close the books on the month: the roster's days of it no longer change."""
    if not records_payment(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked_cycle(cycle, expected_version)
        if current.status != CycleStatus.PAID:
            raise ValidationError(_("Record the payment before locking the cycle."))
        # The lock shuts the month's roster: days still to come would never be
        # recorded, nor paid.
        if calc.month_end(current.month) >= timezone.localdate():
            raise ValidationError(_("A cycle can be locked once its month has ended."))
        current.status = CycleStatus.LOCKED
        current.locked_by = acting_user
        current.locked_at = timezone.now()
        _bump(current, ["status", "locked_by", "locked_at"])
        _cycle_audit("funding.cycle_locked", current, acting_user, context)
    return current


# --- Claims --------------------------------------------------------------------------


def institution_of(user: Any) -> Institution | None:
    """The institution whose staff the user is, for institution staff."""
    if not files_claims(user):
        return None
    # The registry's own answer, which also drops a deactivated agency.
    return institution_of_staff(user)


@dataclass(frozen=True)
class ClaimInput:
    month: date
    # placement id → (days, amount)
    lines: Mapping[int, tuple[int, int]]
    total_amount: int | None = None
    note: str = ""


def claim_placements(institution: Institution, month: date) -> list[Placement]:
    """The institution's placements that overlap the month (a claim's possible lines)."""
    month = calc.month_start(month)
    return list(
        Placement.objects.filter(institution=institution, started_on__lte=calc.month_end(month))
        .exclude(ended_on__lt=month)
        .select_related("case", "child")
        .order_by("started_on", "pk")
    )


def claim_closed_message(status: str, *, filed: bool) -> str:
    """Why the month's claim can no longer change, worded for the cycle's state
    and for whether a claim was filed at all ("" while it still can)."""
    messages: dict[str, str]
    if filed:
        messages = {
            CycleStatus.SUBMITTED: _(
                "Dinas Sosial has submitted this month's cycle for approval:"
                " the claim can no longer be changed."
            ),
            CycleStatus.APPROVED: _(
                "This month's cycle is approved: the claim can no longer be changed."
            ),
            CycleStatus.PAID: _("This month's cycle is paid: the claim can no longer be changed."),
            CycleStatus.LOCKED: _(
                "This month is closed (its cycle is locked): the claim can no longer be changed."
            ),
        }
    else:
        messages = {
            CycleStatus.SUBMITTED: _(
                "No claim was filed for this month and Dinas Sosial has already submitted"
                " its cycle: a claim can no longer be filed."
            ),
            CycleStatus.APPROVED: _(
                "No claim was filed for this month and its cycle is already approved:"
                " a claim can no longer be filed."
            ),
            CycleStatus.PAID: _(
                "No claim was filed for this month and its cycle is already paid:"
                " a claim can no longer be filed."
            ),
            CycleStatus.LOCKED: _(
                "No claim was filed for this month and the month is closed (its cycle is"
                " locked): a claim can no longer be filed."
            ),
        }
    return messages.get(status, "")


def claim_file(
    claim: ClaimInput,
    *,
    acting_user: Any,
    expected_version: int | None = None,
    context: AuditContext | None = None,
) -> Claim:
    """File or replace the institution's claim for a month, until the cycle is submitted."""
    institution = institution_of(acting_user)
    if institution is None:
        raise PermissionDenied
    month = calc.month_start(claim.month)
    errors: dict[str, list[str]] = defaultdict(list)
    if month > calc.month_start(timezone.localdate()):
        errors["month"].append(_("A claim is for a month that has begun."))
    allowed = {p.pk: p for p in claim_placements(institution, month)}
    limit = calc.days_in_month(month)
    for placement_id, (days, amount) in claim.lines.items():
        if placement_id not in allowed:
            raise PermissionDenied
        if not 0 <= days <= limit:
            errors["lines"].append(
                _("Days claimed must be between 0 and %(limit)s.") % {"limit": limit}
            )
        if not 0 <= amount <= DEFAULT_BUDGET_MAX:
            errors["lines"].append(_("Enter amounts in whole rupiah."))
    if not allowed:
        # No child was placed here that month: there is nothing to be owed.
        errors["month"].append(
            _("No child was placed with you in this month: there is nothing to claim.")
        )
    if claim.total_amount is not None and not 0 <= claim.total_amount <= DEFAULT_BUDGET_MAX:
        errors["total_amount"].append(_("Enter amounts in whole rupiah."))
    if claim.total_amount is None and not any(amount for _days, amount in claim.lines.values()):
        errors["total_amount"].append(_("Claim an amount per child or a total."))
    if errors:
        raise ValidationError(dict(errors))
    with transaction.atomic():
        cycle = (
            Cycle.objects.select_for_update().filter(institution=institution, month=month).first()
        )
        current = (
            Claim.objects.select_for_update().filter(institution=institution, month=month).first()
        )
        if cycle is not None and cycle.is_frozen:
            raise ValidationError(claim_closed_message(cycle.status, filed=current is not None))
        if current is None:
            try:
                with transaction.atomic():
                    current = Claim.objects.create(
                        institution=institution,
                        month=month,
                        total_amount=claim.total_amount,
                        note=claim.note.strip(),
                        filed_by=acting_user,
                        filed_at=timezone.now(),
                    )
            except IntegrityError:
                raise StaleVersion(
                    Claim.objects.get(institution=institution, month=month)
                ) from None
        else:
            if expected_version is not None:
                _check_version(current, expected_version)
            current.total_amount = claim.total_amount
            current.note = claim.note.strip()
            current.filed_by = acting_user
            current.filed_at = timezone.now()
            _bump(current, ["total_amount", "note", "filed_by", "filed_at"])
            current.lines.all().delete()
        ClaimLine.objects.bulk_create(
            [
                ClaimLine(claim=current, placement_id=placement_id, days=days, amount=amount)
                for placement_id, (days, amount) in sorted(claim.lines.items())
                if days or amount
            ]
        )
        audit_record(
            "funding.claim_filed",
            actor=acting_user,
            context=context,
            target=f"funding.Claim:{current.pk}",
            institution=institution.pk,
            month=month.isoformat(),
            lines=len(claim.lines),
        )
    return current
