"""The public report form and the tracking page: no account, nothing about any child."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kawal.access.catalogue import Action, Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may, may_access_class
from kawal.cases.policy import cases_visible_to
from kawal.cases.selectors import pick
from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.core.net import client_ip
from kawal.core.uploads import open_private, private_download
from kawal.outreach.services import operations_visible_to
from kawal.reports import services as svc
from kawal.reports.forms import (
    PublicReportForm,
    ReportCorrectionForm,
    StaffReportForm,
    TrackForm,
)
from kawal.reports.models import Report, ReportStatus, new_tracking_code
from kawal.reports.selectors import (
    TRIAGE_DEFAULT_SORT,
    operations_to_assign,
    triage_queue,
    triage_row,
    triage_sorted,
)
from kawal.web.forms import apply_errors, posted_version
from kawal.web.sorting import Column, chosen_sort, header, sort_keys

SESSION_CODE = "reports.last_code"


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
            # A bot: answer as if all went well, with a code that exists nowhere.
            request.session[SESSION_CODE] = new_tracking_code()
            return redirect("reports:thanks")
        try:
            report = svc.report_receive(form.report())
        except ValidationError as error:
            apply_errors(form, error)
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
            svc.rate_check(client_ip(request) or "unknown", "track")
        except svc.TooManyReports:
            return render(request, "reports/too_many.html", status=429)
        if form.is_valid():
            looked_up = True
            status = svc.report_status(form.cleaned_data["code"])
    return render(
        request, "reports/track.html", {"form": form, "status": status, "looked_up": looked_up}
    )


# --- Triage (staff) ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_take_in(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may(user, Capability.TAKE_REPORT):
        raise PermissionDenied
    form = StaffReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = svc.report_take_in(
                form.report(),
                channel=form.cleaned_data["channel"],
                acting_user=user,
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if may(user, Capability.TRIAGE_REPORTS):
                return redirect("reports:detail", report_uuid=report.uuid)
            request.session[SESSION_CODE] = report.tracking_code
            return redirect("reports:thanks")
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/take_in.html", {"form": form}, status=status)


def _triager(request: HttpRequest) -> Any:
    if not may(request.user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    return request.user


TRIAGE_PAGE_SIZE = 25
# A desk shows the queue as a table sorted by any of these; a phone, as cards.
TRIAGE_COLUMNS = [
    Column(gettext_lazy("Where"), "place"),
    Column(gettext_lazy("Seen"), "seen", first="desc", css="num"),
    # Children and Due hold words ("3 children · …", "Overdue: due …"), so they are
    # not "num" columns: that class keeps a bare number on one line.
    Column(gettext_lazy("Children"), "children", first="desc"),
    Column(gettext_lazy("Urgency"), "urgency"),
    Column(gettext_lazy("Due"), "due"),
    Column(gettext_lazy("Status"), "status"),
]

# What the triage team is told after each action on a report.
DONE = {
    "take": gettext_lazy("You are handling this report."),
    "assign": gettext_lazy("Report assigned to the operation."),
    "merge": gettext_lazy("Merged: the reporter now follows the other report."),
    "close": gettext_lazy("Report closed."),
    "reopen": gettext_lazy("Report reopened."),
}


@require_http_methods(["GET"])
def triage(request: HttpRequest) -> HttpResponse:
    rows = triage_queue(_triager(request))
    sort = chosen_sort(request.GET.get("sort"), sort_keys(TRIAGE_COLUMNS), TRIAGE_DEFAULT_SORT)
    rows = triage_sorted(rows, sort)
    # The most urgent come first; a phone shows a page of them at a time.
    page = Paginator(rows, TRIAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = sum(row.overdue for row in rows)
    return render(
        request,
        "reports/triage.html",
        {
            "page": page,
            "total": len(rows),
            "overdue": overdue,
            "columns": header(TRIAGE_COLUMNS, sort, request.GET),
            "sort": sort,
        },
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_uuid: str) -> HttpResponse:
    user = _triager(request)
    report = pick(
        Report.objects.select_related("kelurahan", "handled_by", "operation"), report_uuid
    )
    if report is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        version = posted_version(request)
        context = AuditContext.from_request(request)
        try:
            if action == "take":
                svc.report_take(report, expected_version=version, acting_user=user, context=context)
            elif action == "assign":
                operation = pick(operations_visible_to(user), request.POST.get("operation", ""))
                if operation is None:
                    raise ValidationError(_("Choose an operation."))
                svc.report_assign(
                    report,
                    operation=operation,
                    expected_version=version,
                    acting_user=user,
                    context=context,
                )
            elif action == "merge":
                into = pick(Report.objects.all(), request.POST.get("into", ""))
                if into is None:
                    raise ValidationError(_("Choose the report it repeats."))
                svc.report_merge(
                    report,
                    into=into,
                    expected_version=version,
                    acting_user=user,
                    context=context,
                )
            elif action == "close":
                svc.report_close(
                    report,
                    reason=request.POST.get("reason", ""),
                    expected_version=version,
                    acting_user=user,
                    context=context,
                )
            elif action == "reopen":
                svc.report_reopen(
                    report,
                    reason=request.POST.get("reason", ""),
                    expected_version=version,
                    acting_user=user,
                    context=context,
                )
            else:
                raise ValidationError(_("Choose what to do with this report."))
        except StaleVersion:
            errors.append(_("Someone changed this report in the meantime; check it again."))
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            messages.success(request, DONE.get(action, _("Saved.")))
            return redirect("reports:detail", report_uuid=report.uuid)
        report.refresh_from_db()
    operations = operations_to_assign(user)[:20]
    # Other open reports of the same kelurahan: candidates for the same sighting.
    similar = (
        Report.objects.filter(kelurahan=report.kelurahan)
        .exclude(pk=report.pk)
        .exclude(status=ReportStatus.HANDLED)
        .order_by("-created_at")[:20]
    )
    shown = [
        data_class
        for data_class in (DataClass.IDENTITY, DataClass.REPORTER)
        if may_access_class(user, Action.READ, data_class)
    ]
    has = {
        DataClass.IDENTITY: bool(report.child_names or report.photo),
        DataClass.REPORTER: bool(report.reporter_name or report.reporter_phone),
    }
    if any(has[data_class] for data_class in shown):
        # Logged before the page is built; no log, no page (fail closed).
        access_log_write(
            request,
            action=AccessAction.VIEW,
            data_classes=[data_class for data_class in shown if has[data_class]],
        )
    visible_cases = list(cases_visible_to(user).filter(origin_report=report).order_by("number"))
    if visible_cases:
        # Case numbers listed are logged like any list of cases.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(case.pk, case.number) for case in visible_cases],
            data_classes=[DataClass.BASIC],
        )
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "row": triage_row(user, report) if report.status != ReportStatus.HANDLED else None,
            "cases": visible_cases,
            "other_cases": report.cases.count() - len(visible_cases),
            "operation_visible": report.operation_id is not None
            and operations_visible_to(user).filter(pk=report.operation_id).exists(),
            "errors": errors,
            "operations": operations,
            "similar": similar,
            "sees_identity": DataClass.IDENTITY in shown,
            "sees_reporter": DataClass.REPORTER in shown,
            "can_plan": may(user, Capability.LOG_OUTREACH),
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET"])
def report_photo(request: HttpRequest, report_uuid: str) -> FileResponse:
    """The reporter's photo, for the triage team only; it may show a child's face."""
    user = _triager(request)
    if not may_access_class(user, Action.READ, DataClass.IDENTITY):
        raise PermissionDenied
    report = pick(Report.objects.exclude(photo=""), report_uuid)
    if report is None:
        raise Http404
    try:
        path = open_private(report.photo, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / "reports")
    except FileNotFoundError as exc:
        raise Http404 from exc
    access_log_write(request, action=AccessAction.DOWNLOAD, data_classes=[DataClass.IDENTITY])
    content_type = "image/png" if path.suffix == ".png" else "image/jpeg"
    return private_download(
        path, filename=f"laporan-{report.tracking_code}{path.suffix}", content_type=content_type
    )


@require_http_methods(["GET", "POST"])
def report_correct(request: HttpRequest, report_uuid: str) -> HttpResponse:
    """The triage team corrects what an open report says (never who reported it)."""
    user = _triager(request)
    report = pick(Report.objects.exclude(status=ReportStatus.HANDLED), report_uuid)
    if report is None:
        raise Http404
    initial = {
        "seen": report.seen,
        "children_count": report.children_count,
        "youngest_age": report.youngest_age,
        "oldest_age": report.oldest_age,
        "seen_at": timezone.localtime(report.seen_at),
        "kelurahan": report.kelurahan,
        "landmark": report.landmark,
        "description": report.description,
        "child_names": report.child_names,
        "expected_version": report.version,
    }
    sees_names = may_access_class(user, Action.READ, DataClass.IDENTITY)
    form = ReportCorrectionForm(request.POST or None, initial=initial, names=sees_names)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            corrected = form.report()
            if not sees_names:
                corrected.child_names = report.child_names  # kept as they were
            svc.report_correct(
                report,
                corrected,
                expected_version=form.cleaned_data["expected_version"],
                acting_user=user,
                context=AuditContext.from_request(request),
            )
        except StaleVersion:
            form.add_error(None, _("Someone changed this report in the meantime; check it again."))
            status = 409
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Report corrected."))
            return redirect("reports:detail", report_uuid=report.uuid)
    if request.method == "POST" and status == 200:
        status = 400
    if sees_names and report.child_names:
        access_log_write(request, action=AccessAction.VIEW, data_classes=[DataClass.IDENTITY])
    return render(request, "reports/correct.html", {"form": form, "report": report}, status=status)
