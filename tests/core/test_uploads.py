"""Uploaded attachments: type checks, metadata stripping, PDF screening, private storage."""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from kawal.core.uploads import (
    MAX_NAME_LENGTH,
    CleanFile,
    UploadRejected,
    clean_upload,
    open_private,
    store_private,
)

MAX = 5 * 1024 * 1024
EXIF_MAKE, EXIF_MODEL, EXIF_ORIENTATION, EXIF_GPS_IFD = 0x010F, 0x0110, 0x0112, 0x8825


# Builders -----------------------------------------------------------------------------


def jpeg_bytes(size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", **save)
    return out.getvalue()


def png_bytes(image: Image.Image | None = None, **save: object) -> bytes:
    out = io.BytesIO()
    (image or Image.new("RGBA", (32, 16), (0, 128, 0, 200))).save(out, format="PNG", **save)
    return out.getvalue()


def pdf_bytes(*objects: bytes, trailer_extra: bytes = b"") -> bytes:
    """A small but well-formed PDF, with a correct cross-reference table."""
    bodies = objects or (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(bodies) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def raw_stream(data: bytes) -> bytes:
    return b"<< /Filter /FlateDecode >>\nstream\n%s\nendstream" % data


def fake_endstream_deflate(payload: bytes) -> bytes:
    """zlib data whose first block is stored and spells "endstream" in clear text."""
    decoy = b"endstream\n"
    stored = (
        b"\x00" + len(decoy).to_bytes(2, "little") + (len(decoy) ^ 0xFFFF).to_bytes(2, "little")
    )
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    rest = compressor.compress(payload) + compressor.flush()
    checksum = zlib.adler32(decoy + payload).to_bytes(4, "big")
    return b"\x78\xda" + stored + decoy + rest + checksum


def bad_checksum(data: bytes) -> bytes:
    return data[:-4] + bytes(byte ^ 0xFF for byte in data[-4:])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def rejected(name: str, content: bytes, max_bytes: int = MAX) -> str:
    with pytest.raises(UploadRejected) as excinfo:
        clean_upload(upload(name, content), max_bytes=max_bytes)
    return str(excinfo.value.code)


def reopen(clean: CleanFile) -> Image.Image:
    image = Image.open(io.BytesIO(clean.content))
    image.load()
    return image


# Images -------------------------------------------------------------------------------


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[EXIF_MAKE] = "SecretMake"
    exif[EXIF_MODEL] = "SecretModel"
    exif[EXIF_GPS_IFD] = {
        1: "S",
        2: (6.0, 10.0, 30.0),
        3: "E",
        4: (106.0, 49.0, 12.0),
    }
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    return exif


def test_jpeg_loses_exif_and_gps_but_keeps_its_size() -> None:
    raw = jpeg_bytes((64, 48), exif=gps_exif(), comment=b"secret-comment")
    # The fixture must really carry what we expect to be removed.
    original = Image.open(io.BytesIO(raw))
    assert original.getexif().get_ifd(EXIF_GPS_IFD)[1] == "S"
    assert b"SecretMake" in raw

    clean = clean_upload(upload("IMG_0001.jpg", raw), max_bytes=MAX)

    image = reopen(clean)
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(EXIF_GPS_IFD)
    assert "exif" not in image.info
    assert "comment" not in image.info
    for marker in (b"Exif", b"GPS", b"SecretMake", b"SecretModel", b"secret-comment"):
        assert marker not in clean.content
    assert clean.content_type == "image/jpeg"
    assert clean.extension == ".jpg"
    assert clean.original_name == "IMG_0001.jpg"
    assert clean.size == len(clean.content)
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()


def test_jpeg_orientation_is_applied_to_the_pixels() -> None:
    raw = jpeg_bytes((40, 20), exif=gps_exif(orientation=6))

    image = reopen(clean_upload(upload("sideways.JPEG", raw), max_bytes=MAX))

    assert image.size == (20, 40)
    assert len(image.getexif()) == 0


def test_icc_profile_is_dropped() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = jpeg_bytes(icc_profile=icc)
    assert "icc_profile" in Image.open(io.BytesIO(raw)).info

    image = reopen(clean_upload(upload("p.jpg", raw), max_bytes=MAX))

    assert "icc_profile" not in image.info


def test_cmyk_jpeg_becomes_rgb() -> None:
    out = io.BytesIO()
    Image.new("CMYK", (10, 10), (0, 255, 255, 0)).save(out, format="JPEG")

    image = reopen(clean_upload(upload("scan.jpg", out.getvalue()), max_bytes=MAX))

    assert image.mode == "RGB"


def test_png_text_chunks_and_exif_are_removed() -> None:
    info = PngInfo()
    info.add_text("Comment", "secret-marker")
    info.add_text("Author", "secret-author", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "secret-xmp")
    raw = png_bytes(pnginfo=info, exif=gps_exif())
    assert b"secret-marker" in raw

    clean = clean_upload(upload("screen.png", raw), max_bytes=MAX)

    image = reopen(clean)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.size == (32, 16)
    assert image.getpixel((0, 0)) == (0, 128, 0, 200)
    assert len(image.getexif()) == 0
    assert not {"Comment", "Author", "XML:com.adobe.xmp", "exif"} & set(image.info)
    for marker in (b"secret-marker", b"secret-author", b"secret-xmp", b"tEXt", b"eXIf"):
        assert marker not in clean.content
    assert clean.content_type == "image/png"
    assert clean.extension == ".png"


@pytest.mark.parametrize("mode", ["1", "L", "LA", "RGB", "P", "I;16"])
def test_png_modes_survive(mode: str) -> None:
    image = Image.new(mode, (8, 8))
    if mode == "P":
        image.putpalette([255, 0, 0, 0, 0, 255])
        image.putpixel((1, 1), 1)

    cleaned = reopen(clean_upload(upload("x.png", png_bytes(image)), max_bytes=MAX))

    assert cleaned.size == (8, 8)
    if mode == "P":
        assert cleaned.mode == "P"
        assert cleaned.convert("RGB").getpixel((1, 1)) == (0, 0, 255)


def test_palette_transparency_is_kept() -> None:
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 255, 255, 0, 0, 0])
    image.putpixel((0, 0), 1)

    cleaned = reopen(clean_upload(upload("t.png", png_bytes(image, transparency=0)), max_bytes=MAX))

    rgba = cleaned.convert("RGBA")
    assert rgba.getpixel((1, 1)) == (255, 255, 255, 0)
    assert rgba.getpixel((0, 0)) == (0, 0, 0, 255)


