"""Who may fill in, read and correct assessments: the case policy plus the instrument's data.

Filling in an instrument needs all three:
1. the user's role is one the instrument names (data, edited in the console);
2. the user is related to the case (``kawal.cases.policy.case_access``),
   not only through emergency access, which is read-only;
3. on that case they may read the class of the instrument's answers.

Results (total, sub-scale scores, band) are care progress: whoever reads
progress on the case reads them. Answers are read only by who reads their
class on the case. Unknown means deny.
"""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import DataClass
from kawal.access.policy import actor_spec
from kawal.cases.policy import CaseAccess


def may_fill(user: Any, access: CaseAccess | None, instrument: Any) -> bool:
    """Whether the user may start, save, sign or correct assessments with this instrument here."""
    if access is None or access.via_break_glass or actor_spec(user) is None:
        return False
    roles = instrument.roles if isinstance(instrument.roles, list) else []
    return user.role in roles and access.can_read(instrument.answers_class)


def reads_results(access: CaseAccess | None) -> bool:
    return access is not None and access.can_read(DataClass.PROGRESS)


def reads_answers(access: CaseAccess | None, assessment: Any) -> bool:
    return access is not None and access.can_read(assessment.answers_class)


def sees_assessment(access: CaseAccess | None, assessment: Any) -> bool:
    """A signed assessment is listed to who may read its results or its answers."""
    return reads_results(access) or reads_answers(access, assessment)


def sees_any(access: CaseAccess | None) -> bool:
    """Whether the case's assessments page is open to this user at all."""
    return access is not None and bool(access.readable & {DataClass.PROGRESS, DataClass.CLINICAL})
