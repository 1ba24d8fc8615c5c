"""core.pdf: local fonts, local static files, and never the network."""

from __future__ import annotations

import io
import socket

import pytest
from pypdf import PdfReader

from kawal.core.pdf import (
    FONT_FAMILY,
    RefusedURL,
    html_to_pdf,
    local_only_fetcher_class,
    local_path,
)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_text_is_set_in_the_vendored_font():
    pdf = html_to_pdf("<p>Ringkasan kasus — Ä ą č</p><p><b>tebal</b></p>")
    reader = PdfReader(io.BytesIO(pdf))
    assert "Ringkasan kasus" in reader.pages[0].extract_text()
    names = _fonts(pdf)
    family = FONT_FAMILY.replace(" ", "-")
    assert any(name.endswith(f"+{family}") for name in names), names
    assert any(name.endswith(f"+{family}-Bold") for name in names), names


def test_nothing_is_fetched_from_the_network():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    try:
        html = (
            f'<link rel="stylesheet" href="{url}/a.css">'
            f"<style>@import url({url}/b.css); body {{ background: url({url}/c.png) }}"
            f"@font-face {{ font-family: X; src: url({url}/d.ttf) }}</style>"
            f'<p>teks</p><img src="{url}/e.png"><img src="//127.0.0.1:{port}/f.png">'
        )
        pdf = html_to_pdf(html)
        assert pdf.startswith(b"%PDF")
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody ever connected
    finally:
        server.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/x.png",
        "https://127.0.0.1/x.png",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        "http://kawal-static.invalid/static/../../../etc/passwd",
        "http://kawal-static.invalid/etc/passwd",
        "http://kawal-static.invalid/static/nothing-here.png",
    ],
)
def test_the_fetcher_refuses_anything_but_local_static_files(url):
    assert local_path(url) is None
    with pytest.raises(RefusedURL):
        local_only_fetcher_class()().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls():
    response = local_only_fetcher_class()().fetch(
        "http://kawal-static.invalid/static/kawal/img/icon.svg"
    )
    assert response.read().lstrip().startswith(b"<")
    data = local_only_fetcher_class()().fetch("data:text/plain,halo")
    assert data.read() == b"halo"


def _listening() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    return server


def test_a_local_file_outside_the_static_files_is_never_read(tmp_path):
    marker = tmp_path / "marker.css"
    marker.write_text('body::before { content: "FILE-MARKER-6612"; }')
    html = (
        f'<link rel="stylesheet" href="{marker.as_uri()}">'
        f"<style>@import url({marker.as_uri()});</style>"
        '<p>isi</p><img src="file:///etc/passwd"><object data="file:///etc/passwd"></object>'
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(html_to_pdf(html))).pages)
    assert "isi" in text
    assert "FILE-MARKER-6612" not in text and "root:" not in text


@pytest.mark.django_db
def test_html_typed_into_a_case_is_printed_as_text_and_fetches_nothing(world, tmp_path):
    from django.urls import reverse

    from kawal.access.catalogue import DataClass
    from kawal.cases import services as case_svc
    from tests.exports.conftest import client_for

    marker = tmp_path / "marker.css"
    marker.write_text('body::after { content: "FILE-MARKER-6612"; }')
    server = _listening()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    payload = (
        f'<img src="{url}/n.png"><link rel="stylesheet" href="{marker.as_uri()}">'
        f"<style>@import url({url}/s.css); body {{ background: url({url}/b.png) }}</style>"
        f'<b style="background:url({url}/c.png)">tebal</b>'
    )
    try:
        case_svc.note_add(
            world.case, data_class=DataClass.BASIC, body=payload, acting_user=world.owner
        )
        response = client_for(world.owner).get(
            reverse("exports:case_summary", kwargs={"case_uuid": world.case.uuid})
        )
        assert response.status_code == 200
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody ever connected
    finally:
        server.close()
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "FILE-MARKER-6612" not in text
    assert "<img src=" in text and "@import" in text  # the typed text, as text
