"""Who may do what with the money that follows the child.

Built on the role catalogue and the case policy; no role literal here.

- **Commit** funds for a child (``MANAGE_FUNDING``) on a case the user may
  write FINANCIAL on: the Dinas Sosial social worker on the case team, or a
  finance officer added to it with the financial class. Never through
  emergency access.
- **Run and submit** a monthly cycle: ``MANAGE_FUNDING`` (social workers and
  finance officers of Dinas Sosial). Cycles are per institution, not per case.
- **Approve**, record the payment reference and lock: ``RECORD_PAYMENT``, and
  the approver is never the user who submitted the cycle (four eyes).
- **Budgets**: read by every ``MANAGE_FUNDING`` / ``RECORD_PAYMENT`` holder,
  set by ``RECORD_PAYMENT``.
- **Claims**: filed by institution staff (``CARE_FOR_PLACED``) for the
  institution whose staff agency is their own agency.
"""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.policy import CaseAccess


def manages_funding(user: Any) -> bool:
    return may(user, Capability.MANAGE_FUNDING)


def records_payment(user: Any) -> bool:
    return may(user, Capability.RECORD_PAYMENT)


def reads_funding(user: Any) -> bool:
    """Budgets, utilisation and cycles: the Dinas Sosial funding desk."""
    return manages_funding(user) or records_payment(user)


def sets_budgets(user: Any) -> bool:
    return records_payment(user)


def commits_on(access: CaseAccess | None) -> bool:
    """May commit or cancel funds on this case."""
    return (
        access is not None
        and not access.via_break_glass
        and access.can_write(DataClass.FINANCIAL)
        and Capability.MANAGE_FUNDING in access.capabilities
    )


def reads_commitments(access: CaseAccess | None) -> bool:
    return access is not None and access.can_read(DataClass.FINANCIAL)


def may_approve(user: Any, cycle: Any) -> bool:
    """Four eyes: a payment holder who neither submitted the cycle nor wrote
    its figures. The last computation that changed the ledger counts as
    preparing it: otherwise whoever ran the numbers could have a colleague
    click "submit" and then approve their own work."""
    return (
        records_payment(user)
        and cycle.prepared_by_id is not None
        and user.pk not in {cycle.prepared_by_id, cycle.computed_by_id}
    )


def files_claims(user: Any) -> bool:
    return may(user, Capability.CARE_FOR_PLACED) and getattr(user, "agency_id", None) is not None
