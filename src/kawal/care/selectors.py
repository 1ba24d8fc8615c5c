"""Reads of daily observations and school readiness, scoped to what the viewer may see.

Scores, the trend and incident markers (kind and time) are care progress;
notes and what was done about an incident are clinical. The selectors here
return plain values, and the clinical text only to a viewer who may read
it: a template cannot show what it was never given.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Max, Min, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kawal.access.catalogue import Capability, DataClass
from kawal.access.log import access_log_write
from kawal.access.models import AccessAction
from kawal.access.policy import may
from kawal.care.models import (
    Incident,
    IncidentKind,
    Indicator,
    Observation,
    ObservationScore,
    ReadinessDecision,
)
from kawal.care.services import (
    IN_CARE,
    editable,
    may_confirm_readiness,
    may_record,
)
from kawal.cases.models import Case
from kawal.cases.policy import CaseAccess, Relation, case_access_bulk, cases_visible_to

D = DataClass

AVERAGE_DAYS = 7
# A 7-day average is drawn only when most of the week was observed; two
# days in a week are not a trend.
AVERAGE_MIN_DAYS = 4
# A change of the 7-day average by at least this much over a week is a trend.
TREND_STEP = 0.5
WINDOWS = (14, 30, 90, 180)
DEFAULT_WINDOW = 30
# The observation period beside a readiness decision: four weeks unless
# asked otherwise, at least a week (the decision's own minimum) when the case
# is that old, at most half a year (the chart stays a chart).
PERIOD_DEFAULT_DAYS = 28
PERIOD_MIN_DAYS = 7
PERIOD_MAX_DAYS = 180


def _back(day: date, days: int) -> date:
    """``day`` minus ``days`` days, stopping at the first day of the calendar."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def _ahead(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max


def period_bounds(
    since: date | None, until: date | None, *, opened_on: date, today: date
) -> tuple[date, date]:
    """The period to show for what a request asked: never before the case was
    opened, never after today, never upside down, between ``PERIOD_MIN_DAYS``
    (as far as the case's age allows) and ``PERIOD_MAX_DAYS`` long.

    Whatever the dates asked (none, the year 1, the year 9999), the answer is
    a real period of the case: pages never fail on it.
    """
    floor = min(opened_on, today)
    until = min(max(until or today, floor), today)
    if since is None:
        since = _back(until, PERIOD_DEFAULT_DAYS - 1)
    since = min(max(since, floor), until)
    since = max(since, _back(until, PERIOD_MAX_DAYS - 1))
    if (until - since).days + 1 < PERIOD_MIN_DAYS:
        since = max(floor, _back(until, PERIOD_MIN_DAYS - 1))
    if (until - since).days + 1 < PERIOD_MIN_DAYS:
        until = min(today, _ahead(since, PERIOD_MIN_DAYS - 1))
    return since, until


def moving_average(
    values: Sequence[float | None],
    *,
    window: int = AVERAGE_DAYS,
    minimum: int = AVERAGE_MIN_DAYS,
) -> list[float | None]:
    """Trailing average over ``window`` consecutive days, one value per day.

    Each day's average is the mean of the values recorded on that day and the
    ``window - 1`` days before it; days without a value are skipped, and a
    day with fewer than ``minimum`` values in its window has no average.
    """
    averages: list[float | None] = []
    for index in range(len(values)):
        recent = [v for v in values[max(0, index - window + 1) : index + 1] if v is not None]
        averages.append(round(sum(recent) / len(recent), 2) if len(recent) >= minimum else None)
    return averages


def direction(now: float | None, before: float | None, *, higher_is_better: bool) -> str:
    """ "better", "worse" or "steady" from one week's average to the next; "" if unknown."""
    if now is None or before is None:
        return ""
    change = now - before
    if abs(change) < TREND_STEP:
        return "steady"
    return "better" if (change > 0) == higher_is_better else "worse"


@dataclass(frozen=True)
class IncidentMark:
    """An incident as care progress shows it: what kind and when, never what was done."""

    kind: str
    label: str
    occurred_at: time


