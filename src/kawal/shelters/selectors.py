"""Every read of shelter stays users see, scoped by the case policy and logged.

The shelter staff see the beds of their own agency's shelters. Who sleeps in a
bed they see only for children whose case gives them identity (the name, sex
and age) on top of whereabouts; a bed whose child's case they are not on reads
"occupied" and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess, case_access, case_access_bulk, cases_visible_to
from kawal.cases.selectors import parse_uuid
from kawal.shelters.models import Bed, Room, Shelter, Stay
from kawal.shelters.services import bed_label, reads_stay, stay_limit_days

WH = DataClass.WHEREABOUTS
ID = DataClass.IDENTITY


def shelters_run_by(user: Any) -> QuerySet[Shelter]:
    """The active shelters of the user's agency, for shelter staff; none for anyone else."""
    agency_id = getattr(user, "agency_id", None)
    if not may(user, Capability.RECORD_CARE) or agency_id is None:
        return Shelter.objects.none()
    return Shelter.objects.filter(agency_id=agency_id, is_active=True)


# --- The occupancy board ------------------------------------------------------------


@dataclass(frozen=True)
class Occupant:
    stay: Stay
    days: int
    long: bool
    # None when the user's part in the case does not include who the child is.
    name: str | None
    initials: str
    sex: str
    age: str
    # Whether the user may open the stay (their part includes whereabouts).
    opens: bool


@dataclass
class BedRow:
    bed: Bed
    occupant: Occupant | None = None


@dataclass
class RoomRow:
    room: Room
    beds: list[BedRow] = field(default_factory=list)

    @property
    def occupied(self) -> int:
        return sum(1 for row in self.beds if row.occupant is not None)

    @property
    def free(self) -> int:
        return len(self.beds) - self.occupied

    @property
    def full(self) -> bool:
        return bool(self.beds) and self.free == 0

    @property
    def nearly_full(self) -> bool:
        """One bed left in a room where children sleep already."""
        return self.free == 1 and self.occupied > 0


@dataclass
class ShelterRow:
    shelter: Shelter
    rooms: list[RoomRow] = field(default_factory=list)

    @property
    def occupied(self) -> int:
        return sum(room.occupied for room in self.rooms)

    @property
    def free(self) -> int:
        return sum(room.free for room in self.rooms)

    @property
    def long_stays(self) -> int:
        return sum(
            1
            for room in self.rooms
            for row in room.beds
            if row.occupant is not None and row.occupant.long
        )


def _configured(user: Any) -> list[Shelter]:
    beds = Bed.objects.filter(is_active=True).order_by("label")
    rooms = (
        Room.objects.filter(is_active=True)
        .order_by("name")
        .prefetch_related(Prefetch("beds", queryset=beds))
    )
    return list(
        shelters_run_by(user).order_by("name").prefetch_related(Prefetch("rooms", queryset=rooms))
    )


def shelter_board(request: HttpRequest, today: date) -> tuple[list[ShelterRow], int]:
    """Today's beds of the user's shelters, by room, with who sleeps where; and the limit.

    A fixed number of queries whatever the number of beds and stays. The
    children named are written to the access log (identity and whereabouts)
    before the page is built; if that fails nothing is shown.
    """
    user: Any = request.user
    shelters = _configured(user)
    limit = stay_limit_days()
    stays = list(
        Stay.objects.active()
        .filter(bed__room__shelter__in=shelters)
        .select_related("case", "case__child", "bed__room__shelter")
    )
    accesses = case_access_bulk(user, {stay.case_id: stay.case for stay in stays}.values())
    by_bed: dict[int, Occupant] = {}
    for stay in stays:
        access = accesses.get(stay.case_id)
        sees = access is not None and access.can_read(ID) and access.can_read(WH)
        child = stay.case.child
        days = stay.days(today)
        by_bed[stay.bed_id] = Occupant(
            stay=stay,
            days=days,
            long=days > limit,
            name=child.full_name if sees else None,
            initials=child.initials if sees else "",
            sex=child.get_sex_display() if sees else "",
            age=child.age_label if sees else "",
            opens=reads_stay(user, access, stay.bed.room.shelter),
        )
    named = {
        occupant.stay.case_id: occupant.stay.case.number
        for occupant in by_bed.values()
        if occupant.name is not None
    }
    if named:
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=named.items(),
            data_classes=[DataClass.BASIC, ID, WH],
        )
    rows = []
    for shelter in shelters:
        row = ShelterRow(shelter)
        for room in shelter.rooms.all():
            room_row = RoomRow(room)
            for bed in room.beds.all():
                room_row.beds.append(BedRow(bed, by_bed.get(bed.pk)))
            row.rooms.append(room_row)
        rows.append(row)
    return rows, limit


@dataclass(frozen=True)
class Summary:
    beds: int
    occupied: int
    long_stays: int
    limit: int

    @property
    def free(self) -> int:
        return self.beds - self.occupied


