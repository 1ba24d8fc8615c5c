"""Who may read and record a child's return to school.

Built on the case policy (``kawal.cases.policy``) and the role catalogue;
nothing here compares a role to a literal.

- The **schooling section** (level, grade, dates, attendance figures) is
  basic data: every reader of the case sees that the child is back at school.
- The **school itself** (its name, NPSN, the notes and the reasons for
  absence written about it) is whereabouts: it tells where the child is
  every school day. It is shown to whereabouts readers of the case and to the
  education office's liaison (``SCHOOL_REENROLMENT``) on the case team, who
  arranged it and cannot work without it. The liaison reads nothing else of
  the child's whereabouts (the role reads basic and identity only).
- It is **recorded** by the liaison on the case, by whoever leads the case
  (owner, supervisor), and by team members who write whereabouts and either
  manage placements (Dinas Sosial social workers, who also pay for the
  schooling) or manage cases (case managers of the team). Never through
  emergency access, never on a closed case.
"""

from __future__ import annotations

from kawal.access.catalogue import Capability, DataClass
from kawal.cases.policy import CaseAccess

C = Capability
# Team members writing whereabouts who may also record schooling.
TEAM_WRITERS = frozenset({C.MANAGE_PLACEMENT, C.MANAGE_OWN_CASES})


def is_liaison(access: CaseAccess | None) -> bool:
    return access is not None and C.SCHOOL_REENROLMENT in access.capabilities


def reads_schooling(access: CaseAccess | None) -> bool:
    """The schooling section: level, grade, dates and attendance figures."""
    return access is not None and access.can_read(DataClass.BASIC)


def reads_school(access: CaseAccess | None) -> bool:
    """The school's name and number, notes and absence reasons (whereabouts but
    for the education office that arranged it)."""
    if access is None:
        return False
    return access.can_read(DataClass.WHEREABOUTS) or (
        is_liaison(access) and not access.via_break_glass
    )


def records_schooling(access: CaseAccess | None) -> bool:
    """May enrol the child and record the monthly attendance follow-ups."""
    if access is None or access.via_break_glass or not access.can_read(DataClass.BASIC):
        return False
    if is_liaison(access) or access.leads:
        return True
    return access.can_write(DataClass.WHEREABOUTS) and bool(TEAM_WRITERS & access.capabilities)