@dataclass
class IndicatorTrend:
    indicator: Indicator
    values: list[int | None]
    average: list[float | None]
    latest: int | None = None
    average_now: float | None = None
    average_week_before: float | None = None
    direction: str = ""


@dataclass
class Day:
    day: date
    observed: bool
    missing: bool
    incidents: list[IncidentMark]
    scores: list[int | None]
    averages: list[float | None]

    @property
    def cells(self) -> list[tuple[int | None, float | None]]:
        return list(zip(self.scores, self.averages, strict=True))


@dataclass
class ClinicalEntry:
    """One observation as a clinician reads it."""

    uuid: uuid.UUID
    observed_on: date
    scores: list[tuple[Indicator, int | None]]
    incidents: list[tuple[IncidentMark, str]]
    note: str
    editable: bool
    recorded_by: str


@dataclass
class Trend:
    start: date
    end: date
    today: date
    days: list[Day]
    indicators: list[IndicatorTrend]
    latest_observed: date | None
    first_observed: date | None
    entries: list[ClinicalEntry] = field(default_factory=list)

    @property
    def missing(self) -> list[date]:
        return [day.day for day in self.days if day.missing]

    @property
    def observed_count(self) -> int:
        return sum(1 for day in self.days if day.observed)

    @property
    def incident_count(self) -> int:
        return sum(len(day.incidents) for day in self.days)

    @property
    def newest_first(self) -> list[Day]:
        return list(reversed(self.days))

    def chart_data(self) -> dict[str, Any]:
        """What the chart script draws; progress only (scores, averages, markers)."""
        return {
            "days": [day.day.strftime("%d/%m") for day in self.days],
            "missing": [index for index, day in enumerate(self.days) if day.missing],
            "incidents": [
                {
                    "day": index,
                    "marks": [f"{mark.occurred_at:%H:%M} {mark.label}" for mark in day.incidents],
                }
                for index, day in enumerate(self.days)
                if day.incidents
            ],
            "indicators": [
                {
                    "code": item.indicator.code,
                    "label": item.indicator.label,
                    "higherIsBetter": item.indicator.higher_is_better,
                    "values": item.values,
                    "average": item.average,
                }
                for item in self.indicators
            ],
        }


def _observations(case: Case, since: date, until: date, *, clinical: bool) -> list[Observation]:
    incidents = Incident.objects.order_by("occurred_at", "id")
    rows = Observation.objects.filter(case=case, observed_on__range=(since, until))
    if not clinical:
        # Clinical text is not even read from the database for who may not see it.
        rows = rows.defer("note")
        incidents = incidents.defer("action_taken")
    return list(
        rows.select_related("recorded_by")
        .prefetch_related(
            Prefetch("scores", queryset=ObservationScore.objects.all()),
            Prefetch("incidents", queryset=incidents),
        )
        .order_by("observed_on")
    )


def _mark(incident: Incident) -> IncidentMark:
    return IncidentMark(
        kind=incident.kind,
        label=str(IncidentKind(incident.kind).label)
        if incident.kind in IncidentKind.values
        else incident.kind,
        occurred_at=incident.occurred_at,
    )


