"""Emergency (break-glass) access lets a user read a case in an emergency, never copy it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.cases import services as case_svc
from kawal.cases.models import BreakGlassGrant, CaseMember
from kawal.exports import registry
from kawal.exports import services as svc
from kawal.exports.models import ExportRequest, ExportStatus
from tests.exports.conftest import MARKERS, body, client_for, read_csv
from tests.exports.test_case_summary import pdf_pages, summary_url
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

NAME = MARKERS[DataClass.IDENTITY]
LIST_URL = reverse("exports:request", kwargs={"kind": "case_list"})


def grant(case, user) -> BreakGlassGrant:
    return BreakGlassGrant.objects.create(
        case=case,
        user=user,
        reason="Anak hilang malam ini (sintetis)",
        expires_at=timezone.now() + timedelta(hours=1),
    )


def test_a_case_seen_through_emergency_access_only_is_never_in_a_list_export(world):
    investigator = make_user(Role.INVESTIGATOR)
    grant(world.case, investigator)
    client = client_for(investigator)
    assert client.get(LIST_URL).context["children"] == 0
    assert client.post(LIST_URL, {"format": "csv"}).status_code == 400
    assert client.post(LIST_URL + "?names=1", {"format": "csv"}).status_code == 400
    assert not ExportRequest.objects.exists()


def test_a_team_member_with_a_grant_gets_no_more_than_the_team_gives(world, supervisor2):
    member = make_user(Role.INVESTIGATOR)
    case_svc.member_add(
        world.case, user=member, case_role="penyidik", data_classes=[], acting_user=world.owner
    )
    grant(world.case, member)
    client = client_for(member)
    detail = client.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    assert NAME in detail.content.decode()  # the grant shows the name on screen ...
    assert summary_url(world.case) not in detail.content.decode()
    assert client.get(summary_url(world.case)).status_code == 403  # ... and gives no PDF
    client.post(LIST_URL + "?names=1", {"format": "csv"})
    export = ExportRequest.objects.get()
    assert DataClass.IDENTITY not in export.data_classes
    if export.status == ExportStatus.WAITING:
        svc.export_decide(
            None, export, approve=True, comment="", expected_version=1, acting_user=supervisor2
        )
    content = body(client.get(reverse("exports:download", kwargs={"export_uuid": export.uuid})))
    assert read_csv(content)[1][4] == "Z.M." and NAME.encode() not in content


def test_leading_the_case_with_a_grant_beside_it_still_gives_the_pdf(world):
    grant(world.case, world.supervisor)
    response = client_for(world.supervisor).get(summary_url(world.case))
    assert response.status_code == 200
    assert NAME in " ".join(pdf_pages(response.content))


def test_a_file_is_not_downloaded_on_emergency_access_alone(world):
    client = client_for(world.investigator)
    client.post(LIST_URL, {"format": "csv"})
    export = ExportRequest.objects.get()
    assert export.status == ExportStatus.READY
    CaseMember.objects.filter(case=world.case, user=world.investigator).update(
        removed_at=timezone.now()
    )
    grant(world.case, world.investigator)
    url = reverse("exports:download", kwargs={"export_uuid": export.uuid})
    assert client.get(url).status_code == 404


def test_a_kind_that_lets_an_emergency_case_through_is_refused(world):
    investigator = make_user(Role.INVESTIGATOR)
    grant(world.case, investigator)

    def build(user, params):
        return registry.ExportTable(
            headers=["Nomor"],
            rows=[[world.case.number]],
            data_classes=frozenset({DataClass.BASIC}),
            case_ids=(world.case.pk,),
        )

    registry.register_export_kind(
        registry.ExportKind(
            key="leaky", label="x", allowed=lambda user: True, build=build, filename="x"
        )
    )
    try:
        with pytest.raises(ValidationError) as refused:
            svc.export_request_create(
                None, kind_key="leaky", params={}, fmt="csv", acting_user=investigator
            )
        assert refused.value.code == "break_glass"
        assert not ExportRequest.objects.exists()
    finally:
        registry._KINDS.pop("leaky", None)
