"""Demo data for shelter stays at the UPTD PPA (synthetic).

Two invented shelters of the demo UPTD PPA: the rumah aman with a girls'
room that is full, a boys' room with one bed free and an empty room for the
youngest, and a small transit house. Children of the demo cases stay there:
one longer than the 30-day limit (with its reminder task for the case
manager), one moved from the transit house, and one who went home weeks ago.
Every admission goes through the same services the shelter staff use, so the
demo also walks through the constraints and the access rules.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus
from kawal.shelters import services as svc
from kawal.shelters.models import Bed, Room, Shelter, Stay

MAIN = "Rumah Aman UPTD PPA Balikpapan (sintetis)"
TRANSIT = "Rumah Singgah Klandasan (sintetis)"

# Room name, who sleeps there, ages, beds.
ROOMS: dict[str, tuple[tuple[str, str, int, int, tuple[str, ...]], ...]] = {
    MAIN: (
        ("Kamar Melati", "F", 6, 17, ("M1", "M2", "M3")),
        ("Kamar Cendana", "M", 6, 17, ("C1", "C2", "C3", "C4")),
        ("Kamar Balita", "", 0, 5, ("B1", "B2")),
    ),
    TRANSIT: (("Ruang Transit", "", 0, 17, ("T1", "T2")),),
}

BROUGHT_BY = (
    "Tim Satpol PP Kota Balikpapan (sintetis)",
    "Unit PPA Polresta Balikpapan (sintetis)",
    "Petugas penjangkauan DP3AKB (sintetis)",
)


def _when(days_ago: int, hour: int = 21) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, 15)))


def _configure(agency: Agency) -> dict[str, Bed]:
    beds: dict[str, Bed] = {}
    for shelter_name, rooms in ROOMS.items():
        shelter = Shelter.objects.create(agency=agency, name=shelter_name)
        for name, sex, youngest, oldest, labels in rooms:
            room = Room.objects.create(
                shelter=shelter, name=name, accepts_sex=sex, age_min=youngest, age_max=oldest
            )
            for label in labels:
                beds[label] = Bed.objects.create(room=room, label=label)
    return beds


def _children_for(room: Room, cases: list[Case], taken: set[int], count: int) -> list[Case]:
    today = timezone.localdate()
    found = []
    for case in cases:
        if case.pk in taken:
            continue
        fit = svc.room_fit(room, case.child, today - timedelta(days=60))
        if fit.refusals or fit.outside_ages or fit.unchecked:
            continue
        found.append(case)
        taken.add(case.pk)
        if len(found) == count:
            break
    return found


def _on_team(case: Case, agency: Agency, manager: User) -> None:
    """The case manager puts the UPTD PPA on the team, as the shelter staff need."""
    if CaseMember.objects.filter(case=case, agency=agency, removed_at__isnull=True).exists():
        return
    case_svc.member_add(
        case,
        agency=agency,
        case_role="Rumah aman UPTD PPA",
        data_classes=["identity", "whereabouts"],
        acting_user=case.owner if case.owner.is_active else manager,
    )


def _admit(case: Case, bed: Bed, staff: User, days_ago: int, index: int) -> Stay:
    return svc.stay_admit(
        svc.Admission(
            case=case,
            bed=bed,
            admitted_at=_when(days_ago, hour=19 + index % 4),
            arrived_from=("outreach", "police", "home")[index % 3],
            arrived_from_detail="Operasi malam di simpang (sintetis)" if index % 3 == 0 else "",
            brought_by=BROUGHT_BY[index % len(BROUGHT_BY)],
            reason="Ditemukan berjualan tisu larut malam tanpa pendamping (sintetis).",
            health=svc.HealthCheck(
                temperature=Decimal("36.5") + Decimal(index % 4) / 10,
                injuries="Lecet di telapak kaki (sintetis)" if index % 2 else "",
                illness="Batuk pilek (sintetis)" if index % 3 == 1 else "",
                needs_doctor=index % 5 == 1,
            ),
            belongings=[("Kaos dan celana (sintetis)", 2), ("Sandal jepit", 1)]
            + ([("Uang tunai Rp 15.000 (sintetis)", 1)] if index % 2 else []),
        ),
        acting_user=staff,
    )


def demo_load_shelters() -> int:
    """Create the demo shelters and stays unless they exist; returns how many stays were made."""
    if Shelter.objects.filter(name=MAIN).exists():
        return 0
    agency = Agency.objects.filter(kind="uptd_ppa", name="UPTD PPA Kota Balikpapan").first()
    staff = User.objects.filter(username="uptd", is_demo_account=True).first()
    manager = User.objects.filter(username="manajer", is_demo_account=True).first()
    if agency is None or staff is None or manager is None:
        return 0
    cases = list(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .select_related("child", "owner")
        .order_by("number")
    )
    taken: set[int] = set()
    girls = _children_for(Room(accepts_sex="F", age_min=6, age_max=17), cases, taken, 3)
    boys = _children_for(Room(accepts_sex="M", age_min=6, age_max=17), cases, taken, 4)
    if len(girls) < 3 or len(boys) < 4:
        # Too few demo cases (``kawal demo --cases 5``): no half-filled shelter.
        return 0
    made = 0
    with transaction.atomic():
        beds = _configure(agency)
        for case in girls + boys:
            _on_team(case, agency, manager)
        # The girls' room is full: two admitted directly, one moved from the transit house.
        plan = [(girls[0], "M1", 20), (girls[1], "M2", 5)]
        # The boys' room is nearly full; one boy stays past the 30-day limit.
        plan += [(boys[0], "C1", 45), (boys[1], "C2", 3), (boys[2], "C3", 1)]
        for index, (case, label, days_ago) in enumerate(plan):
            _admit(case, beds[label], staff, days_ago, index)
            made += 1
        first = _admit(girls[2], beds["T1"], staff, 12, len(plan))
        svc.stay_transfer(
            first,
            expected_version=first.version,
            bed=beds["M3"],
            at=_when(9, hour=10),
            reason="Kamar di rumah aman sudah tersedia; anak dipindah dari rumah singgah "
            "(sintetis).",
            acting_user=staff,
        )
        made += 1
        # A boy who stayed a month and went home to his grandmother, weeks ago.
        past = _admit(boys[3], beds["C4"], staff, 80, len(plan) + 1)
        svc.stay_discharge(
            past,
            expected_version=past.version,
            at=_when(50, hour=9),
            reason="home",
            destination="Rumah nenek di Kelurahan Manggar (sintetis)",
            note="Barang bawaan dikembalikan lengkap (sintetis).",
            acting_user=staff,
        )
        made += 1
    svc.stay_long_reminders(timezone.localdate())
    return made
