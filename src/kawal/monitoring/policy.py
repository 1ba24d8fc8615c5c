"""Who may see and record what in the life of a placement.

Built on the role catalogue and the case policy; nothing here compares a role
to a literal.

- **Institution staff** (``CARE_FOR_PLACED``) of the institution whose agency
  they belong to see the children *currently* placed there, and of them only
  what daily care needs. They mark the roster and report incidents. This
  relation comes from the active placement, not from the case team: staff
  never read the case file through it, and keep the child until the
  placement's last day (a transfer starting later ends it the day before).
- **Dinas Sosial** social workers on the case team (``MANAGE_PLACEMENT`` with
  whereabouts to write) record reviews, monitoring visits and after-care
  follow-ups, never through emergency access, and record the roster of a
  placement whose institution has no active staff account.
- The case page's monitoring card is read by whoever reads whereabouts on the
  case, except institution staff (a team seat would otherwise show them the
  reviews and visits of Dinas Sosial).
"""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may
from kawal.cases.policy import CaseAccess

WH = DataClass.WHEREABOUTS


def cares_for_placed(user: Any) -> bool:
    return may(user, Capability.CARE_FOR_PLACED) and getattr(user, "agency_id", None) is not None


def reads_monitoring(user: Any, access: CaseAccess | None) -> bool:
    return access is not None and access.can_read(WH) and not may(user, Capability.CARE_FOR_PLACED)


def records_monitoring(user: Any, access: CaseAccess | None) -> bool:
    return (
        reads_monitoring(user, access)
        and access is not None
        and not access.via_break_glass
        and Capability.MANAGE_PLACEMENT in access.capabilities
        and access.can_write(WH)
    )
