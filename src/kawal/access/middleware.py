"""Fail closed: when a read cannot be logged, the reader gets an error, not the data."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader

from kawal.access.log import AccessLogUnavailable


class AccessLogFailClosedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AccessLogUnavailable):
            body = loader.get_template("503_access_log.html").render({}, request)
            return HttpResponse(body, status=503)
        return None