@pytest.mark.parametrize(
    "size",
    [
        (7000, 6000),  # 42 MP: over our limit, under Pillow's own
        (10000, 10000),  # 100 MP: Pillow warns
        (20000, 10000),  # 200 MP: Pillow refuses outright
    ],
)
def test_decompression_bomb_is_too_big(size: tuple[int, int]) -> None:
    raw = png_bytes(Image.new("1", size))
    assert len(raw) < 100_000  # tiny on disk, huge in memory

    assert rejected("bomb.png", raw) == "upload_image_too_big"


def test_corrupt_jpeg() -> None:
    garbage = bytes(range(256)) * 40
    assert rejected("broken.jpg", b"\xff\xd8\xff" + garbage) == "upload_corrupt"


def test_truncated_jpeg() -> None:
    raw = jpeg_bytes((400, 300))
    assert rejected("half.jpg", raw[: len(raw) // 2]) == "upload_corrupt"


def test_png_with_bad_checksum() -> None:
    raw = bytearray(png_bytes())
    idat = raw.index(b"IDAT")
    raw[idat + 6] ^= 0xFF
    assert rejected("bad.png", bytes(raw)) == "upload_corrupt"


# PDF ----------------------------------------------------------------------------------


def test_minimal_pdf_is_kept_byte_for_byte() -> None:
    raw = pdf_bytes()

    clean = clean_upload(upload("Laporan Polisi.PDF", raw), max_bytes=MAX)

    assert clean.content == raw
    assert clean.content_type == "application/pdf"
    assert clean.extension == ".pdf"
    assert clean.original_name == "Laporan Polisi.PDF"
    assert clean.size == len(raw)
    assert clean.sha256 == hashlib.sha256(raw).hexdigest()


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"
FILLER = b" ".join(b"%d" % number for number in range(3000))
TRUNCATED = zlib.compress(b"1 0 " + JS_ACTION + FILLER)[:2000]


@pytest.mark.parametrize(
    "objects",
    [
        pytest.param(
            (
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
                b"<< /Type /Pages >>",
                JS_ACTION,
            ),
            id="open-action-javascript",
        ),
        pytest.param(
            (b"<< /Type /Catalog /Names << /JS 2 0 R >> >>", b"(x)"),
            id="bare-js-key",
        ),
        pytest.param(
            (b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>",),
            id="launch",
        ),
        pytest.param(
            (b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>", b"<< >>"),
            id="embedded-files",
        ),
        pytest.param(
            (b"<< /Type /Catalog >>", stream(b"MZ\x90\x00", b" /Type /EmbeddedFile")),
            id="embedded-file-stream",
        ),
        pytest.param(
            (b"<< /Type /Filespec /F (a.exe) /EF << /F 2 0 R >> >>", stream(b"MZ")),
            id="embedded-file-without-type",
        ),
        pytest.param(
            (b"<< /Type /Catalog /OpenAction << /S /J#61vaScr#69pt /JS (x) >> >>",),
            id="hex-escaped-name",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog /OpenAction 3 0 R >>",
                b"<< /Type /Pages >>",
                stream(
                    b"3 0 " + JS_ACTION,
                    b" /Type /ObjStm /N 1 /First 4",
                ),
            ),
            id="javascript-in-compressed-object-stream",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog >>",
                stream(b"3 0 << /S /JavaScript /JS 4 0 R >>", b" /Type /ObjStm /N 1 /First 4"),
            ),
            id="object-stream",
        ),
        pytest.param(
            (
                b"<< /Type /Catalog >>",
                stream(b"3 0 << /Names << /JS 9 0 R >> >>", b" /Type /ObjStm /N 1 /First 4"),
            ),
            id="short-name-in-object-stream",
        ),
        pytest.param(
            (b"<< /Type /Catalog >>", raw_stream(fake_endstream_deflate(b"1 0 " + JS_ACTION))),
            id="fake-endstream-inside-compressed-data",
        ),
        pytest.param(
            (b"<< /Type /Catalog >>", raw_stream(bad_checksum(zlib.compress(b"1 0 " + JS_ACTION)))),
            id="compressed-with-wrong-checksum",
        ),
        pytest.param(
            (b"<< /Type /Catalog >>", raw_stream(TRUNCATED)),
            id="compressed-and-truncated",
        ),
    ],
)
def test_pdf_with_active_content_is_refused(objects: tuple[bytes, ...]) -> None:
    assert rejected("evil.pdf", pdf_bytes(*objects)) == "upload_pdf_active"


def test_fixtures_hide_javascript_from_a_plain_byte_search() -> None:
    # Otherwise the compressed cases above would prove nothing.
    for data in (
        fake_endstream_deflate(b"1 0 " + JS_ACTION),
        bad_checksum(zlib.compress(b"1 0 " + JS_ACTION)),
        stream(b"3 0 " + JS_ACTION),
        TRUNCATED,
    ):
        assert b"JavaScript" not in data
    assert b"endstream" in fake_endstream_deflate(b"x")
    assert zlib.decompress(fake_endstream_deflate(b"1 0 x")) == b"endstream\n1 0 x"
    assert b"/JavaScript" in zlib.decompressobj().decompress(TRUNCATED)


def test_pdf_without_eof_marker_is_refused() -> None:
    raw = pdf_bytes()
    assert rejected("cut.pdf", raw[: raw.rindex(b"%%EOF")]) == "upload_corrupt"


def test_pdf_with_eof_marker_far_from_the_end_is_refused() -> None:
    assert rejected("padded.pdf", pdf_bytes() + b" " * 2000) == "upload_corrupt"


def test_pdf_binary_streams_do_not_trip_the_short_names() -> None:
    # Compressed or JPEG data hits "/JS" by chance about once per 16 MB; that must
    # not make an ordinary scan unacceptable.
    image_data = b"\xff\xd8\xff\xe0" + b"\x00/JS\x00/EF " * 50 + b"\xff\xd9"
    content = zlib.compress(b"q 100 0 0 100 0 0 cm /Im0 Do Q /JS /EF")
    raw = pdf_bytes(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        stream(image_data, b" /Subtype /Image /Filter /DCTDecode", compress=False),
        stream(content),
    )

    assert clean_upload(upload("scan.pdf", raw), max_bytes=MAX).content == raw


# Types and names ----------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><script>alert(1)</script></html>"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("drawing.svg", SVG, "upload_type"),
        ("drawing.jpg", SVG, "upload_type"),
        ("page.html", HTML, "upload_type"),
        ("page.pdf", HTML, "upload_type"),
        ("anim.gif", GIF, "upload_type"),
        ("anim.png", GIF, "upload_type"),
        ("photo.jpg", ELF, "upload_type"),
        ("photo", jpeg_bytes(), "upload_type"),
        ("photo.", jpeg_bytes(), "upload_type"),
        (".jpg", jpeg_bytes(), "upload_type"),
        ("photo.jpg.exe", jpeg_bytes(), "upload_type"),
        ("screen.pdf", png_bytes(), "upload_mismatch"),
        ("photo.png", jpeg_bytes(), "upload_mismatch"),
        ("report.jpg", pdf_bytes(), "upload_mismatch"),
        # The NUL must not hide the real suffix from the check.
        ("photo.png\x00.pdf", png_bytes(), "upload_mismatch"),
    ],
)
def test_wrong_types_are_refused(name: str, content: bytes, code: str) -> None:
    assert rejected(name, content) == code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\ibu\\Pictures\\foto anak.jpg", "foto anak.jpg"),
        ("bukti\x00.jpg", "bukti.jpg"),
        ("line\nbreak\r\n.jpg", "line break .jpg"),
        ("  spaced   out .jpg  ", "spaced out .jpg"),
        ("invoice\u202egpj.exe.jpg", "invoicegpj.exe.jpg"),
    ],
)
def test_original_name_is_made_safe(name: str, expected: str) -> None:
    clean = clean_upload(upload(name, jpeg_bytes()), max_bytes=MAX)
    assert clean.original_name == expected


