"""Make an uploaded case attachment safe before it is stored.

Case files are read by staff of several agencies, often on phones, and may end up
in court bundles. An attachment must therefore be exactly one of a few boring
formats, must not leak where or on which device a photo was taken, and must not
carry anything a viewer could execute.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import secrets
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_IMAGE_PIXELS = 40_000_000
MAX_NAME_LENGTH = 150
JPEG_QUALITY = 85

_READ_CHUNK = 64 * 1024
_MB = 1024 * 1024


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    extension: str
    original_name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extension: str
    magic: bytes
    name_extensions: frozenset[str]
    pil_format: str  # the only Pillow plugin allowed to parse it (PDFs never reach Pillow)


_PDF = _Kind("application/pdf", ".pdf", b"%PDF-", frozenset({".pdf"}), "PDF")
_JPEG = _Kind("image/jpeg", ".jpg", b"\xff\xd8\xff", frozenset({".jpg", ".jpeg"}), "JPEG")
_PNG = _Kind("image/png", ".png", b"\x89PNG\r\n\x1a\n", frozenset({".png"}), "PNG")
_KINDS = (_PDF, _JPEG, _PNG)
_KIND_BY_NAME_EXTENSION = {ext: kind for kind in _KINDS for ext in kind.name_extensions}

_MESSAGES: dict[str, StrOrPromise] = {
    "upload_empty": _("The file is empty. Please choose it again."),
    "upload_too_large": _("The file is larger than %(max)s MB."),
    "upload_type": _("Only PDF, JPEG and PNG files can be attached."),
    "upload_mismatch": _(
        "The file is not what its name says. Only PDF, JPEG and PNG files can be attached."
    ),
    "upload_image_too_big": _(
        "The picture has too many pixels (more than %(max)s megapixels). "
        "Please send a smaller photo."
    ),
    "upload_corrupt": _("The file is damaged and cannot be opened. Please try another copy."),
    "upload_pdf_active": _(
        "This PDF contains scripts or attached files, so it cannot be added to a case. "
        "Please print it to a new PDF or scan the paper copy."
    ),
}


class UploadRejected(ValidationError):
    """A ValidationError so that forms show it next to the file field as usual."""


def _reject(code: str, **params: object) -> UploadRejected:
    # Built here rather than in an __init__ of its own, so the exception keeps
    # ValidationError's signature and still pickles and copies like one.
    return UploadRejected(_MESSAGES[code], code=code, params=params or None)


def clean_upload(uploaded: UploadedFile, *, max_bytes: int) -> CleanFile:
    """Check an upload and return what may be stored, or raise UploadRejected."""
    original_name = _display_name(uploaded.name)
    # Decided from the cleaned name so that a NUL or newline cannot hide the real suffix.
    expected = _KIND_BY_NAME_EXTENSION.get(os.path.splitext(original_name)[1].lower())
    if expected is None:
        raise _reject("upload_type")

    # The declared size is only a cheap early exit; it comes from the client.
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise _too_large(max_bytes)
    data = _read_at_most(uploaded, max_bytes + 1)
    if not data:
        raise _reject("upload_empty")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)

    actual = next((kind for kind in _KINDS if data.startswith(kind.magic)), None)
    if actual is None:
        raise _reject("upload_type")
    if actual is not expected:
        raise _reject("upload_mismatch")

    if actual is _PDF:
        _check_pdf(data)
        content = data
    else:
        content = _reencode_image(data, actual)

    return CleanFile(
        content=content,
        content_type=actual.content_type,
        extension=actual.extension,
        original_name=original_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def store_private(clean: CleanFile, *, root: Path) -> str:
    """Write the file under a random name below root and return that relative name.

    The user's file name never touches the file system: it is display text only.
    """
    token = secrets.token_hex(16)
    fan_out = token[:2]
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory = root / fan_out
    directory.mkdir(mode=0o700, exist_ok=True)
    path = directory / f"{token}{clean.extension}"
    # O_EXCL: a case file is evidence; never replace one, even on a (theoretical) name clash.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(clean.content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return f"{fan_out}/{token}{clean.extension}"


def open_private(name: str, *, root: Path) -> Path:
    """Return the path of a stored file, refusing any name that points outside root.

    Names come from the database, but treat them as hostile anyway: a bad row must
    not become a way to read arbitrary files.
    """
    parts = name.split("/")
    if (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise FileNotFoundError(name)
    base = root.resolve(strict=True)
    # resolve() follows symlinks, so a link inside root that points elsewhere is caught here.
    target = base.joinpath(*parts).resolve(strict=True)
    if target == base or not target.is_relative_to(base) or not target.is_file():
        raise FileNotFoundError(name)
    return target


def private_download(path: Path, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download, never rendered: an attachment in a sandbox."""
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _too_large(max_bytes: int) -> UploadRejected:
    megabytes = f"{max_bytes / _MB:.1f}".removesuffix(".0")
    return _reject("upload_too_large", max=megabytes)


