"""Releases for supervisors (prepare, preview, approve) and the public figures (no account).

The public pages read one stored snapshot and nothing else: no case, no person, no query over
the case data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kawal.core.audit import AuditContext
from kawal.core.models import StaleVersion
from kawal.core.pdf import html_to_pdf
from kawal.publication import display, policy
from kawal.publication import selectors as sel
from kawal.publication import services as svc
from kawal.publication.forms import PrepareForm, ReasonForm
from kawal.publication.models import Release, ReleaseImmutable, ReleaseSheet, ReleaseStatus
from kawal.web.forms import apply_errors, posted_version


def _snapshot_context(release: Release) -> dict[str, Any]:
    snapshot = release.snapshot
    return {
        "release": release,
        "period": display.period_text(snapshot),
        "tables": display.tables(snapshot),
        "headlines": display.headlines(snapshot),
        "threshold": snapshot["threshold"],
        "threshold_below": max(1, snapshot["threshold"] - 1),
        "version": snapshot["version"],
        "hidden_mark": display.HIDDEN,
        "has_hidden": display.has_hidden(snapshot),
    }


# --- Supervisors ---------------------------------------------------------------------------


def _publisher(request: HttpRequest) -> Any:
    if not policy.publishes(request.user):
        raise PermissionDenied
    return request.user


def _releases_page(request: HttpRequest, form: PrepareForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "publication/releases.html",
        {"form": form, "releases": sel.releases_for(request.user)[:60]},
        status=status,
    )


@require_http_methods(["GET"])
def releases(request: HttpRequest) -> HttpResponse:
    _publisher(request)
    return _releases_page(request, PrepareForm())


@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    user = _publisher(request)
    form = PrepareForm(request.POST)
    if form.is_valid():
        try:
            period = svc.period_of(
                form.cleaned_data["kind"],
                form.cleaned_data["year"],
                form.cleaned_data.get("quarter"),
            )
            release = svc.release_prepare(
                period, acting_user=user, context=AuditContext.from_request(request)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Prepared. Check the figures below; another supervisor approves them."),
            )
            return redirect("publication:release", release_uuid=release.uuid)
    return _releases_page(request, form, status=400)


def _release_page(
    request: HttpRequest,
    release: Release,
    *,
    reason_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _snapshot_context(release)
    context.update(
        {
            "may_decide": policy.may_decide(request.user, release),
            "may_withdraw": policy.may_withdraw(request.user, release),
            "own": policy.is_preparer(request.user, release),
            "reason_form": reason_form or ReasonForm(),
            "public_url": (
                reverse(
                    "publication:public_release",
                    kwargs={"slug": release.slug, "number": release.number},
                )
                if release.status == ReleaseStatus.PUBLISHED
                else ""
            ),
        }
    )
    return render(request, "publication/release.html", context, status=status)


def _release_or_404(request: HttpRequest, release_uuid: Any) -> Release:
    _publisher(request)
    release = sel.release_for(request.user, release_uuid)
    if release is None:
        raise Http404
    return release


@require_http_methods(["GET"])
def release_detail(request: HttpRequest, release_uuid: Any) -> HttpResponse:
    return _release_page(request, _release_or_404(request, release_uuid))


@require_POST
def release_action(request: HttpRequest, release_uuid: Any, action: str) -> HttpResponse:
    release = _release_or_404(request, release_uuid)
    back = reverse("publication:release", kwargs={"release_uuid": release.uuid})
    context = AuditContext.from_request(request)
    reason_form = ReasonForm(request.POST) if action in ("reject", "withdraw") else None
    try:
        if action == "approve":
            svc.release_approve(
                release,
                expected_version=posted_version(request),
                fingerprint_seen=request.POST.get("fingerprint", ""),
                acting_user=request.user,
                context=context,
            )
            messages.success(request, _("Published. The public page shows it now."))
        elif action in ("reject", "withdraw") and reason_form is not None:
            operation = svc.release_reject if action == "reject" else svc.release_withdraw
            operation(
                release,
                reason=request.POST.get("reason", ""),
                expected_version=posted_version(request),
                acting_user=request.user,
                context=context,
            )
            messages.success(request, _("Rejected.") if action == "reject" else _("Withdrawn."))
        else:
            raise Http404
    except StaleVersion:
        return render(
            request,
            "web/conflict.html",
            {"rows": [], "back_url": back, "back_label": _("Back")},
            status=409,
        )
    except ReleaseImmutable:
        messages.error(request, _("This release is published: it can no longer change."))
        return _release_page(request, release, status=409)
    except ValidationError as error:
        if reason_form is not None:
            apply_errors(reason_form, error)
        else:
            for message in error.messages:
                messages.error(request, message)
        return _release_page(request, release, reason_form=reason_form, status=400)
    return redirect(back)


# --- Public --------------------------------------------------------------------------------


def _public(request: HttpRequest, release: Release, template: str) -> HttpResponse:
    context = _snapshot_context(release)
    latest = sel.latest_of_period(release)
    context.update(
        {
            "is_latest": latest is not None and latest.pk == release.pk,
            "latest": latest,
            "sheet_url": reverse(
                "publication:sheet", kwargs={"slug": release.slug, "number": release.number}
            ),
        }
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_http_methods(["GET"])
def public_latest(request: HttpRequest) -> HttpResponse:
    release = sel.latest_published()
    if release is None:
        return render(request, "publication/public_empty.html")
    return _public(request, release, "publication/public.html")


@login_not_required
@require_http_methods(["GET"])
def public_archive(request: HttpRequest) -> HttpResponse:
    periods = [
        {
            "latest": latest,
            "period": display.period_name(latest.period_kind, latest.period_start),
            "earlier": earlier,
        }
        for latest, earlier in sel.archive()
    ]
    return render(request, "publication/archive.html", {"periods": periods})


@login_not_required
@require_http_methods(["GET"])
def public_release(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    release = sel.published_release(slug, number)
    if release is None:
        raise Http404
    return _public(request, release, "publication/public.html")


def sheet_pdf(release: Release, language: str) -> bytes:
    """The press sheet of a published release in a language, rendered once and kept."""
    stored = ReleaseSheet.objects.filter(release=release, language=language).first()
    if stored is not None:
        return bytes(stored.pdf)
    context = _snapshot_context(release)
    html = render_to_string("publication/sheet.html", context)
    pdf = html_to_pdf(html)
    try:
        with transaction.atomic():
            ReleaseSheet.objects.create(release=release, language=language, pdf=pdf)
    except IntegrityError:
        pass  # rendered at the same time by another request: the same content
    return pdf


@login_not_required
@require_http_methods(["GET"])
def public_sheet(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    release = sel.published_release(slug, number)
    if release is None:
        raise Http404
    language = (get_language() or "id")[:8]
    response = HttpResponse(sheet_pdf(release, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="kawal-anak-{release.slug}-v{release.number}-{language}.pdf"'
    )
    return response
