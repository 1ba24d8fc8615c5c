"""What outreach adds to the case file, registered from ``OutreachConfig.ready()``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kawal.access.catalogue import DataClass
from kawal.cases.extensions import (
    CaseSection,
    OpeningSource,
    TimelineKind,
    register_opening_source,
    register_section,
    register_timeline_kind,
)
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess
from kawal.cases.selectors import prefill_log
from kawal.identity.panel import register_uncased_contact
from kawal.identity.services import register_on_separate
from kawal.outreach.models import Capture
from kawal.outreach.selectors import capture_initial, case_undertakings
from kawal.outreach.services import (
    capture_case_attached,
    capture_case_opened,
    captures_separated,
)
from kawal.outreach.views import capture_for_case_opening


def _undertakings(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    found = case_undertakings(case, access)
    return {"undertakings": found} if found else None


def _find(user: Any, token: str) -> Capture | None:
    capture = capture_for_case_opening(user, token)
    return capture if capture is not None and capture.case_id is None else None


def _initial(request: HttpRequest, capture: Capture) -> dict[str, Any]:
    prefill_log(request, "temuan", capture.uuid)
    return capture_initial(capture)


def _opened(capture: Capture, case: Case, acting_user: Any) -> None:
    capture_case_opened(capture, case, acting_user=acting_user)


def _attached(capture: Capture, case: Case, acting_user: Any) -> None:
    capture_case_attached(capture, case, acting_user=acting_user)


def _on_operation(label: str) -> Any:
    def describe(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
        return f"{_(label)}: {payload.get('operation', '')}"

    return describe


def register() -> None:
    register_uncased_contact(_operation_lead)
    register_on_separate(captures_separated)
    register_section(
        CaseSection(
            key="outreach.undertakings",
            order=80,
            template="outreach/case_undertakings.html",
            data_class=DataClass.IDENTITY,
            context=_undertakings,
        )
    )
    # Labels are marked for extraction here and translated when an event is shown.
    gettext_lazy("Child found during outreach")
    gettext_lazy("Parents' signed undertaking attached")
    gettext_lazy("Child found during outreach judged another child")
    register_timeline_kind(
        TimelineKind("outreach.found", _on_operation("Child found during outreach"))
    )
    register_timeline_kind(
        TimelineKind("outreach.undertaking", _on_operation("Parents' signed undertaking attached"))
    )
    register_timeline_kind(
        TimelineKind(
            "outreach.separated",
            _on_operation("Child found during outreach judged another child"),
        )
    )
    register_opening_source(
        OpeningSource(
            key="outreach.capture",
            order=10,
            field="capture",
            param="temuan",
            find=_find,
            gone_message=gettext_lazy(
                "A case was already opened for that child found, or it is not yours."
            ),
            banner_template="outreach/case_opening_banner.html",
            initial=_initial,
            opened=_opened,
            attached=_attached,
            # The capture registered the child: the new case completes that record.
            child=lambda capture: capture.child,
        )
    )


def _operation_lead(person_ids: list[int]) -> Any:
    """Whom to ask about a child found on outreach who has no case yet."""
    capture = (
        Capture.objects.filter(child_id__in=person_ids)
        .select_related("operation__lead__agency")
        .order_by("-created_at")
        .first()
    )
    return capture.operation.lead if capture is not None else None
