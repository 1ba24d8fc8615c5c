"""HTML to PDF with WeasyPrint, never touching the network.

A PDF is rendered on the server from a template that may hold text typed by
people (a name, a note): an ``<img src="http://...">`` or a CSS ``url()`` in
it must not make the server fetch anything (SSRF, and a tracking pixel would
tell a third party that a child's file was opened). The fetcher below serves
only files that ship with the application — the vendored fonts and the apps'
static files — and ``data:`` URLs; everything else is refused and WeasyPrint
renders without it.

Fonts come from ``core/static/core/fonts`` (DejaVu Sans, subset), declared
with ``@font-face`` as "Kawal Sans", so a machine without any system font
renders the same document. Templates use ``font-family: "Kawal Sans"``; the
base style sheet makes it the default.
"""

from __future__ import annotations

import logging
import mimetypes
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "static" / "core" / "fonts"
FONT_FAMILY = "Kawal Sans"

# Relative URLs in a template ("/static/x.png" from {% static %}) are resolved
# against this origin, which is only a name: the fetcher maps it to the static
# finders and never opens a connection (.invalid never resolves anyway).
LOCAL_ORIGIN = "http://kawal-static.invalid/"


class RefusedURL(ValueError):
    """A document asked for something that is not a local static file."""


def _base_css() -> str:
    regular = (FONT_DIR / "DejaVuSans.ttf").as_uri()
    bold = (FONT_DIR / "DejaVuSans-Bold.ttf").as_uri()
    return f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{regular}"); font-weight: normal; }}
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{bold}"); font-weight: bold; }}
@page {{ size: A4; margin: 18mm 15mm; }}
html {{ font-family: "{FONT_FAMILY}", sans-serif; font-size: 10pt; }}
"""


@cache
def _static_roots() -> tuple[Path, ...]:
    roots = [FONT_DIR.parent.parent]  # core/static
    for finder in finders.get_finders():
        storages = getattr(finder, "storages", {}) or {}
        for storage in storages.values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        roots.append(Path(static_root).resolve())
    return tuple(dict.fromkeys(roots))


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def local_path(url: str) -> Path | None:
    """The local static file ``url`` names, or None when it is anything else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        return path if path.is_file() and _inside(path, _static_roots()) else None
    if f"{scheme}://{parts.netloc}/" == LOCAL_ORIGIN:
        prefix = urlsplit(settings.STATIC_URL).path
        if not parts.path.startswith(prefix):
            return None
        relative = unquote(parts.path[len(prefix) :])
        if ".." in Path(relative).parts:
            return None
        found = finders.find(relative)
        if not found:
            return None
        path = Path(found if isinstance(found, str) else found[0]).resolve()
        return path if path.is_file() and _inside(path, _static_roots()) else None
    return None


def _undo_truncated_images() -> None:
    """WeasyPrint's image module sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on
    import; that would let the upload checks (kawal.core.uploads) accept a cut-off
    photo in every process that has rendered a PDF. PDFs only ever load the
    application's own images, so strict decoding costs them nothing."""
    import weasyprint.images  # type: ignore[import-untyped]  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


@cache
def local_only_fetcher_class() -> Any:
    """The fetcher class, built on first use: importing WeasyPrint costs well over
    a second, which every command and worker process would otherwise pay at start."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    _undo_truncated_images()

    class LocalOnlyFetcher(URLFetcher):
        """Serves the application's own static files and data: URLs; refuses the rest."""

        def fetch(self, url: str, headers: object = None) -> Any:
            if urlsplit(url).scheme.lower() == "data":
                # Inline bytes: decoded by urllib's DataHandler, no connection.
                return super().fetch(url, headers)
            path = local_path(url)
            if path is None:
                logger.warning("pdf: refused a resource that is not a local static file")
                raise RefusedURL("only local static files may be used in a PDF")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalOnlyFetcher


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render ``html`` to PDF bytes with the vendored fonts and no network.

    ``base_url`` resolves relative URLs; by default they resolve to the
    application's static files (``{% static %}`` paths work as they are).
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    fetcher = local_only_fetcher_class()()
    _undo_truncated_images()
    fonts = FontConfiguration()
    base = CSS(string=_base_css(), font_config=fonts, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base_url or LOCAL_ORIGIN, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[base], font_config=fonts)
    return bytes(pdf)
