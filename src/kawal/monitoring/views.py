"""Monitoring pages. Every read goes through ``selectors``, every write through ``services``.

Two audiences: institution staff (the children in their care, the roster,
incidents) and Dinas Sosial on the case team (reviews, visits, after-care).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.core.models import StaleVersion
from kawal.monitoring import policy
from kawal.monitoring import selectors as sel
from kawal.monitoring import services as svc
from kawal.monitoring.forms import FollowUpForm, IncidentForm, ReviewForm, VisitForm
from kawal.monitoring.models import AfterCareFollowUp, MonitoringVisit, PlacementReview
from kawal.monitoring.rules import roster_days
from kawal.placement.models import Placement
from kawal.web.forms import apply_errors

# --- Institution staff ----------------------------------------------------------------------


def _carer(request: HttpRequest) -> Any:
    if not policy.cares_for_placed(request.user):
        raise PermissionDenied
    return request.user


@require_GET
def children(request: HttpRequest) -> HttpResponse:
    user = _carer(request)
    placements = list(sel.placed_with(user))
    if placements:
        sel.carers_log_view(request, placements)
    return render(
        request,
        "monitoring/children.html",
        {
            "institution": sel.institution_of(user),
            # The list needs no care needs or school: one query, however many children.
            "placements": placements,
            "today": timezone.localdate(),
        },
    )


@require_GET
def child(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    user = _carer(request)
    placement = sel.placement_for_carer(user, placement_uuid)
    # Logged before the page is built: no row, no page.
    sel.carers_log_view(request, [placement])
    return render(
        request,
        "monitoring/child.html",
        {"card": sel.carer_card(placement), "incidents_url": _incident_url(placement)},
    )


def _incident_url(placement: Placement) -> str:
    return reverse("monitoring:incident", kwargs={"placement_uuid": placement.uuid})


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def _roster_rows(user: Any, day: date) -> list[sel.RosterRow]:
    """The roster of the user's institution for ``day``: children placed with it now only."""
    institution = sel.institution_of(user)
    if institution is None:
        return []
    current = set(sel.placed_with(user).values_list("pk", flat=True))
    return [row for row in sel.roster_for(institution, day) if row.placement.pk in current]


def _roster_page(
    request: HttpRequest, day: date, *, status: int = 200, error: str = ""
) -> HttpResponse:
    user = request.user
    rows = _roster_rows(user, day)
    if rows:
        sel.carers_log_view(request, [row.placement for row in rows])
    today = timezone.localdate()
    return render(
        request,
        "monitoring/roster.html",
        {
            "institution": sel.institution_of(user),
            "day": day,
            "days": roster_days(today),
            "today": today,
            "rows": rows,
            "error": error,
            "marked": sum(1 for row in rows if row.present is not None),
        },
        status=status,
    )


@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    _carer(request)
    raw = request.GET.get("hari")
    today = timezone.localdate()
    day = _parse_day(raw) if raw else today
    if day is None or day not in roster_days(today):
        return _roster_page(
            request, today, status=400, error=_("That day cannot be shown on the roster.")
        )
    return _roster_page(request, day)


