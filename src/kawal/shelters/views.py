"""Shelter pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.policy import CaseAccess
from kawal.core.models import StaleVersion
from kawal.shelters import selectors as sel
from kawal.shelters import services as svc
from kawal.shelters.forms import (
    AdmissionForm,
    DischargeForm,
    StayEditForm,
    TransferForm,
    belongings_formset,
    now_for_form,
)
from kawal.shelters.models import Stay
from kawal.web.forms import apply_errors

WH = DataClass.WHEREABOUTS


def _staff(request: HttpRequest) -> Any:
    if not may(request.user, Capability.RECORD_CARE):
        raise PermissionDenied
    return request.user


def _acts_on(user: Any, stay: Stay, access: CaseAccess) -> bool:
    """Shelter staff of the stay's shelter, on the case with whereabouts to write."""
    return svc.runs_shelter(user, stay.bed.room.shelter) and access.can_write(WH)


def _stay_for_staff(request: HttpRequest, stay_uuid: str) -> tuple[Stay, CaseAccess]:
    stay, access = sel.stay_for_user(request, stay_uuid)
    if not _acts_on(request.user, stay, access):
        raise PermissionDenied
    return stay, access


def _rebind_version(form: Form, version: int) -> None:
    """After a conflict the form carries the current version: sending again is deliberate."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["expected_version"] = str(version)
    form.data = data


def _warn_unchecked(request: HttpRequest, stay: Stay) -> None:
    fit = svc.room_fit(stay.bed.room, stay.case.child, timezone.localdate(stay.admitted_at))
    for message in fit.unchecked:
        messages.warning(request, message)


# --- The board --------------------------------------------------------------------


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    _staff(request)
    today = timezone.localdate()
    shelters, limit = sel.shelter_board(request, today)
    return render(
        request,
        "shelters/board.html",
        {"shelters": shelters, "today": today, "limit": limit},
    )


# --- Admission --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    beds = sel.beds_of(user)
    choices = sel.admissible_cases(request) if beds else []
    initial: dict[str, Any] = {"admitted_at": now_for_form()}
    wanted_case = request.GET.get("kasus", "")
    if any(str(choice.case.uuid) == wanted_case and not choice.staying for choice in choices):
        initial["case"] = wanted_case
    wanted_bed = request.GET.get("tempat", "")
    if any(str(bed.uuid) == wanted_bed and free for bed, free in beds):
        initial["bed"] = wanted_bed
    data = request.POST if request.method == "POST" else None
    form = AdmissionForm(data, initial=initial)
    form.set_cases(choices)
    form.set_beds(beds)
    items = belongings_formset(data)
    status = 200
    if request.method == "POST":
        # Both are checked, so every mistake shows at once.
        form_ok = form.is_valid()
        items_ok = items.is_valid()
        if form_ok and items_ok:
            admission = svc.Admission(
                case=form.chosen_case(),
                bed=form.chosen_bed(),
                admitted_at=form.cleaned_data["admitted_at"],
                arrived_from=form.cleaned_data["arrived_from"],
                arrived_from_detail=form.cleaned_data["arrived_from_detail"],
                brought_by=form.cleaned_data["brought_by"],
                reason=form.cleaned_data["reason"],
                age_exception=form.cleaned_data["age_exception"],
                health=form.health(),
                belongings=items.items(),
            )
            try:
                stay = svc.stay_admit(admission, acting_user=user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The child is admitted."))
                _warn_unchecked(request, stay)
                return redirect("shelters:board")
        status = 400
    return render(
        request,
        "shelters/admit.html",
        {"form": form, "items": items, "has_beds": bool(beds)},
        status=status,
    )


# --- One stay ----------------------------------------------------------------------


@require_GET
def stay_detail(request: HttpRequest, stay_uuid: str) -> HttpResponse:
    stay, access = sel.stay_for_user(request, stay_uuid)
    # Log before building the page: if the log cannot be written, nothing is shown.
    sel.stay_log_view(request, stay, access)
    return render(
        request,
        "shelters/stay.html",
        {
            **_facts(stay, access),
            "acts": _acts_on(request.user, stay, access),
            "belongings": list(stay.belongings.all()),
        },
    )


def _facts(stay: Stay, access: CaseAccess) -> dict[str, Any]:
    """What the stay's facts block needs."""
    limit = svc.stay_limit_days()
    days = stay.days()
    return {
        "stay": stay,
        "access": access,
        "days": days,
        "long": stay.is_active and days > limit,
        "limit": limit,
    }