def _read_at_most(uploaded: UploadedFile, limit: int) -> bytes:
    # Count what actually arrives: a wrong uploaded.size must not let a big file through,
    # and reading stops one byte past the limit so a huge file is never held in memory.
    uploaded.seek(0)
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = uploaded.read(min(_READ_CHUNK, limit - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def _display_name(name: str | None) -> str:
    """Reduce the user's file name to something safe to show and to put in a header."""
    text = unicodedata.normalize("NFC", name or "")
    # Browsers on Windows have been known to send the full client path.
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(" " if char.isspace() else char for char in text)
    # Category C covers control characters and also the invisible bidi overrides that
    # make "invoice\u202egpj.exe" display as "invoiceexe.jpg".
    text = "".join(char for char in text if not unicodedata.category(char).startswith("C"))
    text = " ".join(text.split())
    if text in ("", ".", ".."):
        return ""
    if len(text) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(text)
        if len(extension) > 10:
            stem, extension = text, ""
        text = stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension
    return text


# Images ----------------------------------------------------------------------------

_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})


def _reencode_image(data: bytes, kind: _Kind) -> bytes:
    formats = (kind.pil_format,)
    try:
        # Only the plugin for the sniffed format may parse the bytes.
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            _check_pixels(probe.size)
            probe.verify()
        # verify() leaves the image unusable, so decode from a fresh parser.
        with Image.open(io.BytesIO(data), formats=formats) as image:
            _check_pixels(image.size)
            image.load()
            upright = ImageOps.exif_transpose(image)
            fresh = _pixels_only(upright, kind)
        out = io.BytesIO()
        if kind is _JPEG:
            fresh.save(out, format="JPEG", quality=JPEG_QUALITY)
        else:
            fresh.save(out, format="PNG")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning only arrives as an exception where warnings are errors (the tests);
        # elsewhere _check_pixels rejects the image before any pixel is decoded.
        raise _reject("upload_image_too_big", max=MAX_IMAGE_PIXELS // 1_000_000) from exc
    except UploadRejected:
        raise
    except Exception as exc:
        # Pillow's decoders raise many unrelated types (OSError, SyntaxError, ValueError,
        # struct.error, ...) on hostile input; all of them mean "do not trust this file".
        raise _reject("upload_corrupt") from exc
    return out.getvalue()


def _check_pixels(size: tuple[int, int]) -> None:
    # Checked by us rather than through the process-wide Image.MAX_IMAGE_PIXELS, which is
    # shared with every other Pillow user and sits at about 89 megapixels by default.
    width, height = size
    if width <= 0 or height <= 0:
        raise _reject("upload_corrupt")
    if width * height > MAX_IMAGE_PIXELS:
        raise _reject("upload_image_too_big", max=MAX_IMAGE_PIXELS // 1_000_000)


def _pixels_only(image: Image.Image, kind: _Kind) -> Image.Image:
    """Copy just the pixels into a new image, leaving every metadata block behind.

    Copying (rather than saving with exif=None) means nothing in image.info - EXIF,
    GPS, XMP, ICC profile, PNG text chunks, JPEG comments - can reach the encoder.
    """
    if kind is _JPEG:
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif "transparency" in image.info:
        # tRNS lives in image.info and would be lost by the copy below.
        image = image.convert("RGBA")
    elif image.mode not in _PNG_MODES:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")

    fresh = Image.new(image.mode, image.size)
    if image.mode == "P":
        fresh.putpalette(image.getpalette() or [])
    fresh.paste(image, (0, 0))
    return fresh


# PDF -------------------------------------------------------------------------------

# Names that start scripts, launch programs or carry embedded files. /EF is included
# because the /Type /EmbeddedFile entry of an attached file is optional.
_PDF_ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"EF"}
)
# A 3-byte "/JS" turns up about once per 16 MB of random data, so short names are only
# looked for where PDF syntax is plain text; otherwise scanned PDFs would be refused at
# random. Every script action needs /S /JavaScript, which the long names still catch.
_PDF_LONG_NAMES = frozenset(name for name in _PDF_ACTIVE_NAMES if len(name) > 4)