@require_POST
def mark(request: HttpRequest, placement_uuid: str, day: str) -> HttpResponse:
    user = _carer(request)
    placement = sel.placement_for_carer(user, placement_uuid)
    when = _parse_day(day)
    if when is None:
        raise Http404
    choice = request.POST.get("present", "")
    htmx = request.headers.get("HX-Request") == "true"
    error = ""
    if choice not in ("1", "0"):
        error = _("Choose present or absent.")
    else:
        try:
            svc.presence_mark(placement, day=when, present=choice == "1", acting_user=user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    if not htmx:
        if error:
            return _roster_page(request, timezone.localdate(), status=400, error=error)
        return redirect(reverse("monitoring:roster") + f"?hari={when.isoformat()}")
    sel.carers_log_view(request, [placement])
    rows = _roster_rows(user, when)
    row = next((r for r in rows if r.placement.pk == placement.pk), None)
    return render(
        request,
        "monitoring/_roster_row.html",
        {
            "row": row,
            "day": when,
            "error": error,
            # htmx swaps the row; the day's counter above the list follows out of band.
            "rows": rows,
            "marked": sum(1 for r in rows if r.present is not None),
            "oob": True,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def incident(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    user = _carer(request)
    placement = sel.placement_for_carer(user, placement_uuid)
    sel.carers_log_view(request, [placement])
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = IncidentForm(request.POST or None, initial={"occurred_at": now})
    back = reverse("monitoring:child", kwargs={"placement_uuid": placement.uuid})
    if request.method == "POST" and form.is_valid():
        try:
            svc.incident_record(placement, svc.NewIncident(**form.values()), acting_user=user)
        except ValidationError as problem:
            apply_errors(form, problem)
        else:
            messages.success(request, _("The incident is recorded and the case manager is told."))
            return redirect(back)
    return _form_page(
        request,
        form,
        title=_("Report an incident"),
        intro=_("%(name)s, at %(institution)s.")
        % {"name": placement.child.full_name, "institution": placement.institution.name},
        back=back,
    )


# --- Dinas Sosial --------------------------------------------------------------------------


def _presence_recorder(request: HttpRequest, placement_uuid: str) -> tuple[Placement, Any]:
    """A placement whose days this worker records: they record its monitoring and
    nobody at the institution keeps a roster. Logged before the page is built."""
    placement, access = sel.placement_for_worker(request, placement_uuid)
    if not policy.records_monitoring(request.user, access) or sel.institution_has_staff(
        placement.institution
    ):
        raise PermissionDenied
    sel.worker_log_view(request, placement, access)
    return placement, access


def _parse_month(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(f"{raw}-01") if raw and len(raw) == 7 else None
    except ValueError:
        return None


def _worker_counts(days: list[sel.WorkerRosterDay]) -> dict[str, int]:
    return {
        "total": len(days),
        "marked": sum(1 for d in days if d.present is not None),
        "present": sum(1 for d in days if d.present),
    }


@require_GET
def worker_roster(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    placement, access = _presence_recorder(request, placement_uuid)
    today = timezone.localdate()
    months = sel.placement_months(placement, today)
    raw = request.GET.get("bulan")
    month = _parse_month(raw) if raw else (months[0] if months else None)
    status, error = 200, ""
    if month not in months:
        status, error = 400, _("That month cannot be shown for this placement.")
        month = months[0] if months else None
    days = sel.worker_roster(placement, month) if month is not None else []
    return render(
        request,
        "monitoring/worker_roster.html",
        {
            "placement": placement,
            "intro": _intro(placement, access),
            "back": _case_url(placement),
            "month": month,
            "months": months,
            "days": list(reversed(days)),
            "counts": _worker_counts(days),
            "error": error,
        },
        status=status,
    )


@require_POST
def worker_mark(request: HttpRequest, placement_uuid: str, day: str) -> HttpResponse:
    placement, _access = _presence_recorder(request, placement_uuid)
    when = _parse_day(day)
    if when is None:
        raise Http404
    choice = request.POST.get("present", "")
    error = ""
    if choice not in ("1", "0"):
        error = _("Choose present or absent.")
    else:
        try:
            svc.presence_record_for_placement(
                placement, day=when, present=choice == "1", acting_user=request.user
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    back = reverse("monitoring:worker_roster", kwargs={"placement_uuid": placement.uuid})
    back += f"?bulan={when:%Y-%m}"
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        return redirect(back)
    days = sel.worker_roster(placement, when.replace(day=1))
    row = next((d for d in days if d.day == when), None)
    return render(
        request,
        "monitoring/_worker_roster_day.html",
        {
            "placement": placement,
            "d": row,
            "error": error,
            "counts": _worker_counts(days),
            "month": when.replace(day=1),
            "oob": True,
        },
        status=400 if error else 200,
    )


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    back: str,
    intro: str = "",
    submit: str = "",
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "monitoring/form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "back": back,
            "submit": submit or _("Save"),
        },
        status=status,
    )


def _case_url(placement: Placement) -> str:
    return reverse("cases:detail", kwargs={"case_uuid": placement.case.uuid}) + "#monitoring"


@dataclass(frozen=True)
class Kind:
    """One of Dinas Sosial's records, for the shared new/edit views."""

    form: type[Any]
    model: type[Any]
    title_new: Any
    title_edit: Any
    saved: Any
    record: Callable[..., Any]
    update: Callable[..., Any]
    find: Callable[[HttpRequest, Any], tuple[Any, Any]]
    initial: Callable[[Placement], dict[str, Any]]


def _review_initial(placement: Placement) -> dict[str, Any]:
    today = timezone.localdate()
    return {"reviewed_on": today, "next_review_on": sel.add_months(today, sel.review_months())}


def _follow_up_initial(placement: Placement) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {"followed_up_on": today}
    done = set(placement.follow_ups.values_list("milestone", flat=True))
    due = [m for m in sel.AFTERCARE_MONTHS if m not in done]
    if due:
        initial["milestone"] = str(due[0])
    return initial


KINDS = {
    "review": Kind(
        ReviewForm,
        PlacementReview,
        gettext_lazy("Placement review"),
        gettext_lazy("Change the placement review"),
        gettext_lazy("The review is recorded."),
        svc.review_record,
        svc.review_update,
        sel.review_for_worker,
        _review_initial,
    ),
    "visit": Kind(
        VisitForm,
        MonitoringVisit,
        gettext_lazy("Monitoring visit"),
        gettext_lazy("Change the monitoring visit"),
        gettext_lazy("The visit is recorded."),
        svc.visit_record,
        svc.visit_update,
        sel.visit_for_worker,
        lambda placement: {"visited_on": timezone.localdate()},
    ),
    "follow_up": Kind(
        FollowUpForm,
        AfterCareFollowUp,
        gettext_lazy("After-care follow-up (bimbingan lanjut)"),
        gettext_lazy("Change the after-care follow-up"),
        gettext_lazy("The follow-up is recorded."),
        svc.follow_up_record,
        svc.follow_up_update,
        sel.follow_up_for_worker,
        _follow_up_initial,
    ),
}


def _intro(placement: Placement, access: Any) -> str:
    who = placement.child.full_name if access.sees_identity else placement.child.initials
    return f"{who} · {placement.case.number} · {placement.institution.name}"


def _recorder(request: HttpRequest, placement: Placement, access: Any) -> None:
    if not policy.records_monitoring(request.user, access):
        raise PermissionDenied
    sel.worker_log_view(request, placement, access)


def _new(request: HttpRequest, placement_uuid: str, kind: Kind) -> HttpResponse:
    placement, access = sel.placement_for_worker(request, placement_uuid)
    _recorder(request, placement, access)
    form = kind.form(request.POST or None, initial=kind.initial(placement))
    if request.method == "POST" and form.is_valid():
        try:
            kind.record(placement, acting_user=request.user, **form.values())
        except ValidationError as problem:
            apply_errors(form, problem)
        else:
            messages.success(request, str(kind.saved))
            return redirect(_case_url(placement))
    return _form_page(
        request,
        form,
        title=str(kind.title_new),
        intro=_intro(placement, access),
        back=_case_url(placement),
    )


def _edit(request: HttpRequest, record_uuid: str, kind: Kind) -> HttpResponse:
    record, access = kind.find(request, record_uuid)
    placement = record.placement
    _recorder(request, placement, access)
    names = [name for name in kind.form.base_fields if name != "expected_version"]
    initial = {name: getattr(record, name) for name in names}
    initial["expected_version"] = record.version
    if "child_seen_alone" in initial:
        initial["child_seen_alone"] = "yes" if record.child_seen_alone else "no"
    form = kind.form(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("expected_version")
        try:
            kind.update(
                record,
                expected_version=-1 if version is None else version,
                changes=form.values(),
                acting_user=request.user,
            )
        except StaleVersion as stale:
            return _conflict(request, form, stale.current or record, placement)
        except ValidationError as problem:
            apply_errors(form, problem)
        else:
            messages.success(request, _("Saved."))
            return redirect(_case_url(placement))
    return _form_page(
        request,
        form,
        title=str(kind.title_edit),
        intro=_intro(placement, access),
        back=_case_url(placement),
    )


def _conflict(request: HttpRequest, form: Form, current: Any, placement: Placement) -> HttpResponse:
    rows = []
    for name, field in form.fields.items():
        if name == "expected_version":
            continue
        theirs = getattr(current, name)
        if isinstance(theirs, bool):
            theirs = _("Yes") if theirs else _("No")
        rows.append({"label": field.label, "yours": form.cleaned_data.get(name), "theirs": theirs})
    return render(
        request,
        "web/conflict.html",
        {"rows": rows, "back_url": _case_url(placement), "back_label": _("Back to the case")},
        status=409,
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    return _new(request, placement_uuid, KINDS["review"])


@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, record_uuid: str) -> HttpResponse:
    return _edit(request, record_uuid, KINDS["review"])


@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    return _new(request, placement_uuid, KINDS["visit"])


@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, record_uuid: str) -> HttpResponse:
    return _edit(request, record_uuid, KINDS["visit"])


@require_http_methods(["GET", "POST"])
def follow_up_new(request: HttpRequest, placement_uuid: str) -> HttpResponse:
    return _new(request, placement_uuid, KINDS["follow_up"])


@require_http_methods(["GET", "POST"])
def follow_up_edit(request: HttpRequest, record_uuid: str) -> HttpResponse:
    return _edit(request, record_uuid, KINDS["follow_up"])
