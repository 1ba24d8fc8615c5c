"""Case pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability, DataClass, data_class_of
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may, reads_cases, reads_identity
from kawal.accounts.models import Agency, User
from kawal.cases import forms as f
from kawal.cases import selectors as sel
from kawal.cases import services as svc
from kawal.cases.extensions import (
    Origin,
    attachable,
    opening_sources,
    registered_children,
    sections_for,
)
from kawal.cases.lists import CASE_COLUMNS, TASK_COLUMNS, TASK_DEFAULT_SORT, export_url
from kawal.cases.models import (
    Approval,
    Attachment,
    Case,
    CaseMember,
    CaseStatus,
    Note,
    RiskLevel,
    Task,
)
from kawal.cases.policy import CaseAccess, case_access, cases_visible_to
from kawal.core.uploads import open_private, private_download
from kawal.identity.index import query_record, root_of
from kawal.identity.panel import intake_panel, panel_signature, signature_matches
from kawal.people.identity_numbers import nik_warnings, parse_nik
from kawal.people.models import Person, PersonRelation
from kawal.web.forms import apply_errors, posted_version
from kawal.web.sorting import chosen_sort, header, sort_keys

D = DataClass


def _attempt(form: Form, action: Callable[[], Any]) -> Any:
    """Run a service; its validation errors land on the form instead of a 500."""
    try:
        return action()
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _conflict(
    request: HttpRequest, case: Case, yours: dict[str, Any], current: Any, fields: list[str]
) -> HttpResponse:
    rows = []
    for name in fields:
        label = current._meta.get_field(name).verbose_name if hasattr(current, "_meta") else name
        rows.append(
            {"label": label, "yours": yours.get(name), "theirs": getattr(current, name, "")}
        )
    return render(
        request,
        "web/conflict.html",
        {
            "rows": rows,
            "back_url": reverse("cases:detail", kwargs={"case_uuid": case.uuid}),
            "back_label": _("Back to the case"),
        },
        status=409,
    )


# --- Lists and search --------------------------------------------------------


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not reads_cases(user):
        raise PermissionDenied
    params = request.GET
    filters = sel.case_filters_from(params)
    page, total = sel.case_list(request, filters=filters, page_number=params.get("page", 1))
    query = params.copy()
    query.pop("page", None)
    filters_only = query.copy()
    filters_only.pop("sort", None)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "total": total,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "risks": RiskLevel.choices,
            "kelurahan_choices": f.region_list(level="kelurahan").order_by("name")
            if reads_identity(user)
            else [],
            "agencies": Agency.objects.filter(is_active=True),
            "query": query.urlencode(),
            "can_open": may(user, Capability.OPEN_CASE),
            "columns": header(CASE_COLUMNS, filters.sort, params),
            "export_url": export_url(user, filters_only.urlencode()),
        },
    )


@require_http_methods(["GET", "POST"])
def case_search(request: HttpRequest) -> HttpResponse:
    """POST only for the query itself, so names and NIKs never sit in URLs or logs."""
    if not reads_cases(request.user):
        raise PermissionDenied
    form = f.SearchForm(request.POST if request.method == "POST" else None)
    rows = None
    if request.method == "POST" and form.is_valid():
        rows = sel.case_search(request, form.cleaned_data["q"])
    return render(request, "cases/search.html", {"form": form, "rows": rows})


# --- Opening and the case page -----------------------------------------------


@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not may(user, Capability.OPEN_CASE):
        raise PermissionDenied
    # What the case is opened from: each registered source (a report, a child
    # found on outreach) reads its hidden field or link parameter.
    origins: list[Origin] = []
    gone = []
    initial: dict[str, Any] = {}
    for source in opening_sources():
        token = request.POST.get(source.field) or request.GET.get(source.param, "")
        found = source.find(user, token) if token else None
        if found is None:
            # Named but gone (closed, or a case opened meanwhile): say so rather
            # than open a case that silently lacks its origin.
            if token:
                gone.append(source.gone_message)
            continue
        origins.append(Origin(source, found))
        initial.update(source.initial(request, found))
    form = f.OpenCaseForm(request.POST or None, initial=initial or None)
    sibling = None
    panel: list[Any] = []
    signature = ""
    if request.method == "POST" and form.is_valid() and form.cleaned_data["sibling_case"]:
        # Only a case the user may see can be named as a sibling's.
        sibling = (
            cases_visible_to(user).filter(number=form.cleaned_data["sibling_case"].strip()).first()
        )
        if sibling is None:
            form.add_error("sibling_case", _("No case you may see has that number."))
    if form.is_bound:
        for message in gone:
            form.add_error(None, str(message))
    if request.method == "POST" and form.is_valid():
        record = query_record(**form.matching_fields())
        # The named sibling is another child, not a match, for a user who knows
        # who that child is; for one who sees only the case's basic facts the
        # sibling may be this very child, so the registry still says so.
        known = (
            [root_of(sibling.child).pk]
            if sibling is not None and _knows_child_of(user, sibling)
            else []
        )
        # A child an origin registered already is themself, not a match.
        known += [root_of(child).pk for child in registered_children(origins)]
        panel = intake_panel(request, record, exclude_roots=known)
        signature = panel_signature(record, panel)
        decision = _identity_decision(form, panel, signature, attach=attachable(origins))
        if decision is not None:
            response = _open_with_decision(request, form, decision, panel, sibling, origins)
            if response is not None:
                return response
    return render(
        request,
        "cases/open.html",
        {
            "form": form,
            "panel": panel,
            "signature": signature,
            "origins": origins,
            "attach": attachable(origins),
            "gone": [] if form.is_bound else gone,
        },
    )


def _knows_child_of(user: Any, case: Case) -> bool:
    access = case_access(user, case)
    return access is not None and access.knows_identity


def _identity_decision(
    form: Any, panel: list[Any], signature: str, *, attach: bool = False
) -> str | None:
    """The user's choice among the candidates: "new", "link:", "reopen:" or "attach:<uuid>".

    None while the candidates have not been seen for exactly these details.
    """
    if not panel:
        return "new"
    if not signature_matches(form.cleaned_data.get("identity_check", ""), signature):
        form.add_error(
            None, _("This child may already be known. Check the possible matches below.")
        )
        return None
    choice = form.cleaned_data.get("identity_choice", "")
    allowed = {"new"} | {entry.choice for entry in panel if entry.choice}
    allowed |= {f"reopen:{entry.reopenable.uuid}" for entry in panel if entry.reopenable}
    if attach:
        allowed |= {f"attach:{e.open_case.uuid}" for e in panel if e.open_case_known}
    if choice not in allowed:
        form.add_error(None, _("Choose one of the possible matches, or say it is a new child."))
        return None
    return str(choice)


def _open_with_decision(
    request: HttpRequest,
    form: Any,
    choice: str,
    panel: list[Any],
    sibling: Case | None,
    origins: list[Origin],
) -> HttpResponse | None:
    user: Any = request.user
    if choice.startswith("reopen:"):
        entry = next(e for e in panel if e.reopenable and f"reopen:{e.reopenable.uuid}" == choice)
        case = entry.reopenable
        reason = form.cleaned_data["new_child_reason"].strip() or _("The child was found again.")
        reopened = _attempt(
            form,
            lambda: svc.case_reopen_found_again(
                case,
                reason=reason,
                origins=origins,
                acting_user=user,
                seen=form.child_data(),
                aliases=form.alias_list(),
            ),
        )
        if reopened is None:
            return None
        messages.success(request, _("Case %(number)s reopened.") % {"number": case.number})
        return redirect("cases:detail", case_uuid=case.uuid)
    if choice.startswith("attach:"):
        entry = next(e for e in panel if e.open_case and f"attach:{e.open_case.uuid}" == choice)
        case = entry.open_case
        attached = _attempt(
            form,
            lambda: svc.case_attach_found_again(case, origins=origins, acting_user=user),
        )
        if attached is None:
            return None
        messages.success(request, _("Added to case %(number)s.") % {"number": case.number})
        return redirect("cases:detail", case_uuid=case.uuid)
    registered = registered_children(origins)
    existing = registered[0] if registered else None
    if choice.startswith("link:"):
        existing = next(e.child for e in panel if e.choice == choice)
    new = svc.NewCase(
        completes_existing=existing is not None and existing in registered,
        child=form.child_data(),
        aliases=form.alias_list(),
        intake_channel=form.cleaned_data["intake_channel"],
        risk_level=form.cleaned_data["risk_level"],
        risk_rationale=form.cleaned_data["risk_rationale"],
        forms=form.cleaned_data["forms_"],
        supervisor=form.cleaned_data["supervisor"],
        sibling_of=sibling,
        opened_on=form.cleaned_data["opened_on"],
        existing_child=existing,
        parents=form.parents(),
        candidates_shown=[(e.candidate.root_id, e.candidate.score, e.visible) for e in panel],
        new_child_reason=form.cleaned_data["new_child_reason"],
        origins=origins,
    )
    case = _attempt(form, lambda: svc.case_open(new, acting_user=user))
    if case is None:
        return None
    if existing is None or new.completes_existing:
        _warn_nik(request, case.child)
    if sel.repeat_of_visible(case, request.user):
        messages.info(
            request,
            _("Opened as a repeat of case %(number)s: the child was found again.")
            % {"number": case.repeat_of.number},
        )
    elif case.repeat_of_id:
        messages.info(request, _("Opened as a repeat: the child was found again."))
    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
    return redirect("cases:detail", case_uuid=case.uuid)


def _warn_nik(request: HttpRequest, child: Person) -> None:
    if child.nik:
        for warning in nik_warnings(
            parse_nik(child.nik),
            birth_date=child.birth_date,
            sex=child.sex or None,
            birth_date_estimated=child.birth_date_estimated,
        ):
            messages.warning(request, warning)


@require_GET
def case_detail(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid)
    # Log before building the page: if the log cannot be written, nothing is shown.
    sel.case_log_view(request, case, access, set(access.readable))
    user: Any = request.user
    tasks = list(sel.case_tasks(case))
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "access": access,
            "readable": dict.fromkeys(access.readable, True),
            "writable": dict.fromkeys(access.writable, True),
            "identity": sel.child_identity(case, access),
            "forms": case.classifications.all(),
            "perpetrators": case.perpetrators.select_related("person")
            if access.can_read(D.INVESTIGATION)
            else [],
            "team": sel.case_team(case),
            "referrals": sel.case_referrals(case) if access.leads else [],
            "tasks": tasks,
            "my_task_ids": {
                task.pk
                for task in tasks
                if access.leads
                or task.assignee_id == user.pk
                or (task.assignee_agency_id and task.assignee_agency_id == user.agency_id)
            },
            "notes": sel.case_notes(case, access),
            "attachments": sel.case_attachments(case, access),
            "summary_sections": sections_for(request, case, access, "summary"),
            "sections": sections_for(request, case, access, "main"),
            "timeline": sel.case_timeline(case, access, request.user),
            "approvals": case.approvals.select_related("requested_by", "decided_by").order_by(
                "-created_at"
            )[:10],
            "next_statuses": [
                (value, label)
                for value, label in CaseStatus.choices
                if value in svc.TRANSITIONS.get(case.status, ())
            ],
            "sees_log": access.leads or may(user, Capability.VIEW_ACCESS_LOG),
            "sibling_cases": _siblings(case, user),
            "repeat_of_visible": sel.repeat_of_visible(case, user),
        },
    )


def _siblings(case: Case, user: Any) -> list[Case]:
    if case.family_group_id is None:
        return []
    return list(
        cases_visible_to(user).filter(family_group_id=case.family_group_id).exclude(pk=case.pk)
    )


# --- Editing -----------------------------------------------------------------


def _edit(
    request: HttpRequest,
    case_uuid: Any,
    *,
    need: str,
    form_class: type[Form],
    instance: Callable[[Case], Any],
    fields: list[str],
    save: Callable[[Case, dict[str, Any], int, list[str]], Any],
    title: str,
    leads_only: bool = False,
) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid, need=need)
    if not access.can_write(need) or (leads_only and not access.leads):
        raise PermissionDenied
    obj = instance(case)
    # A field of a class the user may not change is not even shown: its
    # current value could be of a class they may not read.
    fields = [name for name in fields if access.can_write(data_class_of(obj._meta.get_field(name)))]
    initial = {name: getattr(obj, name) for name in fields}
    initial["expected_version"] = obj.version
    if need == D.IDENTITY:
        initial["aliases"] = ", ".join(obj.aliases.values_list("name", flat=True))
    form = form_class(request.POST or None, initial=initial)
    for name in list(form.fields):
        if name not in fields and name not in ("expected_version", "aliases"):
            del form.fields[name]
    shown = {need} | {data_class_of(obj._meta.get_field(name)) for name in fields}
    sel.case_log_view(request, case, access, shown)
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data, form.cleaned_data["expected_version"], fields)
        except svc.StaleVersion as stale:
            return _conflict(request, case, form.cleaned_data, stale.current, fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return render(request, "cases/form.html", {"case": case, "form": form, "title": title})


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    fields = [
        "intake_channel",
        "risk_level",
        "risk_rationale",
        "supervisor",
        "sharing_basis",
        "sharing_basis_note",
    ]
    return _edit(
        request,
        case_uuid,
        need=D.BASIC,
        form_class=f.CaseBasicForm,
        instance=lambda case: case,
        fields=fields,
        save=lambda case, data, version, allowed: svc.case_update(
            case,
            expected_version=version,
            changes={name: data[name] for name in allowed},
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Edit case"),
        leads_only=True,
    )


@require_http_methods(["GET", "POST"])
def police_edit(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    fields = [
        "police_report_number",
        "legal_stage",
        "investigator",
        "parent_is_alleged_perpetrator",
    ]
    return _edit(
        request,
        case_uuid,
        need=D.INVESTIGATION,
        form_class=f.PoliceForm,
        instance=lambda case: case,
        fields=fields,
        save=lambda case, data, version, allowed: svc.case_update(
            case,
            expected_version=version,
            changes={
                name: data[name] if data[name] is not None or name == "investigator" else ""
                for name in allowed
            },
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Police section"),
    )


@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    fields = sorted(svc.CHILD_FIELDS)

    def save(case: Case, data: dict[str, Any], version: int, allowed: list[str]) -> Any:
        form = f.ChildForm(data={})
        form.cleaned_data = data
        changes = {name: value for name, value in form.child_data().items() if name in allowed}
        return svc.child_update(
            case,
            expected_version=version,
            changes=changes,
            aliases=form.alias_list(),
            acting_user=request.user,  # type: ignore[arg-type]
        )

    return _edit(
        request,
        case_uuid,
        need=D.IDENTITY,
        form_class=f.ChildForm,
        instance=lambda case: case.child,
        fields=fields,
        save=save,
        title=_("Edit the child's details"),
    )


# --- Small forms on a case ----------------------------------------------------


def _case_form(
    request: HttpRequest,
    case_uuid: Any,
    *,
    form_factory: Callable[[Case, CaseAccess, Any], Form],
    allowed: Callable[[CaseAccess], bool],
    act: Callable[[Case, Form], Any],
    title: str,
    done: str,
    need: str = D.BASIC,
) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid, need=need)
    if not allowed(access):
        raise PermissionDenied
    form = form_factory(case, access, request.POST or None if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = act(case, form)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if result is not None:
                messages.success(request, done)
                return redirect("cases:detail", case_uuid=case.uuid)
    return render(request, "cases/form.html", {"case": case, "form": form, "title": title})


@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    user: Any = request.user
    supersedes: Note | None = None

    def factory(case: Case, access: CaseAccess, data: Any) -> Form:
        nonlocal supersedes
        initial = {}
        if request.GET.get("koreksi"):
            supersedes = sel.case_note(case, access, request.GET["koreksi"])
        if supersedes is not None:
            # The old text is shown again: a read of its class, logged like any other.
            sel.case_log_view(request, case, access, {supersedes.data_class})
            initial = {
                "data_class": supersedes.data_class,
                "kind": supersedes.kind,
                "body": supersedes.body,
            }
        return f.NoteForm(data, writable=access.writable, initial=initial)

    def act(case: Case, form: Form) -> Any:
        base = supersedes if supersedes is not None and supersedes.case_id == case.pk else None
        return svc.note_add(
            case,
            data_class=form.cleaned_data["data_class"],
            kind=form.cleaned_data["kind"],
            body=form.cleaned_data["body"],
            supersedes=base,
            acting_user=user,
        )

    return _case_form(
        request,
        case_uuid,
        form_factory=factory,
        allowed=lambda access: bool(access.writable),
        act=act,
        title=_("Correct a note") if supersedes else _("Add a note"),
        done=_("Note saved."),
    )


@require_http_methods(["GET", "POST"])
def attachment_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid)
    if not access.writable:
        raise PermissionDenied
    form = f.AttachmentForm(request.POST or None, request.FILES or None, writable=access.writable)
    if request.method == "POST" and form.is_valid():
        attachment = _attempt(
            form,
            lambda: svc.attachment_add(
                case,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                data_class=form.cleaned_data["data_class"],
                acting_user=request.user,  # type: ignore[arg-type]
            ),
        )
        if attachment is not None:
            messages.success(request, _("File attached."))
            return redirect("cases:detail", case_uuid=case.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/form.html",
        {"case": case, "form": form, "title": _("Attach a file"), "multipart": True},
        status=status,
    )


@require_GET
def attachment_download(
    request: HttpRequest, case_uuid: Any, attachment_uuid: Any
) -> HttpResponse | FileResponse:
    case, access = sel.case_for_user(request, case_uuid)
    attachment = sel.case_attachment(case, access, attachment_uuid)
    if attachment is None:
        access_log_write(request, action=AccessAction.DENIED, cases=[(case.pk, case.number)])
        raise Http404
    try:
        path = open_private(attachment.storage_name, root=_media_root())
    except FileNotFoundError as exc:
        raise Http404 from exc
    access_log_write(
        request,
        action=AccessAction.DOWNLOAD,
        cases=[(case.pk, case.number)],
        data_classes=[attachment.data_class],
        via_break_glass=access.via_break_glass,
    )
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[
        attachment.content_type
    ]
    return private_download(
        path,
        filename=f"{case.number.replace('/', '-')}-{attachment.uuid.hex[:8]}{extension}",
        content_type=attachment.content_type,
    )


def _media_root() -> Any:
    from django.conf import settings

    return settings.KAWAL_PRIVATE_MEDIA_ROOT


@require_POST
def attachment_delete(request: HttpRequest, case_uuid: Any, attachment_uuid: Any) -> HttpResponse:
    case, _access = sel.case_for_user(request, case_uuid)
    attachment = get_object_or_404(
        Attachment, uuid=attachment_uuid, case=case, deleted_at__isnull=True
    )
    svc.attachment_delete(attachment, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("File removed from the case."))
    return redirect("cases:detail", case_uuid=case.uuid)


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    return _case_form(
        request,
        case_uuid,
        form_factory=lambda case, access, data: f.MemberForm(data),
        allowed=lambda access: access.leads,
        act=lambda case, form: svc.member_add(
            case,
            user=form.cleaned_data["user"],
            agency=form.cleaned_data["agency"],
            case_role=form.cleaned_data["case_role"],
            data_classes=form.cleaned_data["data_classes"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Add to the team"),
        done=_("Added to the team."),
    )


@require_POST
def member_remove(request: HttpRequest, case_uuid: Any, member_uuid: Any) -> HttpResponse:
    case, _access = sel.case_for_user(request, case_uuid)
    member = get_object_or_404(CaseMember, uuid=member_uuid, case=case)
    svc.member_remove(member, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Removed from the team."))
    return redirect("cases:detail", case_uuid=case.uuid)


@require_http_methods(["GET", "POST"])
def referral_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    return _case_form(
        request,
        case_uuid,
        form_factory=lambda case, access, data: f.ReferralForm(data),
        allowed=lambda access: access.leads,
        act=lambda case, form: svc.referral_request(
            case,
            to_agency=form.cleaned_data["to_agency"],
            data_classes=form.cleaned_data["data_classes"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Refer to another agency"),
        done=_("Referral sent."),
    )


@require_http_methods(["GET", "POST"])
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """Referrals waiting for the user's agency; accepting opens the case to the agency."""
    user: Any = request.user
    if not reads_cases(user):
        raise PermissionDenied
    if request.method == "POST":
        referral = sel.pick(sel.pending_referrals(user), request.POST.get("referral"))
        if referral is None:
            raise Http404
        form = f.DecisionForm(request.POST)
        if form.is_valid():
            try:
                svc.referral_decide(
                    referral, accept=form.yes, reason=form.cleaned_data["comment"], acting_user=user
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Decision recorded."))
            return redirect("cases:referral_inbox")
    referrals = list(sel.pending_referrals(user))
    if referrals:
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(referral.case.pk, referral.case.number) for referral in referrals],
            data_classes=[D.BASIC],
        )
    return render(request, "cases/referrals.html", {"referrals": referrals})


