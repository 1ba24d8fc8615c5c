"""Cases of past periods built straight in the database, with identifying marker strings.

The markers (names, street, school, institution, shelter) must never reach a public page or
the press sheet.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import User
from kawal.cases.models import Case, CaseClassification, CaseForm, CaseStatus
from kawal.people.models import Person
from kawal.placement.models import Placement
from kawal.regions.models import Region
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Bed, Room, Shelter, Stay
from tests.helpers import agency_for, make_user
from tests.monitoring.conftest import make_institution

CHILD_NAME = "Markerina Rahasiawati"
STREET = "Jl. Penanda Rahasia 99"
SCHOOL = "SD Penanda Sintetis 042"
INSTITUTION = "LKSA Penanda Rahasia Sintetis"
SHELTER = "Rumah Aman Penanda Sintetis"
MARKERS = (CHILD_NAME, "Rahasiawati", STREET, "Penanda", SCHOOL, INSTITUTION, SHELTER)


def last_quarter() -> date:
    """The last quarter that has ended, whatever day the tests run."""
    today = timezone.localdate()
    q = (today.month - 1) // 3
    return date(today.year, 3 * (q - 1) + 1, 1) if q else date(today.year - 1, 10, 1)


QUARTER = last_quarter()

_numbers = itertools.count(1)


@dataclass
class Builder:
    owner: User
    institution_name: str = INSTITUTION

    def case(
        self,
        opened_on: date,
        *,
        sex: str = "F",
        age: int | None = 9,
        kelurahan: str | None = "64.71.06.1004",
        forms: tuple[str, ...] = (CaseForm.FORCED_SELLING,),
        closed_on: date | None = None,
    ) -> Case:
        n = next(_numbers)
        child = Person.objects.create(
            full_name=f"{CHILD_NAME} {n}",
            sex=sex,
            birth_date=None if age is None else opened_on.replace(year=opened_on.year - age),
            kelurahan=Region.objects.get(code=kelurahan) if kelurahan else None,
            street=STREET,
            school_name=SCHOOL,
        )
        case = Case.objects.create(
            number=f"TEST/PUB/{n:06d}",
            child=child,
            opened_on=opened_on,
            intake_channel="outreach",
            risk_level="medium",
            owner=self.owner,
            status=CaseStatus.CLOSED if closed_on else CaseStatus.ASSESSMENT,
            closed_on=closed_on,
        )
        for form in forms:
            CaseClassification.objects.create(case=case, form=form)
        return case

    def school(self, case: Case, on: date) -> Enrolment:
        return Enrolment.objects.create(
            case=case,
            child=case.child,
            school_name=SCHOOL,
            npsn="12345678",
            level="sd",
            grade=3,
            enrolled_on=on,
            arranged_by=self.owner,
        )

    def place(self, case: Case, on: date) -> Placement:
        institution = make_institution(None, self.institution_name)
        return Placement.objects.create(
            case=case,
            child=case.child,
            institution=institution,
            started_on=on,
            placed_by=self.owner,
        )

    def shelter(self, case: Case, on: date, left: date | None = None) -> Stay:
        shelter = Shelter.objects.create(agency=agency_for(Role.SHELTER_STAFF), name=SHELTER)
        room = Room.objects.create(shelter=shelter, name="Melati", accepts_sex="F")
        bed = Bed.objects.create(room=room, label="P1")
        at = timezone.make_aware(datetime.combine(on, time(10)))
        return Stay.objects.create(
            case=case,
            child=case.child,
            bed=bed,
            admitted_at=at,
            began_at=at,
            arrived_from="police",
            brought_by="Petugas Sintetis",
            admitted_by=self.owner,
            reason="Sintetis",
            discharged_at=(timezone.make_aware(datetime.combine(left, time(10))) if left else None),
        )


@pytest.fixture
def builder(db) -> Builder:
    return Builder(owner=make_user(Role.CASE_MANAGER, username="pub-owner"))


@pytest.fixture
def supervisors(db) -> tuple[User, User, User]:
    return (
        make_user(Role.SUPERVISOR, username="sup-a"),
        make_user(Role.SUPERVISOR, username="sup-b"),
        make_user(Role.SUPERVISOR, username="sup-c"),
    )


def fill_quarter(builder: Builder, start: date = QUARTER, *, many: int = 30) -> list[Case]:
    """A quarter with enough cases for most cells to show, and a few small ones."""
    cases = []
    for n in range(many):
        cases.append(
            builder.case(
                start + timedelta(days=n % 80),
                sex="F" if n % 2 else "M",
                age=(3, 8, 10, 15)[n % 4],
                kelurahan=("64.71.06.1004", "64.71.03.1001")[n % 2],
                forms=(CaseForm.FORCED_BEGGING,) if n % 3 else (CaseForm.FORCED_SELLING,),
            )
        )
    # A single boy of 16 in Balikpapan Timur with a rare form: small cells everywhere.
    cases.append(
        builder.case(
            start + timedelta(days=5),
            sex="M",
            age=16,
            kelurahan="64.71.01.1001",
            forms=(CaseForm.TRAFFICKED,),
        )
    )
    return cases
