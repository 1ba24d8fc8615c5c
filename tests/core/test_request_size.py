"""The body-size guard answers 413 on a real WSGI server, with the usual headers.

The Django test client accepts any header; a WSGI server does not. wsgiref
refuses hop-by-hop headers from the application (PEP 3333), so the guard is
exercised here through wsgiref's own server and Django's development server
(a wsgiref subclass, also behind pytest-django's live_server), with the
application wrapped in wsgiref's WSGI validator.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import is_hop_by_hop
from wsgiref.validate import validator

import pytest
from django.core.servers import basehttp
from django.core.wsgi import get_wsgi_application
from django.urls import reverse

pytestmark = pytest.mark.django_db

# What every page carries (see tests/web/test_headers.py); a refusal is a page too.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cache-Control",
)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietRunserverHandler(basehttp.WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(params=["wsgiref", "runserver"])
def wsgi_server(request: pytest.FixtureRequest) -> Iterator[WSGIServer]:
    """wsgiref's reference server, and the one ``kawal runserver`` uses (built on it)."""
    app = validator(get_wsgi_application())
    server: WSGIServer
    if request.param == "wsgiref":
        server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    else:
        server = basehttp.ThreadedWSGIServer(("127.0.0.1", 0), _QuietRunserverHandler)
        server.set_app(app)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def _request(
    server: WSGIServer,
    method: str,
    path: str,
    *,
    declared_length: int | None = None,
    cookie: str = "",
) -> tuple[http.client.HTTPResponse, str]:
    """Send a request whose Content-Length may promise more than is sent.

    The guard decides from the declared length alone, so a few bytes of body
    stand for megabytes; the server must answer without waiting for the rest.
    """
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.putrequest(method, path, skip_host=True)
    connection.putheader("Host", "localhost")
    if cookie:
        connection.putheader("Cookie", cookie)
    body = b""
    if declared_length is not None:
        body = b"description=x"
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(declared_length))
    connection.endheaders(body or None)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response, text


def test_an_oversized_body_gets_413_on_a_wsgi_server(wsgi_server, settings):
    assert settings.KAWAL_MAX_REQUEST_BYTES >= 12 * 1024 * 1024
    response, text = _request(
        wsgi_server,
        "POST",
        reverse("reports:new"),
        declared_length=settings.KAWAL_MAX_REQUEST_BYTES + 1,
    )
    assert response.status == 413, text
    assert "Terlalu besar" in text
    assert "Kiriman Anda terlalu besar" in text
    assert not [name for name, _value in response.getheaders() if is_hop_by_hop(name)]


def test_the_413_page_carries_the_headers_of_every_page(wsgi_server, settings):
    page, _text = _request(wsgi_server, "GET", reverse("accounts:login"))
    assert page.status == 200
    refused, _text = _request(
        wsgi_server,
        "POST",
        reverse("accounts:login"),
        declared_length=settings.KAWAL_MAX_REQUEST_BYTES + 1,
    )
    assert refused.status == 413
    for name in SECURITY_HEADERS:
        assert page.getheader(name), name
        assert refused.getheader(name) == page.getheader(name), name
    assert refused.getheader("Cache-Control") == "no-store"
    assert refused.getheader("X-Frame-Options") == "DENY"
    assert re.fullmatch(r"[A-Za-z0-9-]{8,64}", refused.getheader("X-Request-ID") or "")


def test_the_413_page_follows_the_chosen_language(wsgi_server, settings):
    response, text = _request(
        wsgi_server,
        "POST",
        reverse("reports:new"),
        declared_length=settings.KAWAL_MAX_REQUEST_BYTES + 1,
        cookie=f"{settings.LANGUAGE_COOKIE_NAME}=en",
    )
    assert response.status == 413
    assert "What you sent is too large" in text


def test_a_body_within_the_limit_is_not_refused(wsgi_server, settings):
    settings.KAWAL_MAX_REQUEST_BYTES = 1000
    response, _text = _request(wsgi_server, "POST", reverse("reports:new"), declared_length=13)
    # Without a CSRF token the form is refused, but not for its size.
    assert response.status == 403


def test_an_unknown_address_with_a_large_body_is_not_found(wsgi_server, settings):
    # The guard runs once the address resolves; an unknown one is a 404 and
    # its body is not read either.
    response, _text = _request(
        wsgi_server,
        "POST",
        "/no-such-page/",
        declared_length=settings.KAWAL_MAX_REQUEST_BYTES + 1,
    )
    assert response.status == 404


def test_the_guard_decides_before_anything_reads_the_body(settings):
    # CSRF reads the form in its process_view: the guard's must come first.
    order = settings.MIDDLEWARE
    guard = order.index("kawal.core.middleware.RequestSizeLimitMiddleware")
    assert guard < order.index("django.middleware.csrf.CsrfViewMiddleware")