def care_trend(
    case: Case,
    access: CaseAccess,
    *,
    days: int = DEFAULT_WINDOW,
    end: date | None = None,
    today: date | None = None,
) -> Trend:
    """The trend of the ``days`` days up to ``end`` (today), for a progress reader.

    Days before the first observation of the case are not "missing": the
    series begins when observing began. Today is not missing while it lasts.
    A fixed number of queries whatever the number of days.
    """
    if not access.can_read(D.PROGRESS):
        raise PermissionError("care progress is not readable")
    clinical = access.can_read(D.CLINICAL)
    today = today or timezone.localdate()
    days = max(days, 1)
    # From two weeks before the window at most: the averages of its first day
    # and of a week before its last day (a window of one day has both).
    lead = max(AVERAGE_DAYS - 1, 2 * AVERAGE_DAYS - days)
    # The first days of the calendar have no week before them.
    end = max(min(end or today, today), _ahead(date.min, days + lead))
    start = end - timedelta(days=days - 1)
    bounds = Observation.objects.filter(case=case).aggregate(
        first=Min("observed_on"), last=Max("observed_on")
    )
    first = bounds["first"]
    observations = _observations(case, start - timedelta(days=lead), end, clinical=clinical)
    by_day = {observation.observed_on: observation for observation in observations}
    indicators = list(Indicator.objects.all())
    used = {score.indicator_id for o in observations for score in o.scores.all()}
    indicators = [i for i in indicators if i.is_active or i.pk in used]
    # The series begins ``lead`` days before the window, so the window's first
    # averages are whole and the average a week before its end is too.
    span = [start - timedelta(days=lead - offset) for offset in range(lead)]
    span += [start + timedelta(days=offset) for offset in range(days)]
    scores_by_day = {
        day: {score.indicator_id: score.value for score in by_day[day].scores.all()}
        for day in by_day
    }
    trends: list[IndicatorTrend] = []
    for indicator in indicators:
        series: list[int | None] = [scores_by_day.get(day, {}).get(indicator.pk) for day in span]
        average = moving_average([None if v is None else float(v) for v in series])
        values, averages = series[lead:], average[lead:]
        recorded = [v for v in values if v is not None]
        trend = IndicatorTrend(
            indicator=indicator,
            values=values,
            average=averages,
            latest=recorded[-1] if recorded else None,
        )
        trend.average_now = averages[-1]
        # The span is at least two weeks long: a week before the end is in it.
        before = average[-1 - AVERAGE_DAYS]
        trend.average_week_before = before
        trend.direction = direction(
            trend.average_now, before, higher_is_better=indicator.higher_is_better
        )
        trends.append(trend)
    day_rows: list[Day] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        observation = by_day.get(day)
        begun = first is not None and day >= first
        day_rows.append(
            Day(
                day=day,
                observed=observation is not None,
                missing=observation is None and begun and day < today,
                incidents=[_mark(i) for i in observation.incidents.all()] if observation else [],
                scores=[t.values[offset] for t in trends],
                averages=[t.average[offset] for t in trends],
            )
        )
    trend_result = Trend(
        start=start,
        end=end,
        today=today,
        days=day_rows,
        indicators=trends,
        latest_observed=bounds["last"],
        first_observed=first,
    )
    if clinical:
        trend_result.entries = [
            _entry(observation, indicators, today)
            for observation in reversed(observations)
            if observation.observed_on >= start
        ]
    return trend_result


def _entry(observation: Observation, indicators: list[Indicator], today: date) -> ClinicalEntry:
    values = {score.indicator_id: score.value for score in observation.scores.all()}
    return ClinicalEntry(
        uuid=observation.uuid,
        observed_on=observation.observed_on,
        scores=[(indicator, values.get(indicator.pk)) for indicator in indicators],
        incidents=[(_mark(i), i.action_taken) for i in observation.incidents.all()],
        note=observation.note,
        editable=editable(observation, today=today),
        recorded_by=str(observation.recorded_by),
    )


def observation_for_case(case: Case, observation_uuid: Any) -> Observation | None:
    """One observation of the case, by the uuid a link or form names."""
    from kawal.cases.selectors import pick

    found: Observation | None = pick(
        Observation.objects.filter(case=case).prefetch_related("scores", "incidents"),
        observation_uuid,
    )
    return found


def observation_on(case: Case, day: date) -> Observation | None:
    return Observation.objects.filter(case=case, observed_on=day).first()


# --- The psychologist's children today ----------------------------------------


@dataclass(frozen=True)
class ChildToday:
    case: Case
    label: str
    observation_uuid: uuid.UUID | None
    recorded_at: datetime | None
    editable: bool

    @property
    def seen(self) -> bool:
        return self.observation_uuid is not None


