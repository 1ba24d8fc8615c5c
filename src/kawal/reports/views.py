"""The public report form and the tracking page: no account, nothing about any child."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kawal.core.net import client_ip
from kawal.reports import services as svc
from kawal.reports.forms import PublicReportForm, TrackForm

SESSION_CODE = "reports.last_code"


def _apply(form: PublicReportForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@login_not_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Counted once the form is complete: a person correcting mistakes is not blocked.
        try:
            svc.rate_check(client_ip(request) or "unknown")
        except svc.TooManyReports:
            return render(request, "reports/too_many.html", status=429)
        if form.cleaned_data["website"]:
            # A bot: answer as if all went well, keep nothing.
            return redirect("reports:thanks")
        try:
            report = svc.report_receive(form.report())
        except ValidationError as error:
            _apply(form, error)
        else:
            request.session[SESSION_CODE] = report.tracking_code
            return redirect("reports:thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/new.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET"])
def report_thanks(request: HttpRequest) -> HttpResponse:
    code = request.session.pop(SESSION_CODE, "")
    return render(request, "reports/thanks.html", {"code": code})


@login_not_required
@require_http_methods(["GET", "POST"])
def report_track(request: HttpRequest) -> HttpResponse:
    """POST, so codes stay out of addresses and server logs."""
    form = TrackForm(request.POST or None)
    status = None
    looked_up = False
    if request.method == "POST":
        try:
            svc.rate_check(client_ip(request) or "unknown")
        except svc.TooManyReports:
            return render(request, "reports/too_many.html", status=429)
        if form.is_valid():
            looked_up = True
            status = svc.report_status(form.cleaned_data["code"])
    return render(
        request, "reports/track.html", {"form": form, "status": status, "looked_up": looked_up}
    )
