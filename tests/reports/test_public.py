"""The public report form: validation, abuse controls, photo cleaning, tracking."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kawal.core.models import AuditEvent
from kawal.reports.models import Report, ReportStatus

LANDMARK = "Simpang empat dekat toko sintetis"


def data(**extra):
    seen_at = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    values = {
        "seen": ["tissues"],
        "children_count": "2",
        "youngest_age": "6",
        "oldest_age": "9",
        "seen_at": seen_at,
        "kelurahan": "64.71.06.1004",
        "landmark": LANDMARK,
        "description": "Dua anak menjual tisu malam hari (sintetis)",
    }
    values.update(extra)
    return values


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SyntheticCam"  # Make
    exif[0x8825] = {1: "S", 2: (1.0, 16.0, 0.0), 3: "E", 4: (116.0, 50.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def public(client, db):
    return client


def test_the_form_needs_no_account_and_is_in_indonesian(public):
    page = public.get(reverse("reports:new"))
    assert page.status_code == 200 and 'lang="id"' in page.content.decode()


def test_a_report_is_stored_with_only_what_was_typed_and_a_tracking_code(public):
    response = public.post(reverse("reports:new"), data(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    report = Report.objects.get()
    thanks = public.get(response.url).content.decode()
    assert report.tracking_code in thanks
    assert report.reporter_name == "" and report.reporter_phone == ""
    event = AuditEvent.objects.get(kind="reports.received")
    assert event.ip_address is None and "203.0.113.7" not in str(event.__dict__)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seen": []}, "seen"),
        ({"children_count": "0"}, "children_count"),
        ({"youngest_age": "12", "oldest_age": "8"}, "oldest_age"),
        ({"seen_at": "2099-01-01T10:00"}, "seen_at"),
        ({"landmark": ""}, "landmark"),
        ({"latitude": "-6.20000", "longitude": "106.80000"}, "latitude"),
        ({"kelurahan": "99.99.99.9999"}, "kelurahan"),
    ],
)
def test_bad_input_is_refused_with_a_message(public, changes, field):
    response = public.post(reverse("reports:new"), data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Report.objects.exists()


def test_the_honeypot_stores_nothing_but_looks_like_success(public):
    response = public.post(reverse("reports:new"), data(website="http://spam.example"))
    assert response.status_code == 302 and not Report.objects.exists()


def test_one_address_is_limited_per_hour(public, settings):
    settings.KAWAL_REPORT_RATE_PER_HOUR = 3
    for _ in range(3):
        assert (
            public.post(reverse("reports:new"), data(), REMOTE_ADDR="198.51.100.1").status_code
            == 302
        )
    refused = public.post(reverse("reports:new"), data(), REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429 and Report.objects.count() == 3
    other = public.post(reverse("reports:new"), data(), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 302


def test_a_photo_is_rebuilt_without_exif_and_gps(public, settings):
    photo = SimpleUploadedFile("foto.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = public.post(reverse("reports:new"), {**data(), "photo": photo})
    assert response.status_code == 302
    report = Report.objects.get()
    stored = settings.KAWAL_PRIVATE_MEDIA_ROOT / "reports" / report.photo
    with Image.open(stored) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info


def test_an_oversized_or_non_image_file_is_refused(public, settings):
    settings.KAWAL_REPORT_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("besar.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 10))
    assert public.post(reverse("reports:new"), {**data(), "photo": big}).status_code == 400
    pdf = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert public.post(reverse("reports:new"), {**data(), "photo": pdf}).status_code == 400
    assert not Report.objects.exists()


def test_the_tracking_page_shows_a_status_and_nothing_else(public):
    public.post(reverse("reports:new"), data())
    report = Report.objects.get()
    report.status = ReportStatus.IN_PROGRESS
    report.save()
    page = public.post(reverse("reports:track"), {"code": report.tracking_code.lower()})
    body = page.content.decode()
    assert "Sedang ditangani" in body or "Being handled" in body
    assert LANDMARK not in body and "sintetis" not in body.lower().replace("data sintetis", "")
    unknown = public.post(reverse("reports:track"), {"code": "ZZZZZ-ZZZZZ"})
    assert unknown.status_code == 200 and unknown.context["status"] is None
    odd = public.post(reverse("reports:track"), {"code": "<script>'"})
    assert odd.status_code == 200 and odd.context["status"] is None
