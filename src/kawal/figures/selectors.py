"""The dashboard's figures, each scoped by ``kawal.figures.policy`` (docs/statistics.md).

One query reads the facts of every case in the cohort (the cases opened in
the period, in the area, in scope), with the scoping rule evaluated once,
inside it: status, the child's sex, age and home kelurahan, whether the
viewer may see the case and identify the child, and the local day of each
stage of the journey, each a correlated ``MIN`` over the stage's own table
through its case index. Every case figure (funnel, medians, counts by
status, age band, sex, area, month, repeat rate) is a one-pass tally of
those rows in Python, the same on SQLite and PostgreSQL; the forms of
exploitation are one more grouped query over the cohort's ids (one array
parameter). The operational figures (tasks, triage, beds, capacity,
budget) are a few small counts each.
"""

from __future__ import annotations

import calendar
import itertools
import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    Lookup,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.assessments.models import Assessment, AssessmentStatus
from kawal.cases.models import (
    Case,
    CaseClassification,
    CaseForm,
    CaseStatus,
    Note,
    NoteKind,
    Task,
    TaskStatus,
)
from kawal.figures import policy
from kawal.figures.protect import protect_line, protect_table, protect_total, threshold
from kawal.outreach.models import Capture
from kawal.people.models import Sex
from kawal.placement.models import Placement
from kawal.regions.models import Region, RegionLevel
from kawal.reports.models import Report, ReportStatus
from kawal.reports.selectors import FOLLOW_UP_WORKING_DAYS, working_days_after
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Shelter, Stay

CITY_CODE = "64.71"

# The journey of a case, in order; the first two happen before a case exists.
STAGES: list[tuple[str, Any]] = [
    ("reported", _("Reported")),
    ("found", _("Found")),
    ("opened", _("Case opened")),
    ("assessed", _("Assessed")),
    ("in_care", _("In care")),
    ("placed", _("Placed")),
    ("school", _("Back at school")),
    ("closed", _("Closed")),
]
# SIMFONI-PPA's child age bands (domain-rules §1).
AGE_BANDS: list[tuple[str, Any, int, int]] = [
    ("0-5", _("0-5 years"), 0, 5),
    ("6-12", _("6-12 years"), 6, 12),
    ("13-17", _("13-17 years"), 13, 17),
]
UNKNOWN = "unknown"
ALL_CASES = _("All cases")


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    kecamatan: str = ""
    kelurahan: str = ""
    scope: str = policy.TEAM

    @property
    def area(self) -> str:
        return self.kelurahan or self.kecamatan


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter (1-4)."""
    last_month = 3 * quarter
    return date(year, last_month - 2, 1), date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first of the month eleven months ago to today."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1), today


# --- The facts of the cohort --------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ is ~3x slower
class Fact:
    pk: int
    status: str
    opened_on: date
    closed_on: date | None
    repeat: bool
    sex: str
    age: int | None
    kelurahan: str
    seen: bool  # the viewer may see the case
    identified: bool  # ... and read who the child is
    stages: dict[str, date]


class OneOf(Lookup):
    """``lhs`` is one of ``rhs`` (ids), sent as ONE parameter whatever their number.

    ``pk__in=[...]`` writes a placeholder per id: with thousands of ids,
    building, binding and planning the statement costs more than running it.
    PostgreSQL gets an array (``= ANY``), SQLite a JSON list (``json_each``).
    """

    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            array = "{" + ",".join(map(str, ids)) + "}"
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, array]
        if connection.vendor == "sqlite":
            # ``lhs`` is the compiled column; the ids travel as a parameter.
            sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            return sql, [*lhs_params, json.dumps(ids)]
        if not ids:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]


def _first(model: Any, field_name: str, **conditions: Any) -> Subquery:
    """The earliest ``field_name`` of the case's rows in ``model`` (a correlated MIN)."""
    rows = (
        model.objects.filter(case=OuterRef("pk"), **conditions)
        .order_by()
        .values("case")
        .annotate(first=Min(field_name))
        .values("first")
    )
    return Subquery(rows)


