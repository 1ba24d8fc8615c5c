"""Assessment pages: the case's assessments, filling in on a phone, signing, reading.

Every page fetches and authorises the case first (missing and forbidden give
the same 404), logs what it shows before building it, and writes only
through ``services``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.assessments import selectors as sel
from kawal.assessments import services as svc
from kawal.assessments.forms import AnswersForm, SignForm, StartForm, field_name, initial_answers
from kawal.assessments.models import Assessment, Item, value_key
from kawal.assessments.policy import may_fill, reads_answers, reads_results, sees_any
from kawal.assessments.scoring import result_json, rules_for, score
from kawal.cases.models import Case, CaseStatus
from kawal.cases.policy import CaseAccess
from kawal.cases.selectors import case_for_user, case_log_view
from kawal.core.models import StaleVersion
from kawal.web.forms import apply_errors

AUTOSAVE_HEADER = "X-Kawal-Autosave"


def _case(request: HttpRequest, case_uuid: Any) -> tuple[Case, CaseAccess]:
    """The case, for a viewer who reads care progress or clinical data on it; else 404."""
    case, access = case_for_user(request, case_uuid)
    if not sees_any(access):
        _deny(request, case)
    return case, access


def _deny(request: HttpRequest, case: Case) -> NoReturn:
    access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
    raise Http404


def _assessment(
    request: HttpRequest, case: Case, access: CaseAccess, assessment_uuid: Any
) -> Assessment:
    assessment = sel.case_assessment(case, access, request.user, assessment_uuid)
    if assessment is None:
        _deny(request, case)
    return assessment


def _own_draft(
    request: HttpRequest, case_uuid: Any, assessment_uuid: Any
) -> tuple[Case, CaseAccess, Assessment] | HttpResponse:
    case, access = _case(request, case_uuid)
    assessment = _assessment(request, case, access, assessment_uuid)
    if not assessment.is_draft:
        return redirect("assessments:detail", case_uuid=case.uuid, assessment_uuid=assessment.uuid)
    if not may_fill(request.user, access, assessment.instrument):
        raise PermissionDenied
    return case, access, assessment


def _items(assessment: Assessment) -> list[Item]:
    return list(
        assessment.instrument.items.select_related("section").prefetch_related("scale__options")
    )


# --- The case's assessments ----------------------------------------------------------


@require_GET
def case_assessments(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = _case(request, case_uuid)
    user: Any = request.user
    rows = sel.case_assessment_rows(case, access, history=True)
    if rows:
        shown: set[str] = (
            {DataClass.PROGRESS}
            if reads_results(access)
            else {row.assessment.answers_class for row in rows}
        )
        case_log_view(request, case, access, shown)
    return render(
        request,
        "assessments/case_assessments.html",
        {
            "case": case,
            "access": access,
            "rows": rows,
            "drafts": sel.my_drafts(user, case),
            "fillable": sel.fillable_instruments(user, access)
            if case.status != CaseStatus.CLOSED
            else [],
            "reads_results": reads_results(access),
        },
    )


@require_POST
def start(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, _access = _case(request, case_uuid)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an instrument."))
        return redirect("assessments:case", case_uuid=case.uuid)
    try:
        assessment, created = svc.assessment_start(
            case, instrument_code=form.cleaned_data["instrument"], acting_user=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessments:case", case_uuid=case.uuid)
    if not created:
        messages.info(request, _("You had started this assessment already: carry on."))
    return redirect("assessments:fill", case_uuid=case.uuid, assessment_uuid=assessment.uuid)


# --- Filling in ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, case_uuid: Any, assessment_uuid: Any) -> HttpResponse:
    found = _own_draft(request, case_uuid, assessment_uuid)
    if isinstance(found, HttpResponse):
        return found
    case, access, assessment = found
    items = _items(assessment)
    autosave = request.headers.get(AUTOSAVE_HEADER) == "1"
    status = 200
    if request.method == "POST":
        form = AnswersForm(request.POST, items=items)
        outcome = _save(request, form, assessment, autosave=autosave)
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    else:
        form = AnswersForm(
            initial=initial_answers(assessment.answers, assessment.version), items=items
        )
    # The form shows the answers: a read of their class, logged before the page is built.
    case_log_view(request, case, access, {assessment.answers_class})
    return render(
        request,
        "assessments/fill.html",
        {
            "case": case,
            "assessment": assessment,
            "instrument": assessment.instrument,
            "form": form,
            "sections": form.sections(),
        },
        status=status,
    )


def _save(
    request: HttpRequest, form: AnswersForm, assessment: Assessment, *, autosave: bool
) -> HttpResponse | int:
    """Save the posted draft; a response when done, else the status to show the form with."""
    if form.is_valid():
        try:
            saved = svc.assessment_save_draft(
                assessment,
                answers=form.answers(),
                expected_version=form.cleaned_data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion as stale:
            current = stale.current
            message = _(
                "This draft was saved from another window or phone meanwhile. Nothing here "
                "was saved: check the answers and save again to keep these."
            )
            if autosave:
                return JsonResponse({"message": message}, status=409)
            form.add_error(None, message)
            # Saving again is then a deliberate overwrite of the newer draft.
            data = request.POST.copy()
            data["expected_version"] = str(getattr(current, "version", 0))
            form.data = data
            return 409
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if autosave:
                saved_at = timezone.localtime(saved.saved_at).strftime("%H:%M")
                return JsonResponse(
                    {
                        "version": saved.version,
                        "message": _("Saved at %(time)s") % {"time": saved_at},
                    }
                )
            case_uuid, assessment_uuid = assessment.case.uuid, assessment.uuid
            if request.POST.get("action") == "review":
                return redirect(
                    "assessments:sign", case_uuid=case_uuid, assessment_uuid=assessment_uuid
                )
            messages.success(request, _("Draft saved. You can carry on later."))
            return redirect(
                "assessments:fill", case_uuid=case_uuid, assessment_uuid=assessment_uuid
            )
    if autosave:
        return JsonResponse(
            {"message": _("Not saved: check the answers marked on the page.")}, status=400
        )
    return 400


def _service_errors(form: AnswersForm, error: ValidationError) -> None:
    """A service's errors are keyed by item code; the form's fields by ``q_<code>``."""
    if hasattr(error, "error_dict"):
        for code, problems in error.message_dict.items():
            name = field_name(code)
            form.add_error(name if name in form.fields else None, problems)
    else:
        apply_errors(form, error)


# --- Signing -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, case_uuid: Any, assessment_uuid: Any) -> HttpResponse:
    found = _own_draft(request, case_uuid, assessment_uuid)
    if isinstance(found, HttpResponse):
        return found
    case, access, assessment = found
    form = SignForm(request.POST or None, initial={"expected_version": assessment.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            signed = svc.assessment_sign(
                assessment,
                expected_version=form.cleaned_data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion:
            messages.error(
                request,
                _("The draft changed since you opened this page. Check the answers again."),
            )
            return redirect(
                "assessments:sign", case_uuid=case.uuid, assessment_uuid=assessment.uuid
            )
        except ValidationError as error:
            apply_errors(form, error)
            status = 400
        else:
            messages.success(request, _("Assessment signed."))
            return redirect("assessments:detail", case_uuid=case.uuid, assessment_uuid=signed.uuid)
    elif request.method == "POST":
        status = 400
    rules = rules_for(assessment.instrument)
    scored = score(rules, assessment.answers)
    shown = {assessment.answers_class} | ({DataClass.PROGRESS} if reads_results(access) else set())
    case_log_view(request, case, access, shown)
    items = _items(assessment)
    numbers = {item.code: number for number, item in enumerate(items, 1)}
    return render(
        request,
        "assessments/sign.html",
        {
            "case": case,
            "assessment": assessment,
            "instrument": assessment.instrument,
            "form": form,
            "answers": _answer_sections(items, assessment.answers),
            "missing": [numbers[code] for code in scored.missing_required if code in numbers],
            # Scored here by the server, exactly as signing will score it.
            "preview": sel.result_view(result_json(rules, scored))
            if reads_results(access)
            else None,
        },
        status=status,
    )


def _answer_sections(items: list[Item], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers as read back: the chosen option's label, or the written text."""
    sections: list[dict[str, Any]] = []
    for number, item in enumerate(items, 1):
        raw = answers.get(item.code)
        shown = ""
        if raw not in (None, ""):
            if item.scale is not None:
                labels = {
                    value_key(option.value): option.label for option in item.scale.options.all()
                }
                shown = labels.get(str(raw), str(raw))
            else:
                shown = str(raw)
        if not sections or sections[-1]["section"].pk != item.section_id:
            sections.append({"section": item.section, "answers": []})
        sections[-1]["answers"].append(
            {
                "number": number,
                "item": item,
                "answer": shown,
                "value": raw if item.scale_id else None,
            }
        )
    return sections


