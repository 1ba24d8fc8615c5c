"""A family around the World case of tests/cases: a programme with one of everything.

Marker strings are planted per data class in the programme's records; the
child's school (whereabouts) carries its own marker, which no page of the
parent programme may ever show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.cases import services as case_svc
from kawal.families import services as svc
from kawal.families.models import (
    CommunitySession,
    HomeVisit,
    ParentProgramme,
    ProgrammeSession,
    SupportReferral,
    Undertaking,
)
from kawal.people.models import Person
from kawal.regions.models import Region
from tests.cases.conftest import MARKERS, World, png_upload, world
from tests.helpers import make_user

KELURAHAN = "64.71.06.1004"  # the World child's home (Klandasan Ilir)

PP = {
    "identity": "Markeribu Sintetis",  # the mother's name
    "progress": "MARKER-PP-PROGRESS-6611",
    "clinical": "MARKER-PP-CLINICAL-7712",
    "financial": "MARKER-PP-FINANCIAL-8813",
    "school": "SD Negeri Markersekolah 077",  # whereabouts: the child's school
    "at_risk": "Keluarga Markerrisiko",  # identity: a family noted at a community session
}


@dataclass
class Family:
    world: World
    programme: ParentProgramme
    mother: Person
    father: Person
    social_worker: User
    rt_agency: Agency
    rt_head: User
    session: ProgrammeSession
    visit: HomeVisit
    undertaking: Undertaking
    referral: SupportReferral
    community: CommunitySession

    @property
    def case(self):
        return self.world.case


def rt_agency(code: str = KELURAHAN, name: str = "RT 005 Sintetis") -> Agency:
    return Agency.objects.create(
        name=f"{name} ({code})", kind=AgencyKind.NEIGHBOURHOOD, region=Region.objects.get(code=code)
    )


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def family(world) -> Family:
    case = world.case
    owner = world.owner
    # The child's school is whereabouts data; it must never reach the programme.
    child = case.child
    case_svc.child_update(
        case,
        expected_version=child.version,
        changes={"school_name": PP["school"], "school_status": "in_school"},
        aliases=None,
        acting_user=owner,
    )
    mother = case_svc.relative_add(
        case,
        person={"full_name": PP["identity"], "sex": "F"},
        relation="mother",
        is_guardian=True,
        acting_user=owner,
    ).relative
    father = case.child.relatives.get(relation="father").relative
    social_worker = make_user(Role.SOCIAL_WORKER, username="peksos")
    case_svc.member_add(
        case,
        user=social_worker,
        case_role="pekerja sosial",
        data_classes=["identity", "progress", "financial"],
        acting_user=owner,
    )
    agency = rt_agency()
    rt_head = make_user(Role.RT_HEAD, username="pak-rt", agency=agency)
    programme = svc.programme_start(
        case,
        facilitator=world.psychologist,
        started_on=days_ago(40),
        planned_sessions=4,
        goals="Pola asuh tanpa kekerasan (sintetis)",
        parents=[mother],
        acting_user=owner,
    )
    parent = programme.parents.get()
    session = svc.session_record(
        programme,
        kind="counselling",
        format="individual",
        status="held",
        held_on=days_ago(20),
        facilitator=world.psychologist,
        topic="Konseling orang tua",
        summary=f"Ringkasan {PP['progress']}",
        clinical_note=f"Catatan klinis {PP['clinical']}",
        attended=[parent],
        acting_user=world.psychologist,
    )
    visit = svc.visit_record(
        programme,
        visited_on=days_ago(3),
        visitors=[world.psychologist],
        other_visitors="",
        findings="Rumah bersih, orang tua kooperatif (sintetis)",
        found_safe=True,
        confirming_agency=agency,
        acting_user=world.psychologist,
    )
    undertaking = svc.undertaking_record(
        programme,
        text="Tidak akan menyuruh anak berjualan (sintetis)",
        signed_on=days_ago(30),
        signed_by=[parent],
        upload=png_upload(),
        acting_user=owner,
    )
    referral = svc.support_refer(
        programme,
        kind="social_assistance",
        to_agency=None,
        to_other="Dinas Sosial (sintetis)",
        referred_on=days_ago(10),
        reason=f"Keluarga tidak berpenghasilan tetap {PP['financial']}",
        acting_user=social_worker,
    )
    community = svc.community_session_create(
        kelurahan=Region.objects.get(code=KELURAHAN),
        rt="5",
        held_on=days_ago(15),
        topic="Bahaya eksploitasi anak di jalan (sintetis)",
        venue="Balai RT (sintetis)",
        facilitators=[world.psychologist],
        other_facilitators="",
        counts={"girls": 3, "boys": 4, "women": 10, "men": 6, "older_women": 1, "older_men": 0},
        notes="",
        acting_user=world.psychologist,
    )
    svc.community_family_add(
        community,
        family_name=PP["at_risk"],
        rt="5",
        concern="Anak sering terlihat di simpang (sintetis)",
        person=None,
        acting_user=world.psychologist,
    )
    case.refresh_from_db()
    return Family(
        world=world,
        programme=programme,
        mother=mother,
        father=father,
        social_worker=social_worker,
        rt_agency=agency,
        rt_head=rt_head,
        session=session,
        visit=visit,
        undertaking=undertaking,
        referral=referral,
        community=community,
    )


__all__ = ["MARKERS", "PP", "Family", "family", "png_upload", "world"]