class _LocalDay(TruncDate):
    """The local day of a moment, in SQL (the current zone, as ``timezone.localdate``).

    The database returns a date already (SQLite a text the backend's own
    converter parses): ``TruncDate``'s per-value converter would only re-check
    it, and on PostgreSQL it would be the one converter of the row, costing
    more than the tallies.
    """

    def get_db_converters(self, connection: Any) -> list[Any]:
        converters: list[Any] = self.output_field.get_db_converters(connection)  # type: ignore[attr-defined]
        return converters


def _day_of(moment: Any) -> TruncDate:
    return _LocalDay(moment)


def cohort(user: Any, filters: Filters) -> QuerySet[Case]:
    """The cases the figures count: opened in the period, in the area, in scope."""
    city = filters.scope == policy.CITY
    cases = Case.objects.all() if city else policy.cases_visible_to(user)
    cases = cases.filter(opened_on__gte=filters.date_from, opened_on__lte=filters.date_to)
    if filters.kelurahan:
        cases = cases.filter(child__kelurahan_id=filters.kelurahan)
    elif filters.kecamatan:
        cases = cases.filter(child__kelurahan__code__startswith=filters.kecamatan + ".")
    return cases


def _holds_case(cases: QuerySet[Case], outer: str = "pk") -> Exists | Value:
    """Whether the outer row's case (``outer``) is one of ``cases``: a probe by primary key."""
    if cases.query.is_empty():
        return Value(False)
    return Exists(cases.filter(pk=OuterRef(outer)))


def facts_query(user: Any, filters: Filters) -> QuerySet[Any, Any]:
    """The main query of the dashboard: one row per case of the cohort.

    The scoping rule is evaluated once, in this query: in the user's own
    scope it selects the rows (with the period, through the ``opened_on``
    index); in the city scope it is probed per row by primary key to say
    which rows the user may see. Whether they may identify the child is
    probed the same way. Each step's first date is a correlated ``MIN`` over
    the step's table through its ``case_id`` index, turned into the local
    day in SQL.
    """
    city = filters.scope == policy.CITY
    seen = _holds_case(policy.cases_visible_to(user)) if city else Value(True)
    origin = Report.objects.filter(pk=OuterRef("origin_report_id")).order_by().values("seen_at")
    return (
        cohort(user, filters)
        .order_by()
        .annotate(
            f_seen=seen,
            f_identified=_holds_case(policy.cases_identified_by(user)),
            f_reported=_day_of(
                Coalesce(Subquery(origin), _first(Capture, "report__seen_at", report__isnull=False))
            ),
            f_found=_day_of(_first(Capture, "created_at")),
            f_assessed_note=_day_of(_first(Note, "created_at", kind=NoteKind.ASSESSMENT)),
            f_assessed_signed=_day_of(
                _first(Assessment, "signed_at", status=AssessmentStatus.SIGNED)
            ),
            f_in_care=_day_of(_first(Stay, "began_at")),
            f_placed=_first(Placement, "started_on"),
            f_school=_first(Enrolment, "enrolled_on"),
        )
        .values_list(
            "pk",
            "status",
            "opened_on",
            "closed_on",
            "repeat_of_id",
            "child__sex",
            "child__birth_date",
            "child__age_min",
            "child__kelurahan_id",
            "f_seen",
            "f_identified",
            "f_reported",
            "f_found",
            "f_assessed_note",
            "f_assessed_signed",
            "f_in_care",
            "f_placed",
            "f_school",
        )
    )


def _age(born: date | None, age_min: int | None, on: date) -> int | None:
    if born is not None:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age_min


_STEP_KEYS = ("reported", "found", "assessed", "in_care", "placed", "school")


def case_facts(user: Any, filters: Filters) -> list[Fact]:
    facts = []
    closed_status = CaseStatus.CLOSED
    for row in facts_query(user, filters):
        (pk, status, opened, closed, repeat_of, sex, born, age_min, kel, seen, identified) = row[
            :11
        ]
        reported, found, note, signed, in_care, placed, school = row[11:]
        if note is None or (signed is not None and signed < note):
            note = signed
        stages = {"opened": opened}
        for key, value in zip(
            _STEP_KEYS, (reported, found, note, in_care, placed, school), strict=True
        ):
            if value is not None:
                stages[key] = value
        if status == closed_status and closed is not None:
            stages["closed"] = closed
        facts.append(
            Fact(
                pk=pk,
                status=status,
                opened_on=opened,
                closed_on=closed,
                repeat=repeat_of is not None,
                sex=sex or "",
                age=_age(born, age_min, opened),
                kelurahan=kel or "",
                seen=bool(seen),
                identified=bool(identified),
                stages=stages,
            )
        )
    return facts


