"""The "simfoni" export kind through the exports flow: the file parsed back
holds SIMFONI's categories under the case number and nothing that names or
locates a child, and only the cases the requester may see."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.exports.models import ExportRequest, ExportStatus
from kawal.exports.registry import export_kind
from kawal.institutions.models import Institution
from kawal.placement.models import Placement
from kawal.schooling.models import Enrolment
from kawal.simfoni.export import build, headers
from kawal.simfoni.vocab import SIMFONI_VALUES, Axis
from tests.helpers import make_user
from tests.simfoni.conftest import (
    DISABILITY,
    MARKERS,
    NIK,
    OPENED,
    PERIOD,
    SCHOOL,
    add_capture,
    add_perpetrator,
    client_for,
    make_case,
    moment,
)

FORMS = SIMFONI_VALUES[Axis.FORM]
SERVICES = SIMFONI_VALUES[Axis.SERVICE]


def request_url(params: dict[str, str]) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("exports:request", kwargs={"kind": "simfoni"}) + f"?{query}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def cases(people):
    owner = people.owner
    full = make_case(
        owner,
        forms=("forced_begging", "psychological_violence"),
        birth_date=date(2012, 6, 1),
        nik_status="known",
        nik=NIK,
        disability=DISABILITY,
    )
    add_capture(full, "begging", moment(date(2025, 3, 8)), owner)
    add_perpetrator(full, "orang_tua", owner)
    add_perpetrator(full, "pacar_teman", owner, name="Teman Sintetis")
    institution = Institution.objects.create(
        kind="pesantren", name="Pesantren Simfonimarker", capacity=20
    )
    Placement.objects.create(
        case=full, child=full.child, institution=institution, started_on=OPENED, placed_by=owner
    )
    Enrolment.objects.create(
        case=full,
        child=full.child,
        school_name=SCHOOL,
        npsn="30405060",
        level="mi",
        grade=5,
        enrolled_on=OPENED + timedelta(days=30),
        arranged_by=owner,
    )
    gap = make_case(owner, name="Anak Celah Sintetis", age_min=8)  # no perpetrator recorded
    theirs = make_case(people.other_owner, name="Anak Lain Sintetis", age_min=8)
    add_perpetrator(theirs, "orang_tua", people.other_owner)
    return full, gap, theirs


def test_the_kind_is_registered_for_simfoni_exporters_only(db):
    kind = export_kind("simfoni")
    assert kind is not None and kind.filename == "simfoni"
    for role in Role:
        expected = Capability.EXPORT_SIMFONI in ROLES[role].capabilities
        assert kind.allowed(make_user(role)) == expected, role
    assert {role for role in Role if kind.allowed(make_user(role))} == {
        Role.CASE_MANAGER,
        Role.SUPERVISOR,
    }


def test_the_table(people, cases):
    full, _gap, theirs = cases
    table = build(people.owner, PERIOD)
    assert table.case_ids == (full.pk,)
    assert table.data_classes == {"basic", "investigation", "progress"}
    [row] = table.rows
    cells = dict(zip(table.headers, row, strict=True))
    assert cells["Case number (pseudonymous ID)"] == full.number
    assert cells["Incident date (Tanggal Kejadian)"] == date(2025, 3, 8)
    assert cells["Reporting date (Tanggal Pelaporan)"] == OPENED
    assert cells["Place (Kategori Lokasi)"] == "Fasilitas Umum"
    assert [cells[f"Form: {form}"] for form in FORMS] == [0, 1, 0, 1, 0, 0, 0]
    assert cells["Perpetrators' relationship (Hubungan dengan Korban)"] == "Orang Tua; Pacar/Teman"
    assert [cells[f"Service: {service}"] for service in SERVICES] == [1, 0, 0, 0, 1, 1, 0, 0]
    assert cells["Age band (Usia)"] == "6-12"
    assert cells["Education (Pendidikan)"] == "SD"
    assert cells["Disability (Disabilitas)"] == "Ya"
    # Bad periods give an empty table, not an error page.
    for params in ({}, {"date_from": "2025-03-31", "date_to": "2025-03-01"}, {"date_from": "x"}):
        assert build(people.owner, params).case_ids == ()
    assert build(people.other_owner, PERIOD).case_ids == (theirs.pk,)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_parsed_back(people, cases, fmt):
    full, gap, theirs = cases
    client = client_for(people.owner)
    page = client.get(request_url(PERIOD))
    assert page.status_code == 200
    assert page.context["children"] == 1
    response = client.post(request_url(PERIOD), {"format": fmt})
    assert response.status_code == 302, response.content.decode()[:3000]
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.READY and not export.needs_approval
    download = client.get(reverse("exports:download", kwargs={"export_uuid": export.uuid}))
    assert download.status_code == 200
    content = body(download)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        text = content.decode("utf-8-sig")
    else:
        book = load_workbook(io.BytesIO(content))
        rows = [
            ["" if cell.value is None else str(cell.value) for cell in line]
            for sheet in book.worksheets
            for line in sheet.iter_rows()
        ]
        text = "\n".join("\t".join(line) for line in rows)
    header_at = next(index for index, line in enumerate(rows) if line[:1] == [headers()[0]])
    assert rows[header_at][: len(headers())] == headers()
    data = [line for line in rows[header_at + 1 :] if any(line)]
    assert [line[0] for line in data] == [full.number]
    assert data[0][3] == "Fasilitas Umum"
    assert full.number in text
    assert gap.number not in text and theirs.number not in text
    for marker in (*MARKERS, "Pesantren", "2012-06-01", "01/06/2012", DISABILITY):
        assert marker.lower() not in text.lower(), marker


def test_a_bad_period_is_refused_with_a_message(people, cases):
    client = client_for(people.owner)
    bad = {"date_from": "2025-03-31", "date_to": "2025-03-01"}
    assert client.get(request_url(bad)).status_code == 200
    response = client.post(request_url(bad), {"format": "csv"})
    assert response.status_code == 400
    assert not ExportRequest.objects.exists()


def test_others_may_not_request_it(people, cases):
    for role in (Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.SYSTEM_ADMIN, Role.INVESTIGATOR):
        client = client_for(make_user(role))
        assert client.get(request_url(PERIOD)).status_code == 403, role
        assert client.post(request_url(PERIOD), {"format": "csv"}).status_code == 403, role
    assert not ExportRequest.objects.exists()
