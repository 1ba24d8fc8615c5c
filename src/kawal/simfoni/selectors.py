"""Cases mapped to SIMFONI-PPA's categories, scoped to the user who asks.

``simfoni_map`` reads the cases the user may see (``cases_visible_to``)
opened in a period, and for each one either builds its SIMFONI row or says
why it cannot be mapped. A case is mapped only when every axis has a SIMFONI
value and the user may read every class of data the row is derived from on
that case; nothing about a case is derived from data the user may not read.

The reads run in a fixed number of queries per chunk of cases, whatever the
period's size (no query per case).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import DataClass
from kawal.assessments.models import Assessment, AssessmentStatus
from kawal.care.models import Observation
from kawal.cases.models import Case, CaseForm, IntakeChannel
from kawal.cases.policy import case_access_bulk, cases_visible_to
from kawal.exports.selectors import export_access
from kawal.families.models import ParentProgramme
from kawal.monitoring.models import AfterCareFollowUp
from kawal.outreach.models import Capture
from kawal.placement.models import ExitReason, Placement
from kawal.schooling.models import Enrolment
from kawal.shelters.models import DischargeReason, Stay
from kawal.simfoni.models import MappingRow
from kawal.simfoni.vocab import (
    DESCRIBED,
    NO_PERPETRATOR,
    NOT_DESCRIBED,
    Axis,
    Service,
    local_label,
)

# The classes of data a row is derived from: forms and dates (basic), age and
# disability (identity), services and schooling (whereabouts), the
# perpetrator's relationship and the police report (investigation),
# assessments and observations (progress). Only coarse categories of them
# reach the file.
REQUIRED_CLASSES: tuple[str, ...] = (
    DataClass.BASIC,
    DataClass.IDENTITY,
    DataClass.WHEREABOUTS,
    DataClass.INVESTIGATION,
    DataClass.PROGRESS,
)
CHUNK = 500
# Forms in the order a place is taken from them when nobody saw where: the
# exploitation itself first, accompanying violence and "other" last.
FORM_ORDER = list(CaseForm.values)


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date


@dataclass(frozen=True)
class SimfoniRow:
    case_id: int
    number: str
    opened_on: date
    incident_on: date
    place: str
    forms: frozenset[str]
    relations: tuple[str, ...]
    services: frozenset[str]
    age_band: str
    education: str
    disability: str


@dataclass(frozen=True)
class Unmappable:
    case_id: int
    case_uuid: UUID
    number: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SimfoniResult:
    period: Period
    rows: list[SimfoniRow]
    unmappable: list[Unmappable]


@dataclass
class _Facts:
    """What the bulk reads found about one case."""

    sightings: list[tuple[Any, str]] = field(default_factory=list)  # (when, activity)
    services: set[str] = field(default_factory=set)
    levels: list[tuple[date, str]] = field(default_factory=list)


def mapping_table() -> dict[tuple[str, str], str]:
    """The console's mapping, (axis, local value) -> SIMFONI value ("" = none)."""
    return {
        (row.axis, row.local_value): row.simfoni_value
        for row in MappingRow.objects.only("axis", "local_value", "simfoni_value")
    }


