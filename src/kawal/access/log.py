"""Writing the access log, fail-closed.

A read of a child's data is logged *before* the response is built; if the row
cannot be written the caller gets ``AccessLogUnavailable`` and must not show
the data. The module knows cases only by id and number so that it imports no
domain app.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, transaction
from django.http import HttpRequest

from kawal.access.models import AccessAction, AccessLog
from kawal.core.net import client_ip

logger = logging.getLogger(__name__)


class AccessLogUnavailable(Exception):
    """The read could not be recorded, so it must not happen."""


def access_log_write(
    request: HttpRequest | None,
    *,
    action: AccessAction,
    cases: Iterable[tuple[int, str]] = (),
    data_classes: Iterable[str] = (),
    via_break_glass: bool = False,
    path: str | None = None,
    user: Any = None,
) -> None:
    """Record that the requesting user saw (or was refused) data of these cases.

    ``cases`` are (id, number) pairs; a search or list writes one row per case
    shown. An empty list still writes one row (e.g. a denied attempt on a
    case that does not exist).

    Inside a caller's transaction the row is a savepoint: a failure raises
    ``AccessLogUnavailable`` out of that transaction too, so whatever the
    caller wrote with it is rolled back. A service called outside a request
    (a command, the demo) passes ``user`` and no request; the address,
    request id and path are then left empty.
    """
    if user is None:
        if request is None:
            raise ValueError("access_log_write needs a request or a user")
        user = request.user
    agency = getattr(user, "agency", None)
    classes = sorted(set(data_classes))
    common = {
        "user": user,
        "agency": str(agency or "")[:200],
        "role": getattr(user, "role", "")[:32],
        "action": action,
        "data_classes": classes,
        "via_break_glass": via_break_glass,
        "ip_address": client_ip(request) if request is not None else None,
        "request_id": getattr(request, "request_id", "")[:64],
        "path": (path or (request.path if request is not None else ""))[:200],
    }
    rows = [
        AccessLog(case_id=case_id, case_number=number[:40], **common) for case_id, number in cases
    ] or [AccessLog(case_id=None, case_number="", **common)]
    try:
        with transaction.atomic():
            AccessLog.objects.bulk_create(rows)
    except DatabaseError as exc:
        logger.error("access log unavailable: %s", type(exc).__name__)
        raise AccessLogUnavailable from exc
