"""The monthly cycle: days present inside placement and commitment, corrections as reversals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from kawal.core.models import AuditEvent
from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import CycleStatus, Entitlement, EntryKind
from kawal.placement.models import Placement
from tests.funding.conftest import close, commit, mark, month_days, run, second_child
from tests.monitoring.conftest import make_institution

pytestmark = pytest.mark.django_db


def net(**filters) -> int:
    return int(Entitlement.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or 0)


def test_daily_rate_pays_the_days_present(fund):
    commit(fund, rate=40_000)
    days = month_days(fund.month)
    mark(fund.placement, days[:12], fund.staff)
    mark(fund.placement, days[12:15], fund.staff, present=False)
    result = run(fund)
    entry = Entitlement.objects.get(cycle=result.cycle)
    assert entry.day_count == 12
    assert entry.amount == 12 * 40_000
    assert entry.day_list() == days[:12]


def test_a_child_who_left_on_the_10th_is_paid_to_the_10th(fund):
    commit(fund, rate=40_000)
    days = month_days(fund.month)
    mark(fund.placement, days, fund.staff)  # the roster kept marking her, wrongly
    Placement.objects.filter(pk=fund.placement.pk).update(ended_on=days[9], exit_reason="transfer")
    result = run(fund)
    entry = Entitlement.objects.get(cycle=result.cycle)
    assert entry.day_list() == days[:10]
    assert entry.amount == 10 * 40_000


def test_monthly_rate_is_prorated_and_rounded_down(fund):
    commit(fund, rate=1_000_000, kind="monthly")
    days = month_days(fund.month)
    mark(fund.placement, days[:7], fund.staff)
    entry = Entitlement.objects.get(cycle=run(fund).cycle)
    assert entry.amount == 1_000_000 * 7 // len(days)
    assert entry.amount <= 1_000_000 * 7 / len(days)


def test_a_full_month_pays_exactly_the_monthly_rate(fund):
    commit(fund, rate=999_999, kind="monthly")
    mark(fund.placement, month_days(fund.month), fund.staff)
    assert Entitlement.objects.get(cycle=run(fund).cycle).amount == 999_999


def test_days_outside_the_commitment_are_not_paid(fund):
    days = month_days(fund.month)
    commit(fund, rate=10_000, start=days[4], end=days[19])
    mark(fund.placement, days, fund.staff)
    entry = Entitlement.objects.get(cycle=run(fund).cycle)
    assert entry.day_list() == days[4:20]


def test_rerunning_an_unchanged_cycle_is_a_no_op(fund):
    commit(fund)
    mark(fund.placement, month_days(fund.month)[:5], fund.staff)
    first = run(fund)
    assert first.written == 1
    audits = AuditEvent.objects.filter(kind="funding.cycles_computed").count()
    rows = list(Entitlement.objects.values_list("pk", "amount"))
    version = first.cycle.version
    again = run(fund)
    assert (again.written, again.removed, again.reversals) == (0, 0, 0)
    assert list(Entitlement.objects.values_list("pk", "amount")) == rows
    assert AuditEvent.objects.filter(kind="funding.cycles_computed").count() == audits
    again.cycle.refresh_from_db()
    assert again.cycle.version == version


def test_an_open_cycle_follows_the_roster(fund):
    commit(fund, rate=1000)
    days = month_days(fund.month)
    mark(fund.placement, days[:5], fund.staff)
    run(fund)
    mark(fund.placement, days[5:8], fund.staff)
    result = run(fund)
    assert result.removed == 1 and result.reversals == 0
    entry = Entitlement.objects.get(live=True)
    assert entry.day_count == 8
    assert not Entitlement.objects.filter(kind=EntryKind.REVERSAL).exists()


def test_a_submitted_cycle_is_frozen(fund):
    commit(fund, rate=1000)
    days = month_days(fund.month)
    mark(fund.placement, days[:5], fund.staff)
    cycle = run(fund).cycle
    svc.cycle_submit(cycle, expected_version=cycle.version, acting_user=fund.worker)
    mark(fund.placement, days[5:9], fund.staff)
    assert run(fund).written == 0
    assert Entitlement.objects.get().day_count == 5


def test_a_late_roster_fix_is_a_reversal_and_a_new_entry_in_a_later_cycle(fund):
    commitment = commit(
        fund, rate=1000, start=fund.month, end=calc.month_end(calc.next_month(fund.month))
    )
    days = month_days(fund.month)
    mark(fund.placement, days[:10], fund.staff)
    first = close(fund, run(fund).cycle)
    paid_before = list(Entitlement.objects.filter(cycle=first).values_list("pk", "amount", "days"))
    # The roster of the closed month is corrected afterwards: three more days.
    mark(fund.placement, days[10:13], fund.staff)
    later = calc.next_month(fund.month)
    result = run(fund, later)
    assert result.reversals == 1
    assert list(Entitlement.objects.filter(cycle=first).values_list("pk", "amount", "days")) == (
        paid_before
    )
    reversal = Entitlement.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.cycle == result.cycle and reversal.amount == -10_000
    replacement = Entitlement.objects.get(live=True, month=fund.month)
    assert replacement.cycle == result.cycle and replacement.day_count == 13
    assert net(commitment=commitment, month=fund.month) == 13_000
    # And a second run changes nothing more.
    assert run(fund, later).written == 0


def test_a_cancelled_commitment_is_reversed_and_a_new_rate_pays_the_days_once(fund):
    wrong = commit(fund, rate=100_000)
    days = month_days(fund.month)
    mark(fund.placement, days[:10], fund.staff)
    close(fund, run(fund).cycle)
    svc.commitment_cancel(
        wrong,
        reason="Tarif salah ketik (sintetis)",
        expected_version=wrong.version,
        acting_user=fund.worker,
    )
    right = commit(fund, rate=10_000)
    later = calc.next_month(fund.month)
    run(fund, later)
    assert net(commitment=wrong) == 0
    assert net(commitment=right, month=fund.month) == 100_000
    assert net() == 100_000


def test_the_database_refuses_a_second_live_row(fund):
    commit(fund, rate=1000)
    mark(fund.placement, month_days(fund.month)[:3], fund.staff)
    entry = Entitlement.objects.get(cycle=run(fund).cycle)
    entry.pk = None
    entry.uuid = None
    entry.id = None
    import uuid

    entry.uuid = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save(force_insert=True)


def test_a_transfer_day_is_paid_by_one_institution_only(fund, world):
    days = month_days(fund.month)
    old = fund.placement
    Placement.objects.filter(pk=old.pk).update(ended_on=days[14])
    old.refresh_from_db()
    other = make_institution(None, "Panti Kedua Sintetis")
    new = Placement.objects.create(
        case=fund.case,
        child=fund.case.child,
        institution=other,
        started_on=days[14],
        placed_by=fund.worker,
    )
    commit(fund, placement=old, rate=1000, end=days[14])
    with pytest.raises(ValidationError):  # the 15th is already committed at the old home
        commit(fund, placement=new, rate=1000, start=days[14])
    commit(fund, placement=new, rate=1000, start=days[15])
    mark(old, days[:15], fund.staff)
    mark(new, days[14:], fund.staff)
    run(fund)
    run(fund, institution=other)
    paid = [day for e in Entitlement.objects.filter(live=True) for day in e.day_list()]
    assert len(paid) == len(set(paid)) == len(days)


def test_cycle_totals_add_up_per_child_and_programme(fund):
    other = second_child(fund)
    commit(fund, rate=1000)
    commit(fund, placement=other, rate=2000)
    edu = commit(
        fund,
        rate=500_000,
        kind="monthly",
        programme=fund.meals.__class__.objects.get(code="pendidikan"),
    )
    assert edu.committed_amount == 500_000
    days = month_days(fund.month)
    mark(fund.placement, days[:10], fund.staff)
    mark(other, days[:20], fund.staff)
    cycle = run(fund).cycle
    from django.test import RequestFactory

    from kawal.funding.selectors import cycle_view

    request = RequestFactory().get("/")
    request.user = fund.finance
    view = cycle_view(request, cycle)
    assert view.total == 10 * 1000 + 20 * 2000 + 500_000 * 10 // len(days)
    assert sum(total for _p, total in view.by_programme) == view.total
    assert {line.entitled_days for line in view.lines} == {10, 20}


def test_locked_days_are_reported_to_the_roster(fund):
    from kawal.monitoring.locks import day_locked

    commit(fund, rate=1000)
    days = month_days(fund.month)
    mark(fund.placement, days[:3], fund.staff)
    cycle = run(fund).cycle
    assert not day_locked(fund.placement, days[0])
    close(fund, cycle)
    assert day_locked(fund.placement, days[0])
    assert not day_locked(fund.placement, days[0] - timedelta(days=1))
    assert cycle.__class__.objects.get(pk=cycle.pk).status == CycleStatus.LOCKED
