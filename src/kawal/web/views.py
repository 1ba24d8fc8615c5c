"""The shell: home page per role and error pages that say nothing about the data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kawal.access.catalogue import Capability, Role, role_spec
from kawal.access.policy import capabilities_of, may, readable_classes_of, reads_cases
from kawal.web.extensions import home_cards_for


def reach_notes(user: Any) -> list[str | Promise]:
    """What the user really sees, in plain words, beside the classes their role reads.

    The classes alone over-promise: an institution's staff read identity only of
    the children living with them, never a case file; the funding desk sees every
    funded child's case number in the payment lists whatever team they are on.
    """
    notes: list[str | Promise] = []
    if may(user, Capability.CARE_FOR_PLACED):
        notes.append(
            _(
                "Only the children placed with your institution, while they live there: "
                "their name, age and your roster. Not their case file."
            )
        )
    elif reads_cases(user):
        notes.append(
            _(
                "Only on cases you own or supervise, whose team you or your agency are on, "
                "or that were referred to your agency; every look is recorded."
            )
        )
    if may(user, Capability.MANAGE_FUNDING) or may(user, Capability.RECORD_PAYMENT):
        notes.append(
            _(
                "Payment cycles and claims list every funded child by case number, days and "
                "amount, whatever team you are on; names and places stay in the case file."
            )
        )
    if may(user, Capability.CONFIRM_HOME):
        notes.append(
            _("The home visits you are asked to confirm show the family you are asked about.")
        )
    if may(user, Capability.SCHOOL_REENROLMENT):
        notes.append(
            _(
                "On the cases whose team you are on, the schooling pages show the child's name, "
                "age and school, so you know whom you enrol."
            )
        )
    return notes


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    spec = role_spec(user.role)
    cards = home_cards_for(request)
    return render(
        request,
        "web/home.html",
        {
            "role_label": Role(user.role).label if spec else "",
            "role_summary": spec.summary if spec else "",
            "capabilities": capabilities_of(user),
            "data_classes": readable_classes_of(user),
            "reach_notes": reach_notes(user),
            "work": [card for card in cards if card.needs_you],
            "quiet": [card for card in cards if not card.needs_you],
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
