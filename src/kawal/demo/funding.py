"""Demo data for funding (synthetic): budgets, commitments, two closed cycles and one open.

Runs after the placement and monitoring demos. For the fiscal year(s) of the
last three months it sets a budget line per programme, commits meals (daily)
for every demo placement and education (monthly) for every second one, as the
demo social worker (``dinsos``) on the case team would. The two months before
this one are computed, submitted by ``dinsos`` and approved, paid and locked
by the finance officer ``keuangan`` (four eyes); this month's cycle stays
open. The LKSA's claim for last month is filed by ``lksa`` with one child's
days off by one, so the cycle page shows a difference. Everything goes
through the services; without placements there is nothing to do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kawal.accounts.models import User
from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import Budget, Commitment, Cycle, CycleStatus, Programme
from kawal.placement.models import Placement

# Whole rupiah per fiscal year and programme (sintetis).
BUDGETS = {
    "permakanan": 2_400_000_000,
    "pendidikan": 900_000_000,
    "kesehatan": 450_000_000,
    "sandang": 180_000_000,
    "transportasi": 120_000_000,
}
MEALS_PER_DAY = 35_000
EDUCATION_PER_MONTH = 450_000


def _try(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except (PermissionDenied, ValidationError):
        return None


def _commit(
    placement: Placement, budget: Budget, kind: str, rate: int, year: int, first: date, worker: User
) -> Any:
    start = max(placement.started_on, date(year, 1, 1), first)
    end = (
        date(year, 12, 31)
        if placement.ended_on is None
        else min(placement.ended_on, date(year, 12, 31))
    )
    if end < start:
        return None
    return _try(
        svc.commitment_create,
        svc.NewCommitment(
            placement=placement,
            budget=budget,
            rate_kind=kind,
            rate=rate,
            starts_on=start,
            ends_on=end,
            overrun_reason="Demo (sintetis)",
        ),
        acting_user=worker,
    )


def demo_load_funding() -> int:
    """Add the funding demo; returns how many records it made (0 when it ran before)."""
    if Commitment.objects.exists() or Cycle.objects.exists():
        return 0
    placements = list(
        Placement.objects.select_related("institution", "case").order_by("started_on", "pk")
    )
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    worker, finance, staff = users.get("dinsos"), users.get("keuangan"), users.get("lksa")
    if not placements or worker is None:
        return 0
    today = timezone.localdate()
    this_month = calc.month_start(today)
    months = [
        calc.previous_month(calc.previous_month(this_month)),
        calc.previous_month(this_month),
        this_month,
    ]
    made = 0
    programmes = {p.code: p for p in Programme.objects.filter(is_active=True)}
    budgets: dict[tuple[int, str], Budget] = {}
    for year in sorted({m.year for m in months}):
        for code, amount in BUDGETS.items():
            if code in programmes:
                budgets[(year, code)], created = Budget.objects.get_or_create(
                    fiscal_year=year, programme=programmes[code], defaults={"amount": amount}
                )
                made += created
    for index, placement in enumerate(placements):
        for year in sorted({m.year for m in months}):
            if (year, "permakanan") in budgets:
                made += bool(
                    _commit(
                        placement,
                        budgets[(year, "permakanan")],
                        "daily",
                        MEALS_PER_DAY,
                        year,
                        months[0],
                        worker,
                    )
                )
            if index % 2 == 0 and (year, "pendidikan") in budgets:
                made += bool(
                    _commit(
                        placement,
                        budgets[(year, "pendidikan")],
                        "monthly",
                        EDUCATION_PER_MONTH,
                        year,
                        months[0],
                        worker,
                    )
                )
    institutions = svc.institutions_to_pay(months[0])
    for month in months:
        results = svc.cycles_compute_month(month, acting_user=worker)
        made += sum(result.written for result in results)
        if month == months[1] and staff is not None:
            made += _claim(staff, month)
        if month == this_month or finance is None:
            continue
        for institution in institutions:
            cycle = Cycle.objects.filter(institution=institution, month=month).first()
            # A month with nothing due stays open: nobody approves a payment of Rp 0.
            if cycle is None or cycle.status != CycleStatus.OPEN or not cycle.entries.exists():
                continue
            made += _close(cycle, worker, finance, month)
    return made


def _close(cycle: Cycle, worker: User, finance: User, month: date) -> int:
    cycle = svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=worker)
    approved = _try(svc.cycle_approve, cycle, expected_version=cycle.version, acting_user=finance)
    if approved is None:  # no bank account on record: it waits, submitted
        return 1
    paid = svc.cycle_record_payment(
        approved,
        reference=f"SP2D/{month:%Y%m}/{cycle.pk:04d} (sintetis)",
        paid_on=timezone.localdate(),
        expected_version=approved.version,
        acting_user=finance,
    )
    svc.cycle_lock(paid, expected_version=paid.version, acting_user=finance)
    return 1


def _claim(staff: User, month: date) -> int:
    institution = svc.institution_of(staff)
    if institution is None:
        return 0
    cycle = Cycle.objects.filter(institution=institution, month=month).first()
    if cycle is None:
        return 0
    lines: dict[int, tuple[int, int]] = {}
    for index, entry in enumerate(
        cycle.entries.filter(kind="entitlement", programme__code="permakanan")
    ):
        days = entry.day_count
        if index == 0:  # one day off the roster, so the cycle page shows a difference
            days = days + 1 if days < calc.days_in_month(month) else days - 1
        lines[entry.placement_id] = (days, days * MEALS_PER_DAY)
    if not lines:
        return 0
    return bool(
        _try(
            svc.claim_file,
            svc.ClaimInput(month=month, lines=lines, note="Klaim bulanan (sintetis)"),
            acting_user=staff,
        )
    )
