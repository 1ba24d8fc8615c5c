"""What reports add to the case file, registered from ``ReportsConfig.ready()``."""

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
from kawal.cases.services import case_event_add
from kawal.reports.models import Report
from kawal.reports.selectors import CASE_CHANNEL, report_for_case_opening
from kawal.reports.services import report_case_opened, split_names


def _origin(request: HttpRequest, case: Case, access: CaseAccess) -> dict[str, Any] | None:
    # The case page already loads its report with the case (one query).
    return {"report": case.origin_report} if case.origin_report_id else None


def _describe_from_report(payload: Mapping[str, Any], readable: Mapping[str, bool]) -> str:
    # The tracking code leads to the reporter: only for who may see reporters.
    if readable.get(DataClass.REPORTER):
        return f"{_('Opened from report')} {payload.get('report', '')}"
    return _("Opened from report")


def _initial(request: HttpRequest, report: Report) -> dict[str, Any]:
    """What a report already says about the child, so it is not typed again."""
    initial: dict[str, Any] = {
        "intake_channel": CASE_CHANNEL.get(report.channel, "other"),
        "kelurahan": report.kelurahan,
    }
    if report.youngest_age is not None:
        initial["age_min"] = report.youngest_age
        initial["age_max"] = report.oldest_age or report.youngest_age
        initial["birth_date_estimated"] = True
    names = split_names(report.child_names)
    if len(names) == 1:
        initial["full_name"] = names[0]
        prefill_log(request, "laporan", report.uuid)
    return initial


def _opened(report: Report, case: Case, acting_user: Any) -> None:
    report_case_opened(report, acting_user=acting_user)
    case_event_add(case, "case.from_report", acting_user, report=report.tracking_code)


def register() -> None:
    register_section(
        CaseSection(
            key="reports.origin",
            order=10,
            slot="summary",
            template="reports/case_origin.html",
            data_class=DataClass.BASIC,
            context=_origin,
        )
    )
    register_timeline_kind(TimelineKind("case.from_report", _describe_from_report))
    register_opening_source(
        OpeningSource(
            key="reports.report",
            # After a capture's details, so the report's place and ages win.
            order=20,
            field="report",
            param="laporan",
            find=report_for_case_opening,
            gone_message=gettext_lazy("That report is closed or not yours to open a case from."),
            banner_template="reports/case_opening_banner.html",
            initial=_initial,
            opened=_opened,
            case_fields=lambda report: {"origin_report": report},
        )
    )