@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    def factory(case: Case, access: CaseAccess, data: Any) -> Form:
        form = f.TransitionForm(data, initial={"target": request.GET.get("ke", "")})
        form.fields["target"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in CaseStatus.choices
            if value in svc.TRANSITIONS.get(case.status, ())
        ]
        return form

    return _case_form(
        request,
        case_uuid,
        form_factory=factory,
        allowed=lambda access: access.leads,
        act=lambda case, form: svc.case_transition(
            case,
            target=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Change status"),
        done=_("Status changed."),
    )


@require_http_methods(["GET", "POST"])
def approval_request(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    return _case_form(
        request,
        case_uuid,
        form_factory=lambda case, access, data: f.ApprovalRequestForm(
            data, initial={"kind": request.GET.get("jenis", "")}
        ),
        allowed=lambda access: access.leads,
        act=lambda case, form: svc.approval_request(
            case,
            kind=form.cleaned_data["kind"],
            comment=form.cleaned_data["comment"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Ask for approval"),
        done=_("Approval requested."),
    )


@require_POST
def approval_decide(request: HttpRequest, case_uuid: Any, approval_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid)
    approval = get_object_or_404(Approval, uuid=approval_uuid, case=case)
    if not access.approves:
        raise PermissionDenied
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        try:
            svc.approval_decide(
                approval,
                approve=form.yes,
                comment=form.cleaned_data["comment"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("cases:detail", case_uuid=case.uuid)


@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    def factory(case: Case, access: CaseAccess, data: Any) -> Form:
        team_users = User.objects.filter(
            Q(pk=case.owner_id)
            | Q(pk=case.supervisor_id or 0)
            | Q(
                pk__in=case.members.filter(removed_at__isnull=True, user__isnull=False).values(
                    "user_id"
                )
            )
        )
        agencies = Agency.objects.filter(
            pk__in=case.members.filter(removed_at__isnull=True, agency__isnull=False).values(
                "agency_id"
            )
        )
        return f.TaskForm(data, team=team_users, agencies=agencies)

    return _case_form(
        request,
        case_uuid,
        form_factory=factory,
        allowed=lambda access: access.can_write(D.BASIC),
        act=lambda case, form: svc.task_create(
            case,
            title=form.cleaned_data["title"],
            assignee=form.cleaned_data["assignee"],
            assignee_agency=form.cleaned_data["assignee_agency"],
            due_on=form.cleaned_data["due_on"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Add a task"),
        done=_("Task added."),
    )


@require_POST
def task_status(request: HttpRequest, case_uuid: Any, task_uuid: Any) -> HttpResponse:
    case, _access = sel.case_for_user(request, case_uuid)
    task = get_object_or_404(Task, uuid=task_uuid, case=case)
    version = posted_version(request)
    try:
        svc.task_set_status(
            task,
            status=request.POST.get("status", ""),
            expected_version=version,
            acting_user=request.user,  # type: ignore[arg-type]
        )
    except svc.StaleVersion:
        messages.error(request, _("Someone changed this task meanwhile; check it and try again."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    if request.POST.get("from") == "my_tasks":
        return redirect("cases:my_tasks")
    return redirect("cases:detail", case_uuid=case.uuid)


@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    if not reads_cases(request.user):
        raise PermissionDenied
    sort = chosen_sort(request.GET.get("sort"), sort_keys(TASK_COLUMNS), TASK_DEFAULT_SORT)
    listing = sel.my_tasks(request, request.GET.get("page"), sort=sort)
    return render(
        request,
        "cases/my_tasks.html",
        {
            "listing": listing,
            "columns": header(TASK_COLUMNS, sort, request.GET),
            "sort": sort,
        },
    )


@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    return _case_form(
        request,
        case_uuid,
        form_factory=lambda case, access, data: f.TransferForm(data),
        allowed=lambda access: access.leads,
        act=lambda case, form: svc.case_transfer(
            case,
            new_owner=form.cleaned_data["new_owner"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Transfer the case"),
        done=_("Case transferred."),
    )


@require_http_methods(["GET", "POST"])
def relative_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    return _case_form(
        request,
        case_uuid,
        need=D.IDENTITY,
        form_factory=lambda case, access, data: f.RelativeForm(data),
        allowed=lambda access: access.can_write(D.IDENTITY),
        act=lambda case, form: svc.relative_add(
            case,
            person=form.person_data(),  # type: ignore[attr-defined]
            relation=form.cleaned_data["relation"],
            is_guardian=form.cleaned_data["is_guardian"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Add a parent or relative"),
        done=_("Relative added."),
    )


@require_http_methods(["GET", "POST"])
def relative_edit(request: HttpRequest, case_uuid: Any, relation_uuid: Any) -> HttpResponse:
    case, access = sel.case_for_user(request, case_uuid, need=D.IDENTITY)
    link = get_object_or_404(
        PersonRelation.objects.select_related("relative"),
        uuid=relation_uuid,
        child_id=case.child_id,
    )
    if not access.can_write(D.IDENTITY):
        raise PermissionDenied
    relative = link.relative
    names = ["full_name", "sex", "nik", "kk_number", "phone", "occupation", "kelurahan", "street"]
    initial = {name: getattr(relative, name) for name in names}
    initial.update(
        relation=link.relation, is_guardian=link.is_guardian, expected_version=relative.version
    )
    form = f.RelativeEditForm(request.POST or None, initial=initial)
    sel.case_log_view(request, case, access, {D.IDENTITY})
    if request.method == "POST" and form.is_valid():
        try:
            svc.relative_update(
                case,
                link,
                expected_version=form.cleaned_data["expected_version"],
                person=form.person_data(),
                relation=form.cleaned_data["relation"],
                is_guardian=form.cleaned_data["is_guardian"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except svc.StaleVersion as stale:
            return _conflict(request, case, form.cleaned_data, stale.current, names)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", case_uuid=case.uuid)
    return render(
        request, "cases/form.html", {"case": case, "form": form, "title": _("Edit a relative")}
    )


@require_http_methods(["GET", "POST"])
def perpetrator_add(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    def factory(case: Case, access: CaseAccess, data: Any) -> Form:
        return f.PerpetratorForm(data, people=sel.perpetrator_candidates(case))

    return _case_form(
        request,
        case_uuid,
        need=D.INVESTIGATION,
        form_factory=factory,
        allowed=lambda access: access.can_write(D.INVESTIGATION),
        act=lambda case, form: svc.perpetrator_add(
            case,
            person=form.cleaned_data["person"],
            relationship=form.cleaned_data["relationship"],
            acting_user=request.user,  # type: ignore[arg-type]
        ),
        title=_("Record an alleged perpetrator"),
        done=_("Recorded."),
    )


# --- Access log and break-glass ----------------------------------------------


@require_GET
def access_log(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    """Who viewed this file: for the owner, their supervisor and the DPO."""
    case = sel.case_for_access_log(request, case_uuid)
    return render(
        request, "cases/access_log.html", {"case": case, "entries": sel.access_log_for_case(case)}
    )


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency access by case number: the user does not need to be on the case."""
    user: Any = request.user
    if not may(user, Capability.BREAK_GLASS):
        raise PermissionDenied
    form = f.BreakGlassForm(request.POST or None)
    number = (request.POST.get("number") or "").strip()[:40]
    if request.method == "POST" and form.is_valid():
        case = sel.case_by_number_for_break_glass(number)
        if case is None:
            form.add_error(None, _("No case has that number."))
        else:
            # The service writes the access-log row with the grant, in one transaction.
            grant = _attempt(
                form,
                lambda: svc.break_glass_open(
                    case, reason=form.cleaned_data["reason"], acting_user=user, request=request
                ),
            )
            if grant is not None:
                messages.warning(
                    request, _("Emergency access is open for 4 hours and will be reviewed.")
                )
                return redirect("cases:detail", case_uuid=case.uuid)
    return render(request, "cases/break_glass.html", {"form": form, "number": number})


@require_http_methods(["GET", "POST"])
def break_glass_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (may(user, Capability.REVIEW_BREAK_GLASS) or may(user, Capability.APPROVE)):
        raise PermissionDenied
    queue = sel.break_glass_queue(user)
    if request.method == "POST":
        grant = sel.pick(queue, request.POST.get("grant"))
        if grant is None:
            raise Http404
        form = f.ReviewForm(request.POST)
        if form.is_valid():
            svc.break_glass_review(grant, outcome=form.cleaned_data["outcome"], acting_user=user)
            messages.success(request, _("Review recorded."))
        else:
            messages.error(request, _("Record the outcome of the review."))
        return redirect("cases:break_glass_queue")
    return render(request, "cases/break_glass_queue.html", {"grants": queue})
