"""The shell: home page per role and error pages that say nothing about the data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from kawal.access.catalogue import Role, role_spec
from kawal.access.policy import capabilities_of, readable_classes_of
from kawal.web.extensions import home_cards_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    spec = role_spec(user.role)
    return render(
        request,
        "web/home.html",
        {
            "role_label": Role(user.role).label if spec else "",
            "role_summary": spec.summary if spec else "",
            "capabilities": capabilities_of(user),
            "data_classes": readable_classes_of(user),
            "cards": home_cards_for(request),
        },
    )


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # No exception text and no request details: an error page must not echo
    # anything an attacker or a bystander could learn from.
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: whatever broke (the database, the session)
    # must not break the error page too.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, "403_csrf.html", 403)
