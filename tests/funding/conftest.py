"""A child placed with a test LKSA, Dinas Sosial and two finance officers, budgets for the year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import User
from kawal.cases.models import Case
from kawal.funding import calc
from kawal.funding import services as svc
from kawal.funding.models import Budget, Commitment, Cycle, Programme
from kawal.institutions.models import Institution
from kawal.monitoring.models import Presence
from kawal.placement.models import Placement
from tests.cases.conftest import World, open_case, other_agency, world
from tests.helpers import agency_for, make_user
from tests.monitoring.conftest import make_institution, social_worker_on

BANK = {
    "bank_name": "Bank Kaltimtara (sintetis)",
    "bank_account_number": "0011223344",
    "bank_account_holder": "Yayasan Bunda Sintetis",
}


@dataclass
class FundWorld:
    world: World
    institution: Institution
    placement: Placement
    worker: User
    finance: User
    finance2: User
    staff: User
    month: date
    meals: Programme
    budget: Budget

    @property
    def case(self) -> Case:
        return self.world.case


def bank(institution: Institution) -> Institution:
    Institution.objects.filter(pk=institution.pk).update(**BANK)
    institution.refresh_from_db()
    return institution


def mark(placement: Placement, days: list[date], by: User, *, present: bool = True) -> None:
    for day in days:
        Presence.objects.update_or_create(
            placement=placement, day=day, defaults={"present": present, "recorded_by": by}
        )


def month_days(month: date) -> list[date]:
    return [month.replace(day=n) for n in range(1, calc.days_in_month(month) + 1)]


def budget_for(programme: Programme, year: int, amount: int = 10**10) -> Budget:
    budget, _ = Budget.objects.get_or_create(
        fiscal_year=year, programme=programme, defaults={"amount": amount}
    )
    return budget


def commit(
    fw: FundWorld,
    *,
    placement: Placement | None = None,
    rate: int = 50_000,
    kind: str = "daily",
    start: date | None = None,
    end: date | None = None,
    programme: Programme | None = None,
    by: User | None = None,
    reason: str = "",
) -> Commitment:
    placement = placement or fw.placement
    programme = programme or fw.meals
    start = start or max(fw.month, placement.started_on)
    end = end or calc.month_end(fw.month)
    return svc.commitment_create(
        svc.NewCommitment(
            placement=placement,
            budget=budget_for(programme, start.year),
            rate_kind=kind,
            rate=rate,
            starts_on=start,
            ends_on=end,
            overrun_reason=reason,
        ),
        acting_user=by or fw.worker,
    )


def run(fw: FundWorld, month: date | None = None, institution: Institution | None = None) -> Any:
    return svc.cycle_compute(
        institution or fw.institution, month or fw.month, acting_user=fw.worker
    )


def close(fw: FundWorld, cycle: Cycle, *, preparer: User | None = None) -> Cycle:
    """Submit, approve, pay and lock: the way every closed cycle gets there."""
    cycle = svc.cycle_submit(
        cycle, expected_version=cycle.version, acting_user=preparer or fw.worker
    )
    cycle = svc.cycle_approve(cycle, expected_version=cycle.version, acting_user=fw.finance2)
    cycle = svc.cycle_record_payment(
        cycle,
        reference="SP2D-0001 (sintetis)",
        paid_on=timezone.localdate(),
        expected_version=cycle.version,
        acting_user=fw.finance2,
    )
    return svc.cycle_lock(cycle, expected_version=cycle.version, acting_user=fw.finance2)


@pytest.fixture
def fund(world) -> FundWorld:
    today = timezone.localdate()
    month = calc.previous_month(calc.month_start(today))
    agency = agency_for(Role.INSTITUTION_STAFF)
    institution = bank(make_institution(agency, "LKSA Bunda Sintetis"))
    worker = social_worker_on(world.case, world.owner, username="dinsos-1")
    placement = Placement.objects.create(
        case=world.case,
        child=world.case.child,
        institution=institution,
        started_on=month - timedelta(days=70),
        placed_by=worker,
    )
    staff = make_user(Role.INSTITUTION_STAFF, username="lksa-1", agency=agency)
    finance = User.objects.get(username="money")
    finance2 = make_user(Role.FINANCE_OFFICER, username="money-2")
    meals = Programme.objects.get(code="permakanan")
    for year in {month.year, today.year}:
        for programme in Programme.objects.all():
            budget_for(programme, year)
    return FundWorld(
        world=world,
        institution=institution,
        placement=placement,
        worker=worker,
        finance=finance,
        finance2=finance2,
        staff=staff,
        month=month,
        meals=meals,
        budget=Budget.objects.get(fiscal_year=month.year, programme=meals),
    )


def second_child(fw: FundWorld, name: str = "Anak Kedua Sintetis") -> Placement:
    from kawal.cases import services as case_svc
    from kawal.cases.models import SharingBasis

    case = open_case(fw.world.owner, name=name)
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=fw.world.owner,
    )
    case_svc.member_add(
        case,
        user=fw.worker,
        case_role="dinas sosial",
        data_classes=["identity", "whereabouts", "financial"],
        acting_user=fw.world.owner,
    )
    return Placement.objects.create(
        case=case,
        child=case.child,
        institution=fw.institution,
        started_on=fw.placement.started_on,
        placed_by=fw.worker,
    )


__all__ = ["AgencyKind", "FundWorld", "other_agency", "world"]
