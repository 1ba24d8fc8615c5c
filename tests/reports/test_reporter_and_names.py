"""The reporter as a data class of its own, children named in reports, the report photo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kawal.access.catalogue import DataClass, Role
from kawal.access.models import AccessAction, AccessLog
from kawal.regions.models import Region
from kawal.reports.models import Report, ReportChannel
from kawal.reports.selectors import triage_queue
from kawal.reports.services import child_name_keys, split_names
from tests.helpers import make_user, sign_in
from tests.identity.conftest import intake_form
from tests.reports.test_public import data as public_data
from tests.reports.test_public import jpeg_with_gps
from tests.reports.test_take_in import data as staff_data

KLANDASAN = "64.71.06.1004"
PLACES = [
    "Pasar Klandasan (sintetis)",
    "Taman Bekapai (sintetis)",
    "Pelabuhan Semayang (sintetis)",
    "Simpang Rapak (sintetis)",
    "Masjid Agung (sintetis)",
    "Terminal Batu Ampar (sintetis)",
    "Lapangan Merdeka (sintetis)",
    "Pantai Kemala (sintetis)",
]


def named(names: str, *, kelurahan: str = KLANDASAN, landmark: str = "") -> Report:
    seen = timezone.localtime().replace(hour=10, minute=0)
    return Report.objects.create(
        channel=ReportChannel.RT,
        seen=["begging"],
        children_count=1,
        youngest_age=9,
        seen_at=seen,
        kelurahan=Region.objects.get(code=kelurahan),
        # Distinct landmarks, so only the names can tie two reports together.
        landmark=landmark or PLACES[Report.objects.count() % len(PLACES)],
        child_names=names,
        child_keys=child_name_keys(names),
    )


def reasons(report: Report) -> list[str]:
    from kawal.accounts.models import User

    manager = User.objects.filter(username="triage").first() or make_user(
        Role.CASE_MANAGER, username="triage"
    )
    return next(row.reasons for row in triage_queue(manager) if row.report.pk == report.pk)


# --- The reporter class --------------------------------------------------------------


def test_reading_a_reporter_is_logged_before_the_page_is_shown(client, db):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    client.post(reverse("reports:take_in"), staff_data(channel="phone"))
    report = Report.objects.get()
    page = client.get(reverse("reports:detail", args=[report.uuid])).content.decode()
    assert "Pelapor Sintetis" in page
    entry = AccessLog.objects.get(user=manager, action=AccessAction.VIEW)
    assert entry.data_classes == ["reporter"] and str(report.uuid) in entry.path


def test_an_anonymous_report_logs_no_reporter_read(client, db):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    client.post(reverse("reports:take_in"), staff_data(reporter_name="", reporter_phone=""))
    report = Report.objects.get()
    page = client.get(reverse("reports:detail", args=[report.uuid])).content.decode()
    assert "anonim" in page
    assert not AccessLog.objects.filter(action=AccessAction.VIEW).exists()


def test_the_case_page_shows_the_reporter_to_the_case_manager_only(client, db):
    manager = make_user(Role.CASE_MANAGER)
    psychologist = make_user(Role.PSYCHOLOGIST)
    sign_in(client, manager)
    client.post(reverse("reports:take_in"), staff_data(channel="phone"))
    report = Report.objects.get()
    opened = client.post(
        reverse("cases:open"),
        intake_form(full_name="Anak Sintetis Pelaporan", sex="M", report=str(report.uuid)),
    )
    assert opened.status_code == 302, opened.content.decode()[:2000]
    case_page = client.get(opened.url).content.decode()
    assert report.tracking_code in case_page and "Pelapor Sintetis" in case_page
    case = report.cases.get()
    from kawal.cases import services as case_svc

    case_svc.member_add(
        case,
        user=psychologist,
        case_role="psikolog",
        data_classes=list(DataClass.values),  # even when granted everything
        acting_user=manager,
    )
    client.logout()
    sign_in(client, psychologist)
    page = client.get(opened.url)
    assert page.status_code == 200
    body = page.content.decode()
    # Not who reported, nor by which channel the report came, nor its code.
    assert "Pelapor Sintetis" not in body and "0812-0000-0000" not in body
    assert report.tracking_code not in body
    assert "Telepon" not in body and "Hotline" not in body and "dari sebuah laporan" in body


# --- Children named in reports -------------------------------------------------------


def test_names_are_split_and_generic_nicknames_left_out():
    assert split_names("Budi\nSiti, Dede ; ") == ["Budi", "Siti", "Dede"]
    assert child_name_keys("Budi\nBoedi") == child_name_keys("Budi")
    assert child_name_keys("Dede\nAdek") == []
    assert child_name_keys("Dede Rizky") == child_name_keys("Riski")


def test_reports_naming_the_same_child_are_urgent(db):
    first = named("Boedi")
    second = named("Budi Santoso\nSiti")
    plain = named("Agus")
    assert "same_child" in reasons(first) and "same_child" in reasons(second)
    assert "same_child" not in reasons(plain)
    manager = make_user(Role.CASE_MANAGER, username="order")
    order = [row.report.pk for row in triage_queue(manager)]
    assert order.index(first.pk) < order.index(plain.pk)


def test_a_first_name_alone_counts_only_in_the_same_kelurahan(db):
    here = named("Budi")
    named("Budi", kelurahan="64.71.01.1001")
    assert "same_child" not in reasons(here)
    full_here = named("Rizky Pratama")
    named("Riski Pratama", kelurahan="64.71.01.1001")
    assert "same_child" in reasons(full_here)


def test_generic_nicknames_and_merged_repeats_do_not_count(db):
    dede = named("Dede")
    named("Dede")
    assert "same_child" not in reasons(dede)
    original = named("Wahyu")
    repeat = named("Wahyu")
    Report.objects.filter(pk=repeat.pk).update(duplicate_of=original, status="handled")
    assert "same_child" not in reasons(original)


def test_the_public_form_takes_names_and_limits_them(client, db):
    response = client.post(reverse("reports:new"), public_data(child_names="Budi\nSiti"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.child_names == "Budi\nSiti" and len(report.child_keys) == 2
    many = "\n".join(f"Anak{i}" for i in range(11))
    response = client.post(reverse("reports:new"), public_data(child_names=many))
    assert response.status_code == 400
    assert "child_names" in response.context["form"].errors
    assert Report.objects.count() == 1


def test_named_children_are_shown_to_the_triage_team_and_logged(client, db):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    client.post(reverse("reports:take_in"), staff_data(child_names="Markernama Sintetis"))
    report = Report.objects.get()
    page = client.get(reverse("reports:detail", args=[report.uuid])).content.decode()
    assert "Markernama Sintetis" in page
    entry = AccessLog.objects.get(user=manager, action=AccessAction.VIEW)
    assert entry.data_classes == ["identity", "reporter"]
    # The tracking page never shows a name.
    client.logout()
    track = client.post(reverse("reports:track"), {"code": report.tracking_code})
    assert "Markernama" not in track.content.decode()


# --- The report photo ----------------------------------------------------------------


@pytest.fixture
def photo_report(client, db) -> Report:
    photo = SimpleUploadedFile("foto.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert client.post(reverse("reports:new"), {**public_data(), "photo": photo}).status_code == 302
    return Report.objects.get()


def test_the_triage_team_downloads_the_photo_cleaned_and_logged(client, photo_report):
    manager = make_user(Role.CASE_MANAGER)
    sign_in(client, manager)
    detail = client.get(reverse("reports:detail", args=[photo_report.uuid])).content.decode()
    url = reverse("reports:photo", args=[photo_report.uuid])
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert dict(image.getexif()) == {}
    assert AccessLog.objects.filter(user=manager, action=AccessAction.DOWNLOAD).exists()


@pytest.mark.parametrize("role", [Role.PATROL_OFFICER, Role.RT_HEAD, Role.PSYCHOLOGIST])
def test_others_cannot_get_the_photo(client, photo_report, role):
    sign_in(client, make_user(role))
    assert client.get(reverse("reports:photo", args=[photo_report.uuid])).status_code == 403


def test_a_report_without_a_photo_has_none(client, db):
    sign_in(client, make_user(Role.CASE_MANAGER))
    report = named("Budi")
    assert client.get(reverse("reports:photo", args=[report.uuid])).status_code == 404
    assert client.get(reverse("reports:photo", args=["not-a-uuid"])).status_code == 404


def test_a_missing_photo_file_is_a_404_not_a_500(client, photo_report, settings):
    (settings.KAWAL_PRIVATE_MEDIA_ROOT / "reports" / photo_report.photo).unlink()
    sign_in(client, make_user(Role.CASE_MANAGER))
    assert client.get(reverse("reports:photo", args=[photo_report.uuid])).status_code == 404


def test_a_seen_time_is_kept(db):
    # Guard for the helper: named reports are within the repeat window.
    assert named("Budi").created_at > timezone.now() - timedelta(minutes=1)
