"""Who may read and record what in parent programmes and community sessions.

Built on the case policy (``kawal.cases.policy``) and the role catalogue;
nothing here compares a role to a literal.

- A parent programme is **read** by whoever may read care progress on the
  child's case (case manager, supervisor, the psychologists and social
  workers on the team who were granted it). Parents' names need identity,
  counselling notes clinical, support referrals financial, on that case.
- It is **recorded** by the psychologists and social workers on the case
  (``RUN_PARENTING``) and by whoever leads the case (owner, supervisor):
  never through emergency access.
- The **RT head** confirms a home visit through ``CONFIRM_HOME`` alone, for
  visits their own neighbourhood agency was asked to confirm; they read no
  case data at all.
- **Community sessions** are read by those who run them (``RUN_PARENTING``)
  and by those who open cases from what is found (``OPEN_CASE``), recorded by
  ``RUN_PARENTING``; the families at risk noted there are identity data, read
  by the session's own facilitators and by ``OPEN_CASE`` holders.
"""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import Capability, DataClass
from kawal.access.policy import may, reads_identity
from kawal.cases.policy import CaseAccess


def reads_programme(access: CaseAccess | None) -> bool:
    return access is not None and access.can_read(DataClass.PROGRESS)


def records_programme(access: CaseAccess | None) -> bool:
    """May write sessions, visits, undertakings and referrals on this case's programme."""
    if access is None or access.via_break_glass or not access.can_read(DataClass.PROGRESS):
        return False
    return access.leads or Capability.RUN_PARENTING in access.capabilities


def writes_clinical(access: CaseAccess | None) -> bool:
    return records_programme(access) and access is not None and access.can_write(DataClass.CLINICAL)


def reads_support(access: CaseAccess | None) -> bool:
    return reads_programme(access) and access is not None and access.can_read(DataClass.FINANCIAL)


def records_support(access: CaseAccess | None) -> bool:
    return records_programme(access) and reads_support(access)


def reads_parents(access: CaseAccess | None) -> bool:
    return reads_programme(access) and access is not None and access.can_read(DataClass.IDENTITY)


def confirms_home_visits(user: Any) -> bool:
    return may(user, Capability.CONFIRM_HOME) and getattr(user, "agency_id", None) is not None


def reads_community_sessions(user: Any) -> bool:
    return may(user, Capability.RUN_PARENTING) or may(user, Capability.OPEN_CASE)


def records_community_sessions(user: Any) -> bool:
    return may(user, Capability.RUN_PARENTING)


def organises_community_session(user: Any, session: Any, facilitator_ids: set[int]) -> bool:
    """Its creator and its facilitators edit it and add materials and families."""
    return records_community_sessions(user) and (
        session.created_by_id == user.pk or user.pk in facilitator_ids
    )


def reads_at_risk_families(user: Any, session: Any, facilitator_ids: set[int]) -> bool:
    if not reads_identity(user):
        return False
    return may(user, Capability.OPEN_CASE) or organises_community_session(
        user, session, facilitator_ids
    )