def test_long_original_name_is_cut_but_keeps_its_extension() -> None:
    clean = clean_upload(upload("a" * 300 + ".jpeg", jpeg_bytes()), max_bytes=MAX)

    assert len(clean.original_name) == MAX_NAME_LENGTH
    assert clean.original_name == "a" * (MAX_NAME_LENGTH - 5) + ".jpeg"


# Sizes --------------------------------------------------------------------------------


def test_empty_file() -> None:
    assert rejected("empty.pdf", b"") == "upload_empty"


def test_exactly_max_bytes_is_accepted() -> None:
    raw = pdf_bytes()
    assert clean_upload(upload("a.pdf", raw), max_bytes=len(raw)).content == raw


def test_one_byte_over_is_refused() -> None:
    raw = pdf_bytes()
    with pytest.raises(UploadRejected) as excinfo:
        clean_upload(upload("a.pdf", raw), max_bytes=len(raw) - 1)
    assert excinfo.value.code == "upload_too_large"
    assert excinfo.value.params == {"max": "0"}


def test_lying_size_is_still_refused() -> None:
    raw = pdf_bytes()
    liar = upload("a.pdf", raw)
    liar.size = 10

    with pytest.raises(UploadRejected) as excinfo:
        clean_upload(liar, max_bytes=len(raw) - 1)

    assert excinfo.value.code == "upload_too_large"


