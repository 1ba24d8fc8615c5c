"""Every write of exports: the request, the four-eyes decision, the file, its expiry.

The flow, for every registered kind (``kawal.exports.registry``):

1. The requester asks for a table (``export_request_create``). The kind builds
   it scoped to them; the request records which children (case ids and
   numbers) and which data classes it holds.
2. A table of more than ``KAWAL_EXPORT_APPROVAL_CHILDREN`` children, or one
   that names children (identity or whereabouts, domain rules §4.4), waits
   for a holder of APPROVE_EXPORT other than the requester
   (``export_decide``); the approvers are notified, and the requester once
   it is decided.
3. The file is made (inline: a table of a few thousand rows takes well under
   a second) as the requester, from today's data but never beyond what was
   requested: if the rebuilt table holds another child or another class of
   data, it is not made and the requester asks again.
4. The requester alone downloads it for ``KAWAL_EXPORT_TTL_HOURS`` hours from
   the moment it was made; then the download is refused and
   ``exports_purge_expired`` (run daily by ``kawal run_reminders``) deletes
   the file.

Each step writes the access log with the children and the classes the export
holds, one row per case, as lists do; the step is told apart by the path.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import ROLES, Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.accounts.models import User
from kawal.core import ratelimit, spreadsheets
from kawal.core.models import StaleVersion
from kawal.core.uploads import CleanFile, open_private, store_private
from kawal.exports.models import ExportFormat, ExportRequest, ExportStatus
from kawal.exports.registry import ExportKind, ExportTable, export_kind
from kawal.exports.selectors import exportable_case_ids
from kawal.notify.services import notify_users

# Classes that say who a child is or where they live: a file holding them is
# identifiable and needs a supervisor's approval whatever its size.
_PARAM_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
IDENTIFYING = frozenset({DataClass.IDENTITY, DataClass.WHEREABOUTS})
DEFAULT_RATE_PER_HOUR = 30
RATE_WINDOW = 3600
# An export request holds at most this many children: beyond it, the file
# would be a copy of the register rather than a working list.
MAX_CHILDREN = 10_000
NOTIFY_APPROVAL = "exports.approval_needed"
NOTIFY_DECIDED = "exports.decided"
BREAK_GLASS_REFUSAL = gettext_lazy(
    "This export would hold children you see only through emergency access, "
    "which gives no copies. Narrow the filters."
)


class RateLimited(Exception):
    """Too many exports and downloads by this user within the hour."""


class ExportGone(Exception):
    """The file expired (or was deleted): it can no longer be downloaded."""


# --- Settings and small rules ------------------------------------------------------


def approval_threshold() -> int:
    return int(settings.KAWAL_EXPORT_APPROVAL_CHILDREN)


def ttl() -> timedelta:
    return timedelta(hours=int(settings.KAWAL_EXPORT_TTL_HOURS))


def rate_per_hour() -> int:
    """``KAWAL_EXPORT_RATE_PER_HOUR``: exports requested plus files downloaded per user."""
    return int(getattr(settings, "KAWAL_EXPORT_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR))


def needs_approval(table: ExportTable) -> bool:
    return len(table.case_ids) > approval_threshold() or identifying(table.data_classes)


def identifying(data_classes: Iterable[str]) -> bool:
    """Whether data of these classes says who a child is or where they live."""
    return any(value in IDENTIFYING for value in data_classes)


def may_request(user: Any, kind: ExportKind) -> bool:
    """The kind's own rule (its capability); unknown users may do nothing."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and kind.allowed(user))


def only_exportable(user: Any, table: ExportTable) -> bool:
    """Whether every case in ``table`` is one ``user`` may export (a kind's ``build``
    should leave out cases seen only through emergency access; this holds it to that)."""
    ids = set(table.case_ids)
    return exportable_case_ids(user, ids) == ids


