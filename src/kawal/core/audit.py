"""Writing the audit trail; services call this inside their own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from kawal.core.models import AuditEvent
from kawal.core.net import client_ip


@dataclass(frozen=True)
class AuditContext:
    """Where a write came from: the request's address and id, or a named command."""

    ip_address: str | None = None
    request_id: str = ""
    via: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        return cls(
            ip_address=client_ip(request),
            request_id=getattr(request, "request_id", ""),
            via="web",
        )

    @classmethod
    def command(cls, name: str) -> AuditContext:
        return cls(via=f"command:{name}")


def _label(user: Any) -> str:
    if user is None:
        return ""
    agency = getattr(user, "agency", None)
    parts = [user.get_username(), getattr(user, "role", "")]
    if agency is not None:
        parts.append(str(agency))
    return " / ".join(part for part in parts if part)[:200]


def audit_record(
    kind: str,
    *,
    actor: Any = None,
    subject_user: Any = None,
    target: str = "",
    context: AuditContext | None = None,
    **detail: Any,
) -> AuditEvent:
    context = context or AuditContext()
    if context.via:
        detail.setdefault("via", context.via)
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor) if getattr(actor, "pk", None) else context.via[:200],
        subject_user=subject_user if getattr(subject_user, "pk", None) else None,
        target=target[:200],
        ip_address=context.ip_address or None,
        request_id=context.request_id[:64],
        detail=detail,
    )
