"""Demo data for exports (synthetic): one export waiting for the supervisor's approval.

The demo case manager (``manajer``) asks for the list of their high-risk cases
with the children's names; a named list needs a supervisor's approval, so it
waits on ``supervisor``'s "Exports waiting for approval" page, and the
supervisor is notified. Runs after the cases demo; without cases or those two
accounts there is nothing to do. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from kawal.accounts.models import User
from kawal.exports import services as svc
from kawal.exports.case_list import KEY
from kawal.exports.models import ExportRequest


def demo_load_exports() -> int:
    manager = User.objects.filter(username="manajer", is_demo_account=True).first()
    if manager is None or ExportRequest.objects.filter(requested_by=manager).exists():
        return 0
    try:
        svc.export_request_create(
            None,
            kind_key=KEY,
            params={"risk": "high", "names": "1"},
            fmt="xlsx",
            acting_user=manager,
        )
    except (PermissionDenied, ValidationError, svc.RateLimited):
        return 0
    return 1
