from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.cases.models import Attachment
from kawal.core.uploads import open_private
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SyntheticPhoneMaker"
    exif.get_ifd(0x8825).update({1: "S", 2: (1.0, 15.0, 0.0), 3: "E", 4: (116.0, 50.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(client, case, name, content, data_class="identity"):
    return client.post(
        reverse("cases:attachment_add", kwargs={"case_uuid": case.uuid}),
        {"title": "Foto", "data_class": data_class, "file": SimpleUploadedFile(name, content)},
    )


def test_photo_is_stored_without_exif_outside_the_web_root(world):
    client = Client()
    sign_in(client, world.owner)
    original = jpeg_with_gps()
    assert b"SyntheticPhoneMaker" in original
    response = upload(client, world.case, "foto.jpg", original)
    assert response.status_code == 302
    attachment = Attachment.objects.latest("id")  # the one this test uploaded
    path = open_private(attachment.storage_name, root=settings.KAWAL_PRIVATE_MEDIA_ROOT)
    stored = path.read_bytes()
    assert b"SyntheticPhoneMaker" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert "foto" not in attachment.storage_name
    assert str(path).startswith(str(settings.KAWAL_PRIVATE_MEDIA_ROOT))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("gambar.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("surat.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
        ("program.jpg", b"\x7fELF" + b"0" * 100),
        ("halaman.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_wrong_types_are_refused_with_a_message(world, name, content):
    client = Client()
    sign_in(client, world.owner)
    before = Attachment.objects.count()
    response = upload(client, world.case, name, content)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() or "alert" in response.content.decode()
    assert Attachment.objects.count() == before  # nothing stored


def test_oversized_files_are_refused(world, settings):
    settings.KAWAL_ATTACHMENT_MAX_MB = 1
    client = Client()
    sign_in(client, world.owner)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024) + b"\n%%EOF\n"
    before = Attachment.objects.count()
    response = upload(client, world.case, "besar.pdf", big)
    assert response.status_code == 400
    assert Attachment.objects.count() == before  # nothing stored


def test_download_is_checked_logged_and_forced_as_attachment(world):
    client = Client()
    sign_in(client, world.owner)
    upload(client, world.case, "foto.jpg", jpeg_with_gps())
    attachment = Attachment.objects.latest("id")  # the one this test uploaded
    url = reverse(
        "cases:attachment_download",
        kwargs={"case_uuid": world.case.uuid, "attachment_uuid": attachment.uuid},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "image/jpeg"
    assert "sandbox" in response["Content-Security-Policy"]
    assert AccessLog.objects.filter(action="download", case_id=world.case.pk).count() == 1
    # A finance officer's part of the case does not include identity documents.
    finance = make_user(Role.FINANCE_OFFICER)
    outsider = Client()
    sign_in(outsider, finance)
    assert outsider.get(url).status_code == 404
    # Static and media URLs never expose the file.
    assert Client().get(f"/static/{attachment.storage_name}").status_code == 404


def test_a_class_the_reader_may_not_see_is_not_downloadable(world):
    client = Client()
    sign_in(client, world.psychologist)
    upload(client, world.case, "asesmen.jpg", jpeg_with_gps(), data_class="clinical")
    attachment = Attachment.objects.latest("id")  # the one this test uploaded
    url = reverse(
        "cases:attachment_download",
        kwargs={"case_uuid": world.case.uuid, "attachment_uuid": attachment.uuid},
    )
    owner = Client()
    sign_in(owner, world.owner)
    assert owner.get(url).status_code == 404
    assert client.get(url).status_code == 200
