"""Schooling pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.care.selectors import school_readiness
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.core.models import StaleVersion
from kawal.schooling import policy
from kawal.schooling import selectors as sel
from kawal.schooling import services as svc
from kawal.schooling.forms import EnrolmentForm, FollowUpForm, default_month
from kawal.schooling.models import AttendanceFollowUp, Enrolment
from kawal.web.forms import apply_errors, posted_version


def child_facts(case: Case, access: CaseAccess) -> dict[str, Any]:
    """The child as the schooling pages name them: name, age and sex to identity
    readers and the liaison on the team, initials and age otherwise; never an
    address or a place."""
    return sel.child_facts(case, access)


def _recorder(access: CaseAccess, case: Case) -> None:
    schooling = sel.case_schooling(case, access)
    if not schooling.records:
        raise PermissionDenied


@require_GET
def children(request: HttpRequest) -> HttpResponse:
    rows = sel.children_to_follow(request)
    return render(request, "schooling/children.html", {"rows": rows, "limit": sel.LIST_LIMIT})


@require_GET
def case_page(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_schooling(request, case_uuid)
    sel.schooling_log_view(request, case, access)
    schooling = sel.case_schooling(case, access)
    return render(
        request,
        "schooling/case.html",
        {
            "case": case,
            "child": child_facts(case, access),
            "schooling": schooling,
            "gate_message": svc.gate_message(school_readiness(case)),
        },
    )


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_schooling(request, case_uuid)
    _recorder(access, case)
    sel.schooling_log_view(request, case, access)
    current = sel.current_enrolment(case)
    refused = svc.gate_message(school_readiness(case))
    initial: dict[str, Any] = {"current_version": current.version if current else None}
    if current is not None:
        initial.update(level=current.level, grade=current.grade)
    form = EnrolmentForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.enrolment_add(
                    case,
                    svc.EnrolmentInput(
                        school_name=data["school_name"],
                        npsn=data["npsn"],
                        level=data["level"],
                        grade=data["grade"],
                        enrolled_on=data["enrolled_on"],
                        notes=data["notes"],
                        current_version=data["current_version"],
                    ),
                    acting_user=request.user,
                )
            except StaleVersion as conflict:
                saved = conflict.current if isinstance(conflict.current, Enrolment) else None
                return _enrolment_conflict(request, case, form, saved)
            except ValidationError as error:
                # A field dict has no single code: only the gate's refusal is a conflict.
                if getattr(error, "code", None) == "not_cleared":
                    status = 409
                apply_errors(form, error)
            else:
                messages.success(request, _("The enrolment is saved."))
                return redirect("schooling:case", case_uuid=case.uuid)
        elif refused:
            status = 409
    return render(
        request,
        "schooling/enrol.html",
        {
            "case": case,
            "child": child_facts(case, access),
            "form": form,
            "current": current,
            "refused": refused,
        },
        status=status,
    )


def _enrolment_conflict(
    request: HttpRequest, case: Case, form: EnrolmentForm, current: Enrolment | None
) -> HttpResponse:
    data = form.cleaned_data
    rows = [
        {
            "label": _("School"),
            "yours": data.get("school_name"),
            "theirs": current.school_name if current else "",
        },
        {"label": _("NPSN"), "yours": data.get("npsn"), "theirs": current.npsn if current else ""},
        {
            "label": _("Grade"),
            "yours": data.get("grade"),
            "theirs": current.grade if current else "",
        },
        {
            "label": _("Enrolled on"),
            "yours": data.get("enrolled_on"),
            "theirs": current.enrolled_on if current else "",
        },
    ]
    return render(
        request,
        "web/conflict.html",
        {
            "rows": rows,
            "back_url": reverse("schooling:enrol", kwargs={"case_uuid": case.uuid}),
            "back_label": _("Open the form again"),
        },
        status=409,
    )


def _follow_up_input(data: dict[str, Any], month: Any) -> svc.FollowUpInput:
    return svc.FollowUpInput(
        month=month,
        school_days=data["school_days"],
        days_absent=data["days_absent"],
        reason=data["reason"],
        reason_text=data["reason_text"],
    )


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_schooling(request, case_uuid)
    _recorder(access, case)
    sel.schooling_log_view(request, case, access)
    enrolment = sel.current_enrolment(case)
    if enrolment is None:
        messages.error(request, _("Enrol the child in a school first."))
        return redirect("schooling:case", case_uuid=case.uuid)
    form = FollowUpForm(request.POST or None, initial={"month": default_month()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                recorded = svc.follow_up_record(
                    enrolment,
                    _follow_up_input(form.cleaned_data, form.cleaned_data["month"]),
                    acting_user=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                _saved(request, recorded)
                return redirect("schooling:case", case_uuid=case.uuid)
    return render(
        request,
        "schooling/follow_up.html",
        {
            "case": case,
            "child": child_facts(case, access),
            "form": form,
            "enrolment": enrolment,
            "shows_school": policy.reads_school(access),
            "minimum": round(100 * svc.attendance_minimum()),
        },
        status=status,
    )


def _saved(request: HttpRequest, recorded: AttendanceFollowUp) -> None:
    messages.success(request, _("The attendance is saved."))
    if svc.is_low(recorded):
        messages.warning(
            request,
            _("Attendance is under the minimum: the case manager was given a task to follow up."),
        )


@require_http_methods(["GET", "POST"])
def follow_up_edit(request: HttpRequest, case_uuid: Any, follow_up_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_schooling(request, case_uuid)
    _recorder(access, case)
    found = sel.follow_up_of(case, follow_up_uuid)
    if found is None:
        access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
        raise Http404
    sel.schooling_log_view(request, case, access)
    initial = {
        "month": found.month,
        "school_days": found.school_days,
        "days_absent": found.days_absent,
        "reason": found.reason,
        "reason_text": found.reason_text,
    }
    form = FollowUpForm(request.POST or None, initial=initial, fixed_month=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                corrected = svc.follow_up_correct(
                    found,
                    _follow_up_input(form.cleaned_data, found.month),
                    expected_version=posted_version(request),
                    acting_user=request.user,
                )
            except StaleVersion as conflict:
                return _follow_up_conflict(request, case, form, conflict.current or found)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                _saved(request, corrected)
                return redirect("schooling:case", case_uuid=case.uuid)
    return render(
        request,
        "schooling/follow_up.html",
        {
            "case": case,
            "child": child_facts(case, access),
            "form": form,
            "enrolment": found.enrolment,
            "editing": found,
            "version": request.POST.get("expected_version", found.version),
            "shows_school": policy.reads_school(access),
            "minimum": round(100 * svc.attendance_minimum()),
        },
        status=status,
    )


def _follow_up_conflict(
    request: HttpRequest, case: Case, form: FollowUpForm, current: Any
) -> HttpResponse:
    data = form.cleaned_data
    rows = [
        {
            "label": _("School days in the month"),
            "yours": data.get("school_days"),
            "theirs": current.school_days,
        },
        {
            "label": _("Days absent"),
            "yours": data.get("days_absent"),
            "theirs": current.days_absent,
        },
        {
            "label": _("Main reason for absence"),
            "yours": data.get("reason"),
            "theirs": current.get_reason_display(),
        },
    ]
    return render(
        request,
        "web/conflict.html",
        {
            "rows": rows,
            "back_url": reverse(
                "schooling:follow_up_edit",
                kwargs={"case_uuid": case.uuid, "follow_up_uuid": current.uuid},
            ),
            "back_label": _("Open the form again"),
        },
        status=409,
    )
