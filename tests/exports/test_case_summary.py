"""The case summary PDF, parsed back: only what the reader may read, stamped on every page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.access.models import AccessLog
from kawal.cases import services as case_svc
from kawal.cases.models import BreakGlassGrant
from tests.cases.test_policy_matrix import actor, expected
from tests.exports.conftest import MARKERS, client_for

pytestmark = pytest.mark.django_db


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    # Words broken across lines come back whole once blanks are collapsed.
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def summary_url(case) -> str:
    return reverse("exports:case_summary", kwargs={"case_uuid": case.uuid})


EXPORTERS = [role for role in Role if Capability.EXPORT_CASE_DATA in ROLES[role].capabilities]
COMBINATIONS = [
    (role, relation)
    for role in EXPORTERS
    for relation in ("own", "team", "none")
    if relation != "own" or role in (Role.CASE_MANAGER, Role.SUPERVISOR)
] + [
    (Role.SHELTER_STAFF, "team"),
    (Role.FINANCE_OFFICER, "team"),
    (Role.DATA_PROTECTION_OFFICER, "none"),
]


@pytest.mark.parametrize(("role", "relation"), COMBINATIONS)
def test_the_pdf_holds_exactly_the_classes_the_reader_may_read(world, role, relation):
    user = actor(world, role, relation)
    readable, _writable, _leads = expected(role, relation)
    response = client_for(user).get(summary_url(world.case))
    if not readable:
        assert response.status_code == 404
        return
    if Capability.EXPORT_CASE_DATA not in ROLES[role].capabilities:
        assert response.status_code == 403
        assert not AccessLog.objects.filter(user=user, action="download").exists()
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = " ".join(pdf_pages(response.content))
    for data_class, marker in MARKERS.items():
        assert (marker in text) == (data_class in readable), (data_class, marker)
    if DataClass.IDENTITY not in readable:
        assert "Z.M." in text
    row = AccessLog.objects.get(user=user, action="download")
    assert row.case_id == world.case.pk and set(row.data_classes) == readable


def test_every_page_carries_the_readers_name_agency_and_time(world):
    for n in range(45):
        case_svc.note_add(
            world.case,
            data_class=DataClass.BASIC,
            body=f"Catatan kunjungan nomor {n}: " + "anak sehat dan bersekolah. " * 6,
            acting_user=world.owner,
        )
    response = client_for(world.psychologist).get(summary_url(world.case))
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    name = world.psychologist.full_name
    agency = str(world.psychologist.agency)
    for number, page in enumerate(pages, start=1):
        # Once in the running header and once in the diagonal watermark.
        assert page.count(name) >= 2, (number, page[:300])
        assert agency in page, number
    # The psychologist reads clinical notes but not the police's.
    text = " ".join(pages)
    assert MARKERS[DataClass.CLINICAL] in text
    assert MARKERS[DataClass.INVESTIGATION] not in text


def test_emergency_access_gives_no_copy(world):
    from datetime import timedelta

    from django.utils import timezone

    from tests.helpers import make_user

    investigator = make_user(Role.INVESTIGATOR)
    BreakGlassGrant.objects.create(
        case=world.case,
        user=investigator,
        reason="Anak hilang malam ini (sintetis)",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    client = client_for(investigator)
    assert (
        client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})).status_code
        == 200
    )
    assert client.get(summary_url(world.case)).status_code == 403


def test_the_case_page_links_to_the_summary_for_exporters_only(world):
    detail = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    assert summary_url(world.case) in client_for(world.owner).get(detail).content.decode()
    finance = client_for(world.case.members.get(case_role="keuangan").user).get(detail)
    assert finance.status_code == 200
    assert summary_url(world.case) not in finance.content.decode()


def test_summaries_are_rate_limited(world, settings):
    settings.KAWAL_EXPORT_RATE_PER_HOUR = 1
    client = client_for(world.owner)
    assert client.get(summary_url(world.case)).status_code == 200
    assert client.get(summary_url(world.case)).status_code == 429
    assert AccessLog.objects.filter(user=world.owner, action="download").count() == 1