def may_approve(user: Any, export: ExportRequest) -> bool:
    """Four eyes: any holder of APPROVE_EXPORT except the requester."""
    return may(user, Capability.APPROVE_EXPORT) and export.requested_by_id != user.pk


def rate_hit(user: Any) -> None:
    """Count one export or download; refuse past the hourly limit (V5).

    Fails closed: an export is never urgent, and without the counter the
    limit could not hold.
    """
    try:
        count = ratelimit.hit("exports", str(user.pk), window=RATE_WINDOW)
    except ratelimit.CounterUnavailable as error:
        raise RateLimited from error
    if count > rate_per_hour():
        raise RateLimited


def approvers_for(export: ExportRequest) -> QuerySet[User]:
    roles = [role for role, spec in ROLES.items() if Capability.APPROVE_EXPORT in spec.capabilities]
    return User.objects.filter(is_active=True, role__in=roles).exclude(pk=export.requested_by_id)


def stamp_for(user: Any, at: datetime) -> str:
    """Who made a file and when: printed on every page of a PDF and an XLSX."""
    return _("Exported by %(name)s (%(agency)s), %(time)s — confidential") % {
        "name": getattr(user, "full_name", "") or user.get_username(),
        "agency": getattr(user, "agency", None) or "—",
        "time": date_format(timezone.localtime(at), "DATETIME_FORMAT"),
    }


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The request's parameters as plain short strings (a query string is hostile input)."""
    cleaned: dict[str, str] = {}
    for key, value in list(params.items())[:20]:
        if key in ("format", "csrfmiddlewaretoken", "page", "expected_version"):
            continue
        if isinstance(value, list):
            value = value[-1] if value else ""
        # Control characters mean nothing in a filter, and PostgreSQL refuses
        # a NUL in text and in JSON (a 500 instead of a 400).
        key = _PARAM_CONTROL.sub("", str(key))[:40]
        if key:
            cleaned[key] = _PARAM_CONTROL.sub("", str(value))[:100]
    return cleaned


# --- Logging --------------------------------------------------------------------------


def _log(
    request: HttpRequest | None,
    export: ExportRequest,
    *,
    action: AccessAction,
    path: str,
    user: Any = None,
) -> None:
    access_log_write(
        request,
        action=action,
        cases=export.case_pairs,
        data_classes=export.data_classes,
        path=path,
        user=user,
    )


def step_path(export: ExportRequest, step: str) -> str:
    """The access log's path for a step of an export ("request", "approve", "build", ...)."""
    return f"/ekspor/berkas/{export.uuid}/#{step}"


# --- Request ----------------------------------------------------------------------------


def _table_cases(table: ExportTable) -> list[list[Any]]:
    from kawal.cases.models import Case

    numbers = dict(Case.objects.filter(pk__in=table.case_ids).values_list("pk", "number"))
    return [[pk, numbers.get(pk, "")] for pk in dict.fromkeys(table.case_ids)]


def export_request_create(
    request: HttpRequest | None,
    *,
    kind_key: str,
    params: Mapping[str, Any],
    fmt: str,
    acting_user: Any,
) -> ExportRequest:
    """Request an export; made at once when it needs no approval."""
    kind = export_kind(kind_key)
    if kind is None or not may_request(acting_user, kind):
        raise PermissionDenied
    if fmt not in ExportFormat.values:
        raise ValidationError(_("Choose CSV or XLSX."), code="format")
    params = clean_params(params)
    table = kind.build(acting_user, params)
    if not table.case_ids:
        raise ValidationError(_("There is nothing to export with these filters."), code="empty")
    if len(set(table.case_ids)) > MAX_CHILDREN:
        raise ValidationError(
            _("An export may hold at most %(max)s children. Narrow the filters."),
            code="too_many",
            params={"max": MAX_CHILDREN},
        )
    if not only_exportable(acting_user, table):
        raise ValidationError(BREAK_GLASS_REFUSAL, code="break_glass")
    rate_hit(acting_user)
    waits = needs_approval(table)
    with transaction.atomic():
        export = ExportRequest.objects.create(
            kind=kind.key,
            params=params,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            format=fmt,
            status=ExportStatus.WAITING if waits else ExportStatus.READY,
            requested_by=acting_user,
            children=len(set(table.case_ids)),
            rows=len(table.rows),
            data_classes=sorted(table.data_classes),
            cases=_table_cases(table),
            needs_approval=waits,
        )
        _log(
            request,
            export,
            action=AccessAction.LIST,
            path=step_path(export, "request"),
            user=acting_user,
        )
        if waits:
            notify_users(
                users=approvers_for(export),
                kind=NOTIFY_APPROVAL,
                url=reverse("exports:waiting"),
                key=f"exports.approval:{export.uuid}",
            )
        else:
            _make_file(request, export, kind, table)
    return export