class CountingBytesIO(io.BytesIO):
    """A real in-memory file that remembers how much was read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_huge_file_with_lying_size_is_not_read_in_full() -> None:
    body = CountingBytesIO(b"%PDF-" + b"x" * 3_000_000)
    liar = InMemoryUploadedFile(body, "file", "big.pdf", "application/pdf", 10, None)

    with pytest.raises(UploadRejected) as excinfo:
        clean_upload(liar, max_bytes=1000)

    assert excinfo.value.code == "upload_too_large"
    assert body.bytes_read == 1001


def test_message_is_plain_and_filled_in() -> None:
    with pytest.raises(UploadRejected) as excinfo:
        clean_upload(upload("a.pdf", b"x" * 3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    with translation.override("en"):
        assert excinfo.value.messages == ["The file is larger than 2 MB."]
    with translation.override("id"):
        assert excinfo.value.messages == ["Berkas lebih besar dari 2 MB."]


# Private storage ----------------------------------------------------------------------


def clean_pdf() -> CleanFile:
    return clean_upload(upload("a.pdf", pdf_bytes()), max_bytes=MAX)


def test_store_private_writes_owner_only_file_under_random_name(tmp_path: Path) -> None:
    root = tmp_path / "private"
    clean = clean_pdf()

    name = store_private(clean, root=root)

    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", name)
    assert name[:2] == name[3:5]
    path = root / name
    assert path.read_bytes() == clean.content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_same_content_gets_different_names(tmp_path: Path) -> None:
    clean = clean_pdf()

    first = store_private(clean, root=tmp_path)
    second = store_private(clean, root=tmp_path)

    assert first != second
    assert (tmp_path / first).read_bytes() == (tmp_path / second).read_bytes()


def test_open_private_returns_the_stored_file(tmp_path: Path) -> None:
    clean = clean_pdf()
    name = store_private(clean, root=tmp_path)

    path = open_private(name, root=tmp_path)

    assert path == (tmp_path / name).resolve()
    assert path.read_bytes() == clean.content


@pytest.mark.parametrize(
    "name",
    ["", "../x", "/etc/passwd", "ab/../../x", "ab/./x.pdf", "ab//x.pdf", "ab\\x.pdf", "a\x00b"],
)
def test_open_private_refuses_unsafe_names(tmp_path: Path, name: str) -> None:
    (tmp_path / "x").write_bytes(b"outside")
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(FileNotFoundError):
        open_private(name, root=root)


def test_open_private_refuses_missing_files_and_directories(tmp_path: Path) -> None:
    name = store_private(clean_pdf(), root=tmp_path)
    with pytest.raises(FileNotFoundError):
        open_private(name[:3] + "0" * 32 + ".pdf", root=tmp_path)
    with pytest.raises(FileNotFoundError):
        open_private(name[:2], root=tmp_path)


def test_open_private_refuses_symlinks_out_of_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.pdf"
    secret.write_bytes(b"not yours")
    root = tmp_path / "root"
    (root / "ab").mkdir(parents=True)
    os.symlink(secret, root / "ab" / "link.pdf")
    os.symlink(outside, root / "cd")

    for name in ("ab/link.pdf", "cd/secret.pdf"):
        with pytest.raises(FileNotFoundError):
            open_private(name, root=root)


def test_a_rendered_pdf_does_not_make_truncated_photos_acceptable() -> None:
    # WeasyPrint loosens Pillow process-wide when it is imported; uploads stay strict.
    from kawal.core.pdf import html_to_pdf

    assert html_to_pdf("<p>x</p>").startswith(b"%PDF")
    raw = jpeg_bytes((400, 300))
    assert rejected("half.jpg", raw[: len(raw) // 2]) == "upload_corrupt"
