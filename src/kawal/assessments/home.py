"""The home page card: the assessments the user started and has not signed yet."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kawal.access.catalogue import Action, DataClass
from kawal.access.policy import may_access_class
from kawal.assessments.selectors import drafts_for_home
from kawal.web.extensions import Urgency


def may_assess(user: Any) -> bool:
    """Roles that could fill in an instrument at all: those reading a care class."""
    return may_access_class(user, Action.READ, DataClass.CLINICAL) or may_access_class(
        user, Action.READ, DataClass.PROGRESS
    )


def drafts_card(request: HttpRequest) -> dict[str, Any] | None:
    drafts = drafts_for_home(request)
    if not drafts:
        return None
    return {"drafts": drafts, "count": len(drafts), "urgency": Urgency.TODAY}
