"""The parents' signed undertaking: attached to a child found, read by the team only."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kawal.access.catalogue import AgencyKind, Role
from kawal.access.models import AccessAction, AccessLog
from kawal.accounts.models import Agency
from kawal.core.models import AuditEvent
from kawal.outreach.models import Capture
from tests.cases.conftest import png_upload
from tests.helpers import make_user, sign_in
from tests.outreach.test_captures import capture_form, plan, scene  # noqa: F401
from tests.reports.test_public import jpeg_with_gps

KIND = {
    Role.PATROL_OFFICER: AgencyKind.POLICE,
    Role.CASE_MANAGER: AgencyKind.UPTD_PPA,
    Role.PSYCHOLOGIST: AgencyKind.PSYCHOLOGY,
    Role.RT_HEAD: AgencyKind.NEIGHBOURHOOD,
}
PDF_WITH_SCRIPT = b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >> endobj\n%%EOF\n"


def found(client, owner, patrol):
    operation = plan(client, owner)
    sign_in(client, patrol)
    client.post(
        reverse("outreach:capture", args=[operation.uuid]),
        capture_form(name_as_told="Wulan", sex="F", age_estimate="7", undertaking_signed=""),
    )
    return operation, Capture.objects.get()


def attach(client, operation, capture, upload):
    url = reverse("outreach:undertaking_attach", args=[operation.uuid, capture.uuid])
    return client.post(url, {"file": upload}, follow=True)


def test_the_team_attaches_a_photo_cleaned_of_location(client, scene, settings):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation, capture = found(client, owner, patrol)
    photo = SimpleUploadedFile("surat.jpg", jpeg_with_gps(), content_type="image/jpeg")
    page = attach(client, operation, capture, photo)
    assert page.status_code == 200
    capture.refresh_from_db()
    assert capture.undertaking_signed and capture.undertaking_added_by == patrol
    from PIL import Image

    stored = settings.KAWAL_PRIVATE_MEDIA_ROOT / "outreach" / capture.undertaking_file
    with Image.open(stored) as image:
        assert dict(image.getexif()) == {}
    assert AuditEvent.objects.filter(kind="outreach.undertaking_attached").exists()
    # Downloadable by the team, logged first.
    link = reverse("outreach:undertaking", args=[capture.uuid])
    assert link in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(user=patrol, action=AccessAction.DOWNLOAD).exists()


def test_it_is_attached_once_and_bad_files_are_refused(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation, capture = found(client, owner, patrol)
    script = SimpleUploadedFile("surat.pdf", PDF_WITH_SCRIPT, content_type="application/pdf")
    page = attach(client, operation, capture, script)
    assert page.status_code == 200
    capture.refresh_from_db()
    assert capture.undertaking_file == ""
    text = SimpleUploadedFile("surat.txt", b"hello", content_type="text/plain")
    attach(client, operation, capture, text)
    capture.refresh_from_db()
    assert capture.undertaking_file == ""
    attach(client, operation, capture, png_upload())
    capture.refresh_from_db()
    first = capture.undertaking_file
    assert first
    page = attach(client, operation, capture, png_upload())
    capture.refresh_from_db()
    assert capture.undertaking_file == first
    assert "sudah" in page.content.decode()  # "already attached", in Indonesian


def test_outsiders_can_neither_attach_nor_download(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation, capture = found(client, owner, patrol)
    attach(client, operation, capture, png_upload())
    link = reverse("outreach:undertaking", args=[capture.uuid])
    # Same roles as the team, other agencies (the organiser's agency is on the team).
    for role in (Role.PATROL_OFFICER, Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.RT_HEAD):
        elsewhere = Agency.objects.create(name=f"Elsewhere {role} (synthetic)", kind=KIND[role])
        outsider = make_user(role, username=f"out-{role}", agency=elsewhere)
        sign_in(client, outsider)
        assert client.get(link).status_code == 404, role
        url = reverse("outreach:undertaking_attach", args=[operation.uuid, capture.uuid])
        assert client.post(url, {"file": png_upload()}).status_code in (403, 404), role


def test_the_case_team_finds_it_in_the_case_file(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation, capture = found(client, owner, patrol)
    attach(client, operation, capture, png_upload())
    sign_in(client, owner)
    response = client.post(
        reverse("cases:open"),
        {
            "capture": str(capture.uuid),
            "full_name": "Wulan Sari",
            "sex": "F",
            "age_min": "6",
            "age_max": "8",
            "nik_status": "unknown",
            "school_status": "never_enrolled",
            "intake_channel": "outreach",
            "forms_": ["forced_begging"],
            "risk_level": "medium",
        },
    )
    assert response.status_code == 302
    case_page = client.get(response.url).content.decode()
    link = reverse("outreach:undertaking", args=[capture.uuid])
    assert link in case_page
    # A finance officer on the team without identity sees neither link nor file.
    from kawal.cases import services as case_svc
    from kawal.cases.models import Case

    finance = make_user(Role.FINANCE_OFFICER, username="money")
    case = Case.objects.get(pk=Capture.objects.get().case_id)
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": "legal_obligation"},
        acting_user=owner,
    )
    case_svc.member_add(
        case, user=finance, case_role="keuangan", data_classes=["financial"], acting_user=owner
    )
    sign_in(client, finance)
    assert link not in client.get(response.url).content.decode()
    assert client.get(link).status_code == 404


def test_an_operation_without_children_found_is_marked_as_held_or_cancelled(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    url = reverse("outreach:detail", args=[operation.uuid])
    sign_in(client, patrol)
    stale = client.post(url, {"status": "conducted", "expected_version": operation.version - 1})
    operation.refresh_from_db()
    assert stale.status_code == 302 and operation.status == "planned"
    client.post(url, {"status": "conducted", "expected_version": operation.version})
    operation.refresh_from_db()
    assert operation.status == "conducted"
    assert AuditEvent.objects.filter(kind="outreach.operation_status").exists()
    # Children were found on another, so it took place: no cancelling afterwards.
    other, _capture = found(client, owner, patrol)
    other.refresh_from_db()
    page = client.post(
        reverse("outreach:detail", args=[other.uuid]),
        {"status": "cancelled", "expected_version": other.version},
        follow=True,
    )
    other.refresh_from_db()
    assert other.status == "conducted" and "direncanakan" in page.content.decode()
    # Someone outside the team cannot touch it.
    elsewhere = Agency.objects.create(name="Elsewhere (synthetic)", kind=AgencyKind.POLICE)
    sign_in(client, make_user(Role.PATROL_OFFICER, username="out-op", agency=elsewhere))
    assert client.post(url, {"status": "cancelled", "expected_version": 9}).status_code == 404


def test_an_operation_date_far_from_today_is_refused(client, scene):  # noqa: F811
    owner, _boss, _patrol, _known = scene
    sign_in(client, owner)
    response = client.post(
        reverse("outreach:new"),
        {
            "title": "Operasi (sintetis)",
            "starts_at": "0001-01-01T10:00",
            "area": "64.71.06.1004",
            "agencies": [],
        },
    )
    assert response.status_code in (200, 400)
    assert "starts_at" in response.context["form"].errors


def test_a_planned_operation_is_rescheduled_with_a_version_check(client, scene):  # noqa: F811
    owner, _boss, patrol, _known = scene
    operation = plan(client, owner)
    url = reverse("outreach:edit", args=[operation.uuid])
    # A partner on the team may record finds, not re-plan the organisers' operation.
    sign_in(client, patrol)
    assert client.get(url).status_code == 403
    detail = client.get(reverse("outreach:detail", args=[operation.uuid])).content.decode()
    assert url not in detail
    sign_in(client, owner)
    assert client.get(url).status_code == 200
    changed = {
        "title": "Operasi simpang, dijadwal ulang (sintetis)",
        "starts_at": "2026-11-29T20:00",
        "area": "64.71.06.1004",
        "area_note": "Simpang empat dan pasar",
        "agencies": [str(Agency.objects.get(kind="satpol_pp").pk)],
        "expected_version": operation.version,
    }
    assert client.post(url, changed).status_code == 302
    operation.refresh_from_db()
    assert operation.title.endswith("dijadwal ulang (sintetis)")
    assert operation.agencies.filter(pk=owner.agency_id).exists()  # organiser stays on
    stale = client.post(url, {**changed, "title": "Lain (sintetis)"})
    assert stale.status_code == 409
    operation.refresh_from_db()
    assert operation.title.endswith("dijadwal ulang (sintetis)")
    assert AuditEvent.objects.filter(kind="outreach.operation_updated").count() == 1
    # Once held it is a record, not a plan.
    client.post(
        reverse("outreach:detail", args=[operation.uuid]),
        {"status": "conducted", "expected_version": operation.version},
    )
    operation.refresh_from_db()
    held = client.post(url, {**changed, "expected_version": operation.version})
    assert held.status_code == 400
    elsewhere = Agency.objects.create(name="Elsewhere edit (synthetic)", kind=AgencyKind.POLICE)
    sign_in(client, make_user(Role.PATROL_OFFICER, username="out-edit", agency=elsewhere))
    assert client.get(url).status_code == 404
