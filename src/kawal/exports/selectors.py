"""Every read of exports, scoped to the requester or to the approvers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.cases.selectors import parse_uuid
from kawal.exports.models import ExportRequest, ExportStatus

MY_EXPORTS_LIMIT = 50


def exports_of(user: Any) -> QuerySet[ExportRequest]:
    """The user's own exports, newest first."""
    return ExportRequest.objects.filter(requested_by_id=user.pk).select_related("decided_by")[
        :MY_EXPORTS_LIMIT
    ]


def waiting_for(user: Any) -> QuerySet[ExportRequest]:
    """Exports waiting for a decision that this user may take (never their own)."""
    if not may(user, Capability.APPROVE_EXPORT):
        return ExportRequest.objects.none()
    return (
        ExportRequest.objects.filter(status=ExportStatus.WAITING)
        .exclude(requested_by_id=user.pk)
        .select_related("requested_by", "requested_by__agency")
        .order_by("requested_at", "id")
    )


def waiting_count(user: Any) -> int:
    return waiting_for(user).count()


def own_export(user: Any, raw_uuid: Any) -> ExportRequest:
    """The requester's export; anyone else's is a 404 like a missing one."""
    key = parse_uuid(raw_uuid)
    export = (
        ExportRequest.objects.filter(uuid=key, requested_by_id=user.pk).first()
        if key is not None
        else None
    )
    if export is None:
        raise Http404
    return export


def export_to_decide(user: Any, raw_uuid: Any) -> ExportRequest:
    """A waiting export this user may decide on; else 404."""
    key = parse_uuid(raw_uuid)
    export = waiting_for(user).filter(uuid=key).first() if key is not None else None
    if export is None:
        raise Http404
    return export
