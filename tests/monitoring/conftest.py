"""The world case's child placed with a test LKSA, its staff, Dinas Sosial on the team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.cases import services as case_svc
from kawal.cases.models import Case
from kawal.institutions.models import Institution, InstitutionKind
from kawal.placement.models import Placement
from tests.cases.conftest import MARKERS, World, open_case, other_agency, world
from tests.helpers import agency_for, make_user


@dataclass
class PlacedWorld:
    world: World
    institution: Institution
    placement: Placement
    staff: User
    worker: User
    other_institution: Institution
    other_staff: User

    @property
    def case(self) -> Case:
        return self.world.case

    @property
    def today(self) -> date:
        return timezone.localdate()


def make_institution(agency: Agency | None, name: str) -> Institution:
    return Institution.objects.create(
        kind=InstitutionKind.LKSA,
        name=name,
        agency=agency,
        registration_number="LKS-001 (sintetis)",
        registration_start=date(2020, 1, 1),
        registration_end=date(2099, 1, 1),
        capacity=30,
        address="Jl. Panti Sintetis 7",
    )


def place(case: Case, institution: Institution, by: User, *, days_ago: int = 40) -> Placement:
    return Placement.objects.create(
        case=case,
        child=case.child,
        institution=institution,
        started_on=timezone.localdate() - timedelta(days=days_ago),
        placed_by=by,
    )


def social_worker_on(case: Case, owner: User, **extra) -> User:
    worker = make_user(Role.SOCIAL_WORKER, **extra)
    case_svc.member_add(
        case,
        user=worker,
        case_role="dinas sosial",
        data_classes=["identity", "whereabouts", "financial", "progress"],
        acting_user=owner,
    )
    return worker


@pytest.fixture
def placed(world) -> PlacedWorld:
    agency = agency_for(Role.INSTITUTION_STAFF)
    institution = make_institution(agency, "LKSA Bunda Sintetis")
    worker = social_worker_on(world.case, world.owner, username="dinsos-1")
    placement = place(world.case, institution, worker)
    staff = make_user(Role.INSTITUTION_STAFF, username="lksa-1", agency=agency)
    elsewhere = other_agency(AgencyKind.CHILD_CARE_INSTITUTION)
    other = make_institution(elsewhere, "LKSA Pelita Sintetis")
    other_staff = make_user(Role.INSTITUTION_STAFF, username="lksa-other", agency=elsewhere)
    return PlacedWorld(world, institution, placement, staff, worker, other, other_staff)


__all__ = ["MARKERS", "PlacedWorld", "open_case", "other_agency", "world"]
