"""The inbox and the e-mail choices: a user only ever sees and changes their own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kawal.core.audit import AuditContext
from kawal.notify import selectors as sel
from kawal.notify import services as svc
from kawal.notify.forms import PreferencesForm
from kawal.web.forms import apply_errors


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = sel.inbox_page(request.user, request.GET.get("page"))
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread": sel.unread_count(request.user)},
    )


@require_GET
def open_notification(request: HttpRequest, notification_uuid: Any) -> HttpResponse:
    """Opening a notification (from the inbox or an e-mail) marks it read and goes there."""
    notification = sel.notification_for_user(request.user, notification_uuid)
    svc.notification_mark_read(notification, acting_user=request.user)
    target = notification.url
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts=set(settings.ALLOWED_HOSTS), require_https=False
    ) or not target.startswith("/"):
        target = reverse("notify:inbox")
    return redirect(target)


@require_POST
def read_one(request: HttpRequest, notification_uuid: Any) -> HttpResponse:
    notification = sel.notification_for_user(request.user, notification_uuid)
    svc.notification_mark_read(notification, acting_user=request.user)
    if _htmx(request):
        notification.refresh_from_db()
        return render(request, "notify/_row.html", {"row": sel.inbox_row(notification)})
    return redirect(_back(request))


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = svc.notifications_mark_all_read(acting_user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(reverse("notify:inbox"))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("notify:inbox")
    return f"{url}?page={int(page)}" if page.isdigit() else url


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    rows = sel.preference_rows(request.user)
    form = PreferencesForm(rows, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.notification_preferences_set(
                    by_kind=form.choices(),
                    acting_user=request.user,
                    context=AuditContext.from_request(request),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Your notification choices are saved."))
                return redirect(reverse("notify:preferences"))
        status = 400
    return render(request, "notify/preferences.html", {"form": form}, status=status)
