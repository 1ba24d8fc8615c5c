"""Care pages: the psychologist's day, a child's trend, and school readiness.

Every read goes through ``selectors`` (scoped, access-logged before the page
is built), every write through ``services``. Missing and forbidden cases give
the same 404 (``kawal.cases.selectors.case_for_user``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.care import selectors as sel
from kawal.care import services as svc
from kawal.care.forms import (
    IncidentEditFormSet,
    IncidentFormSet,
    ObservationForm,
    PeriodForm,
    ReadinessForm,
    RevokeForm,
    incident_inputs,
)
from kawal.care.models import Observation, ReadinessDecision
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess
from kawal.cases.selectors import case_for_user, case_log_view, pick
from kawal.core.models import StaleVersion
from kawal.web.forms import apply_errors

D = DataClass
# "kembali=beranda" on a link from the home page: back there after saving,
# to pick the next child.
BACK_HOME = ("kembali", "beranda")


def child_label(case: Case, access: CaseAccess) -> str:
    child = case.child
    if access.sees_identity:
        return str(child.full_name)
    return f"{child.initials} ({child.age_label})"


def _progress_case(request: HttpRequest, case_uuid: Any) -> tuple[Case, CaseAccess]:
    return case_for_user(request, case_uuid, need=D.PROGRESS)


def _require_recorder(access: CaseAccess) -> None:
    if not svc.may_record(access):
        raise PermissionDenied


def error_summary(form: Any, formset: Any = None) -> list[tuple[str, str]]:
    """Every error of the form and its incidents as (anchor, text), for the
    summary at the top: on a phone the field in error may be screens away."""
    items: list[tuple[str, str]] = []
    forms_ = [(form, "")]
    if formset is not None:
        forms_ += [
            (incident, _("Incident %(number)s") % {"number": index + 1})
            for index, incident in enumerate(formset.forms)
        ]
        items += [("#incidents", str(error)) for error in formset.non_form_errors()]
    for each, prefix in forms_:
        for name, errors in each.errors.items():
            if name == "__all__":
                anchor = "#incidents" if prefix else ""
                items += [(anchor, f"{prefix}: {e}" if prefix else str(e)) for e in errors]
                continue
            bound = each[name]
            anchor = (
                f"#scale-{name.removeprefix('score_')}"
                if name.startswith("score_")
                else f"#{bound.auto_id}"
            )
            label = f"{prefix} · {bound.label}" if prefix else str(bound.label)
            items += [(anchor, f"{label}: {error}") for error in errors]
    return items


def _after_save(request: HttpRequest, case: Case) -> HttpResponse:
    if request.GET.get(BACK_HOME[0]) == BACK_HOME[1]:
        return redirect("web:home")
    return redirect("care:case", case_uuid=case.uuid)


# --- The psychologist's day ----------------------------------------------------


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """Children on the user's cases, not seen today first."""
    if not may(request.user, Capability.RECORD_CLINICAL):
        raise PermissionDenied
    rows = sel.my_children_today(request)
    return render(
        request,
        "care/today.html",
        {
            "not_seen": [row for row in rows if not row.seen],
            "seen": [row for row in rows if row.seen],
            "today": timezone.localdate(),
        },
    )


# --- A child's observations ---------------------------------------------------


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("hari", sel.DEFAULT_WINDOW))
    except ValueError:
        return sel.DEFAULT_WINDOW
    return days if days in sel.WINDOWS else sel.DEFAULT_WINDOW