def _chunks(items: list[Case]) -> Iterator[list[Case]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _local_day(moment: Any) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _gather(cases: list[Case]) -> dict[int, _Facts]:
    """Sightings, services and school levels of a chunk of cases, a query per source."""
    facts = {case.pk: _Facts() for case in cases}
    ids = list(facts)
    for case in cases:
        report = case.origin_report
        if report is not None and report.seen:
            facts[case.pk].sightings.append((report.seen_at, str(report.seen[0])))
    for case_id, created_at, activity in Capture.objects.filter(case_id__in=ids).values_list(
        "case_id", "created_at", "activity"
    ):
        facts[case_id].sightings.append((created_at, activity))

    def mark(case_ids: Iterable[int], service: str) -> None:
        for case_id in case_ids:
            facts[case_id].services.add(service)

    signed = Assessment.objects.filter(
        case_id__in=ids, status=AssessmentStatus.SIGNED, discarded_at__isnull=True
    )
    mark(signed.values_list("case_id", flat=True).distinct(), Service.ASSESSMENT)
    mark(
        Observation.objects.filter(case_id__in=ids).values_list("case_id", flat=True).distinct(),
        Service.OBSERVATION,
    )
    for case_id, checked, reason in Stay.objects.filter(case_id__in=ids).values_list(
        "case_id", "health_checked_at", "discharge_reason"
    ):
        facts[case_id].services.add(Service.SHELTER_STAY)
        if checked is not None:
            facts[case_id].services.add(Service.HEALTH_CHECK)
        if reason == DischargeReason.HOME:
            facts[case_id].services.add(Service.REUNIFICATION)
    for case_id, reason in Placement.objects.filter(case_id__in=ids).values_list(
        "case_id", "exit_reason"
    ):
        facts[case_id].services.add(Service.PLACEMENT)
        if reason == ExitReason.REUNIFICATION:
            facts[case_id].services.add(Service.REUNIFICATION)
    mark(
        AfterCareFollowUp.objects.filter(placement__case_id__in=ids)
        .values_list("placement__case_id", flat=True)
        .distinct(),
        Service.AFTER_CARE,
    )
    mark(
        ParentProgramme.objects.filter(case_id__in=ids)
        .values_list("case_id", flat=True)
        .distinct(),
        Service.PARENT_PROGRAMME,
    )
    for case_id, enrolled_on, level in Enrolment.objects.filter(case_id__in=ids).values_list(
        "case_id", "enrolled_on", "level"
    ):
        facts[case_id].services.add(Service.SCHOOL)
        facts[case_id].levels.append((enrolled_on, level))
    return facts


class _Mapper:
    """Maps one case at a time with the mapping table; collects the reasons it cannot."""

    def __init__(self, table: dict[tuple[str, str], str]) -> None:
        self.table = table
        self.reasons: list[str] = []

    def value(self, axis: str, local: str) -> str | None:
        simfoni = self.table.get((axis, local), "")
        if simfoni:
            return simfoni
        self.reasons.append(
            _("%(axis)s: “%(value)s” has no SIMFONI value in the mapping table.")
            % {"axis": Axis(axis).label, "value": local_label(axis, local)}
        )
        return None


def _incident_on(case: Case, facts: _Facts) -> date:
    """The first time the child was seen or found, else the day the case was opened."""
    days = [_local_day(when) for when, _activity in facts.sightings]
    return min([case.opened_on, *days])


def _place(case: Case, facts: _Facts, forms: list[str], mapper: _Mapper) -> str | None:
    if facts.sightings:
        _when, activity = min(facts.sightings, key=lambda sighting: sighting[0])
        return mapper.value(Axis.PLACE, f"seen:{activity}")
    if not forms:
        return None
    first = min(forms, key=_form_rank)
    return mapper.value(Axis.PLACE, f"form:{first}")


def _age_band(case: Case, incident_on: date, mapper: _Mapper) -> str | None:
    child = case.child
    if child.birth_date is not None:
        born = child.birth_date
        age = (
            incident_on.year
            - born.year
            - ((incident_on.month, incident_on.day) < (born.month, born.day))
        )
        return mapper.value(Axis.AGE, str(max(age, 0)))
    if child.age_min is None and child.age_max is None:
        mapper.reasons.append(_("No birth date and no estimated age: no age band."))
        return None
    low = child.age_min if child.age_min is not None else child.age_max or 0
    high = child.age_max if child.age_max is not None else low
    bands = {mapper.table.get((Axis.AGE, str(age)), "") for age in range(low, high + 1)}
    if len(bands) == 1:
        return mapper.value(Axis.AGE, str(low))
    mapper.reasons.append(
        _(
            "No birth date, and the estimated age (%(low)s to %(high)s years) spans more than one "
            "SIMFONI age band."
        )
        % {"low": low, "high": high}
    )
    return None


def _education(case: Case, facts: _Facts, mapper: _Mapper) -> str | None:
    if facts.levels:
        _enrolled_on, level = max(facts.levels)
        return mapper.value(Axis.EDUCATION, f"level:{level}")
    return mapper.value(Axis.EDUCATION, f"status:{case.child.school_status}")


def _services(case: Case, facts: _Facts) -> set[str]:
    services = {Service.INTAKE.value, *facts.services}
    if case.police_report_number:
        services.add(Service.POLICE_REPORT)
    if case.legal_stage:
        services.add(Service.LEGAL_PROCESS)
    if case.intake_channel == IntakeChannel.OTHER_REGION and Service.REUNIFICATION in services:
        services.add(Service.RETURN_REGION)
    return services


def _form_rank(form: str) -> int:
    return FORM_ORDER.index(form) if form in FORM_ORDER else len(FORM_ORDER)


def _map_case(
    case: Case, facts: _Facts, table: dict[tuple[str, str], str]
) -> SimfoniRow | list[str]:
    mapper = _Mapper(table)
    forms = [classification.form for classification in case.classifications.all()]
    simfoni_forms: set[str] = set()
    if not forms:
        mapper.reasons.append(_("No form of exploitation is recorded."))
    for form in sorted(forms, key=_form_rank):
        value = mapper.value(Axis.FORM, form)
        if value is not None:
            simfoni_forms.add(value)
    incident_on = _incident_on(case, facts)
    place = _place(case, facts, forms, mapper)
    relations: list[str] = []
    perpetrators = sorted(case.perpetrators.all(), key=lambda perpetrator: perpetrator.pk)
    for local in [perpetrator.relationship for perpetrator in perpetrators] or [NO_PERPETRATOR]:
        value = mapper.value(Axis.RELATION, local)
        if value is not None:
            relations.append(value)
    services: set[str] = set()
    for local in sorted(_services(case, facts)):
        value = mapper.value(Axis.SERVICE, local)
        if value is not None:
            services.add(value)
    age_band = _age_band(case, incident_on, mapper)
    education = _education(case, facts, mapper)
    disability = mapper.value(
        Axis.DISABILITY, DESCRIBED if case.child.disability.strip() else NOT_DESCRIBED
    )
    if mapper.reasons or None in (place, age_band, education, disability):
        return mapper.reasons
    return SimfoniRow(
        case_id=case.pk,
        number=case.number,
        opened_on=case.opened_on,
        incident_on=incident_on,
        place=str(place),
        forms=frozenset(simfoni_forms),
        relations=tuple(relations),
        services=frozenset(services),
        age_band=str(age_band),
        education=str(education),
        disability=str(disability),
    )


def _hidden_reason(missing: list[str]) -> str:
    labels = ", ".join(str(DataClass(name).label) for name in missing)
    return _(
        "You may not read all the data its SIMFONI row is made from (%(classes)s); "
        "the case manager or the supervisor of the case can export it."
    ) % {"classes": labels}


def simfoni_map(user: Any, period: Period) -> SimfoniResult:
    """Every case the user may see opened in the period: mapped, or the reasons why not."""
    cases = list(
        cases_visible_to(user)
        .filter(opened_on__gte=period.date_from, opened_on__lte=period.date_to)
        .select_related("child", "origin_report")
        .prefetch_related("classifications", "perpetrators")
        .order_by("opened_on", "number")
    )
    table = mapping_table()
    rows: list[SimfoniRow] = []
    unmappable: list[Unmappable] = []
    for chunk in _chunks(cases):
        # Emergency access is for reading one case in an emergency, never for a
        # copy: the export keeps only what the user's other relations give.
        access = {
            pk: exportable
            for pk, granted in case_access_bulk(user, chunk).items()
            if (exportable := export_access(granted)) is not None
        }
        readable = [
            case
            for case in chunk
            if case.pk in access
            and all(access[case.pk].can_read(name) for name in REQUIRED_CLASSES)
        ]
        facts = _gather(readable)
        for case in chunk:
            granted = access.get(case.pk)
            if granted is None:  # visible a moment ago, not now: leave it out entirely
                continue
            missing = [name for name in REQUIRED_CLASSES if not granted.can_read(name)]
            if missing:
                reasons: list[str] | SimfoniRow = [_hidden_reason(missing)]
            else:
                reasons = _map_case(case, facts[case.pk], table)
            if isinstance(reasons, SimfoniRow):
                rows.append(reasons)
            else:
                unmappable.append(
                    Unmappable(
                        case_id=case.pk,
                        case_uuid=case.uuid,
                        number=case.number,
                        reasons=tuple(reasons),
                    )
                )
    return SimfoniResult(period=period, rows=rows, unmappable=unmappable)


def mapping_rows_by_axis() -> dict[str, list[MappingRow]]:
    """The mapping table for the SIMFONI page (configuration, no case data)."""
    grouped: dict[str, list[MappingRow]] = defaultdict(list)
    for row in MappingRow.objects.all():
        grouped[row.axis].append(row)
    return dict(grouped)
