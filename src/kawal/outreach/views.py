"""Outreach pages, made for a phone in the street."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kawal.access.catalogue import Capability
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.cases.policy import case_access_bulk
from kawal.cases.selectors import pick
from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.core.uploads import open_private, private_download
from kawal.identity.index import query_record
from kawal.identity.panel import (
    capture_panel,
    intake_panel,
    pairs_seen_by,
    panel_signature,
    signature_matches,
)
from kawal.outreach import services as svc
from kawal.outreach.forms import CaptureForm, OperationForm, UndertakingForm
from kawal.outreach.models import Capture, MatchOutcome, Operation
from kawal.reports.selectors import open_report_for_triage
from kawal.reports.services import report_assign
from kawal.web.forms import apply_errors, posted_version


def _outreach_user(request: HttpRequest) -> Any:
    if not may(request.user, Capability.LOG_OUTREACH):
        raise PermissionDenied
    return request.user


def _operation(request: HttpRequest, operation_uuid: str) -> Operation:
    operation = pick(svc.operations_visible_to(_outreach_user(request)), operation_uuid)
    if operation is None:
        raise Http404
    return operation


@require_GET
def operation_list(request: HttpRequest) -> HttpResponse:
    user = _outreach_user(request)
    operations = svc.operations_visible_to(user)[:50]
    return render(request, "outreach/list.html", {"operations": operations})


@require_http_methods(["GET", "POST"])
def operation_new(request: HttpRequest) -> HttpResponse:
    user = _outreach_user(request)
    # Planned straight from a report (?laporan=): the place is prefilled and
    # the report is assigned to the new operation.
    report = open_report_for_triage(
        user, request.POST.get("report") or request.GET.get("laporan", "")
    )
    initial = None
    if report is not None:
        initial = {
            "title": _("Outreach: %(place)s") % {"place": report.landmark[:150]},
            "area": report.kelurahan,
            "area_note": report.landmark[:300],
        }
    form = OperationForm(request.POST or None, initial=initial)
    if request.POST.get("report") and report is None:
        # Closed (or otherwise gone) since the page was loaded: plan, but say so.
        messages.warning(request, _("That report is closed or no longer yours to assign."))
    if request.method == "POST" and form.is_valid():
        context = AuditContext.from_request(request)
        try:
            operation = svc.operation_create(
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                area=form.cleaned_data["area"],
                area_note=form.cleaned_data["area_note"],
                agencies=list(form.cleaned_data["agencies"]),
                acting_user=user,
                context=context,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Operation planned."))
            if report is not None:
                _assign_planned(request, report, operation, context)
            return redirect("outreach:detail", operation_uuid=operation.uuid)
    return render(request, "outreach/operation_form.html", {"form": form, "report": report})


@require_http_methods(["GET", "POST"])
def operation_edit(request: HttpRequest, operation_uuid: str) -> HttpResponse:
    operation = _operation(request, operation_uuid)
    if not svc.organises(request.user, operation):
        raise PermissionDenied
    initial = {
        "title": operation.title,
        "starts_at": timezone.localtime(operation.starts_at),
        "area": operation.area,
        "area_note": operation.area_note,
        "agencies": list(operation.agencies.all()),
    }
    form = OperationForm(request.POST or None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            svc.operation_update(
                operation,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                area=form.cleaned_data["area"],
                area_note=form.cleaned_data["area_note"],
                agencies=list(form.cleaned_data["agencies"]),
                expected_version=posted_version(request),
                acting_user=request.user,
                context=AuditContext.from_request(request),
            )
        except StaleVersion:
            conflict = True
            form.add_error(None, _("Someone changed this operation in the meantime."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Operation updated."))
            return redirect("outreach:detail", operation_uuid=operation.uuid)
    # The version the editor loaded, kept across an invalid submit; after a
    # conflict the current one, so sending again is a deliberate overwrite.
    version = posted_version(request) if request.method == "POST" else operation.version
    if conflict:
        operation.refresh_from_db()
        version = operation.version
    return render(
        request,
        "outreach/operation_form.html",
        {"form": form, "operation": operation, "version": version},
        status=409 if conflict else (400 if form.errors else 200),
    )


def _assign_planned(
    request: HttpRequest, report: Any, operation: Operation, context: AuditContext
) -> None:
    try:
        report_assign(
            report,
            operation=operation,
            expected_version=report.version,
            acting_user=request.user,
            context=context,
        )
    except (StaleVersion, ValidationError):
        messages.warning(
            request,
            _("The report changed meanwhile; assign it to this operation from the report."),
        )
    else:
        messages.success(
            request,
            _("Report %(code)s assigned to this operation.") % {"code": report.tracking_code},
        )


@require_http_methods(["GET", "POST"])
def operation_detail(request: HttpRequest, operation_uuid: str) -> HttpResponse:
    operation = _operation(request, operation_uuid)
    user: Any = request.user
    if request.method == "POST":
        try:
            svc.operation_set_status(
                operation,
                status=request.POST.get("status", ""),
                expected_version=posted_version(request),
                acting_user=user,
                context=AuditContext.from_request(request),
            )
        except StaleVersion:
            messages.error(request, _("Someone changed this operation in the meantime."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Operation updated."))
        return redirect("outreach:detail", operation_uuid=operation.uuid)
    rows = list(operation.captures.select_related("case", "child", "captured_by"))
    # The case number of a known child is shown only to who may open that case.
    access = case_access_bulk(user, [row.case for row in rows if row.case is not None])
    outcomes = _outcome_shown(user, rows)
    captures = [(row, row.case_id in access, *outcomes[row.pk]) for row in rows]
    shown = [row.case for row in rows if row.case_id in access and row.case is not None]
    if rows:
        # The names as told are identity data, whether or not a case exists yet.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(case.pk, case.number) for case in shown],
            data_classes=["basic", "identity"],
        )
    return render(
        request,
        "outreach/detail.html",
        {
            "operation": operation,
            "captures": captures,
            "team": operation.agencies.order_by("name"),
            "can_open_case": may(user, Capability.OPEN_CASE),
            "undertaking_form": UndertakingForm(),
            # What the team was sent to look for: place, time, what was seen.
            "reports": operation.reports.select_related("kelurahan").order_by("seen_at"),
            "can_triage": may(user, Capability.TRIAGE_REPORTS),
            "organises": svc.organises(user, operation),
        },
    )


@require_http_methods(["GET", "POST"])
def capture_new(request: HttpRequest, operation_uuid: str) -> HttpResponse:
    operation = _operation(request, operation_uuid)
    user: Any = request.user
    form = CaptureForm(request.POST or None, reports=list(operation.reports.all()))
    panel: list[Any] = []
    signature = ""
    if request.method == "POST" and form.is_valid():
        try:
            svc.capture_check_count(user)
        except svc.TooManyChecks:
            return _too_many_checks(request, operation, form)
        # Every check is logged, with or without a candidate: one that matched
        # nobody the user may see is still a question asked of the registry.
        access_log_write(request, action=AccessAction.SEARCH)
        data = form.capture_input()
        record = query_record(**data.matching(operation))
        entries = intake_panel(request, record)
        # Hidden candidates are queued for review on saving but never shown:
        # the answer must read the same as when nobody matches.
        panel = capture_panel(entries)
        signature = panel_signature(record, panel)
        choice = "new" if not panel else form.cleaned_data["identity_choice"]
        allowed = {"new"} | {entry.choice for entry in panel if entry.choice}
        if panel and not signature_matches(form.cleaned_data["identity_check"], signature):
            form.add_error(None, _("This child may already be known. Check below."))
        elif choice not in allowed:
            form.add_error(None, _("Choose one of the possible matches, or say it is a new child."))
        else:
            try:
                capture = svc.capture_add(
                    operation,
                    data,
                    choice=choice,
                    shown=[(e.candidate.root_id, e.candidate.score, e.visible) for e in entries],
                    acting_user=user,
                    report=form.chosen_report(),
                    context=AuditContext.from_request(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _saved_message(capture))
                return redirect("outreach:detail", operation_uuid=operation.uuid)
    return render(
        request,
        "outreach/capture_form.html",
        {"operation": operation, "form": form, "panel": panel, "signature": signature},
    )


def _saved_message(capture: Capture) -> str:
    # "Possibly known" would tell of a candidate the user may not have seen.
    if capture.outcome == MatchOutcome.LINKED:
        return _("Saved — %(outcome)s") % {"outcome": capture.get_outcome_display()}
    return _("Saved for review")


def _too_many_checks(request: HttpRequest, operation: Operation, form: CaptureForm) -> HttpResponse:
    """Refuse the check, keeping everything typed so that it can be sent again later."""
    access_log_write(request, action=AccessAction.DENIED)
    form.add_error(
        None,
        _(
            "You have checked many children in the last hour. Nothing was saved yet and "
            "what you typed is kept: send it again later."
        ),
    )
    return render(
        request,
        "outreach/capture_form.html",
        {"operation": operation, "form": form, "panel": [], "signature": ""},
        status=429,
    )


def _outcome_shown(user: Any, rows: list[Capture]) -> dict[int, tuple[str, str]]:
    """How each capture's result reads to this user: (CSS key, label).

    "Possibly known" only to who may see a child it was paired with; to anyone
    else it reads like a capture that matched nobody, or the operation page
    would answer what the capture form does not.
    """
    asked = [row.child_id for row in rows if row.outcome == MatchOutcome.ASK]
    seen = pairs_seen_by(user, asked)
    shown: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row.outcome == MatchOutcome.LINKED:
            shown[row.pk] = (MatchOutcome.LINKED, row.get_outcome_display())
        elif row.outcome == MatchOutcome.ASK and row.child_id in seen:
            shown[row.pk] = (MatchOutcome.ASK, row.get_outcome_display())
        else:
            shown[row.pk] = ("review", _("Saved for review"))
    return shown


def _team_capture(request: HttpRequest, operation_uuid: str, capture_uuid: str) -> Capture:
    operation = _operation(request, operation_uuid)
    capture = pick(operation.captures.select_related("operation", "case"), capture_uuid)
    if capture is None:
        raise Http404
    return capture


@require_http_methods(["POST"])
def undertaking_attach(
    request: HttpRequest, operation_uuid: str, capture_uuid: str
) -> HttpResponse:
    capture = _team_capture(request, operation_uuid, capture_uuid)
    form = UndertakingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.capture_undertaking_attach(
                capture,
                upload=form.cleaned_data["file"],
                acting_user=request.user,
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("outreach:detail", operation_uuid=operation_uuid)
        messages.success(request, _("Signed undertaking attached."))
    else:
        for field_errors in form.errors.values():
            for field_error in field_errors:
                messages.error(request, str(field_error))
    return redirect("outreach:detail", operation_uuid=operation_uuid)


@require_GET
def undertaking_download(request: HttpRequest, capture_uuid: str) -> FileResponse:
    """The signed undertaking, for the operation's team and the child's case team."""
    capture = pick(
        Capture.objects.exclude(undertaking_file="").select_related("operation", "case"),
        capture_uuid,
    )
    reader = svc.undertaking_reader(request.user, capture) if capture is not None else None
    if capture is None or reader is None:
        raise Http404
    try:
        path = open_private(
            capture.undertaking_file,
            root=settings.KAWAL_PRIVATE_MEDIA_ROOT / svc.UNDERTAKING_ROOT,
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    case = capture.case
    access_log_write(
        request,
        action=AccessAction.DOWNLOAD,
        cases=[(case.pk, case.number)] if case is not None else [],
        data_classes=["identity"],
        via_break_glass=reader == svc.Reader.BREAK_GLASS,
    )
    return private_download(
        path,
        filename=f"surat-pernyataan-{capture.uuid.hex[:8]}{path.suffix}",
        content_type=capture.undertaking_content_type or "application/octet-stream",
    )


def capture_for_case_opening(user: Any, capture_uuid: str) -> Capture | None:
    """A capture the user may open a case from: on their operation's team, not yet with a case."""
    if not may(user, Capability.OPEN_CASE):
        return None
    visible = Capture.objects.filter(operation__in=svc.operations_visible_to(user))
    return pick(visible.select_related("child", "operation__area"), capture_uuid)
