"""Export pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may, reads_identity
from kawal.cases import selectors as case_selectors
from kawal.core.models import StaleVersion
from kawal.core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from kawal.core.uploads import private_download
from kawal.exports import selectors as sel
from kawal.exports import services as svc
from kawal.exports.case_list import KEY as CASE_LIST
from kawal.exports.forms import DecisionForm, RequestForm
from kawal.exports.models import ExportFormat
from kawal.exports.registry import ExportTable, export_kind
from kawal.exports.summary import summary_pdf
from kawal.web.forms import apply_errors


def _class_labels(values: Any) -> list[str]:
    return [str(DataClass(value).label) for value in DataClass.values if value in set(values)]


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exports/rate_limited.html",
        {"limit": svc.rate_per_hour()},
        status=429,
    )


def _names_toggle(request: HttpRequest, kind_key: str) -> dict[str, str] | None:
    """For the case list: the same request with or without the children's names."""
    if kind_key != CASE_LIST or not reads_identity(request.user):
        return None
    query = request.GET.copy()
    with_names = query.get("names") == "1"
    if with_names:
        query.pop("names", None)
    else:
        query["names"] = "1"
    return {"url": f"{request.path}?{query.urlencode()}", "with_names": "1" if with_names else ""}


@require_http_methods(["GET", "POST"])
def request_export(request: HttpRequest, kind: str) -> HttpResponse:
    """What will be exported (counts and classes, never rows) and the request form."""
    user: Any = request.user
    export_type = export_kind(kind)
    if export_type is None:
        raise Http404
    if not svc.may_request(user, export_type):
        raise PermissionDenied
    params = svc.clean_params(request.GET)
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            export = svc.export_request_create(
                request,
                kind_key=kind,
                params=params,
                fmt=form.cleaned_data["format"],
                acting_user=user,
            )
        except svc.RateLimited:
            return _rate_limited(request)
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            if export.needs_approval:
                messages.success(
                    request,
                    _("Your export waits for a supervisor's approval. You will be notified."),
                )
            else:
                messages.success(request, _("Your export is ready to download."))
            return redirect("exports:mine")
    elif request.method == "POST":
        status = 400
    problems: list[str] = []
    try:
        table = export_type.build(user, params)
    except ValidationError as error:
        # A kind may refuse its parameters with a reason (a malformed period).
        problems = [str(message) for message in error.messages]
        table = ExportTable(headers=[], rows=[], data_classes=frozenset(), case_ids=())
        status = 400
    return render(
        request,
        "exports/request.html",
        {
            "kind": export_type,
            "form": form,
            "problems": problems,
            "children": len(set(table.case_ids)),
            "rows": len(table.rows),
            "columns": table.headers,
            "classes": _class_labels(table.data_classes),
            "needs_approval": svc.needs_approval(table),
            "identifying": svc.identifying(table.data_classes),
            "threshold": svc.approval_threshold(),
            "ttl_hours": int(svc.ttl().total_seconds() // 3600),
            "names_toggle": _names_toggle(request, kind),
            "back": _back_url(kind, params),
        },
        status=status,
    )


def _back_url(kind: str, params: dict[str, str]) -> str:
    if kind != CASE_LIST:
        return ""
    from django.urls import reverse

    query = urlencode({k: v for k, v in params.items() if k != "names"})
    return reverse("cases:list") + (f"?{query}" if query else "")


@require_GET
def my_exports(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (may(user, Capability.EXPORT_CASE_DATA) or may(user, Capability.EXPORT_SIMFONI)):
        raise PermissionDenied
    rows = [
        {
            "export": export,
            "kind": export_kind(export.kind),
            "classes": _class_labels(export.data_classes),
        }
        for export in sel.exports_of(user)
    ]
    return render(
        request,
        "exports/mine.html",
        {"rows": rows, "approver": may(user, Capability.APPROVE_EXPORT)},
    )


@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may(user, Capability.APPROVE_EXPORT):
        raise PermissionDenied
    rows = [
        {
            "export": export,
            "kind": export_kind(export.kind),
            "classes": _class_labels(export.data_classes),
            "form": DecisionForm(initial={"expected_version": export.version}),
        }
        for export in sel.waiting_for(user)[:100]
    ]
    return render(request, "exports/waiting.html", {"rows": rows})


@require_http_methods(["POST"])
def decide(request: HttpRequest, export_uuid: Any) -> HttpResponse:
    user: Any = request.user
    if not may(user, Capability.APPROVE_EXPORT):
        raise PermissionDenied
    export = sel.export_to_decide(user, export_uuid)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = svc.export_decide(
                request,
                export,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["expected_version"],
                acting_user=user,
            )
        except StaleVersion:
            messages.error(request, _("Someone else decided on this export meanwhile."))
            return redirect("exports:waiting")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if decided.status == "ready":
                messages.success(request, _("Approved: the requester can download the file."))
            elif decided.status == "refused":
                messages.success(request, _("Refused: the requester has been told why."))
            else:
                messages.error(
                    request,
                    _("Approved, but the file could not be made: %(why)s")
                    % {"why": decided.failure},
                )
            return redirect("exports:waiting")
    row = {
        "export": export,
        "kind": export_kind(export.kind),
        "classes": _class_labels(export.data_classes),
        "form": form,
    }
    return render(request, "exports/waiting.html", {"rows": [row]}, status=400)


@require_GET
def download(request: HttpRequest, export_uuid: Any) -> HttpResponseBase:
    user: Any = request.user
    export = sel.own_export(user, export_uuid)
    try:
        path = svc.export_download(request, export)
    except svc.ExportGone:
        return render(request, "exports/gone.html", {"export": export}, status=410)
    except svc.RateLimited:
        return _rate_limited(request)
    except PermissionDenied:
        raise Http404 from None
    content_type = XLSX_CONTENT_TYPE if export.format == ExportFormat.XLSX else CSV_CONTENT_TYPE
    return private_download(
        path,
        filename=svc.file_name_for(export, export_kind(export.kind)),
        content_type=content_type,
    )


@require_GET
def case_summary(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    """The case summary PDF: what the reader may read on the case, watermarked for them."""
    case, access = case_selectors.case_for_user(request, case_uuid)
    user: Any = request.user
    if not may(user, Capability.EXPORT_CASE_DATA) or not sel.summary_allowed(access):
        raise PermissionDenied
    try:
        svc.rate_hit(user)
    except svc.RateLimited:
        return _rate_limited(request)
    # Logged before the file is made: if the log cannot be written, no file.
    access_log_write(
        request,
        action=AccessAction.DOWNLOAD,
        cases=[(case.pk, case.number)],
        data_classes=access.readable,
    )
    response = HttpResponse(summary_pdf(request, case, access), content_type="application/pdf")
    number = re.sub(r"[^A-Za-z0-9._-]", "-", case.number)
    response["Content-Disposition"] = f'attachment; filename="ringkasan-{number}.pdf"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