# --- Decision -------------------------------------------------------------------------


def export_decide(
    request: HttpRequest | None,
    export: ExportRequest,
    *,
    approve: bool,
    comment: str,
    expected_version: int,
    acting_user: Any,
) -> ExportRequest:
    """Approve (and make the file) or refuse a waiting export; never the requester's own."""
    if not may_approve(acting_user, export):
        raise PermissionDenied
    comment = comment.strip()[:1000]
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Say why the export is refused.")}, code="comment_required"
        )
    with transaction.atomic():
        locked = ExportRequest.objects.select_for_update().get(pk=export.pk)
        if locked.version != expected_version:
            raise StaleVersion(locked)
        if locked.status != ExportStatus.WAITING:
            raise ValidationError(_("This export has already been decided."), code="decided")
        locked.decided_by = acting_user
        locked.decided_at = timezone.now()
        locked.decision_comment = comment
        locked.version += 1
        locked.status = ExportStatus.READY if approve else ExportStatus.REFUSED
        notify_users(
            users=[locked.requested_by],
            kind=NOTIFY_DECIDED,
            url=reverse("exports:mine"),
            key=f"exports.decided:{locked.uuid}",
        )
        if approve:
            _log(
                request,
                locked,
                action=AccessAction.LIST,
                path=step_path(locked, "approve"),
                user=acting_user,
            )
            _rebuild(request, locked)
        if locked.status != ExportStatus.READY or not locked.file_name:
            locked.save()
    return locked


def _rebuild(request: HttpRequest | None, export: ExportRequest) -> None:
    """Make an approved export's file as the requester, within what was approved."""
    requester = export.requested_by
    kind = export_kind(export.kind)
    failure = ""
    table = None
    if kind is None or not may_request(requester, kind):
        failure = _("The requester may no longer make this export.")
    else:
        try:
            with translation.override(export.language or settings.LANGUAGE_CODE):
                table = kind.build(requester, export.params)
        except ValidationError as error:
            export.status = ExportStatus.FAILED
            export.failure = "; ".join(str(m) for m in error.messages)[:200]
            return
        approved_cases = {pk for pk, _number in export.case_pairs}
        if not set(table.case_ids) <= approved_cases or not set(table.data_classes) <= set(
            export.data_classes
        ):
            failure = _(
                "The data changed since the request: it now holds children or data "
                "that were not approved. Request the export again."
            )
        elif not table.case_ids:
            failure = _("There is nothing left to export with these filters.")
        elif not only_exportable(requester, table):
            failure = str(BREAK_GLASS_REFUSAL)
    if failure or table is None or kind is None:
        export.status = ExportStatus.FAILED
        export.failure = failure[:200]
        return
    _make_file(request, export, kind, table)


# --- The file ---------------------------------------------------------------------------


def _root() -> Path:
    return Path(settings.KAWAL_PRIVATE_MEDIA_ROOT) / "exports"