# --- Tables ---------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: Any
    value: int | None  # None: suppressed
    extra: Any = None  # e.g. the median days of a stage

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Table:
    key: str
    title: Any
    rows: list[Row]
    total: int | None
    total_label: Any = ALL_CASES
    chart: str = "bar"  # "bar", "line" or "" (table only)
    note: Any = ""
    protected: bool = False  # some counts include cases the viewer may not see

    @property
    def any_suppressed(self) -> bool:
        return any(row.suppressed for row in self.rows) or self.total is None

    def chart_data(self) -> dict[str, Any]:
        return {
            "type": self.chart,
            "labels": [str(row.label) for row in self.rows],
            "values": [row.value for row in self.rows],
            "title": str(self.title),
        }


def tally(
    key: str,
    title: Any,
    facts: Sequence[Fact],
    keys: Sequence[tuple[str, Any]],
    key_of: Callable[[Fact], str],
    *,
    hidden: Sequence[Fact],
    chart: str = "bar",
    partition: bool = True,
    drop_empty: bool = False,
) -> Table:
    """Counts of the facts by one attribute, protected where they include ``hidden`` ones."""
    counts = Counter(map(key_of, facts))
    hidden_counts = Counter(map(key_of, hidden))
    labels = list(keys)
    if drop_empty:
        labels = [(k, label) for k, label in labels if counts[k]]
    totals = [counts[k] for k, _label in labels]
    hidden_parts = [hidden_counts[k] for k, _label in labels]
    total = len(facts)
    hidden_total = len(hidden)
    protected = hidden_total > 0
    if partition:
        flags, total_hidden = protect_table(totals, hidden_parts, total, hidden_total)
    else:
        flags, total_hidden = protect_line(totals, hidden_parts), protect_total(total, hidden_total)
    rows = [
        Row(k, label, None if flag else count)
        for (k, label), count, flag in zip(labels, totals, flags, strict=True)
    ]
    return Table(
        key,
        title,
        rows,
        None if total_hidden else total,
        chart=chart,
        protected=protected,
    )


def _age_band(fact: Fact) -> str:
    if fact.age is None:
        return UNKNOWN
    for key, _label, low, high in AGE_BANDS:
        if low <= fact.age <= high:
            return key
    return UNKNOWN


def _month_of(fact: Fact) -> str:
    return f"{fact.opened_on.year:04d}-{fact.opened_on.month:02d}"


def _months(start: date, end: date) -> list[tuple[str, Any]]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append((current.strftime("%Y-%m"), current.strftime("%m/%Y")))
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def funnel(facts: Sequence[Fact]) -> Table:
    """Per step: the cases that reached it, and the median days to the next step reached.

    One pass over the facts: a case's steps in the journey's order, each
    paired with the next one it reached.
    """
    order = [key for key, _label in STAGES]
    reached_all: list[str] = []
    reached_hidden: list[str] = []
    spans_hidden: list[str] = []
    spans: dict[str, list[int]] = {key: [] for key in order}
    hidden_total = 0
    for fact in facts:
        stages = fact.stages
        reached = [key for key in order if key in stages]
        reached_all.extend(reached)
        if not fact.seen:
            hidden_total += 1
            reached_hidden.extend(reached)
            spans_hidden.extend(reached[:-1])
        for key, following in itertools.pairwise(reached):
            spans[key].append(max((stages[following] - stages[key]).days, 0))
    counts = Counter(reached_all)
    hidden = Counter(reached_hidden)
    n_hidden = Counter(spans_hidden)
    totals = [counts[key] for key in order]
    flags = protect_line(totals, [hidden[key] for key in order])
    k = threshold()
    rows = []
    for (key, label), count, flag in zip(STAGES, totals, flags, strict=True):
        n = len(spans[key])
        median = statistics.median(spans[key]) if n else None
        # A median over hidden cases is shown only over enough of them.
        if flag or (n_hidden[key] and n < k):
            median = None
        rows.append(Row(key, label, None if flag else count, median))
    return Table(
        "funnel",
        _("The journey of the cases opened in the period"),
        rows,
        None if protect_total(len(facts), hidden_total) else len(facts),
        chart="bar",
        note=_(
            "Each step counts the cases that reached it. Median days: from reaching the step "
            "to the next step the case reached."
        ),
        protected=hidden_total > 0,
    )


