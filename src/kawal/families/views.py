"""Pages of the parent programme, the RT head's confirmations and community sessions.

Every read goes through ``selectors`` (scoped and access-logged before the
page is built), every write through ``services``. Missing and forbidden
records give the same 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may, reads_identity
from kawal.accounts.models import User
from kawal.cases.selectors import case_for_user
from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.core.uploads import open_private, private_download
from kawal.families import forms as f
from kawal.families import policy
from kawal.families import selectors as sel
from kawal.families import services as svc
from kawal.families.compliance import Compliance
from kawal.families.models import (
    ParentProgramme,
    ProgrammeStatus,
    SessionStatus,
    UndertakingState,
)
from kawal.families.selectors import RUN_PARENTING_ROLES
from kawal.web.forms import apply_errors, posted_version

D = DataClass


def _attempt(form: Form, action: Callable[[], Any]) -> Any:
    """Run a service; its validation errors land on the form instead of a 500."""
    try:
        return action()
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    back: str,
    intro: str = "",
    submit: str = "",
    multipart: bool = False,
    status: int | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "title": title,
        "back": back,
        "intro": intro,
        "submit": submit or _("Save"),
        "multipart": multipart,
        **(extra or {}),
    }
    return render(request, "families/form.html", context, status=status)


def _conflict(request: HttpRequest, back: str, rows: list[tuple[str, Any, Any]]) -> HttpResponse:
    return render(
        request,
        "web/conflict.html",
        {
            "rows": [
                {"label": label, "yours": yours, "theirs": theirs} for label, yours, theirs in rows
            ],
            "back_url": back,
            "back_label": _("Back"),
        },
        status=409,
    )


# --- The programme -------------------------------------------------------------------


def _detail_url(programme: ParentProgramme) -> str:
    return reverse("families:programme", kwargs={"programme_uuid": programme.uuid})


def _recording(
    request: HttpRequest, programme_uuid: Any, *, need: str = D.PROGRESS
) -> tuple[ParentProgramme, Any]:
    """A programme the user may record in (404 if unseen, 403 if only read)."""
    programme, access = sel.programme_for_user(request, programme_uuid, need=need)
    if not policy.records_programme(access):
        raise PermissionDenied
    return programme, access


def _log_form(
    request: HttpRequest, programme: ParentProgramme, access: Any, *, clinical: bool = False
) -> None:
    """A form of the programme shows its progress and, when readable, the parents' names
    (and, editing a session, its clinical note)."""
    classes = {D.BASIC, D.PROGRESS}
    if access.can_read(D.IDENTITY):
        classes.add(D.IDENTITY)
    if clinical:
        classes.add(D.CLINICAL)
    sel.programme_log_view(request, programme, access, classes=classes)


def _closed(request: HttpRequest, programme: ParentProgramme) -> HttpResponse | None:
    if programme.status == ProgrammeStatus.ACTIVE:
        return None
    messages.error(request, _("This programme is closed; nothing more can be recorded in it."))
    return redirect(_detail_url(programme))


def _parents(programme: ParentProgramme, access: Any) -> list[tuple[Any, str]]:
    names = access.can_read(D.IDENTITY)
    return [
        (parent, sel.parent_label(parent, names))
        for parent in programme.parents.select_related("person")
    ]


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (may(user, Capability.RUN_PARENTING) or may(user, Capability.OPEN_CASE)):
        raise PermissionDenied
    rows = sel.programme_list(request)
    return render(
        request,
        "families/programme_list.html",
        {"rows": rows, "overdue": Compliance.NOT_COMPLYING},
    )


@require_http_methods(["GET", "POST"])
def programme_start(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = case_for_user(request, case_uuid, need=D.PROGRESS)
    if not policy.records_programme(access):
        raise PermissionDenied
    back = reverse("cases:detail", kwargs={"case_uuid": case.uuid})
    running = sel.current_programme(case)
    if running is not None and running.status == ProgrammeStatus.ACTIVE:
        return redirect(_detail_url(running))
    relatives = sel.child_relatives(case) if access.can_read(D.IDENTITY) else None
    form = f.ProgrammeForm(
        request.POST or None,
        facilitators=sel.facilitator_candidates(case),
        relatives=relatives,
        initial={"planned_sessions": svc.min_sessions()},
    )
    classes = {D.BASIC, D.PROGRESS} | ({D.IDENTITY} if relatives is not None else set())
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(case.pk, case.number)],
        data_classes=classes,
        via_break_glass=access.via_break_glass,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        programme = _attempt(
            form,
            lambda: svc.programme_start(
                case,
                facilitator=data["facilitator"],
                started_on=data["started_on"],
                planned_sessions=data["planned_sessions"],
                goals=data["goals"],
                parents=list(data.get("parents") or []),
                acting_user=request.user,
            ),
        )
        if programme is not None:
            messages.success(request, _("Parent programme started."))
            return redirect(_detail_url(programme))
    return _form_page(
        request,
        form,
        title=_("Start a parent programme"),
        back=back,
        intro=_(
            "Parenting education, counselling, home visits, signed undertakings and support "
            "for the child's parents. Never record where the child is staying."
        ),
        extra={"case": case},
    )


@require_GET
def programme_detail(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = sel.programme_for_user(request, programme_uuid)
    sel.programme_log_view(request, programme, access)
    page = sel.programme_page(programme, access)
    can_record = policy.records_programme(access) and programme.status == ProgrammeStatus.ACTIVE
    return render(
        request,
        "families/programme_detail.html",
        {
            "page": page,
            "programme": programme,
            "case": programme.case,
            "access": access,
            "can_record": can_record,
            "reads_clinical": access.can_read(D.CLINICAL),
            "reads_names": access.can_read(D.IDENTITY),
            "records_support": can_record and policy.records_support(access),
            "enrolable": sel.enrolable_relatives(programme)
            if can_record and access.can_read(D.IDENTITY)
            else [],
            "state_form": f.UndertakingStateForm(),
            "no_whereabouts": f.NO_WHEREABOUTS,
            "in_force": UndertakingState.IN_FORCE,
            "kept": UndertakingState.KEPT,
            "planned": SessionStatus.PLANNED,
        },
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    _log_form(request, programme, access)
    back = _detail_url(programme)
    initial = {
        "facilitator": programme.facilitator_id,
        "planned_sessions": programme.planned_sessions,
        "goals": programme.goals,
        "expected_version": programme.version,
    }
    form = f.ProgrammeEditForm(
        request.POST or None,
        initial=initial,
        facilitators=sel.facilitator_candidates(programme.case),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.programme_update(
                programme,
                facilitator=data["facilitator"],
                planned_sessions=data["planned_sessions"],
                goals=data["goals"],
                expected_version=data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion as stale:
            current: Any = stale.current
            return _conflict(
                request,
                back,
                [
                    (_("Facilitator"), data["facilitator"], current.facilitator),
                    (_("Sessions planned"), data["planned_sessions"], current.planned_sessions),
                    (_("Goals of the programme"), data["goals"], current.goals),
                ],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Programme updated."))
            return redirect(back)
    return _form_page(request, form, title=_("Change the parent programme"), back=back)


@require_http_methods(["GET", "POST"])
def programme_close(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, _access = _recording(request, programme_uuid)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    back = _detail_url(programme)
    form = f.ProgrammeCloseForm(
        request.POST or None, initial={"expected_version": programme.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            svc.programme_close(
                programme,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion:
            form.add_error(None, _("Someone changed this programme in the meantime."))
            return _form_page(
                request, form, title=_("Close the parent programme"), back=back, status=409
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Programme closed."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Close the parent programme"),
        back=back,
        submit=_("Close the programme"),
    )


@require_POST
def parent_add(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, _access = _recording(request, programme_uuid, need=D.IDENTITY)
    form = f.ParentAddForm(request.POST, relatives=sel.enrolable_relatives(programme))
    if form.is_valid():
        try:
            svc.programme_parent_add(
                programme, person=form.cleaned_data["person"], acting_user=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Parent added to the programme."))
    else:
        messages.error(request, _("Choose a parent or carer."))
    return redirect(_detail_url(programme))


# --- Sessions ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    _log_form(request, programme, access)
    parents = _parents(programme, access)
    form = f.SessionForm(
        request.POST or None,
        parents=parents,
        facilitators=sel.facilitator_candidates(programme.case),
        clinical=policy.writes_clinical(access),
        initial={
            "facilitator": programme.facilitator_id or request.user.pk,
            "attended": [parent.pk for parent, _label in parents],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = _attempt(
            form,
            lambda: svc.session_record(
                programme,
                kind=data["kind"],
                format=data["format"],
                status=data["status"],
                held_on=data["held_on"],
                facilitator=data.get("facilitator"),
                topic=data["topic"],
                summary=data["summary"],
                clinical_note=data.get("clinical_note", ""),
                attended=list(data.get("attended") or []),
                acting_user=request.user,
            ),
        )
        if session is not None:
            messages.success(request, _("Session recorded."))
            return redirect(_detail_url(programme))
    return _form_page(request, form, title=_("Record a session"), back=_detail_url(programme))


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, programme_uuid: Any, session_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid)
    session = sel.session_of(programme, session_uuid)
    if session is None:
        sel.record_missing(request, programme)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    clinical = policy.writes_clinical(access)
    _log_form(request, programme, access, clinical=clinical)
    back = _detail_url(programme)
    initial = {
        "status": session.status,
        "held_on": session.held_on,
        "topic": session.topic,
        "summary": session.summary,
        "attended": list(
            session.attendance.filter(attended=True).values_list("parent_id", flat=True)
        ),
        "expected_version": session.version,
    }
    if clinical:
        initial["clinical_note"] = session.clinical_note
    form = f.SessionEditForm(
        request.POST or None,
        initial=initial,
        parents=_parents(programme, access),
        clinical=clinical,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.session_update(
                session,
                status=data["status"],
                held_on=data["held_on"],
                topic=data["topic"],
                summary=data["summary"],
                clinical_note=data.get("clinical_note") if clinical else None,
                attended=list(data.get("attended") or []),
                expected_version=data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion as stale:
            current: Any = stale.current
            return _conflict(
                request,
                back,
                [
                    (_("Status"), data["status"], current.get_status_display()),
                    (_("Date"), data["held_on"], current.held_on),
                    (_("Topic"), data["topic"], current.topic),
                    (_("What was covered"), data["summary"], current.summary),
                ],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Session updated."))
            return redirect(back)
    return _form_page(request, form, title=_("Update the session"), back=back)


# --- Home visits and the RT head -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    _log_form(request, programme, access)
    case = programme.case
    form = f.VisitForm(
        request.POST or None,
        visitors=sel.visitor_candidates(case),
        # The RTs of the child's kelurahan tell where the family lives: identity data.
        agencies=sel.neighbourhood_agencies(case) if access.can_read(D.IDENTITY) else None,
        initial={"visitors": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = _attempt(
            form,
            lambda: svc.visit_record(
                programme,
                visited_on=data["visited_on"],
                visitors=list(data.get("visitors") or []),
                other_visitors=data["other_visitors"],
                findings=data["findings"],
                found_safe=data["found_safe"],
                confirming_agency=data.get("confirming_agency"),
                acting_user=request.user,
            ),
        )
        if visit is not None:
            messages.success(request, _("Home visit recorded."))
            return redirect(_detail_url(programme))
    return _form_page(request, form, title=_("Record a home visit"), back=_detail_url(programme))


@require_GET
def rt_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Capability.CONFIRM_HOME):
        raise PermissionDenied
    return render(request, "families/rt_list.html", {"rows": sel.rt_pending_visits(request)})


@require_http_methods(["GET", "POST"])
def rt_confirm(request: HttpRequest, visit_uuid: Any) -> HttpResponse:
    if not may(request.user, Capability.CONFIRM_HOME):
        raise PermissionDenied
    visit, row = sel.rt_visit_for_user(request, visit_uuid)
    form = f.RtConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: svc.visit_confirm(
                visit,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you. Your answer was sent."))
            return redirect("families:rt_visits")
    return render(
        request,
        "families/rt_confirm.html",
        {"form": form, "row": row},
        status=400 if form.errors else 200,
    )


# --- Undertakings -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def undertaking_new(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid, need=D.IDENTITY)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    _log_form(request, programme, access)
    form = f.UndertakingForm(
        request.POST or None, request.FILES or None, parents=_parents(programme, access)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        undertaking = _attempt(
            form,
            lambda: svc.undertaking_record(
                programme,
                text=data["text"],
                signed_on=data["signed_on"],
                signed_by=list(data.get("signed_by") or []),
                upload=data["scan"],
                acting_user=request.user,
            ),
        )
        if undertaking is not None:
            messages.success(request, _("Signed undertaking recorded."))
            return redirect(_detail_url(programme))
    return _form_page(
        request,
        form,
        title=_("Record a signed undertaking"),
        back=_detail_url(programme),
        multipart=True,
    )


@require_POST
def undertaking_state(
    request: HttpRequest, programme_uuid: Any, undertaking_uuid: Any
) -> HttpResponse:
    programme, _access = _recording(request, programme_uuid)
    undertaking = sel.undertaking_of(programme, undertaking_uuid)
    if undertaking is None:
        sel.record_missing(request, programme)
    form = f.UndertakingStateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            svc.undertaking_set_state(
                undertaking,
                state=data["state"],
                on=data["on"],
                note=data["note"],
                expected_version=data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion as stale:
            current: Any = stale.current
            return _conflict(
                request,
                _detail_url(programme),
                [
                    (
                        _("The undertaking was"),
                        UndertakingState(data["state"]).label,
                        current.get_state_display(),
                    ),
                    (_("On"), data["on"], current.state_on),
                    (_("What happened"), data["note"], current.state_note),
                ],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Undertaking updated."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect(_detail_url(programme))


@require_GET
def undertaking_download(request: HttpRequest, undertaking_uuid: Any) -> FileResponse:
    undertaking, access = sel.undertaking_for_download(request, undertaking_uuid)
    # The file is opened before the download is logged: a missing file is no download.
    try:
        path = open_private(
            undertaking.scan_file,
            root=settings.KAWAL_PRIVATE_MEDIA_ROOT / svc.UNDERTAKING_ROOT,
        )
        response = private_download(
            path,
            filename=f"surat-pernyataan-{undertaking.uuid.hex[:8]}{path.suffix}",
            content_type=undertaking.scan_content_type or "application/octet-stream",
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    try:
        sel.undertaking_log_download(request, undertaking, access)
    except BaseException:
        # Fail-closed: without its log row nothing is served.
        response.close()
        raise
    return response


# --- Support referrals ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def support_new(request: HttpRequest, programme_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid, need=D.FINANCIAL)
    closed = _closed(request, programme)
    if closed is not None:
        return closed
    sel.programme_log_view(request, programme, access, classes={D.BASIC, D.FINANCIAL})
    form = f.SupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = _attempt(
            form,
            lambda: svc.support_refer(
                programme,
                kind=data["kind"],
                to_agency=data.get("to_agency"),
                to_other=data["to_other"],
                referred_on=data["referred_on"],
                reason=data["reason"],
                acting_user=request.user,
            ),
        )
        if referral is not None:
            messages.success(request, _("Referral for support recorded."))
            return redirect(_detail_url(programme))
    return _form_page(
        request,
        form,
        title=_("Refer the family for economic support"),
        back=_detail_url(programme),
    )


@require_http_methods(["GET", "POST"])
def support_outcome(request: HttpRequest, programme_uuid: Any, referral_uuid: Any) -> HttpResponse:
    programme, access = _recording(request, programme_uuid, need=D.FINANCIAL)
    referral = sel.support_of(programme, referral_uuid)
    if referral is None:
        sel.record_missing(request, programme)
    sel.programme_log_view(request, programme, access, classes={D.BASIC, D.FINANCIAL})
    back = _detail_url(programme)
    form = f.SupportOutcomeForm(
        request.POST or None, initial={"expected_version": referral.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.support_outcome(
                referral,
                outcome=data["outcome"],
                outcome_on=data["outcome_on"],
                note=data["note"],
                expected_version=data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion as stale:
            current: Any = stale.current
            return _conflict(
                request,
                back,
                [(_("Outcome"), data["outcome"], current.get_outcome_display())],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Outcome of the referral: %(kind)s") % {"kind": referral.get_kind_display()},
        back=back,
    )


# --- Community sessions ------------------------------------------------------------------


def _community_reader(request: HttpRequest) -> Any:
    if not policy.reads_community_sessions(request.user):
        raise PermissionDenied
    return request.user


def _community_facilitators() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=RUN_PARENTING_ROLES)
        .select_related("agency")
        .order_by("full_name")
    )


def _session_url(session: Any) -> str:
    return reverse("families:community_detail", kwargs={"session_uuid": session.uuid})


@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    user = _community_reader(request)
    kelurahan = request.GET.get("kelurahan", "")[:13]
    overview = sel.community_kelurahan_list()
    known = {row.code for row in overview}
    if kelurahan not in known:
        kelurahan = ""
    return render(
        request,
        "families/community_list.html",
        {
            "overview": overview,
            "kelurahan": kelurahan,
            "sessions": sel.community_sessions(kelurahan=kelurahan)[:100],
            "can_record": policy.records_community_sessions(user),
        },
    )


@require_http_methods(["GET", "POST"])
def community_new(request: HttpRequest) -> HttpResponse:
    user = _community_reader(request)
    if not policy.records_community_sessions(user):
        raise PermissionDenied
    form = f.CommunitySessionForm(
        request.POST or None,
        facilitators=_community_facilitators(),
        initial={"facilitators": [user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = _attempt(
            form,
            lambda: svc.community_session_create(
                kelurahan=data["kelurahan"],
                rt=data["rt"],
                held_on=data["held_on"],
                topic=data["topic"],
                venue=data["venue"],
                facilitators=list(data.get("facilitators") or []),
                other_facilitators=data["other_facilitators"],
                counts=form.counts(),
                notes=data["notes"],
                acting_user=user,
                context=AuditContext.from_request(request),
            ),
        )
        if session is not None:
            messages.success(request, _("Community session recorded."))
            return redirect(_session_url(session))
    return _form_page(
        request,
        form,
        title=_("Record a community session"),
        back=reverse("families:community"),
        intro=_("Counts only: the names of those who came are never recorded."),
    )


def _organises(user: Any, session: Any) -> tuple[set[int], bool]:
    facilitators = set(session.facilitators.values_list("pk", flat=True))
    return facilitators, policy.organises_community_session(user, session, facilitators)


@require_GET
def community_detail(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    user = _community_reader(request)
    session = sel.community_session_for_user(user, session_uuid)
    facilitators, organises = _organises(user, session)
    families = sel.at_risk_families(request, session, facilitators)
    return render(
        request,
        "families/community_detail.html",
        {
            "session": session,
            "facilitators": session.facilitators.select_related("agency").order_by("full_name"),
            "materials": session.materials.all(),
            "families": families,
            "family_count": session.families.count(),
            "organises": organises,
            "material_form": f.MaterialForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def community_edit(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    user = _community_reader(request)
    session = sel.community_session_for_user(user, session_uuid)
    _facilitators, organises = _organises(user, session)
    if not organises:
        raise PermissionDenied
    back = _session_url(session)
    form = f.CommunitySessionForm(
        request.POST or None,
        facilitators=_community_facilitators(),
        initial=f.CommunitySessionForm.initial_from(session),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.community_session_update(
                session,
                kelurahan=data["kelurahan"],
                rt=data["rt"],
                held_on=data["held_on"],
                topic=data["topic"],
                venue=data["venue"],
                facilitators=list(data.get("facilitators") or []),
                other_facilitators=data["other_facilitators"],
                counts=form.counts(),
                notes=data["notes"],
                expected_version=posted_version(request),
                acting_user=user,
                context=AuditContext.from_request(request),
            )
        except StaleVersion as stale:
            current: Any = stale.current
            return _conflict(
                request,
                back,
                [
                    (_("Topic"), data["topic"], current.topic),
                    (_("Date"), data["held_on"], current.held_on),
                    (_("Notes"), data["notes"], current.notes),
                ],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Community session updated."))
            return redirect(back)
    return _form_page(request, form, title=_("Change the community session"), back=back)


@require_POST
def material_add(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    user = _community_reader(request)
    session = sel.community_session_for_user(user, session_uuid)
    _facilitators, organises = _organises(user, session)
    if not organises:
        raise PermissionDenied
    form = f.MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.community_material_add(
                session,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("file"),
                acting_user=user,
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Material added."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect(_session_url(session))


@require_GET
def material_download(request: HttpRequest, material_uuid: Any) -> FileResponse:
    user = _community_reader(request)
    material = sel.community_material_for_user(user, material_uuid)
    try:
        path = open_private(
            material.storage_name, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / svc.MATERIAL_ROOT
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_download(
        path,
        filename=material.original_name or f"materi-{material.uuid.hex[:8]}{path.suffix}",
        content_type=material.content_type or "application/octet-stream",
    )


@require_http_methods(["GET", "POST"])
def family_add(request: HttpRequest, session_uuid: Any) -> HttpResponse:
    user = _community_reader(request)
    session = sel.community_session_for_user(user, session_uuid)
    _facilitators, organises = _organises(user, session)
    if not organises or not reads_identity(user):
        raise PermissionDenied
    people = sel.linkable_people(user, session)
    cases = {case.pk: case.number for _person, _label, case in people}
    if cases:
        # The people offered are named: a list of identity data of those cases.
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=list(cases.items()),
            data_classes=[D.IDENTITY],
        )
    form = f.FamilyForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = _attempt(
            form,
            lambda: svc.community_family_add(
                session,
                family_name=data["family_name"],
                rt=data["rt"],
                concern=data["concern"],
                person=data.get("person"),
                acting_user=user,
                context=AuditContext.from_request(request),
            ),
        )
        if family is not None:
            messages.success(request, _("Family noted."))
            return redirect(_session_url(session))
    return _form_page(
        request,
        form,
        title=_("Note a family at risk"),
        back=_session_url(session),
        intro=_("Seen only by the session's facilitators and by case managers."),
    )