def my_children_today(request: HttpRequest) -> list[ChildToday]:
    """Children in daily care on cases where the user is a clinician on the team.

    Not seen today first. The list names each child (or their initials), so
    every case on it is logged as listed, before the page is built.
    """
    user: Any = request.user
    if not may(user, Capability.RECORD_CLINICAL):
        return []
    cases = list(
        Case.objects.filter(
            members__user=user, members__removed_at__isnull=True, status__in=IN_CARE
        )
        .distinct()
        .select_related("child")
        .order_by("number")
    )
    accesses = case_access_bulk(user, cases)
    mine = [
        (case, accesses[case.pk])
        for case in cases
        if case.pk in accesses
        and Relation.MEMBER in accesses[case.pk].relations
        and may_record(accesses[case.pk])
    ]
    if not mine:
        return []
    today = timezone.localdate()
    seen = {
        row["case_id"]: row
        for row in Observation.objects.filter(
            case__in=[case for case, _access in mine], observed_on=today
        ).values("case_id", "uuid", "created_at")
    }
    classes = {D.BASIC, D.PROGRESS}
    if any(access.sees_identity for _case, access in mine):
        classes.add(D.IDENTITY)
    access_log_write(
        request,
        action=AccessAction.LIST,
        cases=[(case.pk, case.number) for case, _access in mine],
        data_classes=classes,
    )
    rows = []
    for case, access in mine:
        child = case.child
        row = seen.get(case.pk)
        rows.append(
            ChildToday(
                case=case,
                label=child.full_name
                if access.sees_identity
                else f"{child.initials} ({child.age_label})",
                observation_uuid=row["uuid"] if row else None,
                recorded_at=row["created_at"] if row else None,
                editable=row is not None and timezone.localtime(row["created_at"]).date() == today,
            )
        )
    rows.sort(key=lambda row: (row.seen, row.case.number))
    return rows


# --- School readiness ----------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """The gate the schooling step checks: cleared only when decided yes,
    confirmed by a supervisor and not revoked."""

    cleared: bool
    decided_at: datetime | None = None
    confirmed_at: datetime | None = None
    revoked_at: datetime | None = None
    decision_uuid: uuid.UUID | None = None


def school_readiness(case: Case) -> Readiness:
    """Whether the child of this case is cleared as safe to return to school.

    The one selector the schooling app calls. It checks no viewer: the caller
    decides what it shows and to whom (the latest decision is in force).
    """
    latest = (
        ReadinessDecision.objects.filter(case=case)
        .only("uuid", "safe", "decided_at", "confirmed_at", "revoked_at")
        .order_by("-decided_at", "-id")
        .first()
    )
    if latest is None:
        return Readiness(cleared=False)
    return Readiness(
        cleared=latest.clears,
        decided_at=latest.decided_at,
        confirmed_at=latest.confirmed_at,
        revoked_at=latest.revoked_at,
        decision_uuid=latest.uuid,
    )


def readiness_history(case: Case, access: CaseAccess) -> list[ReadinessDecision]:
    """Every decision of the case, newest first, for a progress reader."""
    if not access.can_read(D.PROGRESS):
        return []
    return list(
        ReadinessDecision.objects.filter(case=case)
        .select_related("decided_by", "confirmed_by", "revoked_by")
        .order_by("-decided_at", "-id")
    )


def readiness_to_confirm(request: HttpRequest) -> list[ReadinessDecision]:
    """Decisions waiting for this supervisor's confirmation (never their own).

    Shown by case number only; each case listed is logged as such.
    """
    user: Any = request.user
    if not may(user, Capability.APPROVE):
        return []
    waiting = list(
        ReadinessDecision.objects.filter(
            confirmed_at__isnull=True,
            revoked_at__isnull=True,
            case__in=cases_visible_to(user),
        )
        .exclude(decided_by=user)
        .select_related("case", "case__owner")
        .order_by("decided_at")[:50]
    )
    accesses = case_access_bulk(user, [decision.case for decision in waiting])
    shown = [
        decision
        for decision in waiting
        if may_confirm_readiness(user, decision.case, accesses.get(decision.case_id))
    ]
    if shown:
        access_log_write(
            request,
            action=AccessAction.LIST,
            cases=[(decision.case_id, decision.case.number) for decision in shown],
            data_classes=[D.BASIC],
        )
    return shown


def observations_in(case: Case, since: date, until: date) -> QuerySet[Observation]:
    return Observation.objects.filter(case=case, observed_on__range=(since, until))