@dataclass
class CaseFigures:
    total: int
    tables: list[Table]
    repeat: Table

    @property
    def shown_total(self) -> int | None:
        """The number of cases, unless it must be hidden (the funnel's total)."""
        return self.tables[0].total


def case_figures(user: Any, filters: Filters, facts: list[Fact] | None = None) -> CaseFigures:
    facts = case_facts(user, filters) if facts is None else facts

    not_seen = [fact for fact in facts if not fact.seen]
    not_identified = [fact for fact in facts if not fact.identified]

    kelurahan_names = dict(
        Region.objects.filter(level=RegionLevel.KELURAHAN, code__startswith=CITY_CODE + ".")
        .order_by("code")
        .values_list("code", "name")
    )
    kecamatan_names = dict(
        Region.objects.filter(level=RegionLevel.KECAMATAN, code__startswith=CITY_CODE + ".")
        .order_by("code")
        .values_list("code", "name")
    )
    unknown = _("Not known")
    tables = [
        funnel(facts),
        tally(
            "status",
            _("Cases by status"),
            facts,
            list(CaseStatus.choices),
            lambda f: f.status,
            hidden=not_seen,
        ),
        _forms(facts),
        tally(
            "age",
            _("Cases by age band (age when the case was opened)"),
            facts,
            [(k, label) for k, label, _lo, _hi in AGE_BANDS] + [(UNKNOWN, unknown)],
            _age_band,
            hidden=not_identified,
        ),
        tally(
            "sex",
            _("Cases by sex"),
            facts,
            [(Sex.FEMALE.value, Sex.FEMALE.label), (Sex.MALE.value, Sex.MALE.label), ("", unknown)],
            lambda f: f.sex,
            hidden=not_identified,
        ),
        tally(
            "kecamatan",
            _("Cases by kecamatan (the child's home)"),
            facts,
            [*kecamatan_names.items(), ("", unknown)],
            lambda f: f.kelurahan[:8] if f.kelurahan[:8] in kecamatan_names else "",
            hidden=not_identified,
        ),
        tally(
            "kelurahan",
            _("Cases by kelurahan (the child's home)"),
            facts,
            [*kelurahan_names.items(), ("", unknown)],
            lambda f: f.kelurahan if f.kelurahan in kelurahan_names else "",
            hidden=not_identified,
            chart="",
            drop_empty=True,
        ),
        tally(
            "month",
            _("Cases opened by month"),
            facts,
            _months(filters.date_from, filters.date_to),
            _month_of,
            hidden=not_seen,
            chart="line",
        ),
    ]
    repeat = tally(
        "repeat",
        _("Children found again"),
        facts,
        [("repeat", _("Cases repeating an earlier case of the child")), ("first", _("First case"))],
        lambda f: "repeat" if f.repeat else "first",
        hidden=not_seen,
        chart="",
    )
    return CaseFigures(total=len(facts), tables=tables, repeat=repeat)


def forms_query(ids: Sequence[int], unseen: Sequence[int]) -> QuerySet[Any, Any]:
    """Per form: the classification rows of the cases ``ids``, and of those ``unseen``.

    One grouped query; each list of ids is one array parameter (``OneOf``).
    """
    hidden = Count("pk", filter=OneOf(F("case_id"), unseen)) if unseen else Value(0)
    return (
        CaseClassification.objects.filter(OneOf(F("case_id"), ids))
        .order_by()
        .values("form")
        .annotate(n=Count("pk"), hidden=hidden)
        .values_list("form", "n", "hidden")
    )