def board_summary(user: Any, today: date) -> Summary | None:
    """Counts for the home page card: no child is named, so nothing is logged."""
    shelters = shelters_run_by(user)
    beds = Bed.objects.filter(
        is_active=True, room__is_active=True, room__shelter__in=shelters
    ).count()
    if not beds:
        return None
    limit = stay_limit_days()
    stays = Stay.objects.active().filter(bed__room__shelter__in=shelters)
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=limit), time.min))
    return Summary(
        beds=beds,
        occupied=stays.count(),
        long_stays=stays.filter(began_at__lt=cutoff).count(),
        limit=limit,
    )


# --- Choosing a bed and a case ------------------------------------------------------


def beds_of(user: Any) -> list[tuple[Bed, bool]]:
    """Every bed in use of the user's shelters, and whether it is free now."""
    occupied = Stay.objects.active().filter(bed=OuterRef("pk"))
    beds = (
        Bed.objects.filter(
            is_active=True, room__is_active=True, room__shelter__in=shelters_run_by(user)
        )
        .select_related("room__shelter")
        .annotate(taken=Exists(occupied))
        .order_by("room__shelter__name", "room__name", "label")
    )
    return [(bed, not bed.taken) for bed in beds]


def bed_choice_label(bed: Bed, free: bool) -> str:
    label = f"{bed_label(bed)} — {bed.room.accepts_label}"
    return label if free else f"{label} ({_('taken')})"


@dataclass(frozen=True)
class CaseChoice:
    case: Case
    access: CaseAccess
    staying: bool

    @property
    def label(self) -> str:
        child = self.case.child
        who = (
            f"{child.full_name} ({child.age_label})"
            if self.access.sees_identity
            else f"{child.initials} ({child.age_label})"
        )
        return f"{self.case.number} — {who}"


def admissible_cases(request: HttpRequest, *, limit: int = 300) -> list[CaseChoice]:
    """Open cases on which the user may record a stay, and whether the child stays already.

    The list names children, so the cases on it are logged as listed.
    """
    user: Any = request.user
    if not may(user, Capability.RECORD_CARE):
        return []
    staying = Stay.objects.active().filter(case=OuterRef("pk"))
    cases = list(
        cases_visible_to(user)
        .exclude(status=CaseStatus.CLOSED)
        .annotate(staying=Exists(staying))
        .select_related("child")
        .order_by("-opened_on", "-id")[:limit]
    )
    accesses = case_access_bulk(user, cases)
    choices = [
        CaseChoice(case, accesses[case.pk], bool(case.staying))
        for case in cases
        if case.pk in accesses and accesses[case.pk].can_write(WH)
    ]
    if choices:
        classes = {DataClass.BASIC}
        if any(choice.access.sees_identity for choice in choices):
            classes.add(ID)
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(choice.case.pk, choice.case.number) for choice in choices],
            data_classes=classes,
        )
    return choices


# --- One stay ---------------------------------------------------------------------------


def stay_for_user(request: HttpRequest, stay_uuid: Any) -> tuple[Stay, CaseAccess]:
    """Fetch and authorise in one step: the case's leads and whereabouts readers,
    but shelter staff only in their own agency's shelters and institution staff
    never (``services.reads_stay``).

    Missing and forbidden give the same 404, and both are logged as refused.
    """
    user: Any = request.user
    key = parse_uuid(stay_uuid)
    stay = (
        Stay.objects.select_related(
            "case",
            "case__child",
            "case__owner",
            "bed__room__shelter",
            "admitted_by",
            "discharged_by",
            "health_checked_by",
            "previous__bed__room__shelter",
            "next_stay__bed__room__shelter",
        )
        .filter(uuid=key)
        .first()
        if key is not None
        else None
    )
    access = case_access(user, stay.case) if stay is not None else None
    if stay is None or access is None or not reads_stay(user, access, stay.bed.room.shelter):
        access_log_write(
            request,
            action=AccessAction.DENIED,
            cases=[(stay.case.pk, stay.case.number)] if stay is not None else [],
        )
        raise Http404
    return stay, access


def stay_log_view(request: HttpRequest, stay: Stay, access: CaseAccess) -> None:
    """Log a page showing this stay (fail-closed: raises if the row cannot be written)."""
    classes = {DataClass.BASIC, WH} | ({ID} if access.sees_identity else set())
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(stay.case.pk, stay.case.number)],
        data_classes=classes,
        via_break_glass=access.via_break_glass,
    )


def case_stays(case: Case) -> list[Stay]:
    """Every stay of a case, newest first: one query, however many.

    Checks no viewer: the caller keeps only the stays ``reads_stay`` allows.
    """
    return list(
        Stay.objects.filter(case=case)
        .select_related("bed__room__shelter")
        .order_by("-admitted_at", "-id")
    )