# Only names that could be one of the above (J, L or E, maybe #xx-escaped) are pulled out,
# which keeps the scan of name-heavy page content fast.
_PDF_NAME = re.compile(rb"/((?:[JLE]|#[0-9A-Fa-f]{2})[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_OBJECT_STREAM_HEADER = re.compile(rb"\s*\d+\s+\d+\s")
_PDF_EOF_WINDOW = 1024
_PDF_INFLATE_CHUNK = _MB
# Small, because a damaged piece is replayed byte by byte.
_PDF_FEED = 16 * 1024
_PDF_HEAD = 16
_PDF_OVERLAP = 64  # longer than any forbidden name written fully with #xx escapes


def _check_pdf(data: bytes) -> None:
    # A PDF without %%EOF near the end was cut off in transfer.
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise _reject("upload_corrupt")
    if _pdf_has_active_content(data):
        raise _reject("upload_pdf_active")


def _pdf_has_active_content(data: bytes) -> bool:
    """Best-effort search for active content; no substitute for a real PDF parser.

    Modern writers put most objects in compressed object streams, so a plain byte
    search would miss nearly every real script. Names may also be spelt with #xx
    escapes (/J#61vaScript). Files are still served as downloads, never rendered
    inline, so this is one layer, not the only one.
    """
    if _pdf_has_name(data, _PDF_LONG_NAMES, 0, len(data)):
        return True
    budget = _InflateBudget()
    position = 0
    while True:
        match = _PDF_STREAM.search(data, position)
        syntax_end = match.start() if match else len(data)
        if _pdf_has_name(data, _PDF_ACTIVE_NAMES, position, syntax_end):
            return True
        if match is None:
            return False
        if _pdf_stream_is_active(data, match.end(), budget):
            return True
        end = data.find(b"endstream", match.end())
        if end < 0:
            return False
        position = end + len(b"endstream")


@dataclass
class _InflateBudget:
    # Object streams hold the file's real dictionaries and must be read in full; no
    # honest file needs more than this, so running out counts as hostile.
    object_streams: int = 64 * _MB
    # Images, fonts and page content are scanned only as an extra precaution and may
    # legitimately be large (think Flate-compressed scans), so running out just stops.
    other_streams: int = 256 * _MB


def _pdf_stream_is_active(data: bytes, start: int, budget: _InflateBudget) -> bool:
    """Inflate the stream at start, if it is zlib data, and look for active names.

    zlib itself finds the end of the data, so a fake "endstream" cannot cut the scan short.
    """
    chunks = _inflate(data, start)
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= _PDF_HEAD:
            break
    else:
        return _pdf_has_name(head, _PDF_ACTIVE_NAMES, 0, len(head))
    # An object stream starts with "number offset" pairs and holds PDF dictionaries,
    # so it gets the full check.
    is_object_stream = bool(_PDF_OBJECT_STREAM_HEADER.match(head))
    wanted = _PDF_ACTIVE_NAMES if is_object_stream else _PDF_LONG_NAMES
    tail = b""
    for chunk in itertools.chain((head,), chunks):
        if is_object_stream:
            budget.object_streams -= len(chunk)
            if budget.object_streams < 0:
                return True
        else:
            budget.other_streams -= len(chunk)
            if budget.other_streams < 0:
                return False
        window = tail + chunk
        if _pdf_has_name(window, wanted, 0, len(window)):
            return True
        tail = window[-_PDF_OVERLAP:]
    return False


def _inflate(data: bytes, start: int) -> Iterator[bytes]:
    """Yield the zlib data at start inflated: first just enough to classify the stream."""
    inflater = zlib.decompressobj()
    position = start
    produced = 0
    while not inflater.eof:
        pending = inflater.unconsumed_tail
        if not pending:
            if position >= len(data):
                return
            pending = data[position : position + _PDF_FEED]
            position += len(pending)
        size = _PDF_HEAD - produced if produced < _PDF_HEAD else _PDF_INFLATE_CHUNK
        before = inflater.copy()
        try:
            chunk = inflater.decompress(pending, size)
        except zlib.error:
            # zlib throws away all a failing call produced, but lenient readers use the
            # data before the damage (or a wrong checksum), so replay up to that point.
            yield from _inflate_until_error(before, pending)
            return
        produced += len(chunk)
        if chunk:
            yield chunk


def _inflate_until_error(inflater: zlib._Decompress, pending: bytes) -> Iterator[bytes]:
    for index in range(len(pending)):
        try:
            chunk = inflater.decompress(pending[index : index + 1])
        except zlib.error:
            return
        if chunk:
            yield chunk


def _pdf_has_name(data: bytes, wanted: frozenset[bytes], start: int, end: int) -> bool:
    for match in _PDF_NAME.finditer(data, start, end):
        name = match.group(1)
        if b"#" in name:
            name = _PDF_NAME_ESCAPE.sub(lambda hexa: bytes([int(hexa.group(1), 16)]), name)
        if name in wanted:
            return True
    return False
