"""Funding pages. Every read goes through ``selectors``, every write through ``services``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.access.catalogue import DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.cases.selectors import case_for_user
from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.funding import calc, policy
from kawal.funding import selectors as sel
from kawal.funding import services as svc
from kawal.funding.exports import csv_safe, xlsx_bytes
from kawal.funding.forms import (
    BudgetForm,
    CancelForm,
    ClaimForm,
    CommitmentForm,
    PaymentForm,
    ReturnForm,
    RunForm,
    parse_month,
)
from kawal.funding.models import Cycle
from kawal.web.forms import apply_errors, posted_version

FIN = DataClass.FINANCIAL


def _attempt(form: Form, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _conflict(request: HttpRequest, back: str) -> HttpResponse:
    return render(
        request,
        "web/conflict.html",
        {"rows": [], "back_url": back, "back_label": _("Back")},
        status=409,
    )


def _funding_desk(request: HttpRequest) -> Any:
    if not policy.reads_funding(request.user):
        raise PermissionDenied
    return request.user


# --- Budgets ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest) -> HttpResponse:
    user = _funding_desk(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("tahun", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    programmes = sel.programmes()
    form = None
    status = 200
    if policy.sets_budgets(user):
        form = BudgetForm(request.POST if request.method == "POST" else None)
        form.set_programmes(programmes)
        if request.method == "POST":
            if form.is_valid():
                programme = next(p for p in programmes if p.code == form.cleaned_data["programme"])
                done = _attempt(
                    form,
                    lambda: svc.budget_set(
                        fiscal_year=year,
                        programme=programme,
                        amount=form.cleaned_data["amount"],
                        acting_user=user,
                        context=AuditContext.from_request(request),
                    ),
                )
                if done is not None:
                    messages.success(request, _("Budget line saved."))
                    return redirect(f"{reverse('funding:budgets')}?tahun={year}")
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    lines = sel.budget_lines(user, year)
    access_log_write(request, action=AccessAction.LIST, data_classes=[FIN])
    years = sorted(set(sel.fiscal_years()) | {today.year, year}, reverse=True)
    return render(
        request,
        "funding/budgets.html",
        {
            "lines": lines,
            "year": year,
            "years": years,
            "form": form,
            "total_budget": sum(line.budget.amount for line in lines),
            "total_committed": sum(line.committed for line in lines),
            "total_paid": sum(line.paid for line in lines),
            "total_remaining": sum(line.remaining for line in lines),
            "overruns": [line for line in lines if line.overrun],
        },
        status=status,
    )


# --- Commitments -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def commit(request: HttpRequest, case_uuid: Any) -> HttpResponse:
    case, access = case_for_user(request, case_uuid, need=FIN)
    if not policy.commits_on(access):
        raise PermissionDenied
    placements = sel.case_placements(case)
    today = timezone.localdate()
    budget_figures = sel.budgets_for_commitment(request.user, today)
    form = CommitmentForm(request.POST if request.method == "POST" else None)
    active = next((p for p in placements if p.ended_on is None), None)
    if request.method == "GET":
        form.initial = {
            "placement": str(active.uuid) if active else "",
            "starts_on": max(active.started_on, today.replace(day=1)) if active else today,
            "ends_on": today.replace(month=12, day=31),
            "rate_kind": "daily",
        }
    whereabouts = access.can_read(DataClass.WHEREABOUTS)
    form.set_choices(placements, budget_figures, whereabouts=whereabouts)
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(case.pk, case.number)],
        data_classes=[DataClass.BASIC, *([DataClass.WHEREABOUTS] if whereabouts else []), FIN],
    )
    back = reverse("cases:detail", kwargs={"case_uuid": case.uuid})
    status = 200
    over = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            placement = sel.placement_of_case(case, data["placement"])
            budget = next(
                (u.budget for u in budget_figures if str(u.budget.uuid) == data["budget"]), None
            )
            if placement is None or budget is None:
                form.add_error(None, _("Choose a placement and a budget line from the list."))
            else:
                new = svc.NewCommitment(
                    placement=placement,
                    budget=budget,
                    rate_kind=data["rate_kind"],
                    rate=data["rate"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    overrun_reason=data["overrun_reason"],
                )
                try:
                    svc.commitment_create(new, acting_user=request.user)
                except ValidationError as error:
                    apply_errors(form, error)
                    if getattr(error, "error_dict", None) and "overrun_reason" in error.error_dict:
                        over = True
                else:
                    messages.success(request, _("Funds committed."))
                    return redirect(back)
        status = 400
    return render(
        request,
        "funding/commit.html",
        {
            "case": case,
            "form": form,
            "figures": budget_figures,
            "back": back,
            "over": over,
            "has_placement": bool(placements),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def commitment_cancel(request: HttpRequest, commitment_uuid: Any) -> HttpResponse:
    commitment = sel.commitment_for(request, commitment_uuid)
    case, access = case_for_user(request, commitment.case.uuid, need=FIN)
    if not policy.commits_on(access) or commitment.is_cancelled:
        raise PermissionDenied
    back = reverse("cases:detail", kwargs={"case_uuid": case.uuid})
    form = CancelForm(request.POST if request.method == "POST" else None)
    # The page shows the commitment's rate and period: the child's financial data.
    access_log_write(
        request,
        action=AccessAction.VIEW,
        cases=[(case.pk, case.number)],
        data_classes=[DataClass.BASIC, FIN],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = _attempt(
                    form,
                    lambda: svc.commitment_cancel(
                        commitment,
                        reason=form.cleaned_data["reason"],
                        expected_version=posted_version(request),
                        acting_user=request.user,
                    ),
                )
            except StaleVersion:
                return _conflict(request, back)
            if done is not None:
                messages.success(
                    request,
                    _("Commitment cancelled; what it paid is reversed in the next cycle."),
                )
                return redirect(back)
        status = 400
    return render(
        request,
        "funding/cancel.html",
        {"commitment": commitment, "case": case, "form": form, "back": back},
        status=status,
    )


# --- Cycles ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cycles(request: HttpRequest) -> HttpResponse:
    user = _funding_desk(request)
    month = parse_month(request.GET.get("bulan"))
    institutions = sel.institutions_with_funding()
    form = None
    status = 200
    if policy.manages_funding(user):
        default = calc.previous_month(calc.month_start(timezone.localdate()))
        form = RunForm(
            request.POST if request.method == "POST" else None,
            initial={"month": default.strftime("%Y-%m")},
        )
        form.set_institutions(institutions)
        if request.method == "POST":
            if form.is_valid():
                run_month = form.cleaned_data["month"]
                chosen = form.cleaned_data["institution"]
                context = AuditContext.from_request(request)

                def run() -> list[svc.RunResult]:
                    if not chosen:
                        return svc.cycles_compute_month(
                            run_month, acting_user=user, context=context
                        )
                    institution = next((i for i in institutions if str(i.uuid) == chosen), None)
                    if institution is None:
                        return []
                    return [
                        svc.cycle_compute(institution, run_month, acting_user=user, context=context)
                    ]

                results = _attempt(form, run)
                if results is not None:
                    written = sum(result.written for result in results)
                    messages.success(
                        request,
                        _("%(cycles)s cycle(s) computed; %(rows)s ledger row(s) written.")
                        % {"cycles": len(results), "rows": written},
                    )
                    return redirect(f"{reverse('funding:cycles')}?bulan={run_month:%Y-%m}")
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    rows = sel.cycles_list(user, month)
    return render(
        request,
        "funding/cycles.html",
        {"rows": rows, "form": form, "month": month},
        status=status,
    )


def _cycle_page(
    request: HttpRequest, cycle: Cycle, *, status: int = 200, **forms: Any
) -> HttpResponse:
    user: Any = request.user
    view = sel.cycle_view(request, cycle)
    return render(
        request,
        "funding/cycle.html",
        {
            "view": view,
            "cycle": cycle,
            "may_compute": policy.manages_funding(user) and not cycle.is_frozen,
            "may_submit": policy.manages_funding(user) and cycle.status == "open",
            "may_approve": cycle.status == "submitted" and policy.may_approve(user, cycle),
            "recovery": view.is_recovery,
            "own_submission": cycle.status == "submitted"
            and user.pk in {cycle.prepared_by_id, cycle.computed_by_id},
            "may_return": cycle.status == "submitted" and policy.records_payment(user),
            "may_pay": cycle.status == "approved" and policy.records_payment(user),
            "may_lock": cycle.status == "paid" and policy.records_payment(user),
            "downloads": cycle.is_closed,
            "return_form": forms.get("return_form") or ReturnForm(),
            "payment_form": forms.get("payment_form")
            or PaymentForm(initial={"paid_on": timezone.localdate()}),
        },
        status=status,
    )


@require_GET
def cycle_detail(request: HttpRequest, cycle_uuid: Any) -> HttpResponse:
    cycle = sel.cycle_of(request.user, cycle_uuid)
    return _cycle_page(request, cycle)


@require_POST
def cycle_action(request: HttpRequest, cycle_uuid: Any, action: str) -> HttpResponse:
    user = _funding_desk(request)
    cycle = sel.cycle_of(user, cycle_uuid)
    back = reverse("funding:cycle", kwargs={"cycle_uuid": cycle.uuid})
    context = AuditContext.from_request(request)
    version = posted_version(request)
    done: Any = None
    try:
        if action == "compute":
            result = svc.cycle_compute(
                cycle.institution, cycle.month, acting_user=user, context=context
            )
            messages.success(
                request,
                _("Computed: %(rows)s ledger row(s) written.") % {"rows": result.written}
                if result.written or result.removed
                else _("Nothing changed since the last computation."),
            )
            return redirect(back)
        if action == "submit":
            try:
                svc.cycle_submit(cycle, expected_version=version, acting_user=user, context=context)
            except svc.FiguresChanged as changed:
                # The new figures are saved: show them, with why nothing was submitted.
                messages.warning(request, changed.messages[0])
                return redirect(back)
            messages.success(request, _("Submitted for approval."))
            return redirect(back)
        if action == "approve":
            svc.cycle_approve(
                cycle,
                expected_version=version,
                acting_user=user,
                context=context,
                recovery_acknowledged=request.POST.get("recovery_acknowledged") == "yes",
            )
            messages.success(request, _("Approved. The payment list can be downloaded."))
            return redirect(back)
        if action == "lock":
            svc.cycle_lock(cycle, expected_version=version, acting_user=user, context=context)
            messages.success(request, _("The cycle is locked."))
            return redirect(back)
        if action == "return":
            form = ReturnForm(request.POST)
            if form.is_valid():
                done = _attempt(
                    form,
                    lambda: svc.cycle_return(
                        cycle,
                        reason=form.cleaned_data["reason"],
                        expected_version=version,
                        acting_user=user,
                        context=context,
                    ),
                )
                if done is not None:
                    messages.success(request, _("Sent back to be prepared again."))
                    return redirect(back)
            return _cycle_page(request, cycle, status=400, return_form=form)
        if action == "pay":
            payment = PaymentForm(request.POST)
            if payment.is_valid():
                done = _attempt(
                    payment,
                    lambda: svc.cycle_record_payment(
                        cycle,
                        reference=payment.cleaned_data["reference"],
                        paid_on=payment.cleaned_data["paid_on"],
                        expected_version=version,
                        acting_user=user,
                        context=context,
                    ),
                )
                if done is not None:
                    messages.success(request, _("Payment recorded."))
                    return redirect(back)
            return _cycle_page(request, cycle, status=400, payment_form=payment)
    except StaleVersion:
        return _conflict(request, back)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _cycle_page(request, cycle, status=400)
    raise PermissionDenied


def _payment_name(cycle: Cycle, extension: str, *, recovery: bool) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in cycle.institution.name)[:40].strip("-")
    # A recovery statement must not pass for a list of transfers to make.
    stem = "pengembalian" if recovery else "pembayaran"
    return f"{stem}-{cycle.month:%Y-%m}-{safe}.{extension}"


def _is_recovery(rows: list[list[Any]]) -> bool:
    return bool(rows) and rows[-1][-1] < 0


@require_GET
def payment_csv(request: HttpRequest, cycle_uuid: Any) -> HttpResponse:
    user = _funding_desk(request)
    cycle = sel.cycle_of(user, cycle_uuid)
    rows = sel.payment_rows(request, cycle)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(value) for value in sel.payment_header()])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = _payment_name(cycle, "csv", recovery=_is_recovery(rows))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def payment_xlsx(request: HttpRequest, cycle_uuid: Any) -> HttpResponse:
    user = _funding_desk(request)
    cycle = sel.cycle_of(user, cycle_uuid)
    rows = sel.payment_rows(request, cycle)
    response = HttpResponse(
        xlsx_bytes(
            sel.payment_header(),
            rows,
            title="pengembalian" if _is_recovery(rows) else "pembayaran",
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = _payment_name(cycle, "xlsx", recovery=_is_recovery(rows))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The institution's claim -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    if not policy.files_claims(request.user):
        raise PermissionDenied
    if svc.institution_of(request.user) is None:
        # Staff of an agency not yet linked in the registry: say what to do
        # rather than refuse a page their menu offers.
        return render(request, "funding/claim_unlinked.html")
    today = timezone.localdate()
    months = sel.claim_months(request.user, today)
    default = calc.previous_month(calc.month_start(today))
    if default not in months and months:
        default = months[0]
    month = parse_month(request.GET.get("bulan")) or default
    if month > calc.month_start(today):
        month = calc.month_start(today)
    institution, children, current, cycle = sel.claim_page(request, month)
    # A claim is filed for a month with children placed here, until Dinas
    # Sosial submits the cycle; after that it is shown read-only.
    frozen = cycle is not None and cycle.is_frozen
    closed_message = (
        svc.claim_closed_message(cycle.status, filed=current is not None)
        if cycle is not None and frozen
        else ""
    )
    editable = bool(children) and not frozen
    form = ClaimForm(
        request.POST if request.method == "POST" else None,
        children=children,
        editable=editable,
        days_limit=calc.days_in_month(month),
        initial={
            "total_amount": current.total_amount if current else None,
            "note": current.note if current else "",
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = _attempt(
                    form,
                    lambda: svc.claim_file(
                        svc.ClaimInput(
                            month=month,
                            lines=form.lines(),
                            total_amount=form.cleaned_data["total_amount"],
                            note=form.cleaned_data["note"],
                        ),
                        acting_user=request.user,
                        expected_version=posted_version(request) if current else None,
                        context=AuditContext.from_request(request),
                    ),
                )
            except StaleVersion:
                return _conflict(request, f"{reverse('funding:claim')}?bulan={month:%Y-%m}")
            if done is not None:
                messages.success(request, _("Claim filed."))
                return redirect(f"{reverse('funding:claim')}?bulan={month:%Y-%m}")
        status = 400
    return render(
        request,
        "funding/claim.html",
        {
            "institution": institution,
            "form": form,
            "claim": current,
            "cycle": cycle,
            "month": month,
            "months": months,
            "frozen": frozen,
            "editable": editable,
            "closed_message": closed_message,
        },
        status=status,
    )
