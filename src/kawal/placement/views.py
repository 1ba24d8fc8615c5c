"""Placement pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.core.models import StaleVersion
from kawal.core.uploads import open_private, private_download
from kawal.placement import rules
from kawal.placement import selectors as sel
from kawal.placement import services as svc
from kawal.placement.forms import DecisionForm, DeclineForm, ExitForm, OverrideForm
from kawal.placement.models import DecisionStatus, Placement, PlacementDecision
from kawal.web.forms import apply_errors, posted_version

WH = DataClass.WHEREABOUTS


def _transfer_from(request: HttpRequest, case: Case) -> Placement | None:
    raw = request.GET.get("pindah") or request.POST.get("transfer_from") or ""
    if not raw:
        return None
    current = sel.active_placement(case)
    if current is None or str(current.uuid) != raw:
        raise Http404
    return current


def _draft(form: DecisionForm, case: Case, transfer_from: Placement | None) -> svc.DecisionDraft:
    data = form.cleaned_data
    return svc.DecisionDraft(
        case=case,
        institution=data["institution"],
        placement_type=data["placement_type"],
        decided_on=data["decided_on"],
        starts_on=data["starts_on"],
        document_number=data["document_number"],
        document_date=data["document_date"],
        conference_participants=data["conference_participants"],
        child_views=data["child_views"],
        last_resort_parents=data["last_resort_parents"],
        last_resort_kinship=data["last_resort_kinship"],
        last_resort_foster=data["last_resort_foster"],
        religion_respect=data["religion_respect"],
        temporary_until=data["temporary_until"],
        contact_frequency=data["contact_frequency"],
        contact_supervision=data["contact_supervision"],
        contact_restriction=data["contact_restriction"],
        court_order_reference=data["court_order_reference"],
        contact_note=data["contact_note"],
        care_allergies=data["care_allergies"],
        care_health_needs=data["care_health_needs"],
        school_distance_tenths_km=form.distance_tenths(),
        agreement_signed_on=data["agreement_signed_on"],
        transfer_from=transfer_from,
    )


def _with_fingerprint(form: DecisionForm, fingerprint: str) -> None:
    data = form.data.copy()  # type: ignore[attr-defined]
    data["fingerprint"] = fingerprint
    form.data = data


@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, case_uuid: str) -> HttpResponse:
    """Choose an institution and fill the form, preview every rule, then commit."""
    case, access = sel.case_for_placement(request, case_uuid)
    if not sel.manages_placement(request.user, access):
        raise PermissionDenied
    transfer_from = _transfer_from(request, case)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = DecisionForm(
        data,
        request.FILES if data is not None else None,
        institutions=sel.institutions_for_choice(),
        initial={"decided_on": today, "starts_on": today, "document_date": today},
    )
    verdict: rules.Verdict | None = None
    status = 200
    if request.method == "POST":
        committing = request.POST.get("action") == "commit" and bool(
            request.POST.get("fingerprint")
        )
        if form.is_valid():
            draft = _draft(form, case, transfer_from)
            try:
                if committing:
                    decision = svc.decision_commit(
                        draft,
                        upload=form.cleaned_data["agreement"],
                        fingerprint=form.cleaned_data["fingerprint"],
                        acting_user=request.user,
                    )
                    return _committed(request, decision)
                verdict = svc.decision_preview(draft, acting_user=request.user)
                _with_fingerprint(form, verdict.fingerprint())
            except svc.PreviewChanged as changed:
                verdict = changed.verdict
                _with_fingerprint(form, verdict.fingerprint())
                form.add_error(
                    None,
                    _("The rules give another result than the preview you saw. Check them again."),
                )
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
                verdict = _preview_quietly(draft, request.user)
        else:
            status = 400
    return render(
        request,
        "placement/decide.html",
        {
            "case": case,
            "access": access,
            "form": form,
            "verdict": verdict,
            "transfer_from": transfer_from,
            # A page sent back after a file was chosen has lost it: say so.
            "file_dropped": bool(request.FILES.get("agreement")),
        },
        status=status,
    )


def _preview_quietly(draft: svc.DecisionDraft, user: Any) -> rules.Verdict | None:
    try:
        return svc.decision_preview(draft, acting_user=user)
    except ValidationError:
        return None


def _committed(request: HttpRequest, decision: PlacementDecision) -> HttpResponse:
    if decision.status == DecisionStatus.PLACED:
        messages.success(request, _("The child is placed."))
    elif decision.status == DecisionStatus.AWAITING_OVERRIDE:
        messages.warning(
            request,
            _("Recorded. The placement waits for the case supervisor's override."),
        )
    else:
        messages.error(request, _("Refused by the rules. The decision is on file."))
    return redirect("placement:decision", decision_uuid=decision.uuid)


def _decision_context(
    request: HttpRequest, decision: PlacementDecision, access: CaseAccess
) -> dict[str, Any]:
    results = [rules.shown(entry) for entry in decision.rule_results]
    titles = {r["code"]: r["title"] for r in results}
    settled = decision.status in (DecisionStatus.REFUSED, DecisionStatus.DECLINED)
    placed = decision.status == DecisionStatus.PLACED and decision.placement_id is not None
    return {
        "decision": decision,
        "case": decision.case,
        "access": access,
        "results": results,
        "soft_failures": [r for r in results if r["outcome"] == rules.NEEDS_OVERRIDE],
        "hard_failures": [r for r in results if r["outcome"] == rules.FAIL],
        "overrides": [_override_shown(entry, titles) for entry in decision.overrides or []],
        "settles": decision.status == DecisionStatus.AWAITING_OVERRIDE
        and svc.may_override(request.user, decision),
        # A refused or declined decision placed nobody: no address, no start day.
        "not_placed": settled,
        "shows_address": sel.sees_address(access) and not settled,
        # The next step once the child is placed: the money that follows the child.
        "offers_funding": placed and may(request.user, Capability.MANAGE_FUNDING),
    }


def _override_shown(entry: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    """A stored override for the page: the rule's title and an aware time (the
    template shows it in the local time zone)."""
    code = str(entry.get("code", ""))
    try:
        at = datetime.fromisoformat(str(entry.get("at", "")))
    except ValueError:
        at = None
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, UTC)
    return {
        "code": code,
        "title": titles.get(code) or code,
        "reason": entry.get("reason", ""),
        "by_name": entry.get("by_name", ""),
        "at": at,
    }


def _override_form(
    decision: PlacementDecision,
    data: Any = None,
    *,
    extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> OverrideForm:
    codes = [
        (entry["code"], entry["title"])
        for entry in (rules.shown(e) for e in decision.rule_results)
        if entry["outcome"] == rules.NEEDS_OVERRIDE
    ]
    if data is not None:
        # A reason field offered after a re-check found a new soft rule comes back posted.
        configured = rules.current_settings()
        soft = {code for code, setting in configured.items() if not setting.hard}
        extra = [
            *extra,
            *(
                (name.removeprefix("reason_"), configured[name.removeprefix("reason_")].title())
                for name in data
                if name.startswith("reason_") and name.removeprefix("reason_") in soft
            ),
        ]
    known = {code for code, _title in codes}
    for code, title in extra:
        if code not in known:
            codes.append((code, title))
            known.add(code)
    return OverrideForm(data, codes=codes, initial={"expected_version": decision.version})


@require_GET
def decision_detail(request: HttpRequest, decision_uuid: str) -> HttpResponse:
    decision, access = sel.decision_for_user(request, decision_uuid)
    context = _decision_context(request, decision, access)
    if context["settles"]:
        context["override_form"] = _override_form(decision)
        context["decline_form"] = DeclineForm(initial={"expected_version": decision.version})
    return render(request, "placement/decision.html", context)


@require_POST
def decision_override(request: HttpRequest, decision_uuid: str) -> HttpResponse:
    decision, access = sel.decision_for_user(request, decision_uuid)
    if not svc.may_override(request.user, decision):
        raise PermissionDenied
    form = _override_form(decision, request.POST)
    if form.is_valid():
        try:
            settled = svc.decision_override(
                decision,
                reasons=form.reasons(),
                expected_version=form.cleaned_data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion:
            return _stale(request, decision)
        except svc.OverrideReasonsMissing as error:
            # The re-check found a soft rule the stored preview did not: offer
            # a reason field for it instead of an error the form cannot answer.
            form = _override_form(decision, request.POST, extra=error.rules_asking)
            form.is_valid()
            for name, problems in error.message_dict.items():
                form.errors[name] = form.error_class(problems)
            stored = {
                entry.get("code")
                for entry in decision.rule_results
                if entry.get("outcome") == rules.NEEDS_OVERRIDE
            }
            if any(code not in stored for code, _title in error.rules_asking):
                form.add_error(
                    None,
                    _(
                        "The rules were checked again and another rule now needs a reason: "
                        "write one below."
                    ),
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _committed(request, settled)
    context = _decision_context(request, decision, access)
    context["override_form"] = form
    context["decline_form"] = DeclineForm(initial={"expected_version": decision.version})
    return render(request, "placement/decision.html", context, status=400)


@require_POST
def decision_decline(request: HttpRequest, decision_uuid: str) -> HttpResponse:
    decision, access = sel.decision_for_user(request, decision_uuid)
    if not svc.may_override(request.user, decision):
        raise PermissionDenied
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            svc.decision_decline(
                decision,
                reason=form.cleaned_data["decline_reason"],
                expected_version=form.cleaned_data["expected_version"],
                acting_user=request.user,
            )
        except StaleVersion:
            return _stale(request, decision)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.info(request, _("The placement is declined."))
            return redirect("placement:decision", decision_uuid=decision.uuid)
    context = _decision_context(request, decision, access)
    context["override_form"] = _override_form(decision)
    context["decline_form"] = form
    return render(request, "placement/decision.html", context, status=400)


def _stale(request: HttpRequest, decision: PlacementDecision) -> HttpResponse:
    current, _access = sel.decision_for_user(request, decision.uuid, log=False)
    return render(
        request,
        "web/conflict.html",
        {
            "rows": [
                {
                    "label": _("Status"),
                    "yours": DecisionStatus(DecisionStatus.AWAITING_OVERRIDE).label,
                    "theirs": current.get_status_display(),
                }
            ],
            "back_url": reverse("placement:decision", args=[decision.uuid]),
            "back_label": _("Back to the decision"),
        },
        status=409,
    )


@require_GET
def agreement_download(request: HttpRequest, decision_uuid: str) -> FileResponse:
    decision, access = sel.decision_for_user(request, decision_uuid, log=False)
    # The agreement carries the names and signatures of the child and the parents.
    if not decision.agreement_file or not access.can_read(DataClass.IDENTITY):
        raise Http404
    try:
        path = open_private(
            decision.agreement_file, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / svc.AGREEMENT_ROOT
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    access_log_write(
        request,
        action=AccessAction.DOWNLOAD,
        cases=[(decision.case.pk, decision.case.number)],
        data_classes={DataClass.BASIC, DataClass.IDENTITY, WH},
        via_break_glass=access.via_break_glass,
    )
    return private_download(
        path,
        filename=decision.agreement_name or "kesepakatan",
        content_type=decision.agreement_content_type or "application/octet-stream",
    )


@require_http_methods(["GET", "POST"])
def placement_exit(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    placement, access = sel.placement_for_user(request, placement_uuid)
    if not sel.manages_placement(request.user, access):
        raise PermissionDenied
    if not placement.is_active:
        messages.info(request, _("This placement has already ended."))
        return redirect("cases:detail", case_uuid=placement.case.uuid)
    data = request.POST if request.method == "POST" else None
    form = ExitForm(
        data, initial={"expected_version": placement.version, "on": timezone.localdate()}
    )
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                svc.placement_exit(
                    placement,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                    police_report_number=form.cleaned_data["police_report_number"],
                    police_report_date=form.cleaned_data["police_report_date"],
                    expected_version=form.cleaned_data["expected_version"],
                    acting_user=request.user,
                )
            except StaleVersion:
                form.add_error(
                    None,
                    _("Someone changed this placement meanwhile. Nothing was saved; send again."),
                )
                fresh = form.data.copy()  # type: ignore[attr-defined]
                now = sel.placement_by_uuid(placement.uuid)
                fresh["expected_version"] = str(now.version if now else posted_version(request))
                form.data = fresh
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                messages.success(request, _("The placement has ended."))
                return redirect("cases:detail", case_uuid=placement.case.uuid)
        else:
            status = 400
    return render(
        request,
        "placement/exit.html",
        {"placement": placement, "case": placement.case, "form": form},
        status=status,
    )
