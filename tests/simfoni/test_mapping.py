"""Every axis of the SIMFONI mapping on fixture cases, the reasons a case cannot
be mapped, and the scoping of both to the cases the user may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.assessments.models import Assessment, AssessmentStatus, Instrument
from kawal.care.models import Observation
from kawal.cases import services as case_svc
from kawal.cases.models import Case
from kawal.families.models import ParentProgramme
from kawal.institutions.models import Institution
from kawal.monitoring.models import AfterCareFollowUp
from kawal.people.models import Person
from kawal.placement.models import Placement
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Bed, Room, Shelter, Stay
from kawal.simfoni.models import MappingRow
from kawal.simfoni.selectors import Period, SimfoniRow, simfoni_map
from kawal.simfoni.vocab import default_rows
from tests.helpers import agency_for, make_user
from tests.simfoni.conftest import (
    DISABILITY,
    KELURAHAN,
    NIK,
    OPENED,
    SCHOOL,
    add_capture,
    add_perpetrator,
    make_case,
    moment,
)

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def mapped(user, period: Period = MARCH) -> dict[str, SimfoniRow]:
    return {row.number: row for row in simfoni_map(user, period).rows}


def reasons(user, case: Case, period: Period = MARCH) -> list[str]:
    for line in simfoni_map(user, period).unmappable:
        if line.case_id == case.pk:
            return list(line.reasons)
    raise AssertionError(f"{case.number} is not listed as unmappable")


def shelter_bed() -> Bed:
    shelter = Shelter.objects.create(agency=agency_for(Role.SHELTER_STAFF), name="Rumah Aman S")
    room = Room.objects.create(shelter=shelter, name="Melati")
    return Bed.objects.create(room=room, label="1")


def test_the_migration_seeds_the_defaults(db):
    seeded = set(MappingRow.objects.values_list("axis", "local_value", "simfoni_value"))
    assert seeded == set(default_rows())
    assert ("form", "forced_selling", "Eksploitasi") in seeded
    assert ("form", "trafficked", "Trafficking") in seeded


def test_a_complete_case_maps_on_every_axis(people):
    owner = people.owner
    case = make_case(
        owner,
        forms=("forced_begging", "physical_violence"),
        intake_channel="other_region",
        birth_date=date(2015, 2, 4),
        nik_status="known",
        nik=NIK,
        disability=DISABILITY,
        school_status="dropped_out",
    )
    # The child was first found begging in January, before the case was opened.
    add_capture(case, "begging", moment(date(2025, 1, 20)), owner)
    add_capture(case, "tissues", moment(date(2025, 3, 12)), owner)
    add_perpetrator(case, "orang_tua", owner)
    add_perpetrator(case, "tetangga", owner, name="Tetangga Sintetis")
    # The police side is the investigator's to write; set straight on the row here.
    Case.objects.filter(pk=case.pk).update(
        police_report_number="LP/B/1/III/2025 (sintetis)", legal_stage="penyidikan"
    )
    Observation.objects.create(case=case, observed_on=OPENED, recorded_by=owner)
    Stay.objects.create(
        case=case,
        child=case.child,
        bed=shelter_bed(),
        admitted_at=moment(OPENED),
        began_at=moment(OPENED),
        arrived_from="outreach",
        brought_by="Satpol PP",
        admitted_by=owner,
        reason="x",
        health_checked_at=moment(OPENED, 20),
        discharged_at=moment(OPENED + timedelta(days=20)),
        discharge_reason="home",
    )
    Enrolment.objects.create(
        case=case,
        child=case.child,
        school_name=SCHOOL,
        npsn="30405060",
        level="smp",
        grade=7,
        enrolled_on=OPENED + timedelta(days=40),
        arranged_by=owner,
    )
    row = mapped(owner)[case.number]
    assert row.incident_on == date(2025, 1, 20)
    assert row.opened_on == OPENED
    assert row.place == "Fasilitas Umum"
    assert row.forms == {"Eksploitasi", "Fisik"}
    assert row.relations == ("Orang Tua", "Tetangga")
    assert row.services == {
        "Pengaduan",
        "Kesehatan",
        "Penegakan Hukum",
        "Rehabilitasi Sosial",
        "Reintegrasi Sosial",
        "Pemulangan",
    }
    # Born 4 Feb 2015: 9 on 20 Jan 2025 (the incident), not yet 10.
    assert row.age_band == "6-12"
    assert row.education == "SLTP"
    assert row.disability == "Ya"


def test_a_bare_case_has_only_the_complaint_and_defaults(people):
    case = make_case(people.owner, age_min=4, age_max=5, school_status="not_school_age")
    add_perpetrator(case, "majikan", people.owner)
    row = mapped(people.owner)[case.number]
    assert row.services == {"Pengaduan"}
    assert row.age_band == "0-5"
    assert row.education == "Belum Sekolah"
    assert row.disability == "Tidak"
    assert row.relations == ("Majikan",)
    # Nobody saw where: the place comes from the form (selling: a public place).
    assert row.place == "Fasilitas Umum"
    assert row.incident_on == OPENED


@pytest.mark.parametrize(
    ("forms", "place"),
    [
        (("child_labour",), "Tempat Kerja"),
        (("neglect",), "Rumah Tangga"),
        (("trafficked", "neglect"), "Rumah Tangga"),
        (("sexual_exploitation",), "Lainnya"),
    ],
)
def test_place_from_the_forms_when_nobody_saw_where(people, forms, place):
    case = make_case(people.owner, forms=forms, age_min=9)
    add_perpetrator(case, "keluarga", people.owner)
    assert mapped(people.owner)[case.number].place == place


def test_place_and_incident_from_the_origin_report(people):
    report = Report.objects.create(
        channel=ReportChannel.RT,
        seen=["busking"],
        children_count=1,
        seen_at=moment(date(2025, 2, 27), 21),
        kelurahan=Region.objects.get(code=KELURAHAN),
        landmark="Simpang Sintetis",
    )
    case = make_case(people.owner, forms=("child_labour",), age_min=12)
    Case.objects.filter(pk=case.pk).update(origin_report=report)
    add_perpetrator(case, "rekan_kerja", people.owner)
    row = mapped(people.owner)[case.number]
    # Seen busking on the street: a public place, whatever the form says.
    assert row.place == "Fasilitas Umum"
    assert row.incident_on == date(2025, 2, 27)
    assert row.relations == ("Rekan Kerja",)
    assert row.forms == {"Eksploitasi"}


@pytest.mark.parametrize(
    ("child", "band"),
    [
        ({"birth_date": date(2019, 3, 10)}, "6-12"),  # sixth birthday on the day opened
        ({"birth_date": date(2019, 3, 11)}, "0-5"),
        ({"birth_date": date(2012, 3, 11)}, "6-12"),
        ({"birth_date": date(2012, 3, 10)}, "13-17"),
        ({"age_min": 13, "age_max": 17}, "13-17"),
        ({"age_min": 7}, "6-12"),
    ],
)
def test_age_bands(people, child, band):
    case = make_case(people.owner, **child)
    add_perpetrator(case, "orang_tua", people.owner)
    assert mapped(people.owner)[case.number].age_band == band


@pytest.mark.parametrize(
    ("status", "education"),
    [("never_enrolled", "Tidak Sekolah"), ("unknown", "NA"), ("in_school", "NA")],
)
def test_education_from_the_intake_status_without_an_enrolment(people, status, education):
    case = make_case(people.owner, age_min=10, school_status=status)
    add_perpetrator(case, "orang_tua", people.owner)
    assert mapped(people.owner)[case.number].education == education


def test_services_from_care_placement_and_family_records(people):
    owner = people.owner
    case = make_case(owner, age_min=10)
    add_perpetrator(case, "orang_tua", owner)
    instrument = Instrument.objects.filter(status="published").first()
    assert instrument is not None
    Assessment.objects.create(
        case=case,
        instrument=instrument,
        instrument_code=instrument.code,
        answers_class="clinical",
        status=AssessmentStatus.SIGNED,
        assessor=owner,
        signed_at=timezone.now(),
        signed_by=owner,
    )
    institution = Institution.objects.create(kind="lksa", name="LKSA Simfoni", capacity=10)
    placement = Placement.objects.create(
        case=case,
        child=case.child,
        institution=institution,
        started_on=OPENED,
        placed_by=owner,
    )
    row = mapped(owner)[case.number]
    assert row.services == {"Pengaduan", "Kesehatan", "Rehabilitasi Sosial"}
    ParentProgramme.objects.create(
        case=case, started_on=OPENED, planned_sessions=4, created_by=owner
    )
    assert "Reintegrasi Sosial" in mapped(owner)[case.number].services
    ParentProgramme.objects.filter(case=case).delete()
    AfterCareFollowUp.objects.create(
        placement=placement,
        followed_up_on=OPENED + timedelta(days=60),
        wellbeing="baik",
        in_school="yes",
        recorded_by=owner,
    )
    services = mapped(owner)[case.number].services
    assert "Reintegrasi Sosial" in services
    # Reunified, but the case did not come from another region: no Pemulangan.
    assert "Pemulangan" not in services


def test_reasons_a_case_cannot_be_mapped(people):
    owner = people.owner
    no_form = make_case(owner, forms=(), age_min=9)
    add_perpetrator(no_form, "orang_tua", owner)
    no_age = make_case(owner, name="Anak Kedua Sintetis", age_min=9)
    add_perpetrator(no_age, "orang_tua", owner)
    # The case form asks for an age; older records and children first registered
    # from the street can still lack one.
    Person.objects.filter(pk=no_age.child_id).update(age_min=None, age_max=None)
    spans = make_case(owner, name="Anak Ketiga Sintetis", age_min=11, age_max=14)
    add_perpetrator(spans, "orang_tua", owner)
    not_known = make_case(owner, name="Anak Keempat Sintetis", age_min=9)
    add_perpetrator(not_known, "na", owner)
    nobody = make_case(owner, name="Anak Kelima Sintetis", age_min=9)

    assert reasons(owner, no_form) == ["No form of exploitation is recorded."]
    assert reasons(owner, no_age) == ["No birth date and no estimated age: no age band."]
    assert "spans more than one SIMFONI age band" in reasons(owner, spans)[0]
    assert reasons(owner, not_known) == [
        "Perpetrator's relationship to the child: “Not known” has no SIMFONI value in the "
        "mapping table."
    ]
    assert reasons(owner, nobody) == [
        "Perpetrator's relationship to the child: “No alleged perpetrator recorded” has no "
        "SIMFONI value in the mapping table."
    ]
    assert mapped(owner) == {}


def test_a_local_value_without_a_row_is_a_reason(people):
    owner = people.owner
    case = make_case(owner, forms=("forced_selling", "other"), age_min=9)
    add_perpetrator(case, "orang_tua", owner)
    MappingRow.objects.filter(axis="form", local_value="other").delete()
    assert reasons(owner, case) == [
        "Form of violence: “Other” has no SIMFONI value in the mapping table."
    ]


def test_period_is_by_the_day_the_case_was_opened(people):
    inside = make_case(people.owner, age_min=9, opened_on=date(2025, 3, 31))
    add_perpetrator(inside, "orang_tua", people.owner)
    outside = make_case(
        people.owner, name="Anak April Sintetis", age_min=9, opened_on=date(2025, 4, 1)
    )
    add_perpetrator(outside, "orang_tua", people.owner)
    result = simfoni_map(people.owner, MARCH)
    assert [row.number for row in result.rows] == [inside.number]
    assert result.unmappable == []


def test_cases_the_user_may_not_see_are_neither_mapped_nor_listed(people):
    mine = make_case(people.owner, age_min=9)
    add_perpetrator(mine, "orang_tua", people.owner)
    theirs = make_case(people.other_owner, name="Anak Lain Sintetis", age_min=9)
    add_perpetrator(theirs, "orang_tua", people.other_owner)
    hidden_gap = make_case(people.other_owner, name="Anak Ketiga Sintetis", forms=(), age_min=9)
    result = simfoni_map(people.owner, MARCH)
    assert [row.number for row in result.rows] == [mine.number]
    assert result.unmappable == []
    other = simfoni_map(people.other_owner, MARCH)
    assert [row.number for row in other.rows] == [theirs.number]
    assert [line.number for line in other.unmappable] == [hidden_gap.number]
    # The supervisor of nothing sees nothing.
    assert simfoni_map(people.supervisor, MARCH).rows == []


def test_a_team_member_who_may_not_read_every_class_gets_a_reason_not_a_row(people):
    case = make_case(people.owner, age_min=9)
    add_perpetrator(case, "orang_tua", people.owner)
    colleague = make_user(Role.CASE_MANAGER, username="cm-team")
    case_svc.member_add(
        case,
        user=colleague,
        case_role="pendamping",
        data_classes=["identity", "whereabouts"],
        acting_user=people.owner,
    )
    result = simfoni_map(colleague, MARCH)
    assert result.rows == []
    [line] = result.unmappable
    assert line.case_id == case.pk
    assert "You may not read all the data" in line.reasons[0]
    assert "Investigation" in line.reasons[0] and "Care progress" in line.reasons[0]
    # The relationship the colleague may not read is not among the reasons.
    assert len(line.reasons) == 1


def test_the_reads_do_not_grow_with_the_number_of_cases(people, django_assert_max_num_queries):
    for index in range(6):
        case = make_case(people.owner, name=f"Anak {index} Sintetis", age_min=9)
        add_perpetrator(case, "orang_tua", people.owner, name=f"Ortu {index} Sintetis")
    with django_assert_max_num_queries(25):
        result = simfoni_map(people.owner, MARCH)
    assert len(result.rows) == 6
