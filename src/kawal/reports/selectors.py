"""The triage queue: open reports, most urgent first, with the follow-up standard."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.identity.normalise import fold
from kawal.reports.models import Report, ReportStatus

# Reports are followed up within three working days (DP3AKB service standard).
FOLLOW_UP_WORKING_DAYS = 3
REPEAT_WINDOW_DAYS = 60


@dataclass
class TriageRow:
    report: Report
    due: date
    overdue: bool
    urgency: int
    reasons: list[str] = field(default_factory=list)


def working_days_after(start: date, days: int) -> date:
    """The date ``days`` working days (Monday to Friday) after ``start``."""
    current = start
    left = days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def _night(moment: datetime) -> bool:
    hour = timezone.localtime(moment).hour
    return hour >= 19 or hour < 5


SAME_PLACE_SCORE = 80


def _same_child(a: Report, b: Report) -> bool:
    """Both reports name a child whose name sounds the same.

    A single given name (Budi) is shared by many children in a city, so it
    counts only within one kelurahan, where it also matches a fuller name
    that starts the same way (Budi / Budi Santoso); a fuller name that
    sounds the same counts anywhere.
    """
    same_place = a.kelurahan_id == b.kelurahan_id
    for key_a in a.child_keys:
        for key_b in b.child_keys:
            if key_a == key_b and (" " in key_a or same_place):
                return True
            short, long = sorted((key_a, key_b), key=len)
            if same_place and " " not in short and short in long.split():
                return True
    return False


def _other_sighting(a: Report, b: Report) -> bool:
    # A report merged into another is the same sighting, not a second one.
    return a.pk != b.pk and a.pk != b.duplicate_of_id and b.pk != a.duplicate_of_id


class _Recent:
    """Recent reports, indexed the way the urgency rules compare them.

    Both rules only ever compare within a kelurahan (or, for a full name,
    the same key), so each open report is compared with its neighbours,
    not with the whole city: the queue stays fast as reports pile up.
    """

    def __init__(self, reports: list[Report]) -> None:
        self.here: dict[str, list[Report]] = defaultdict(list)
        self.landmarks: dict[str, list[str]] = defaultdict(list)
        self.named_here: dict[str, list[Report]] = defaultdict(list)
        self.full_name: dict[str, list[Report]] = defaultdict(list)
        for report in reports:
            self.here[report.kelurahan_id].append(report)
            self.landmarks[report.kelurahan_id].append(fold(report.landmark))
            if report.child_keys:
                self.named_here[report.kelurahan_id].append(report)
            for key in report.child_keys:
                if " " in key:
                    self.full_name[key].append(report)

    def same_place(self, report: Report) -> bool:
        """Another sighting in the kelurahan with a landmark that reads the same."""
        here = self.here.get(report.kelurahan_id, [])
        matches = process.extract(
            fold(report.landmark),
            self.landmarks.get(report.kelurahan_id, []),
            scorer=fuzz.token_set_ratio,
            score_cutoff=SAME_PLACE_SCORE,
            limit=None,
        )
        return any(_other_sighting(report, here[index]) for _text, _score, index in matches)

    def same_child(self, report: Report) -> bool:
        if not report.child_keys:
            return False
        candidates = list(self.named_here.get(report.kelurahan_id, []))
        for key in report.child_keys:
            candidates += self.full_name.get(key, [])
        return any(
            _other_sighting(report, other) and _same_child(report, other) for other in candidates
        )


def _recent_reports(near: Q | None = None) -> list[Report]:
    since = timezone.now() - timedelta(days=REPEAT_WINDOW_DAYS)
    rows = Report.objects.filter(created_at__gte=since)
    if near is not None:
        rows = rows.filter(near)
    return list(rows.only("pk", "kelurahan", "landmark", "child_keys", "duplicate_of"))


def _row(report: Report, index: _Recent, today: date) -> TriageRow:
    reasons: list[str] = []
    urgency = 0
    if report.youngest_age is not None and report.youngest_age < 6:
        urgency += 3
        reasons.append("under_6")
    if index.same_child(report):
        urgency += 3
        reasons.append("same_child")
    if _night(report.seen_at):
        urgency += 2
        reasons.append("night")
    if index.same_place(report):
        urgency += 2
        reasons.append("repeat_place")
    due = working_days_after(timezone.localtime(report.created_at).date(), FOLLOW_UP_WORKING_DAYS)
    return TriageRow(report, due, due < today, urgency, reasons)


def triage_queue(user: Any, *, today: date | None = None) -> list[TriageRow]:
    """Open reports for the triage team, ordered by urgency, then by due date."""
    if not may(user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    today = today or timezone.localdate()
    open_reports = list(
        Report.objects.filter(status__in=[ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS])
        .select_related("kelurahan")
        .order_by("created_at")
    )
    index = _Recent(_recent_reports())
    rows = [_row(report, index, today) for report in open_reports]
    rows.sort(key=lambda row: (-row.urgency, row.due, row.report.created_at))
    return rows


# The whitelist of ``?sort=`` keys of the queue; the default is the urgency order above.
TRIAGE_SORTS: dict[str, Any] = {
    "urgency": lambda row: (-row.urgency, row.due, row.report.created_at),
    "due": lambda row: (row.due, -row.urgency, row.report.created_at),
    "seen": lambda row: (row.report.seen_at, row.report.pk),
    "place": lambda row: (
        fold(row.report.kelurahan.name),
        fold(row.report.landmark),
        row.report.pk,
    ),
    "children": lambda row: (row.report.children_count, -row.urgency, row.due),
    "status": lambda row: (row.report.status, -row.urgency, row.due),
}
TRIAGE_DEFAULT_SORT = "urgency"


def triage_sorted(rows: list[TriageRow], sort: str) -> list[TriageRow]:
    """The queue in the order asked: a key of ``TRIAGE_SORTS``, ``-key`` reversed."""
    key = TRIAGE_SORTS.get(sort.lstrip("-"), TRIAGE_SORTS[TRIAGE_DEFAULT_SORT])
    return sorted(rows, key=key, reverse=sort.startswith("-"))


def _last_overdue_day(today: date) -> date:
    """The latest receiving day whose follow-up standard has passed by ``today``."""
    day = today - timedelta(days=1)
    while working_days_after(day, FOLLOW_UP_WORKING_DAYS) >= today:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class TriageCounts:
    open: int
    overdue: int


def triage_counts(user: Any, *, today: date | None = None) -> TriageCounts:
    """Open reports and those past the 3-working-day standard: one query, for the home page.

    Same rule as the queue's ``overdue``, as a date bound instead of a per-row
    computation, so it costs one count whatever the number of reports.
    """
    if not may(user, Capability.TRIAGE_REPORTS):
        return TriageCounts(0, 0)
    today = today or timezone.localdate()
    last = _last_overdue_day(today)
    bound = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    counts = Report.objects.filter(
        status__in=[ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS]
    ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(created_at__lt=bound)))
    return TriageCounts(counts["open"], counts["overdue"])


def triage_row(user: Any, report: Report) -> TriageRow:
    """One report's urgency and due date, as the queue shows them."""
    if not may(user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    # Only what the rules can compare it with: its kelurahan, and reports
    # naming a child by the same full name (``child_keys`` is a JSON list).
    near = Q(kelurahan_id=report.kelurahan_id)
    for key in report.child_keys:
        if " " in key:
            near |= Q(child_keys__icontains=f'"{key}"')
    return _row(report, _Recent(_recent_reports(near)), timezone.localdate())


def operations_to_assign(user: Any) -> Any:
    """Operations a report can be sent to: planned ones, or held in the last 3 days."""
    from kawal.outreach.models import OperationStatus
    from kawal.outreach.services import operations_visible_to

    recent = timezone.now() - timedelta(days=3)
    return (
        operations_visible_to(user)
        .filter(
            Q(status=OperationStatus.PLANNED)
            | Q(status=OperationStatus.CONDUCTED, starts_at__gte=recent)
        )
        .order_by("starts_at")
    )


# How a report's channel is recorded as a case's intake channel.
CASE_CHANNEL = {
    "public_web": "public_report",
    "phone": "hotline",
    "walk_in": "walk_in",
    "sapa129": "sapa129",
    "rt": "rt",
    "school": "school",
    "health": "health",
    "police": "police",
    "satpol_pp": "outreach",
}


def open_report_for_triage(user: Any, report_uuid: str) -> Report | None:
    """An open report the user may act on as the triage team, or None."""
    from kawal.cases.selectors import pick

    if not may(user, Capability.TRIAGE_REPORTS) or not report_uuid:
        return None
    return pick(
        Report.objects.exclude(status=ReportStatus.HANDLED).select_related("kelurahan"),
        report_uuid,
    )


def report_for_case_opening(user: Any, report_uuid: str) -> Report | None:
    """An open report the user may open a case from (triage and case-opening roles)."""
    if not may(user, Capability.OPEN_CASE):
        return None
    return open_report_for_triage(user, report_uuid)
