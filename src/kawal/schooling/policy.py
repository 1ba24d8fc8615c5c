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
  the child's whereabouts.
- The **child's name, age and sex** (identity) are shown on the schooling
  pages to identity readers of the case and to the liaison on the case team
  (never through emergency access): their role reads basic data only, so the
  case page shows them no home address, religion, NIK or parents, yet they
  must know which child they enrol.
- It is **recorded** by the liaison on the case, by whoever leads the case
  (owner, supervisor), and by team members who write whereabouts and either
  manage placements (Dinas Sosial social workers, who also pay for the
  schooling) or manage cases (case managers of the team). Never through
  emergency access, never on a closed case.
"""

from __future__ import annotations

from kawal.access.catalogue import Capability, DataClass
from kawal.cases.policy import CaseAccess, Relation

C = Capability
# A seat on the case team, the liaison's own or their office's.
ON_TEAM = frozenset({Relation.MEMBER, Relation.AGENCY_MEMBER})
# Team members writing whereabouts who may also record schooling.
TEAM_WRITERS = frozenset({C.MANAGE_PLACEMENT, C.MANAGE_OWN_CASES})


def is_liaison(access: CaseAccess | None) -> bool:
    return access is not None and C.SCHOOL_REENROLMENT in access.capabilities


def liaison_on_team(access: CaseAccess | None) -> bool:
    """The education office's liaison on the case team, not through emergency access."""
    return (
        is_liaison(access)
        and access is not None
        and not access.via_break_glass
        and bool(access.relations & ON_TEAM)
    )


def sees_child(access: CaseAccess | None) -> bool:
    """The child's name, age and sex on the schooling pages (identity)."""
    return access is not None and (access.sees_identity or liaison_on_team(access))


def reads_schooling(access: CaseAccess | None) -> bool:
    """The schooling section: level, grade, dates and attendance figures."""
    return access is not None and access.can_read(DataClass.BASIC)


def reads_school(access: CaseAccess | None) -> bool:
    """The school's name and number, notes and absence reasons (whereabouts but
    for the education office that arranged it)."""
    if access is None:
        return False
    return access.can_read(DataClass.WHEREABOUTS) or liaison_on_team(access)


def records_schooling(access: CaseAccess | None) -> bool:
    """May enrol the child and record the monthly attendance follow-ups."""
    if access is None or access.via_break_glass or not access.can_read(DataClass.BASIC):
        return False
    if is_liaison(access) or access.leads:
        return True
    return access.can_write(DataClass.WHEREABOUTS) and bool(TEAM_WRITERS & access.capabilities)
