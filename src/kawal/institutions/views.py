"""Pages of the institution registry and its registration alerts.

Reads go through ``selectors`` (scoped to the user), writes through
``services``. Who may open what: social workers keep the registry, finance
officers read it (for the bank accounts), institution staff see their own
institution's page; every other attempt is refused with a 403 and an
access-log row.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.institutions import selectors as sel
from kawal.institutions import services as svc
from kawal.institutions.forms import InspectionForm, InstitutionForm, RegistryFilter, SuspendForm
from kawal.institutions.models import Institution, InstitutionStatus
from kawal.web.forms import apply_errors, posted_version

WHEREABOUTS_FIELDS = ("address", "kelurahan")
FINANCIAL_FIELDS = ("bank_name", "bank_account_number", "bank_account_holder")


def _deny(request: HttpRequest) -> NoReturn:
    # The access middleware logs every PermissionDenied as a DENIED row.
    raise PermissionDenied


def _require_manager(request: HttpRequest) -> None:
    if not sel.manages_registry(request.user):
        _deny(request)


def _detail_url(institution: Institution) -> str:
    return reverse("institutions:detail", kwargs={"institution_uuid": institution.uuid})


def _managed(request: HttpRequest, institution_uuid: str) -> Institution:
    _require_manager(request)
    institution = sel.institution_for(request.user, institution_uuid)
    if institution is None:
        raise Http404
    return institution


# --- Reading --------------------------------------------------------------------------


@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not sel.reads_registry(user):
        own = sel.institution_of_staff(user)
        if own is not None:
            return redirect(_detail_url(own))
        _deny(request)
    filters = RegistryFilter(request.GET or None)
    kind = status = query = ""
    if filters.is_bound and filters.is_valid():
        kind = filters.cleaned_data["kind"]
        status = filters.cleaned_data["status"]
        query = filters.cleaned_data["q"].strip()
    today = timezone.localdate()
    rows = [
        (institution, sel.registration_state(institution, today))
        for institution in sel.registry_list(user, kind=kind, status=status, query=query)
    ]
    return render(
        request,
        "institutions/list.html",
        {
            "rows": rows,
            "filters": filters,
            "filtered": bool(kind or status or query),
            "can_manage": sel.manages_registry(user),
            "open_alerts": sel.open_alerts(user).count(),
        },
    )


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    own = sel.institution_of_staff(request.user)
    if own is None:
        if may(request.user, Capability.CARE_FOR_PLACED):
            # Staff whose agency is not (yet) in the registry: nothing to show,
            # nothing refused; the page says whom to ask.
            return render(request, "institutions/unlinked.html")
        _deny(request)
    return redirect(_detail_url(own))


@require_GET
def detail(request: HttpRequest, institution_uuid: str) -> HttpResponse:
    user = request.user
    own = sel.institution_of_staff(user)
    if not sel.reads_registry(user) and own is None:
        _deny(request)
    institution = sel.institution_for(user, institution_uuid)
    if institution is None:
        if own is not None and sel.institution_by_uuid(institution_uuid) is not None:
            # Another institution's page: staff see their own only.
            _deny(request)
        raise Http404
    return _detail_page(request, institution)


def _detail_page(
    request: HttpRequest,
    institution: Institution,
    *,
    suspend_form: Form | None = None,
    inspection_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_manage = sel.manages_registry(user)
    return render(
        request,
        "institutions/detail.html",
        {
            "institution": institution,
            "state": sel.registration_state(institution, timezone.localdate()),
            "show_address": sel.shows_address(user),
            "show_bank": sel.shows_bank(user),
            "can_manage": can_manage,
            "inspections": sel.inspections_of(institution),
            "alerts": sel.alerts_of(institution) if can_manage else [],
            "suspend_form": suspend_form or SuspendForm(),
            "inspection_form": inspection_form or InspectionForm(),
            "suspended": institution.status == InstitutionStatus.SUSPENDED,
        },
        status=status,
    )


# --- Writing --------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: Form, *, title: str, back: str, version: int | None = None
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "institutions/form.html",
        {"form": form, "title": title, "back": back, "version": version},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    back = reverse("institutions:list")
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = svc.institution_create(
                request.user,
                form.cleaned_data,
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The institution is in the registry."))
            return redirect(_detail_url(institution))
    return _form_page(request, form, title=_("Register an institution"), back=back)


def _shown(value: Any) -> Any:
    if value is None:
        return ""
    return value


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, institution_uuid: str) -> HttpResponse:
    institution = _managed(request, institution_uuid)
    back = _detail_url(institution)
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            svc.institution_update(
                request.user,
                institution,
                form.cleaned_data,
                expected_version=posted_version(request),
                context=AuditContext.from_request(request),
            )
        except StaleVersion as stale:
            current = stale.current or institution
            rows = [
                {
                    "label": form.fields[name].label,
                    "yours": _shown(form.cleaned_data.get(name)),
                    "theirs": _shown(getattr(current, name)),
                }
                for name in svc.FIELDS
            ]
            return render(
                request,
                "web/conflict.html",
                {"rows": rows, "back_url": back, "back_label": _("Back to the institution")},
                status=409,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": institution.name},
        back=back,
        version=institution.version,
    )


def _stale(request: HttpRequest, institution: Institution) -> HttpResponse:
    messages.error(
        request,
        _("Someone else changed this institution meanwhile; nothing was saved. Check and retry."),
    )
    return redirect(_detail_url(institution))


@require_POST
def suspend(request: HttpRequest, institution_uuid: str) -> HttpResponse:
    institution = _managed(request, institution_uuid)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            svc.institution_suspend(
                request.user,
                institution,
                form.cleaned_data["reason"],
                expected_version=posted_version(request),
                context=AuditContext.from_request(request),
            )
        except StaleVersion:
            return _stale(request, institution)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The institution is suspended."))
            return redirect(_detail_url(institution))
    return _detail_page(request, institution, suspend_form=form, status=400)


@require_POST
def reactivate(request: HttpRequest, institution_uuid: str) -> HttpResponse:
    institution = _managed(request, institution_uuid)
    try:
        svc.institution_reactivate(
            request.user,
            institution,
            expected_version=posted_version(request),
            context=AuditContext.from_request(request),
        )
    except StaleVersion:
        return _stale(request, institution)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The institution is active again."))
    return redirect(_detail_url(institution))


@require_POST
def inspection_add(request: HttpRequest, institution_uuid: str) -> HttpResponse:
    institution = _managed(request, institution_uuid)
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            svc.inspection_add(
                request.user,
                institution,
                inspected_on=form.cleaned_data["inspected_on"],
                findings=form.cleaned_data["findings"],
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect(_detail_url(institution))
    return _detail_page(request, institution, inspection_form=form, status=400)


# --- Alerts ---------------------------------------------------------------------------


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    today = timezone.localdate()
    rows = [
        (alert, sel.registration_state(alert.institution, today))
        for alert in sel.open_alerts(request.user)
    ]
    return render(
        request,
        "institutions/alerts.html",
        {"rows": rows, "done": sel.recent_done_alerts(request.user)},
    )


@require_POST
def alert_done(request: HttpRequest, alert_uuid: str) -> HttpResponse:
    _require_manager(request)
    alert = sel.alert_for(request.user, alert_uuid)
    if alert is None:
        raise Http404
    if svc.alert_done(request.user, alert, context=AuditContext.from_request(request)):
        messages.success(request, _("Marked as done."))
    else:
        messages.warning(request, _("Someone had already marked this alert as done."))
    return redirect("institutions:alerts")
