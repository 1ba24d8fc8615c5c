"""Funding arithmetic as properties (Hypothesis).

- the calculation: prorating never pays more than the share, a full month pays the rate,
  a commitment's committed amount is the sum of its months;
- the ledger: whatever the roster does, whatever runs, closes, cancellations and
  re-commitments happen and in whatever order, a (child, programme, day) is paid at
  most once and never less than zero times; totals add up per child, institution,
  programme and budget; once every month is settled the ledger equals the roster;
- budgets: a negative remainder never goes unnoticed;
- four eyes: the preparer can never approve.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import (
    Budget,
    Commitment,
    Cycle,
    CycleStatus,
    Entitlement,
    EntryKind,
    Programme,
)
from kawal.monitoring.models import Presence
from tests.funding.conftest import close, commit, mark, second_child

pytestmark = pytest.mark.django_db

DB_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

months_st = st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 1)).map(calc.month_start)


# --- The calculation ------------------------------------------------------------------


@given(month=months_st, rate=st.integers(1, 50_000_000), data=st.data())
def test_prorating_never_pays_more_than_the_share(month, rate, data):
    total = calc.days_in_month(month)
    days = data.draw(st.integers(0, total))
    amount = calc.amount_for("monthly", rate, days, month)
    assert isinstance(amount, int)
    assert 0 <= amount * total <= rate * days
    assert rate * days - amount * total < total  # rounded down by less than a rupiah
    assert calc.amount_for("monthly", rate, total, month) == rate
    assert calc.amount_for("daily", rate, days, month) == rate * days


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(0, 400),
    rate=st.integers(1, 10_000_000),
    kind=st.sampled_from(["daily", "monthly"]),
)
def test_committed_amount_is_the_sum_of_its_months(start, length, rate, kind):
    end = start + timedelta(days=length)
    per_month = 0
    for month in calc.months_between(start, end):
        mask = calc.window_mask(month, start, end)
        per_month += calc.amount_for(kind, rate, calc.count(mask), month)
    assert calc.committed_amount(kind, rate, start, end) == per_month
    if kind == "daily":
        assert per_month == rate * (length + 1)


# --- The ledger ---------------------------------------------------------------------------

op_st = st.one_of(
    st.tuples(
        st.just("mark"), st.integers(0, 1), st.integers(0, 2), st.integers(0, 27), st.booleans()
    ),
    st.tuples(st.just("run"), st.integers(0, 2)),
    st.tuples(st.just("close"), st.integers(0, 2)),
    st.tuples(st.just("recommit"), st.integers(0, 1), st.integers(0, 2), st.integers(1, 90_000)),
    st.tuples(st.just("preparer_approves"), st.integers(0, 2)),
)


def _signed_days() -> Counter:
    counts: Counter = Counter()
    for entry in Entitlement.objects.all():
        sign = 1 if entry.kind == EntryKind.ENTITLEMENT else -1
        for day in entry.day_list():
            counts[(entry.child_id, entry.programme_id, day)] += sign
    return counts


def _check_ledger(fw) -> None:
    counts = _signed_days()
    assert all(value in (0, 1) for value in counts.values()), counts
    live: Counter = Counter()
    for entry in Entitlement.objects.filter(live=True):
        assert entry.kind == EntryKind.ENTITLEMENT
        for day in entry.day_list():
            live[(entry.child_id, entry.programme_id, day)] += 1
    assert all(value == 1 for value in live.values())
    # Every reversal cancels exactly the row it reverses, days and amount.
    for reversal in Entitlement.objects.filter(kind=EntryKind.REVERSAL).select_related("reverses"):
        assert reversal.reverses is not None and not reversal.reverses.live
        assert reversal.amount == -reversal.reverses.amount
        assert reversal.days == reversal.reverses.days
    # Totals add up: per child and per programme to the cycle, cycles to the institution.
    for cycle in Cycle.objects.all():
        rows = Entitlement.objects.filter(cycle=cycle)
        total = int(rows.aggregate(t=Sum("amount"))["t"] or 0)
        per_child = rows.values("placement").annotate(t=Sum("amount"))
        per_programme = rows.values("programme").annotate(t=Sum("amount"))
        assert sum(r["t"] for r in per_child) == total
        assert sum(r["t"] for r in per_programme) == total
    institution_total = int(
        Entitlement.objects.filter(placement__institution=fw.institution).aggregate(
            t=Sum("amount")
        )["t"]
        or 0
    )
    assert institution_total == sum(
        int(Entitlement.objects.filter(cycle=c).aggregate(t=Sum("amount"))["t"] or 0)
        for c in Cycle.objects.filter(institution=fw.institution)
    )
    for figure in svc.utilisation(Budget.objects.all()):
        closed = Entitlement.objects.filter(
            budget=figure.budget,
            cycle__status__in=(CycleStatus.APPROVED, CycleStatus.PAID, CycleStatus.LOCKED),
        )
        assert figure.approved == int(closed.aggregate(t=Sum("amount"))["t"] or 0)
        assert figure.paid <= figure.approved or figure.approved < 0 or figure.paid >= 0


def _expected(fw, placements) -> dict[tuple[int, date], int]:
    """What the roster entitles every standing commitment to, computed independently."""
    present = defaultdict(set)
    for placement_id, day in Presence.objects.filter(present=True).values_list(
        "placement_id", "day"
    ):
        present[placement_id].add(day)
    expected = {}
    for c in Commitment.objects.standing():
        for month in calc.months_between(c.starts_on, c.ends_on):
            days = [
                d
                for d in present[c.placement_id]
                if c.starts_on <= d <= c.ends_on and calc.month_start(d) == month
            ]
            expected[(c.pk, month)] = calc.amount_for(c.rate_kind, c.rate, len(days), month)
    return expected


@DB_SETTINGS
@given(
    ops=st.lists(op_st, max_size=14), rates=st.lists(st.integers(1, 90_000), min_size=2, max_size=2)
)
def test_a_day_is_never_paid_twice(fund, ops, rates):
    # The second child is made once per test, outside the examples' rollback.
    if not hasattr(fund, "second"):
        fund.second = second_child(fund, name="Anak Properti Sintetis")
    with transaction.atomic():
        placements = [fund.placement, fund.second]
        months = [
            calc.previous_month(calc.previous_month(fund.month)),
            calc.previous_month(fund.month),
            fund.month,
        ]
        for placement, rate in zip(placements, rates, strict=True):
            for month in months:
                commit(fund, placement=placement, rate=rate, start=month, end=calc.month_end(month))
        for op in ops:
            kind = op[0]
            if kind == "mark":
                _, child, m, day, present = op
                mark(
                    placements[child],
                    [months[m] + timedelta(days=day)],
                    fund.staff,
                    present=present,
                )
            elif kind == "run":
                svc.cycle_compute(fund.institution, months[op[1]], acting_user=fund.worker)
            elif kind == "close":
                cycle = Cycle.objects.filter(
                    institution=fund.institution, month=months[op[1]]
                ).first()
                if cycle is not None and cycle.status == CycleStatus.OPEN:
                    try:
                        close(fund, cycle)
                    except svc.FiguresChanged:
                        # The roster changed since the last run: submitting
                        # computed again and left the cycle open.
                        assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN
            elif kind == "recommit":
                _, child, m, rate = op
                current = Commitment.objects.standing().get(
                    placement=placements[child], starts_on=months[m]
                )
                svc.commitment_cancel(
                    current,
                    reason="Tarif dikoreksi (sintetis)",
                    expected_version=current.version,
                    acting_user=fund.worker,
                )
                commit(
                    fund,
                    placement=placements[child],
                    rate=rate,
                    start=months[m],
                    end=calc.month_end(months[m]),
                )
            elif kind == "preparer_approves":
                cycle = Cycle.objects.filter(
                    institution=fund.institution, month=months[op[1]]
                ).first()
                if cycle is not None and cycle.status == CycleStatus.OPEN and cycle.computed_at:
                    try:
                        cycle = svc.cycle_submit(
                            cycle, expected_version=cycle.version, acting_user=fund.finance
                        )
                    except svc.FiguresChanged:
                        # Recomputed by the would-be preparer: submit the new figures.
                        cycle = Cycle.objects.get(pk=cycle.pk)
                        cycle = svc.cycle_submit(
                            cycle, expected_version=cycle.version, acting_user=fund.finance
                        )
                    with pytest.raises(PermissionDenied):
                        svc.cycle_approve(
                            cycle, expected_version=cycle.version, acting_user=fund.finance
                        )
                    cycle = svc.cycle_return(
                        cycle,
                        reason="Periksa lagi (sintetis)",
                        expected_version=cycle.version,
                        acting_user=fund.finance2,
                    )
            _check_ledger(fund)
        # Settle: every month computed and closed in turn, then a later cycle
        # corrects whatever changed after its month closed.
        for month in months:
            svc.cycle_compute(fund.institution, month, acting_user=fund.worker)
            cycle = Cycle.objects.get(institution=fund.institution, month=month)
            if cycle.status == CycleStatus.OPEN:
                close(fund, cycle)
        svc.cycle_compute(fund.institution, calc.next_month(fund.month), acting_user=fund.worker)
        _check_ledger(fund)
        net = defaultdict(int)
        for commitment_id, month, amount in Entitlement.objects.values_list(
            "commitment_id", "month", "amount"
        ):
            net[(commitment_id, month)] += amount
        expected = _expected(fund, placements)
        for key, amount in expected.items():
            assert net.get(key, 0) == amount, key
        for c in Commitment.objects.filter(cancelled_at__isnull=False):
            assert sum(v for (cid, _m), v in net.items() if cid == c.pk) == 0
        # Re-running everything now is a no-op.
        for month in [*months, calc.next_month(fund.month)]:
            assert svc.cycle_compute(fund.institution, month, acting_user=fund.worker).written == 0
        transaction.set_rollback(True)


# --- Budgets ---------------------------------------------------------------------------------


@DB_SETTINGS
@given(
    amount=st.integers(0, 3_000_000),
    attempts=st.lists(st.tuples(st.integers(1, 60_000), st.booleans()), min_size=1, max_size=6),
)
def test_no_negative_balance_goes_unnoticed(fund, amount, attempts):
    with transaction.atomic():
        clothing = Programme.objects.get(code="sandang")
        budget = Budget.objects.get(fiscal_year=fund.month.year, programme=clothing)
        svc.budget_set(
            fiscal_year=budget.fiscal_year,
            programme=clothing,
            amount=amount,
            acting_user=fund.finance,
        )
        day = fund.month
        for rate, confirmed in attempts:
            before = svc.utilisation([Budget.objects.get(pk=budget.pk)])[0]
            cost = rate  # one day at a daily rate
            try:
                commit(
                    fund,
                    programme=clothing,
                    rate=rate,
                    start=day,
                    end=day,
                    reason="Kebutuhan mendesak (sintetis)" if confirmed else "",
                )
            except ValidationError as error:
                assert cost > before.remaining and not confirmed
                assert "overrun_reason" in error.message_dict
            else:
                assert cost <= before.remaining or confirmed
            day += timedelta(days=1)
            if day.month != fund.month.month:
                break
            figure = svc.utilisation([Budget.objects.get(pk=budget.pk)])[0]
            if figure.remaining < 0:
                assert figure.overrun
                assert Commitment.objects.filter(budget=budget).exclude(overrun_reason="").exists()
            else:
                assert not figure.overrun
        transaction.set_rollback(True)
