"""Every read of exports, scoped to the requester or to the approvers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, Relation, case_access_bulk
from kawal.cases.selectors import parse_uuid
from kawal.exports.models import ExportRequest, ExportStatus

MY_EXPORTS_LIMIT = 50
LEADING = frozenset({Relation.OWNER, Relation.SUPERVISOR})


def export_access(access: CaseAccess | None) -> CaseAccess | None:
    """The part of ``access`` an export may use: never what emergency access gives.

    Break-glass is for reading in an emergency, not for taking copies
    (security.md C6). With emergency access alone there is nothing to
    export. Leading the case already grants every class the role reads, so
    a grant beside it adds nothing. Beside a team membership or a referral,
    the grant's classes cannot be told apart from the membership's here, so
    only the basic facts (which every relation gives) remain.
    """
    if access is None or Relation.BREAK_GLASS not in access.relations:
        return access
    others = access.relations - {Relation.BREAK_GLASS}
    if not others:
        return None
    if others & LEADING:
        return replace(access, relations=others)
    basic = frozenset({DataClass.BASIC})
    return replace(access, relations=others, readable=basic, writable=access.writable & basic)


def summary_allowed(access: CaseAccess) -> bool:
    """Whether the case summary PDF may be made: emergency access is for reading in
    an emergency, not for taking copies, so the PDF is refused while the reader's
    access includes anything only a break-glass grant gives them."""
    exportable = export_access(access)
    return exportable is not None and exportable.readable == access.readable


def exportable_case_ids(user: Any, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the cases ``user`` may put in an export (not through emergency access)."""
    cases = list(Case.objects.filter(pk__in=set(ids)))
    return {
        pk
        for pk, access in case_access_bulk(user, cases).items()
        if export_access(access) is not None
    }


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
