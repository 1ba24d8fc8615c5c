"""A shelter of the test UPTD PPA with rooms and beds, and the world case's child staying in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.accounts.models import Agency, User
from kawal.cases import services as case_svc
from kawal.cases.models import Case
from kawal.shelters import services as svc
from kawal.shelters.models import Bed, Room, Shelter, Stay
from tests.cases.conftest import MARKERS, World, open_case, other_agency, world
from tests.helpers import agency_for, make_user

WH_MARKER = MARKERS[DataClass.WHEREABOUTS]


@dataclass
class ShelterWorld:
    world: World
    agency: Agency
    shelter: Shelter
    girls: Room
    boys: Room
    teens: Room
    staff: User
    stay: Stay

    @property
    def case(self) -> Case:
        return self.world.case

    def bed(self, room: Room, label: str) -> Bed:
        return room.beds.get(label=label)


def make_shelter(
    agency: Agency, name: str = "Rumah Aman Sintetis"
) -> tuple[Shelter, Room, Room, Room]:
    shelter = Shelter.objects.create(agency=agency, name=name)
    girls = Room.objects.create(
        shelter=shelter, name="Melati", accepts_sex="F", age_min=6, age_max=12
    )
    boys = Room.objects.create(
        shelter=shelter, name="Cendana", accepts_sex="M", age_min=6, age_max=12
    )
    teens = Room.objects.create(
        shelter=shelter, name="Remaja", accepts_sex="", age_min=13, age_max=17
    )
    for room, labels in ((girls, ("G1", "G2", "G3")), (boys, ("B1", "B2")), (teens, ("T1",))):
        for label in labels:
            Bed.objects.create(room=room, label=label)
    return shelter, girls, boys, teens


def shared_case(owner: User, name: str = "Anak Kedua Sintetis", **child) -> Case:
    """Another case of the owner, with a basis for sharing it with other agencies."""
    from kawal.cases.models import SharingBasis

    case = open_case(owner, name=name)
    if child:
        from kawal.people.models import Person

        Person.objects.filter(pk=case.child_id).update(**child)
        case.child.refresh_from_db()
    return case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )


def staff_on(
    case: Case, owner: User, *, staff: User | None = None, agency: Agency | None = None, **extra
) -> User:
    """Shelter staff (new unless given) put on the case in person: identity and whereabouts."""
    if staff is None:
        staff = make_user(
            Role.SHELTER_STAFF, agency=agency or agency_for(Role.SHELTER_STAFF), **extra
        )
    case_svc.member_add(
        case,
        user=staff,
        case_role="rumah aman",
        data_classes=["identity", "whereabouts"],
        acting_user=owner,
    )
    return staff


def admit(case: Case, bed: Bed, staff: User, *, days_ago: int = 2, **overrides) -> Stay:
    fields = {
        "case": case,
        "bed": bed,
        "admitted_at": timezone.now() - timedelta(days=days_ago),
        "arrived_from": "police",
        "brought_by": "Bripka Sintetis, Polsek Balikpapan Kota",
        "reason": "Ditemukan berjualan tisu malam hari (sintetis).",
        "belongings": [("Kaos merah", 2), ("Sandal jepit", 1)],
        "health": svc.HealthCheck(temperature=Decimal("36.8"), injuries="Lecet di lutut kiri"),
    }
    fields.update(overrides)
    return svc.stay_admit(svc.Admission(**fields), acting_user=staff)


@pytest.fixture
def shelter_world(world) -> ShelterWorld:
    agency = agency_for(Role.SHELTER_STAFF)
    shelter, girls, boys, teens = make_shelter(agency)
    staff = staff_on(world.case, world.owner, username="uptd-staff", full_name="Siti Sintetis")
    stay = admit(
        world.case,
        girls.beds.get(label="G1"),
        staff,
        reason=f"Diamankan dari jalan ({WH_MARKER})",
        health=svc.HealthCheck(
            temperature=Decimal("37.9"), needs_doctor=True, notes=f"Batuk ({WH_MARKER})"
        ),
    )
    return ShelterWorld(
        world=world,
        agency=agency,
        shelter=shelter,
        girls=girls,
        boys=boys,
        teens=teens,
        staff=staff,
        stay=stay,
    )


__all__ = ["MARKERS", "ShelterWorld", "open_case", "other_agency", "shared_case", "world"]