def render_table(
    export: ExportRequest, kind: ExportKind, table: ExportTable, at: datetime
) -> bytes:
    with translation.override(export.language or settings.LANGUAGE_CODE):
        if export.format == ExportFormat.XLSX:
            return spreadsheets.xlsx_bytes(
                table.headers,
                table.rows,
                title=kind.filename,
                stamp=stamp_for(export.requested_by, at),
            )
        return spreadsheets.csv_bytes(table.headers, table.rows, bom=True)


def _make_file(
    request: HttpRequest | None, export: ExportRequest, kind: ExportKind, table: ExportTable
) -> None:
    """Write the file to private media and mark the export ready (caller's transaction)."""
    now = timezone.now()
    content = render_table(export, kind, table, now)
    name = store_private(
        CleanFile(
            content=content,
            content_type="",
            extension=f".{export.format}",
            original_name="",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        ),
        root=_root(),
    )
    # The file exists before the row says so; if what follows fails, it goes.
    # (This is the last step of every transaction that makes a file.)
    try:
        export.status = ExportStatus.READY
        export.file_name = name
        export.file_size = len(content)
        export.file_sha256 = hashlib.sha256(content).hexdigest()
        export.rows = len(table.rows)
        export.children = len(set(table.case_ids))
        export.cases = _table_cases(table)
        export.data_classes = sorted(table.data_classes)
        export.built_at = now
        export.expires_at = now + ttl()
        export.save()
        # The file is made for the requester: the row is theirs, whoever approved it.
        _log(
            request if request is not None and request.user == export.requested_by else None,
            export,
            action=AccessAction.LIST,
            path=step_path(export, "build"),
            user=export.requested_by,
        )
    except BaseException:
        (_root() / name).unlink(missing_ok=True)
        raise


def file_name_for(export: ExportRequest, kind: ExportKind | None) -> str:
    stem = kind.filename if kind is not None else export.kind
    made = timezone.localtime(export.built_at or export.requested_at)
    return f"{stem}-{made:%Y-%m-%d-%H%M}.{export.format}"


def export_download(request: HttpRequest, export: ExportRequest) -> Path:
    """The path of the requester's file, once they are checked, counted and logged.

    Raises ``ExportGone`` once it expired, ``PermissionDenied`` when the
    requester may no longer see every child in it.
    """
    user: Any = request.user
    if export.requested_by_id != user.pk:
        raise PermissionDenied
    now = timezone.now()
    if export.status == ExportStatus.EXPIRED or (
        export.expires_at is not None and export.expires_at <= now
    ):
        raise ExportGone
    if export.status != ExportStatus.READY or not export.file_name:
        raise PermissionDenied
    kind = export_kind(export.kind)
    ids = {pk for pk, _number in export.case_pairs}
    # Access taken away since the file was made takes effect at once; emergency
    # access gained meanwhile does not stand in for it.
    if kind is None or not may_request(user, kind) or exportable_case_ids(user, ids) != ids:
        raise PermissionDenied
    rate_hit(user)
    try:
        path = open_private(export.file_name, root=_root())
    except FileNotFoundError as error:
        raise ExportGone from error
    with transaction.atomic():
        _log(request, export, action=AccessAction.DOWNLOAD, path=request.path)
        ExportRequest.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    return path


# --- Expiry ------------------------------------------------------------------------------


def exports_purge_expired(now: datetime) -> int:
    """Delete the files of exports past their expiry; returns how many were deleted.

    Idempotent: a second run the same day finds nothing. Run daily by
    ``kawal run_reminders``.
    """
    deleted = 0
    due = ExportRequest.objects.filter(status=ExportStatus.READY, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            export = (
                ExportRequest.objects.select_for_update()
                .filter(pk=pk, status=ExportStatus.READY)
                .first()
            )
            if export is None:
                continue
            if export.file_name:
                try:
                    open_private(export.file_name, root=_root()).unlink()
                    deleted += 1
                except FileNotFoundError:
                    pass
            export.status = ExportStatus.EXPIRED
            export.file_name = ""
            export.purged_at = now
            export.version += 1
            export.save()
    return deleted
