"""Reads of outreach data shown on other pages, scoped to the viewer."""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import DataClass
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.outreach.models import Capture


def case_undertakings(case: Case, access: CaseAccess) -> list[Capture]:
    """Signed undertakings from outreach captures of this case, for who may see identity."""
    if not access.can_read(DataClass.IDENTITY):
        return []
    return list(
        Capture.objects.filter(case=case)
        .exclude(undertaking_file="")
        .select_related("operation")
        .order_by("undertaking_added_at")
    )


def capture_initial(capture: Capture) -> dict[str, Any]:
    """What a capture already says about the child, for the case-opening form."""
    child = capture.child
    return {
        "full_name": child.full_name,
        "sex": child.sex,
        "age_min": child.age_min,
        "age_max": child.age_max,
        "birth_date_estimated": True,
        "intake_channel": "outreach",
    }