def _edit_initial(stay: Stay) -> dict[str, Any]:
    return {
        "expected_version": stay.version,
        "arrived_from": stay.arrived_from,
        "arrived_from_detail": stay.arrived_from_detail,
        "brought_by": stay.brought_by,
        "reason": stay.reason,
        "health_done": stay.health_checked_at is not None,
        "temperature": stay.temperature,
        "injuries": stay.injuries,
        "illness": stay.illness,
        "needs_doctor": stay.needs_doctor,
        "health_notes": stay.health_notes,
    }


@require_http_methods(["GET", "POST"])
def stay_edit(request: HttpRequest, stay_uuid: str) -> HttpResponse:
    stay, access = _stay_for_staff(request, stay_uuid)
    sel.stay_log_view(request, stay, access)
    data = request.POST if request.method == "POST" else None
    form = StayEditForm(data, initial=_edit_initial(stay))
    items = belongings_formset(
        data,
        initial=[
            {"description": item.description, "quantity": item.quantity}
            for item in stay.belongings.all()
        ],
    )
    status = 200
    if request.method == "POST":
        form_ok = form.is_valid()
        items_ok = items.is_valid()
        if form_ok and items_ok:
            details = svc.StayDetails(
                arrived_from=form.cleaned_data["arrived_from"],
                arrived_from_detail=form.cleaned_data["arrived_from_detail"],
                brought_by=form.cleaned_data["brought_by"],
                reason=form.cleaned_data["reason"],
                health=form.health(),
                belongings=items.items(),
            )
            try:
                svc.stay_update(
                    stay,
                    expected_version=form.cleaned_data["expected_version"],
                    details=details,
                    acting_user=request.user,
                )
            except StaleVersion:
                return _conflict(request, "shelters/stay_form.html", form, stay, access, items)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("shelters:stay", stay_uuid=stay.uuid)
        status = 400
    return render(
        request,
        "shelters/stay_form.html",
        {**_facts(stay, access), "form": form, "items": items},
        status=status,
    )


def _conflict(
    request: HttpRequest,
    template: str,
    form: Form,
    stay: Stay,
    access: CaseAccess,
    items: Any = None,
) -> HttpResponse:
    """Nothing was written: the form keeps what was typed, beside the stay as it is now."""
    current = sel.stay_for_user(request, stay.uuid)[0]
    form.add_error(
        None,
        _(
            "Someone changed this stay while you were editing it. Nothing was saved. "
            "Check the stay as it is now (above) and send again if your change still applies."
        ),
    )
    _rebind_version(form, current.version)
    return render(
        request,
        template,
        {**_facts(current, access), "form": form, "items": items, "conflict": True},
        status=409,
    )


def _ended(request: HttpRequest, stay: Stay) -> HttpResponse:
    messages.info(request, _("This stay has already ended."))
    return redirect("shelters:stay", stay_uuid=stay.uuid)


@require_http_methods(["GET", "POST"])
def stay_discharge(request: HttpRequest, stay_uuid: str) -> HttpResponse:
    stay, access = _stay_for_staff(request, stay_uuid)
    if not stay.is_active:
        return _ended(request, stay)
    sel.stay_log_view(request, stay, access)
    data = request.POST if request.method == "POST" else None
    form = DischargeForm(
        data, initial={"expected_version": stay.version, "discharged_at": now_for_form()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.stay_discharge(
                    stay,
                    expected_version=form.cleaned_data["expected_version"],
                    at=form.cleaned_data["discharged_at"],
                    reason=form.cleaned_data["reason"],
                    destination=form.cleaned_data["destination"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except StaleVersion:
                return _conflict(request, "shelters/discharge.html", form, stay, access)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The child's stay has ended."))
                return redirect("shelters:board")
        status = 400
    return render(
        request, "shelters/discharge.html", {**_facts(stay, access), "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def stay_transfer(request: HttpRequest, stay_uuid: str) -> HttpResponse:
    stay, access = _stay_for_staff(request, stay_uuid)
    if not stay.is_active:
        return _ended(request, stay)
    sel.stay_log_view(request, stay, access)
    data = request.POST if request.method == "POST" else None
    form = TransferForm(
        data, initial={"expected_version": stay.version, "moved_at": now_for_form()}
    )
    form.set_beds(sel.beds_of(request.user), exclude=stay.bed)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moved = svc.stay_transfer(
                    stay,
                    expected_version=form.cleaned_data["expected_version"],
                    bed=form.chosen_bed(),
                    at=form.cleaned_data["moved_at"],
                    reason=form.cleaned_data["reason"],
                    age_exception=form.cleaned_data["age_exception"],
                    acting_user=request.user,
                )
            except StaleVersion:
                return _conflict(request, "shelters/transfer.html", form, stay, access)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The child has moved."))
                _warn_unchecked(request, moved)
                return redirect("shelters:stay", stay_uuid=moved.uuid)
        status = 400
    return render(
        request, "shelters/transfer.html", {**_facts(stay, access), "form": form}, status=status
    )