@require_GET
def case_page(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = _progress_case(request, case_uuid)
    # Logged before the page is built: scores for every reader here, notes
    # only for clinicians (the log names the classes shown).
    case_log_view(request, case, access, {D.BASIC, D.IDENTITY, D.PROGRESS, D.CLINICAL})
    days = _window(request)
    trend = sel.care_trend(case, access, days=days)
    today_observation = next((d for d in trend.days if d.day == trend.today and d.observed), None)
    return render(
        request,
        "care/case.html",
        {
            "case": case,
            "access": access,
            "child_label": child_label(case, access),
            "trend": trend,
            "chart": trend.chart_data(),
            "days": days,
            "windows": sel.WINDOWS,
            "clinical": access.can_read(D.CLINICAL),
            "may_record": svc.may_record(access) and case.status != CaseStatus.CLOSED,
            "recorded_today": today_observation is not None,
        },
    )


def _scores(observation: Observation) -> dict[str, int]:
    return {
        f"score_{score.indicator.code}": score.value
        for score in observation.scores.select_related("indicator")
    }


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    """Record today (or a recent day) for one child: the home card's one tap lands here."""
    case, access = _progress_case(request, case_uuid)
    _require_recorder(access)
    if case.status == CaseStatus.CLOSED:
        messages.error(request, _("This case is closed: observations can no longer be recorded."))
        return redirect("care:case", case_uuid=case.uuid)
    today_date = timezone.localdate()
    if request.method == "GET":
        existing = sel.observation_on(case, today_date)
        if existing is not None and svc.editable(existing, today=today_date):
            url = redirect("care:edit", case_uuid=case.uuid, observation_uuid=existing.uuid).url
            if request.GET.get(BACK_HOME[0]) == BACK_HOME[1]:
                url += "?kembali=beranda"
            return redirect(url)
    case_log_view(request, case, access, {D.BASIC, D.IDENTITY})
    clinical = access.can_write(D.CLINICAL)
    form = ObservationForm(
        request.POST or None,
        indicators=svc.active_indicators(),
        with_note=clinical,
        initial={"observed_on": today_date},
    )
    formset = IncidentFormSet(request.POST or None, prefix="incident") if clinical else None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (formset is None or formset.is_valid()):
            incidents = incident_inputs(formset) if formset is not None else None
            try:
                svc.observation_record(
                    case, form.to_input(incidents, today_date), acting_user=request.user
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Observation saved."))
                return _after_save(request, case)
    return render(
        request,
        "care/observation_form.html",
        {
            "case": case,
            "child_label": child_label(case, access),
            "form": form,
            "formset": formset,
            "editing": False,
            "today": today_date,
            "day": _day_asked(form, today_date),
            "errors": error_summary(form, formset),
        },
        status=status,
    )


def _day_asked(form: ObservationForm, today_date: date) -> date:
    """The day the form records: the one sent if it reads as a date, else today."""
    if not form.is_bound:
        return today_date
    field = form.fields.get("observed_on")
    if field is None:
        return today_date
    try:
        day = field.clean(form.data.get("observed_on"))
    except ValidationError:
        return today_date
    return day if isinstance(day, date) else today_date


def _conflict(
    request: HttpRequest,
    case: Case,
    access: CaseAccess,
    form: ObservationForm,
    current: Observation,
) -> HttpResponse:
    saved = _scores(current)
    rows = [
        {
            "label": indicator.label,
            "yours": form.cleaned_data.get(f"score_{indicator.code}"),
            "theirs": saved.get(f"score_{indicator.code}"),
        }
        for indicator in form.indicators
    ]
    if access.can_read(D.CLINICAL) and "note" in form.fields:
        rows.append(
            {
                "label": _("Clinical note"),
                "yours": form.cleaned_data.get("note"),
                "theirs": current.note,
            }
        )
    return render(
        request,
        "web/conflict.html",
        {
            "rows": rows,
            "back_url": reverse(
                "care:edit", kwargs={"case_uuid": case.uuid, "observation_uuid": current.uuid}
            ),
            "back_label": _("Open the form again"),
        },
        status=409,
    )


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, case_uuid: Any, observation_uuid: Any) -> HttpResponse:
    """Correct an observation on the day it was written."""
    case, access = _progress_case(request, case_uuid)
    _require_recorder(access)
    observation = sel.observation_for_case(case, observation_uuid)
    if observation is None:
        access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
        raise Http404
    if case.status == CaseStatus.CLOSED or not svc.editable(observation):
        messages.error(
            request,
            _("This observation can no longer be changed: only on the day it was written."),
        )
        return redirect("care:case", case_uuid=case.uuid)
    case_log_view(request, case, access, {D.BASIC, D.IDENTITY, D.PROGRESS, D.CLINICAL})
    clinical = access.can_write(D.CLINICAL) and access.can_read(D.CLINICAL)
    initial: dict[str, Any] = {"expected_version": observation.version, **_scores(observation)}
    if clinical:
        initial["note"] = observation.note
    form = ObservationForm(
        request.POST or None,
        indicators=svc.active_indicators(),
        with_note=clinical,
        editing=True,
        initial=initial,
    )
    formset = None
    if clinical:
        formset = IncidentEditFormSet(
            request.POST or None,
            prefix="incident",
            initial=[
                {
                    "kind": incident.kind,
                    "occurred_at": incident.occurred_at,
                    "action_taken": incident.action_taken,
                }
                for incident in observation.incidents.all()
            ],
        )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (formset is None or formset.is_valid()):
            incidents = incident_inputs(formset) if formset is not None else None
            version = form.cleaned_data.get("expected_version")
            try:
                svc.observation_update(
                    observation,
                    form.to_input(incidents, observation.observed_on),
                    expected_version=version if version is not None else -1,
                    acting_user=request.user,
                )
            except StaleVersion as stale:
                current = stale.current
                assert isinstance(current, Observation)  # noqa: S101 - the service's contract
                return _conflict(request, case, access, form, current)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Observation saved."))
                return _after_save(request, case)
    return render(
        request,
        "care/observation_form.html",
        {
            "case": case,
            "child_label": child_label(case, access),
            "form": form,
            "formset": formset,
            "editing": True,
            "observation": observation,
            "today": timezone.localdate(),
            "day": observation.observed_on,
            "errors": error_summary(form, formset),
        },
        status=status,
    )


# --- School readiness ----------------------------------------------------------


def _period(
    request: HttpRequest, case: Case, today_date: date
) -> tuple[date, date, PeriodForm, bool]:
    """The period asked for (``?dari=``, ``?sampai=``), made safe; and whether it was changed.

    A period outside the case, upside down, too short or too long is shown
    as the nearest period that is not, and the form then shows that period.
    """
    form = PeriodForm(request.GET or None)
    asked: tuple[date | None, date | None] = (None, None)
    if form.is_bound and form.is_valid():
        asked = (form.cleaned_data["dari"], form.cleaned_data["sampai"])
    since, until = sel.period_bounds(*asked, opened_on=case.opened_on, today=today_date)
    adjusted = any(
        given is not None and given != shown
        for given, shown in zip(asked, (since, until), strict=True)
    )
    if adjusted:
        form = PeriodForm(initial={"dari": since, "sampai": until})
    return since, until, form, adjusted


@require_http_methods(["GET", "POST"])
def readiness(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    """The decision "safe to return to school", its history, and the trend beside it."""
    case, access = _progress_case(request, case_uuid)
    user: Any = request.user
    may_decide = svc.may_decide_readiness(user, access) and case.status != CaseStatus.CLOSED
    if request.method == "POST" and not may_decide:
        raise PermissionDenied
    case_log_view(request, case, access, {D.BASIC, D.IDENTITY, D.PROGRESS})
    today_date = timezone.localdate()
    since, until, period_form, adjusted = _period(request, case, today_date)
    history = sel.readiness_history(case, access)
    latest = history[0] if history else None
    open_for_decision = svc.open_for_decision(latest)
    assessments = svc.signed_assessments_of(case) if may_decide and open_for_decision else []
    form = ReadinessForm(
        request.POST or None,
        assessments=assessments,
        initial={"period_from": since, "period_to": until},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                svc.readiness_decide(
                    case,
                    safe=form.cleaned_data["safe"],
                    assessment_uuids=form.cleaned_data["assessments"],
                    period_from=form.cleaned_data["period_from"],
                    period_to=form.cleaned_data["period_to"],
                    rationale=form.cleaned_data["rationale"],
                    against_reason=form.cleaned_data["against_reason"],
                    acting_user=user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Decision saved: it now waits for the supervisor."))
                return redirect("care:readiness", case_uuid=case.uuid)
    trend = sel.care_trend(case, access, days=(until - since).days + 1, end=until)
    return render(
        request,
        "care/readiness.html",
        {
            "case": case,
            "access": access,
            "child_label": child_label(case, access),
            "history": history,
            "latest": latest,
            "readiness": sel.school_readiness(case),
            "form": form if may_decide and open_for_decision else None,
            "no_assessments": may_decide and open_for_decision and not assessments,
            "may_confirm": svc.may_confirm_readiness(user, case, access),
            "may_revoke": may_decide or svc.may_confirm_readiness(user, case, access),
            "period_form": period_form,
            "period_adjusted": adjusted,
            "since": since,
            "until": until,
            "trend": trend,
            "chart": trend.chart_data(),
        },
        status=status,
    )


def _decision(request: HttpRequest, case: Case, decision_uuid: Any) -> ReadinessDecision:
    decision: ReadinessDecision | None = pick(
        ReadinessDecision.objects.filter(case=case).select_related("case", "case__owner"),
        decision_uuid,
    )
    if decision is None:
        access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
        raise Http404
    return decision


@require_POST
def readiness_confirm(request: HttpRequest, case_uuid: Any, decision_uuid: Any) -> HttpResponse:
    case, access = _progress_case(request, case_uuid)
    decision = _decision(request, case, decision_uuid)
    if not svc.may_confirm_readiness(request.user, case, access):
        raise PermissionDenied
    try:
        svc.readiness_confirm(decision, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Decision confirmed."))
    return redirect("care:readiness", case_uuid=case.uuid)


@require_http_methods(["GET", "POST"])
def readiness_revoke(request: HttpRequest, case_uuid: Any, decision_uuid: Any) -> HttpResponse:
    case, access = _progress_case(request, case_uuid)
    decision = _decision(request, case, decision_uuid)
    user: Any = request.user
    if not (
        svc.may_decide_readiness(user, access) or svc.may_confirm_readiness(user, case, access)
    ):
        raise PermissionDenied
    case_log_view(request, case, access, {D.BASIC, D.PROGRESS})
    form = RevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                svc.readiness_revoke(decision, reason=form.cleaned_data["reason"], acting_user=user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Decision revoked."))
                return redirect("care:readiness", case_uuid=case.uuid)
    return render(
        request,
        "care/revoke.html",
        {"case": case, "decision": decision, "form": form},
        status=status,
    )
