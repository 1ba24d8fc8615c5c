"""Fail closed: when a read cannot be logged, the reader gets an error, not the data.

Refusals are logged here too: every ``PermissionDenied`` a view raises for a
signed-in user becomes a DENIED row, so a view that refuses by role or
capability cannot forget to log it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader

from kawal.access.log import AccessLogUnavailable, access_log_write
from kawal.access.models import AccessAction


def _unavailable(request: HttpRequest) -> HttpResponse:
    body = loader.get_template("503_access_log.html").render({}, request)
    return HttpResponse(body, status=503)


class AccessLogFailClosedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AccessLogUnavailable):
            return _unavailable(request)
        if isinstance(exception, PermissionDenied):
            return self._log_refusal(request)
        return None

    def _log_refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        # An anonymous visitor has no account to name; the row would belong to
        # nobody (and its user column cannot be empty).
        if user is None or not user.is_authenticated:
            return None
        try:
            access_log_write(request, action=AccessAction.DENIED)
        except AccessLogUnavailable:
            return _unavailable(request)
        # Django goes on to the 403 handler, as without this middleware.
        return None