def _forms(facts: Sequence[Fact]) -> Table:
    """Cases by form of exploitation: a case may have several, so the rows add up to more."""
    counts: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    if facts:
        unseen = [f.pk for f in facts if not f.seen]
        for form, n, n_hidden in forms_query([f.pk for f in facts], unseen):
            counts[form] += n
            hidden[form] += n_hidden
    choices = list(CaseForm.choices)
    totals = [counts[k] for k, _label in choices]
    hidden_parts = [hidden[k] for k, _label in choices]
    hidden_total = sum(1 for f in facts if not f.seen)
    flags = protect_line(totals, hidden_parts)
    return Table(
        "form",
        _("Cases by form of exploitation"),
        [
            Row(k, label, None if flag else n)
            for (k, label), n, flag in zip(choices, totals, flags, strict=True)
        ],
        None if protect_total(len(facts), hidden_total) else len(facts),
        note=_("A case may have several forms: the rows add up to more than the cases."),
        protected=hidden_total > 0,
    )


def repeat_rate_of(table: Table) -> float | None:
    rows = {row.key: row.value for row in table.rows}
    if table.total in (None, 0) or rows.get("repeat") is None:
        return None
    return (rows["repeat"] or 0) / table.total  # type: ignore[operator]


# --- Operational figures ---------------------------------------------------------------


@dataclass
class Count_:
    label: Any
    value: int | None
    note: Any = ""


@dataclass
class Work:
    """What is late now (no period: today's state), in the area."""

    counts: list[Count_] = field(default_factory=list)


def _in_area(queryset: QuerySet[Any], filters: Filters, path: str) -> QuerySet[Any]:
    if filters.kelurahan:
        return queryset.filter(**{path: filters.kelurahan})
    if filters.kecamatan:
        return queryset.filter(**{f"{path}__startswith": filters.kecamatan + "."})
    return queryset


def work_now(user: Any, filters: Filters, today: date) -> Work:
    work = Work()
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=today)
    overdue = _in_area(overdue, filters, "case__child__kelurahan__code")
    # A probe per overdue task by the case's key: ``case__in=visible`` would
    # make the planner scan every case the user may see, of every year.
    visible = _holds_case(policy.cases_visible_to(user), "case_id")
    if filters.scope == policy.CITY:
        result = overdue.aggregate(n=Count("pk"), hidden=Count("pk", filter=~Q(visible)))
        total, hidden = result["n"], result["hidden"]
        value = None if protect_total(total, hidden) else total
    else:
        value = overdue.filter(visible).count()
    work.counts.append(Count_(_("Overdue tasks"), value))
    if policy.sees_triage(user):
        reports = _in_area(
            Report.objects.filter(
                status__in=[ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS],
                duplicate_of__isnull=True,
            ),
            filters,
            "kelurahan__code",
        )
        created = list(reports.values_list("created_at", flat=True))
        late = sum(
            1
            for moment in created
            if working_days_after(timezone.localtime(moment).date(), FOLLOW_UP_WORKING_DAYS) < today
        )
        work.counts.append(Count_(_("Reports waiting for triage"), len(created)))
        work.counts.append(
            Count_(
                _("Reports past the follow-up standard"),
                late,
                _("%(days)s working days") % {"days": FOLLOW_UP_WORKING_DAYS},
            )
        )
    return work


