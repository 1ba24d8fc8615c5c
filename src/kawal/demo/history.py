"""A year of synthetic case history, so the dashboards and the public figures mean something.

Runs last in the demo. It adds a few hundred closed and running cases opened
over the twelve months before today, spread over Balikpapan's kelurahan,
forms of exploitation, ages and sexes, each with the dated steps of its
journey: the report that preceded it, the outreach operation that found the
child, the assessment note, a shelter stay, a placement, a school enrolment
and the closing. About one in twelve children is found again after their
case was closed (a repeat case).

It writes the rows directly with ``bulk_create`` instead of going through
every service (a service call per step for hundreds of cases would take
minutes): the rows are those the services would leave, with the dates of the
past, and the case numbers are drawn from the case counter as usual. Stays
and placements of the past are all ended, so the shelter board, the
institutions' rosters and the funding cycles of the other demos stay as
they are. Every name is generated (SINTETIS). A second run adds nothing.

``history_rows`` builds the same kind of rows for any number of cases; the
dashboard benchmark (``bench/figures/dashboards.py``) uses it for 100,000.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import User
from kawal.cases.models import (
    Case,
    CaseClassification,
    CaseForm,
    CaseStatus,
    IntakeChannel,
    Note,
    NoteKind,
    RiskLevel,
    SharingBasis,
    Task,
)
from kawal.demo.cases import FAMILY_NAMES, FIRST_NAMES_BOYS, FIRST_NAMES_GIRLS, PARENT_NAMES
from kawal.institutions.models import Institution
from kawal.outreach.models import (
    Activity,
    Capture,
    MatchOutcome,
    Operation,
    OperationStatus,
    TakenTo,
)
from kawal.people.models import Person, SchoolStatus
from kawal.placement.models import ExitReason, Placement
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel, ReportStatus
from kawal.schooling.models import Enrolment, Level
from kawal.shelters.models import ArrivedFrom, Bed, DischargeReason, Stay

# The mark of a history case (its risk rationale), which makes the loader idempotent.
MARK = "Riwayat demo satu tahun (sintetis)"
HISTORY_CASES = 360
FORMS = [
    CaseForm.FORCED_SELLING,
    CaseForm.FORCED_SELLING,
    CaseForm.FORCED_BEGGING,
    CaseForm.FORCED_BEGGING,
    CaseForm.BEGGING_WITH_PARENT,
    CaseForm.CHILD_LABOUR,
    CaseForm.NEGLECT,
    CaseForm.NEGLECT,
    CaseForm.SEXUAL_EXPLOITATION,
    CaseForm.TRAFFICKED,
    CaseForm.PHYSICAL_VIOLENCE,
]
# How far a case got, with its weight: many closed, some still running.
JOURNEYS = [
    (CaseStatus.IDENTIFIED, 4),
    (CaseStatus.ASSESSMENT, 6),
    (CaseStatus.PLAN, 6),
    (CaseStatus.INTERVENTION, 10),
    (CaseStatus.REINTEGRATION, 8),
    (CaseStatus.MONITORING, 10),
    (CaseStatus.CLOSED, 56),
]
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
ORDER = [
    CaseStatus.IDENTIFIED,
    CaseStatus.ASSESSMENT,
    CaseStatus.PLAN,
    CaseStatus.INTERVENTION,
    CaseStatus.REINTEGRATION,
    CaseStatus.MONITORING,
    CaseStatus.CLOSED,
]


@dataclass
class Actors:
    owners: Sequence[User]
    supervisors: Sequence[User | None]
    staff: User  # records stays, placements, enrolments, captures
    beds: Sequence[Bed]
    institutions: Sequence[Institution]
    kelurahan: Sequence[Region]


@dataclass
class Rows:
    people: list[Person] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    forms: list[tuple[int, str]] = field(default_factory=list)  # (case index, form)
    reports: list[tuple[int, Report]] = field(default_factory=list)
    captures: list[tuple[int, Capture, date]] = field(default_factory=list)
    notes: list[tuple[int, Note, datetime]] = field(default_factory=list)
    stays: list[tuple[int, Stay]] = field(default_factory=list)
    placements: list[tuple[int, Placement]] = field(default_factory=list)
    enrolments: list[tuple[int, Enrolment]] = field(default_factory=list)
    tasks: list[tuple[int, Task]] = field(default_factory=list)
    repeats: list[tuple[int, int]] = field(default_factory=list)  # (case, earlier case)


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour % 24, 0)))


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def history_rows(
    count: int, *, start: date, end: date, actors: Actors, rng: random.Random, numbers: Any
) -> Rows:
    """Unsaved rows for ``count`` cases opened between ``start`` and ``end`` (inclusive).

    ``numbers(year)`` gives each case its number. Row objects refer to their
    case and child by index into ``rows.cases`` / ``rows.people`` until saved.
    """
    rows = Rows()
    span = max((end - start).days, 0)
    last_case: dict[int, int] = {}  # child index -> their latest case index
    for index in range(count):
        opened = start + timedelta(days=rng.randint(0, span))
        repeat_of: int | None = None
        if index > 20 and rng.random() < 0.08:
            # The same child found again after their latest case closed.
            earlier = rng.randrange(0, index)
            before = rows.cases[earlier]
            latest = last_case.get(before.child_id) == earlier
            closed = before.status == CaseStatus.CLOSED and before.closed_on is not None
            if latest and closed and before.closed_on < opened:
                repeat_of = earlier
        if repeat_of is None:
            female = rng.random() < 0.45
            first = rng.choice(FIRST_NAMES_GIRLS if female else FIRST_NAMES_BOYS)
            name = (
                f"{first} {rng.choice(FAMILY_NAMES)} "
                f"{'binti' if female else 'bin'} {rng.choice(PARENT_NAMES)}"
            )
            age = _weighted(
                rng, [(rng.randint(2, 5), 1), (rng.randint(6, 12), 5), (rng.randint(13, 17), 4)]
            )
            known = rng.random() < 0.7
            person = Person(
                is_child=True,
                full_name=name,
                sex=("F" if female else "M") if rng.random() < 0.97 else "",
                birth_date=opened - timedelta(days=age * 365 + rng.randint(0, 300))
                if known
                else None,
                birth_date_estimated=known and rng.random() < 0.3,
                age_min=None if known else age,
                age_max=None if known else age + 1,
                school_status=rng.choice(list(SchoolStatus.values)),
                kelurahan=rng.choice(actors.kelurahan),
                street=f"Jl. Riwayat Sintetis No. {rng.randint(1, 150)}",
                languages="Indonesia",
            )
            rows.people.append(person)
            child_index = len(rows.people) - 1
        else:
            child_index = rows.cases[repeat_of].child_id
        target = _weighted(rng, JOURNEYS)
        reached = ORDER.index(target)
        # Cases opened lately have not got far yet.
        age_days = (end - opened).days
        reached = min(reached, 1 + age_days // 21)
        status = ORDER[reached]
        owner_index = rng.randrange(len(actors.owners))
        case = Case(
            number=numbers(opened.year),
            opened_on=opened,
            intake_channel=rng.choice(list(IntakeChannel.values)),
            status=status,
            risk_level=rng.choice(
                [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.HIGH]
            ),
            risk_rationale=MARK,
            owner=actors.owners[owner_index],
            supervisor=actors.supervisors[owner_index % len(actors.supervisors)],
            sharing_basis=SharingBasis.LEGAL_OBLIGATION,
        )
        case.child_id = child_index  # an index until saved
        rows.cases.append(case)
        last_case[child_index] = index
        if repeat_of is not None:
            rows.repeats.append((index, repeat_of))
        for form in set(rng.sample(FORMS, k=rng.choice([1, 1, 1, 2]))):
            rows.forms.append((index, form))
        day = opened
        # Before the case: a report and/or an outreach find.
        if rng.random() < 0.45:
            seen = opened - timedelta(days=rng.randint(1, 12))
            rows.reports.append(
                (
                    index,
                    Report(
                        channel=rng.choice(list(ReportChannel.values)),
                        status=ReportStatus.HANDLED,
                        seen=[rng.choice(list(Activity.values))],
                        children_count=1,
                        seen_at=_moment(seen, rng.randint(6, 22)),
                        kelurahan=rng.choice(actors.kelurahan),
                        landmark="Simpang riwayat (sintetis)",
                        closed_reason="Ditangani, kasus dibuka (sintetis)",
                        closed_at=_moment(opened, 15),
                    ),
                )
            )
        if rng.random() < 0.55:
            found = opened - timedelta(days=rng.randint(0, 4))
            rows.captures.append(
                (
                    index,
                    Capture(
                        name_as_told="Anak riwayat (sintetis)",
                        age_estimate=10,
                        activity=rng.choice(list(Activity.values)),
                        place="Lampu merah (sintetis)",
                        taken_to=rng.choice(list(TakenTo.values)),
                        outcome=MatchOutcome.NEW,
                        captured_by=actors.staff,
                    ),
                    found,
                )
            )
        if reached >= ORDER.index(CaseStatus.PLAN):
            day = day + timedelta(days=rng.randint(3, 20))
            rows.notes.append(
                (
                    index,
                    Note(
                        data_class="basic",
                        kind=NoteKind.ASSESSMENT,
                        body="Asesmen awal selesai (catatan sintetis).",
                        author=actors.owners[owner_index],
                    ),
                    _moment(day, 10),
                )
            )
        if reached >= ORDER.index(CaseStatus.INTERVENTION) and actors.beds and rng.random() < 0.6:
            admitted = _moment(day + timedelta(days=rng.randint(0, 5)), 20)
            left = admitted + timedelta(days=rng.randint(5, 40))
            rows.stays.append(
                (
                    index,
                    Stay(
                        bed=rng.choice(actors.beds),
                        admitted_at=admitted,
                        began_at=admitted,
                        arrived_from=ArrivedFrom.OUTREACH,
                        brought_by="Tim penjangkauan (sintetis)",
                        admitted_by=actors.staff,
                        reason="Riwayat: perlindungan sementara (sintetis).",
                        discharged_at=left,
                        discharge_reason=DischargeReason.HOME,
                        discharged_to="Keluarga (sintetis)",
                        discharged_by=actors.staff,
                    ),
                )
            )
            day = timezone.localdate(left)
        if (
            reached >= ORDER.index(CaseStatus.REINTEGRATION)
            and actors.institutions
            and rng.random() < 0.35
        ):
            placed = day + timedelta(days=rng.randint(1, 10))
            ended = placed + timedelta(days=rng.randint(20, 90))
            rows.placements.append(
                (
                    index,
                    Placement(
                        institution=rng.choice(actors.institutions),
                        started_on=placed,
                        ended_on=ended,
                        exit_reason=ExitReason.REUNIFICATION,
                        placed_by=actors.staff,
                        ended_by=actors.staff,
                    ),
                )
            )
            day = placed
        if reached >= ORDER.index(CaseStatus.MONITORING) and rng.random() < 0.55:
            enrolled = day + timedelta(days=rng.randint(7, 30))
            grade = rng.randint(1, 9)
            rows.enrolments.append(
                (
                    index,
                    Enrolment(
                        school_name=f"SD Negeri {rng.randint(1, 99):03d} Balikpapan (sintetis)"
                        if grade <= 6
                        else f"SMP Negeri {rng.randint(1, 25)} Balikpapan (sintetis)",
                        npsn=f"{rng.randint(0, 99_999_999):08d}",
                        level=Level.SD if grade <= 6 else Level.SMP,
                        grade=grade,
                        enrolled_on=enrolled,
                        arranged_by=actors.staff,
                    ),
                )
            )
            day = enrolled
        if status == CaseStatus.CLOSED:
            case.closed_on = min(day + timedelta(days=rng.randint(10, 60)), end)
            case.closed_reason = "Anak kembali ke keluarga dan bersekolah (sintetis)."
        elif rng.random() < 0.15:
            rows.tasks.append(
                (
                    index,
                    Task(
                        title="Kunjungan rumah lanjutan (sintetis)",
                        assignee=actors.owners[owner_index],
                        due_on=end - timedelta(days=rng.randint(1, 20)),
                        created_by=actors.owners[owner_index],
                    ),
                )
            )
    return rows


def _set_created(model: Any, stamps: list[tuple[int, datetime]]) -> None:
    """Backdate ``created_at``: one UPDATE per distinct moment (a day each)."""
    by_moment: dict[datetime, list[int]] = {}
    for pk, moment in stamps:
        by_moment.setdefault(moment, []).append(pk)
    for moment, pks in by_moment.items():
        for start in range(0, len(pks), 5000):
            model.objects.filter(pk__in=pks[start : start + 5000]).update(created_at=moment)


def save_history(rows: Rows, *, operations: dict[date, Operation]) -> int:
    """Write the rows (``bulk_create``); ``operations`` receives the outreach operations made."""
    people = Person.objects.bulk_create(rows.people, batch_size=2000)
    for case in rows.cases:
        case.child_id = people[case.child_id].pk
    reports = Report.objects.bulk_create([report for _i, report in rows.reports], batch_size=2000)
    for (index, _report), report in zip(rows.reports, reports, strict=True):
        rows.cases[index].origin_report_id = report.pk
    cases = Case.objects.bulk_create(rows.cases, batch_size=2000)
    repeats = []
    for index, earlier in rows.repeats:
        cases[index].repeat_of_id = cases[earlier].pk
        repeats.append(cases[index])
    # Small batches: an update of many rows is one CASE over all of them.
    Case.objects.bulk_update(repeats, ["repeat_of"], batch_size=100)
    CaseClassification.objects.bulk_create(
        [CaseClassification(case_id=cases[i].pk, form=form) for i, form in rows.forms],
        batch_size=5000,
    )
    area_of = {person.pk: person.kelurahan_id for person in people}
    captures = []
    for index, capture, found in rows.captures:
        case = cases[index]
        # One evening operation per day found, in the first child's kelurahan.
        operation = operations.get(found)
        if operation is None:
            operation = Operation(
                title=f"Penjangkauan riwayat {found:%d/%m/%Y} (sintetis)",
                starts_at=_moment(found, 19),
                area_id=str(area_of.get(case.child_id) or rows.people[0].kelurahan_id),
                status=OperationStatus.CONDUCTED,
                lead=capture.captured_by,
                created_by=capture.captured_by,
            )
            operations[found] = operation
        capture.case_id = case.pk
        capture.child_id = case.child_id
        captures.append((capture, found, operation))
    Operation.objects.bulk_create(
        [op for op in operations.values() if op.pk is None], batch_size=2000
    )
    for capture, _found, operation in captures:
        capture.operation_id = operation.pk
    saved = Capture.objects.bulk_create([c for c, _f, _o in captures], batch_size=2000)
    # ``created_at`` is set on insert; the day the child was found is in the past.
    _set_created(
        Capture,
        [(c.pk, _moment(found, 20)) for c, (_c, found, _o) in zip(saved, captures, strict=True)],
    )
    notes = []
    for index, note, at in rows.notes:
        note.case_id = cases[index].pk
        notes.append((note, at))
    saved_notes = Note.objects.bulk_create([n for n, _a in notes], batch_size=2000)
    _set_created(Note, [(n.pk, at) for n, (_n, at) in zip(saved_notes, notes, strict=True)])
    for collection in (rows.stays, rows.placements, rows.enrolments):
        for index, obj in collection:
            obj.case_id = cases[index].pk
            obj.child_id = cases[index].child_id
    Stay.objects.bulk_create([s for _i, s in rows.stays], batch_size=2000)
    Placement.objects.bulk_create([p for _i, p in rows.placements], batch_size=2000)
    # One current enrolment per child: a repeat child keeps the later one only.
    current: dict[int, Enrolment] = {}
    for _index, enrolment in rows.enrolments:
        current[enrolment.child_id] = enrolment
    Enrolment.objects.bulk_create(list(current.values()), batch_size=2000)
    for index, task in rows.tasks:
        task.case_id = cases[index].pk
    Task.objects.bulk_create([t for _i, t in rows.tasks], batch_size=2000)
    return len(cases)


def demo_load_history(*, count: int = HISTORY_CASES, seed: int = 12) -> int:
    """Add a year of closed and running cases; returns how many (0 when it ran before)."""
    if Case.objects.filter(risk_rationale=MARK).exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    manager = users.get("manajer")
    supervisor = users.get("supervisor")
    if manager is None or supervisor is None:
        return 0
    staff = users.get("dinsos") or manager
    kelurahan = list(
        Region.objects.filter(level="kelurahan", code__startswith="64.71.").order_by("code")
    )
    if not kelurahan:
        return 0
    # Most of the history is supervised by ``supervisor``; a part by
    # ``supervisor2``, so the first sees the city's figures with some cases
    # outside their view (the protected cells of the dashboard).
    second = users.get("supervisor2")
    actors = Actors(
        owners=[manager],
        supervisors=[supervisor],
        staff=staff,
        beds=list(Bed.objects.filter(is_active=True).order_by("pk")),
        institutions=list(Institution.objects.order_by("pk")),
        kelurahan=kelurahan,
    )
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    today = timezone.localdate()
    from kawal.cases.services import case_number_next

    with transaction.atomic():
        rows = history_rows(
            count,
            start=today - timedelta(days=365),
            end=today - timedelta(days=1),
            actors=actors,
            rng=rng,
            numbers=case_number_next,
        )
        if second is not None:
            for number, case in enumerate(rows.cases):
                if number % 4 == 3:
                    case.supervisor = second
        return save_history(rows, operations={})
