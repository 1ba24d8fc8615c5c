"""A small world for case tests: one case, notes of every class carrying marker strings."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kawal.access.catalogue import AgencyKind, DataClass, Role
from kawal.accounts.models import Agency, User
from kawal.cases import services as svc
from kawal.cases.extensions import origin_of
from kawal.cases.models import Case, CaseForm, SharingBasis
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from tests.helpers import make_user

MARKERS = {
    DataClass.IDENTITY: "Zulaikha Markerputri",
    DataClass.WHEREABOUTS: "MARKER-WHEREABOUTS-7731",
    DataClass.CLINICAL: "MARKER-CLINICAL-5519",
    DataClass.PROGRESS: "MARKER-PROGRESS-3317",
    DataClass.INVESTIGATION: "MARKER-INVESTIGATION-2207",
    DataClass.FINANCIAL: "MARKER-FINANCIAL-4480",
    DataClass.BASIC: "MARKER-BASIC-9001",
    DataClass.REPORTER: "Reporter Markersaksi",
}


@dataclass
class World:
    case: Case
    owner: User
    supervisor: User
    psychologist: User
    investigator: User


def open_case(
    owner: User,
    supervisor: User | None = None,
    name: str = MARKERS[DataClass.IDENTITY],
    origin_report: Report | None = None,
) -> Case:
    return svc.case_open(
        svc.NewCase(
            child={
                "full_name": name,
                "sex": "F",
                "age_min": 9,
                "age_max": 10,
                "kelurahan": Region.objects.get(code="64.71.06.1004"),
                "street": "Jl. Sintetis 1",
            },
            aliases=["Ika"],
            intake_channel="outreach",
            risk_level="medium",
            forms=[CaseForm.FORCED_SELLING],
            supervisor=supervisor,
            origins=[origin_of("reports.report", origin_report)] if origin_report else [],
        ),
        acting_user=owner,
    )


@pytest.fixture
def world(db) -> World:
    owner = make_user(Role.CASE_MANAGER, username="owner")
    supervisor = make_user(Role.SUPERVISOR, username="boss")
    psychologist = make_user(Role.PSYCHOLOGIST, username="psy")
    investigator = make_user(Role.INVESTIGATOR, username="cop")
    report = Report.objects.create(
        channel=ReportChannel.RT,
        children_count=1,
        seen_at=timezone.now(),
        kelurahan=Region.objects.get(code="64.71.06.1004"),
        landmark="Simpang Sintetis",
        reporter_name=MARKERS[DataClass.REPORTER],
        reporter_phone="0811-0000-0000",
    )
    case = open_case(owner, supervisor, origin_report=report)
    case = svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    svc.member_add(
        case,
        user=psychologist,
        case_role="psikolog",
        data_classes=["identity", "whereabouts", "clinical", "progress"],
        acting_user=owner,
    )
    svc.member_add(
        case,
        user=investigator,
        case_role="penyidik",
        data_classes=["identity", "investigation"],
        acting_user=owner,
    )
    # One note per class, written by someone allowed to write it.
    writers = {
        DataClass.BASIC: owner,
        DataClass.WHEREABOUTS: owner,
        DataClass.CLINICAL: psychologist,
        DataClass.PROGRESS: psychologist,
        DataClass.INVESTIGATION: investigator,
    }
    for data_class, writer in writers.items():
        svc.note_add(case, data_class=data_class, body=MARKERS[data_class], acting_user=writer)
    finance = make_user(Role.FINANCE_OFFICER, username="money")
    svc.member_add(
        case, user=finance, case_role="keuangan", data_classes=["financial"], acting_user=owner
    )
    svc.note_add(
        case, data_class=DataClass.FINANCIAL, body=MARKERS[DataClass.FINANCIAL], acting_user=finance
    )
    # One of everything else a case page links to, so the matrix can reach it.
    svc.relative_add(
        case,
        person={"full_name": "Ayah Sintetis"},
        relation="father",
        is_guardian=True,
        acting_user=owner,
    )
    svc.task_create(
        case,
        title="Kunjungan rumah",
        assignee=owner,
        assignee_agency=None,
        due_on=None,
        acting_user=owner,
    )
    svc.approval_request(case, kind="closure", comment="", acting_user=owner)
    svc.attachment_add(
        case,
        upload=png_upload(),
        title="Foto keluarga",
        data_class=DataClass.IDENTITY,
        acting_user=owner,
    )
    case.refresh_from_db()
    return World(
        case=case,
        owner=owner,
        supervisor=supervisor,
        psychologist=psychologist,
        investigator=investigator,
    )


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue())


def other_agency(kind: str = AgencyKind.OTHER) -> Agency:
    agency, _ = Agency.objects.get_or_create(
        name=f"Elsewhere {kind} (synthetic)", defaults={"kind": kind}
    )
    return agency
