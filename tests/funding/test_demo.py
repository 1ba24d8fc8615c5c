"""The funding demo: nothing without placements; two closed months and one open, once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kawal.accounts.models import User
from kawal.demo.funding import demo_load_funding
from kawal.funding import calc
from kawal.funding.models import Claim, Commitment, Cycle, CycleStatus
from tests.funding.conftest import mark


def test_nothing_without_placements(db):
    assert demo_load_funding() == 0
    assert not Commitment.objects.exists()


def test_the_demo_closes_two_months_and_leaves_one_open(fund):
    for user, name in ((fund.worker, "dinsos"), (fund.finance2, "keuangan"), (fund.staff, "lksa")):
        User.objects.filter(pk=user.pk).update(username=name, is_demo_account=True)
    today = timezone.localdate()
    first = calc.previous_month(calc.previous_month(calc.month_start(today)))
    days = [first + timedelta(days=n) for n in range((today - first).days)]
    mark(fund.placement, days, fund.staff)
    assert demo_load_funding() > 0
    cycles = list(Cycle.objects.order_by("month"))
    assert [c.status for c in cycles] == [CycleStatus.LOCKED, CycleStatus.LOCKED, CycleStatus.OPEN]
    assert all(c.prepared_by_id == fund.worker.pk for c in cycles[:2])
    assert all(c.approved_by_id == fund.finance2.pk for c in cycles[:2])
    assert Claim.objects.filter(month=cycles[1].month).exists()
    assert demo_load_funding() == 0