def shelter_occupancy(user: Any, filters: Filters) -> Table | None:
    """Beds and children staying now per shelter (no area or period: today's beds)."""
    if not policy.sees_shelters(user):
        return None
    city = filters.scope == policy.CITY and policy.sees_city(user)
    if city:
        shelters = Shelter.objects.filter(is_active=True)
    else:
        from kawal.shelters.selectors import shelters_run_by

        shelters = shelters_run_by(user)
    shelters = shelters.order_by("name").annotate(
        beds=Count(
            "rooms__beds",
            filter=Q(rooms__is_active=True, rooms__beds__is_active=True),
            distinct=True,
        )
    )
    rows = list(shelters)
    if not rows:
        return None
    stays = Stay.objects.active().filter(bed__room__shelter__in=[s.pk for s in rows])
    occupied = Counter(
        dict(
            stays.values("bed__room__shelter")
            .order_by()
            .annotate(n=Count("pk"))
            .values_list("bed__room__shelter", "n")
        )
    )
    hidden: Counter[int] = Counter()
    if city:
        hidden = Counter(
            dict(
                stays.filter(~Q(_holds_case(policy.cases_visible_to(user), "case_id")))
                .values("bed__room__shelter")
                .order_by()
                .annotate(n=Count("pk"))
                .values_list("bed__room__shelter", "n")
            )
        )
    counts = [occupied[s.pk] for s in rows]
    hidden_parts = [hidden[s.pk] for s in rows]
    total_hidden = sum(hidden_parts)
    flags, total_flag = protect_table(counts, hidden_parts, sum(counts), total_hidden)
    return Table(
        "shelters",
        _("Shelter beds taken now"),
        [
            Row(str(s.pk), s.name, None if flag else n, s.beds)
            for s, n, flag in zip(rows, counts, flags, strict=True)
        ],
        None if total_flag else sum(counts),
        total_label=_("All shelters"),
        protected=total_hidden > 0,
        note=_("Children staying now, of the beds in use."),
    )


def placement_capacity(user: Any) -> Table | None:
    """Children placed now per institution against its registered capacity (exact)."""
    if not policy.sees_capacity(user):
        return None
    from kawal.institutions.models import Institution, InstitutionStatus

    institutions = list(
        Institution.objects.exclude(status=InstitutionStatus.SUSPENDED)
        .order_by("name")
        .only("pk", "name", "capacity")
    )
    # One grouped count of the active placements (not a join per institution
    # with a DISTINCT count, which sorts every placement ever made).
    active = dict(
        Placement.objects.filter(ended_on__isnull=True)
        .order_by()
        .values("institution")
        .annotate(n=Count("pk"))
        .values_list("institution", "n")
    )
    if not institutions:
        return None
    return Table(
        "capacity",
        _("Children placed now, against capacity"),
        [Row(str(i.pk), i.name, active.get(i.pk, 0), i.capacity) for i in institutions],
        sum(active.get(i.pk, 0) for i in institutions),
        total_label=_("All institutions"),
        note=_("As the placement rules count them: active placements per institution."),
    )


@dataclass
class BudgetRow:
    label: str
    amount: int
    committed: int
    paid: int

    @property
    def share(self) -> int:
        return round(100 * self.committed / self.amount) if self.amount else 0


def budget_use(user: Any, year: int) -> list[BudgetRow] | None:
    if not policy.sees_budget(user):
        return None
    from kawal.funding.models import Budget
    from kawal.funding.services import utilisation

    lines = utilisation(Budget.objects.filter(fiscal_year=year).select_related("programme"))
    return [
        BudgetRow(str(line.budget.programme), line.budget.amount, line.committed, line.paid)
        for line in lines
    ]


@dataclass
class Dashboard:
    filters: Filters
    cases: CaseFigures
    repeat_rate: float | None
    work: Work
    shelters: Table | None
    capacity: Table | None
    budget: list[BudgetRow] | None
    budget_year: int

    @property
    def tables(self) -> list[Table]:
        extra = [t for t in (self.shelters, self.capacity) if t is not None]
        return [*self.cases.tables, *extra]


def dashboard(user: Any, filters: Filters, today: date) -> Dashboard:
    """Every figure the user's role sees, for the filters (the view's one selector)."""
    if not policy.sees_dashboard(user):
        raise PermissionDenied
    if filters.scope not in policy.scopes_of(user):
        raise PermissionDenied
    figures = case_figures(user, filters)
    rate = repeat_rate_of(figures.repeat)
    if filters.scope == policy.CITY and rate is not None and not filters.area:
        # The identity module's own number, over the same cases (a test
        # holds the two equal); shown only when the protected count is.
        from kawal.identity.services import repeat_rate

        rate = float(repeat_rate(filters.date_from, filters.date_to)["rate"])
    return Dashboard(
        filters=filters,
        cases=figures,
        repeat_rate=rate,
        work=work_now(user, filters, today),
        shelters=shelter_occupancy(user, filters),
        capacity=placement_capacity(user),
        budget=budget_use(user, filters.date_to.year),
        budget_year=filters.date_to.year,
    )
