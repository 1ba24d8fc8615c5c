"""A small city of cases with known stage dates, for exact dashboard numbers.

Rows are written directly (as the demo history does): the figures read the
tables the services fill, and the dates must be in the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.cases.models import (
    Case,
    CaseClassification,
    CaseMember,
    CaseStatus,
    Note,
    NoteKind,
    Task,
)
from kawal.figures.selectors import Filters
from kawal.institutions.models import Institution, InstitutionKind
from kawal.outreach.models import Capture, Operation, OperationStatus
from kawal.people.models import Person
from kawal.placement.models import ExitReason, Placement
from kawal.reports.models import Report, ReportStatus
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Bed, Room, Shelter, Stay
from tests.helpers import make_user

# Kelurahan of the fixture (codes loaded with the regions).
KLANDASAN = "64.71.06.1004"
MANGGAR = "64.71.01.1001"
# A kelurahan where only the lone case lives.
LONELY = "64.71.03.1004"


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class City:
    owner: User  # case manager owning the team cases
    other: User  # another case manager, owning the lone case
    supervisor: User  # supervises the owner's cases only
    dpo: User
    finance: User
    staff: User
    worker: User
    psychologist: User
    start: date
    cases: list[Case] = field(default_factory=list)
    lone: Case | None = None
    shelter: Shelter | None = None
    institution: Institution | None = None

    def filters(self, **extra: object) -> Filters:
        values: dict[str, object] = {"date_from": self.start, "date_to": self.start + timedelta(60)}
        values.update(extra)
        return Filters(**values)  # type: ignore[arg-type]


def make_child(
    kelurahan: str, sex: str = "F", age: int | None = 9, on: date | None = None
) -> Person:
    on = on or timezone.localdate()
    return Person.objects.create(
        full_name="Anak Angka Sintetis",
        sex=sex,
        birth_date=None if age is None else on - timedelta(days=age * 365 + 30),
        kelurahan_id=kelurahan,
    )


def make_case(
    owner: User,
    *,
    opened: date,
    kelurahan: str = KLANDASAN,
    sex: str = "F",
    age: int | None = 9,
    status: str = CaseStatus.IDENTIFIED,
    supervisor: User | None = None,
    forms: tuple[str, ...] = ("forced_selling",),
    closed: date | None = None,
    number: str = "",
) -> Case:
    child = make_child(kelurahan, sex, age, opened)
    case = Case.objects.create(
        number=number or f"FIG/{Case.objects.count() + 1:05d}",
        child=child,
        opened_on=opened,
        intake_channel="outreach",
        risk_level="medium",
        status=status,
        owner=owner,
        supervisor=supervisor,
        closed_on=closed,
    )
    for form in forms:
        CaseClassification.objects.create(case=case, form=form)
    return case


def stage_report(case: Case, day: date) -> None:
    report = Report.objects.create(
        channel="rt",
        status=ReportStatus.HANDLED,
        children_count=1,
        seen_at=at(day),
        kelurahan_id=case.child.kelurahan_id,
        landmark="Simpang sintetis",
    )
    Case.objects.filter(pk=case.pk).update(origin_report=report)


def stage_found(case: Case, day: date, by: User) -> None:
    operation = Operation.objects.create(
        title="Operasi sintetis",
        starts_at=at(day, 19),
        area_id=case.child.kelurahan_id,
        status=OperationStatus.CONDUCTED,
        lead=by,
        created_by=by,
    )
    capture = Capture.objects.create(
        operation=operation,
        name_as_told="Anak",
        age_estimate=9,
        activity="tissues",
        taken_to="uptd",
        child=case.child,
        outcome="new",
        case=case,
        captured_by=by,
    )
    Capture.objects.filter(pk=capture.pk).update(created_at=at(day, 20))


def stage_assessed(case: Case, day: date) -> None:
    note = Note.objects.create(
        case=case, data_class="basic", kind=NoteKind.ASSESSMENT, body="Asesmen", author=case.owner
    )
    Note.objects.filter(pk=note.pk).update(created_at=at(day))


def stage_care(case: Case, day: date, bed: Bed, by: User, *, days: int | None = 10) -> Stay:
    return Stay.objects.create(
        case=case,
        child=case.child,
        bed=bed,
        admitted_at=at(day, 20),
        began_at=at(day, 20),
        arrived_from="outreach",
        brought_by="Tim",
        admitted_by=by,
        reason="Perlindungan",
        discharged_at=None if days is None else at(day + timedelta(days), 9),
        discharge_reason="" if days is None else "home",
    )


def stage_placed(case: Case, day: date, institution: Institution, by: User, *, ended: bool = True):
    return Placement.objects.create(
        case=case,
        child=case.child,
        institution=institution,
        started_on=day,
        ended_on=day + timedelta(30) if ended else None,
        exit_reason=ExitReason.REUNIFICATION if ended else "",
        placed_by=by,
    )


def stage_school(case: Case, day: date, by: User) -> None:
    Enrolment.objects.create(
        case=case,
        child=case.child,
        school_name="SD Sintetis",
        npsn="12345678",
        level="sd",
        grade=4,
        enrolled_on=day,
        arranged_by=by,
    )


@pytest.fixture
def city(db) -> City:
    """Ten cases of the owner (supervised), one case of another manager in LONELY.

    Journeys (days after ``start``), all opened in the first month:
    - cases 0-3: reported -3, found -1, opened 0, assessed 4, in care 5,
      placed 20, at school 40, closed 50 (case 3 is not closed: monitoring)
    - cases 4-6: opened 0, assessed 10 (status plan)
    - cases 7-9: opened 0 (identified), one with an overdue task
    - lone case: opened 0, the only case in LONELY, male, aged 15
    """
    start = timezone.localdate() - timedelta(days=120)
    owner = make_user(Role.CASE_MANAGER, username="fig-owner")
    other = make_user(Role.CASE_MANAGER, username="fig-other")
    supervisor = make_user(Role.SUPERVISOR, username="fig-boss")
    world = City(
        owner=owner,
        other=other,
        supervisor=supervisor,
        dpo=make_user(Role.DATA_PROTECTION_OFFICER, username="fig-dpo"),
        finance=make_user(Role.FINANCE_OFFICER, username="fig-money"),
        staff=make_user(Role.SHELTER_STAFF, username="fig-shelter"),
        worker=make_user(Role.SOCIAL_WORKER, username="fig-dinsos"),
        psychologist=make_user(Role.PSYCHOLOGIST, username="fig-psy"),
        start=start,
    )
    uptd = Agency.objects.get(kind=AgencyKind.UPTD_PPA, name__startswith="Test agency")
    world.shelter = Shelter.objects.create(agency=uptd, name="Rumah Aman Sintetis")
    room = Room.objects.create(shelter=world.shelter, name="Kamar A")
    beds = [Bed.objects.create(room=room, label=f"TT {n}") for n in range(4)]
    world.institution = Institution.objects.create(
        kind=InstitutionKind.LKSA,
        name="LKSA Angka Sintetis",
        registration_number="LKS-9",
        registration_start=date(2020, 1, 1),
        registration_end=date(2099, 1, 1),
        capacity=12,
    )
    for n in range(10):
        if n < 4:
            status = CaseStatus.MONITORING if n == 3 else CaseStatus.CLOSED
        elif n < 7:
            status = CaseStatus.PLAN
        else:
            status = CaseStatus.IDENTIFIED
        case = make_case(
            owner,
            opened=start,
            kelurahan=MANGGAR if n % 2 else KLANDASAN,
            sex="M" if n in (1, 5) else "F",
            age=4 if n == 0 else (14 if n in (2, 6) else 9),
            status=status,
            supervisor=supervisor,
            forms=("forced_selling", "neglect") if n < 2 else ("forced_begging",),
            closed=start + timedelta(50) if status == CaseStatus.CLOSED else None,
        )
        if n < 4:
            stage_report(case, start - timedelta(3))
            stage_found(case, start - timedelta(1), owner)
            stage_assessed(case, start + timedelta(4))
            stage_care(case, start + timedelta(5), beds[n], world.staff)
            stage_placed(case, start + timedelta(20), world.institution, world.worker)
            stage_school(case, start + timedelta(40), world.worker)
        elif n < 7:
            stage_assessed(case, start + timedelta(10))
        if n == 7:
            Task.objects.create(
                case=case, title="Kunjungan", due_on=timezone.localdate() - timedelta(2)
            )
        world.cases.append(case)
    world.lone = make_case(
        other, opened=start, kelurahan=LONELY, sex="M", age=15, forms=("trafficked",)
    )
    # The lone child stays in the shelter now, and is placed nowhere.
    stage_care(world.lone, timezone.localdate() - timedelta(3), beds[3], world.staff, days=None)
    CaseMember.objects.create(
        case=world.cases[0],
        user=world.psychologist,
        case_role="psikolog",
        data_classes=["progress"],
        added_by=owner,
    )
    return world
