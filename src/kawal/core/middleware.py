"""Request-wide safety nets that do not belong to any one domain."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template import loader

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Tag each request with an id that audit rows and log lines can share.

    An id set by the trusted front proxy is kept only when it looks like one,
    so a client cannot inject text into the audit trail through it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """Pages about children must not linger in a shared phone's browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its declared length, before reading any of it.

    Django limits form fields in memory but spools uploaded files to disk
    whatever their size; without this an anonymous visitor of the public
    form could fill the disk.

    The refusal is made in ``process_view``, which Django calls inside every
    middleware's ``__call__``: the 413 page then passes back out through all of
    them and gets the language, CSP, frame, cache and request-id headers of any
    other page. No middleware reads the body before a view (CSRF reads it in
    its own ``process_view``, listed after this one). Closing the connection
    is left to the server: a WSGI application may not send hop-by-hop headers
    such as ``Connection`` (PEP 3333), and wsgiref answers 500 if it does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.KAWAL_MAX_REQUEST_BYTES:
            body = loader.get_template("413.html").render({}, request)
            return HttpResponse(body, status=413)
        if _has_nul(request):
            request.GET = _without_nul(request)  # type: ignore[assignment]
        return None


def _has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
    )


def _without_nul(request: HttpRequest) -> QueryDict:
    """The query parameters with every NUL taken out.

    A NUL is never meant, and PostgreSQL refuses it in any text: whichever
    filter passed one on would answer 500. Taking it out once here lets every
    page treat what is left as it treats any other odd value (form bodies
    are checked by the forms themselves: Django's CharField refuses NUL).
    """
    cleaned = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    return cleaned
