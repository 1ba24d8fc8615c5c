"""The main query's own paths: ids as one parameter, local days in SQL, the seen/identified flags.

The facts are held equal to a reference read case by case the plain way
(each step's first moment through the ORM, its local day in Python, the
scoping rule's querysets as sets): the computation the single query replaced.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db.models import F, Min
from django.utils import timezone

from kawal.assessments.models import Assessment, AssessmentStatus
from kawal.cases.models import Case, CaseStatus, Note, NoteKind
from kawal.figures import policy
from kawal.figures.selectors import OneOf, case_facts, cohort, forms_query
from kawal.outreach.models import Capture
from kawal.placement.models import Placement
from kawal.schooling.models import Enrolment
from kawal.shelters.models import Bed, Stay
from tests.figures.conftest import stage_care, stage_found

pytestmark = pytest.mark.django_db


def _local_day(moment):
    return None if moment is None else timezone.localtime(moment).date()


def _first(model, field, case, **conditions):
    return model.objects.filter(case=case, **conditions).aggregate(first=Min(field))["first"]


def _reference(user, filters):
    """Per case of the cohort: (seen, identified, stages), read one by one."""
    visible = set(policy.cases_visible_to(user).values_list("pk", flat=True))
    identified = set(policy.cases_identified_by(user).values_list("pk", flat=True))
    result = {}
    for case in cohort(user, filters).select_related("origin_report"):
        reported = case.origin_report.seen_at if case.origin_report else None
        if reported is None:
            reported = _first(Capture, "report__seen_at", case, report__isnull=False)
        assessed = [
            _local_day(_first(Note, "created_at", case, kind=NoteKind.ASSESSMENT)),
            _local_day(_first(Assessment, "signed_at", case, status=AssessmentStatus.SIGNED)),
        ]
        stages = {
            "reported": _local_day(reported),
            "found": _local_day(_first(Capture, "created_at", case)),
            "opened": case.opened_on,
            "assessed": min([d for d in assessed if d is not None], default=None),
            "in_care": _local_day(_first(Stay, "began_at", case)),
            "placed": _first(Placement, "started_on", case),
            "school": _first(Enrolment, "enrolled_on", case),
            "closed": case.closed_on if case.status == CaseStatus.CLOSED else None,
        }
        result[case.pk] = (
            case.pk in visible,
            case.pk in identified,
            {key: day for key, day in stages.items() if day is not None},
        )
    return result


def _facts(user, filters):
    return {f.pk: (f.seen, f.identified, f.stages) for f in case_facts(user, filters)}


@pytest.mark.parametrize("who", ["owner", "supervisor", "psychologist", "finance", "dpo"])
@pytest.mark.parametrize("scope", [policy.TEAM, policy.CITY])
def test_the_facts_equal_a_case_by_case_reading(city, who, scope):
    user = getattr(city, who)
    filters = city.filters(scope=scope)
    expected = _reference(user, filters)
    if scope == policy.CITY:
        assert len(expected) == 11
    assert _facts(user, filters) == expected


def test_a_moment_counts_on_its_local_day_not_the_utc_one(city):
    """Early morning in Balikpapan is the evening before in UTC: the day is the local one."""
    case = city.cases[7]
    day = city.start + timedelta(days=2)
    stage_found(case, day, city.owner)
    early = timezone.make_aware(datetime.combine(day, time(0, 30)))
    Capture.objects.filter(case=case).update(created_at=early)
    bed = Bed.objects.filter(room__shelter=city.shelter).first()
    stay = stage_care(case, day, bed, city.staff)
    morning = timezone.make_aware(datetime.combine(day, time(7, 30)))
    assert morning.astimezone(UTC).date() < day  # a test that can fail
    Stay.objects.filter(pk=stay.pk).update(began_at=morning, admitted_at=morning)
    stages = _facts(city.owner, city.filters())[case.pk][2]
    assert stages["found"] == day
    assert stages["in_care"] == day
    assert _facts(city.owner, city.filters()) == _reference(city.owner, city.filters())


def test_one_of_sends_one_parameter_whatever_the_number_of_ids(city):
    ids = [case.pk for case in city.cases]
    many = ids + list(range(10**7, 10**7 + 5000))
    rows = Case.objects.filter(OneOf(F("pk"), many))
    assert sorted(rows.values_list("pk", flat=True)) == sorted(ids)
    _sql, params = rows.query.sql_with_params()
    assert len(params) == 1
    assert not Case.objects.filter(OneOf(F("pk"), [])).exists()
    assert Case.objects.exclude(OneOf(F("pk"), ids)).count() == Case.objects.count() - len(ids)


def test_forms_query_counts_rows_and_those_of_unseen_cases(city):
    ids = [case.pk for case in city.cases]
    # Cases 0 and 1 have two forms (forced selling, neglect); the others forced begging.
    assert {form: (n, hidden) for form, n, hidden in forms_query(ids, ids[:1])} == {
        "forced_selling": (2, 1),
        "neglect": (2, 1),
        "forced_begging": (8, 0),
    }
    assert {form: (n, hidden) for form, n, hidden in forms_query(ids, [])} == {
        "forced_selling": (2, 0),
        "neglect": (2, 0),
        "forced_begging": (8, 0),
    }