# --- A signed assessment ---------------------------------------------------------------


@require_GET
def detail(request: HttpRequest, case_uuid: Any, assessment_uuid: Any) -> HttpResponse:
    case, access = _case(request, case_uuid)
    assessment = _assessment(request, case, access, assessment_uuid)
    if assessment.is_draft:
        return redirect("assessments:fill", case_uuid=case.uuid, assessment_uuid=assessment.uuid)
    results, answers = reads_results(access), reads_answers(access, assessment)
    shown = ({DataClass.PROGRESS} if results else set()) | (
        {assessment.answers_class} if answers else set()
    )
    case_log_view(request, case, access, shown)
    corrections = list(assessment.corrections.filter(status="signed").select_related("signed_by"))
    return render(
        request,
        "assessments/detail.html",
        {
            "case": case,
            "assessment": assessment,
            "instrument": assessment.instrument,
            "result": sel.result_view(assessment.result) if results else None,
            "answers": _answer_sections(_items(assessment), assessment.answers)
            if answers
            else None,
            "corrections": corrections,
            "may_correct": assessment.superseded_at is None
            and case.status != CaseStatus.CLOSED
            and may_fill(request.user, access, assessment.instrument),
        },
    )


@require_POST
def correct(request: HttpRequest, case_uuid: Any, assessment_uuid: Any) -> HttpResponse:
    case, access = _case(request, case_uuid)
    assessment = _assessment(request, case, access, assessment_uuid)
    try:
        correction, created = svc.assessment_correct(assessment, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assessments:detail", case_uuid=case.uuid, assessment_uuid=assessment.uuid)
    if created:
        messages.info(
            request,
            _("A correction starts from the signed answers. Change what was wrong, then sign it."),
        )
    return redirect("assessments:fill", case_uuid=case.uuid, assessment_uuid=correction.uuid)


@require_POST
def discard(request: HttpRequest, case_uuid: Any, assessment_uuid: Any) -> HttpResponse:
    found = _own_draft(request, case_uuid, assessment_uuid)
    if isinstance(found, HttpResponse):
        return found
    case, _access, assessment = found
    try:
        svc.assessment_discard(assessment, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Draft discarded."))
    return redirect("assessments:case", case_uuid=case.uuid)
