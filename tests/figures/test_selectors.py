"""Each figure on a small city with known journeys: exact numbers (team scope)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kawal.figures import policy
from kawal.figures.selectors import case_figures, dashboard, work_now
from kawal.identity.services import repeat_rate
from tests.figures.conftest import KLANDASAN, MANGGAR, make_case

pytestmark = pytest.mark.django_db


def _table(figures, key):
    return next(table for table in figures.tables if table.key == key)


def _values(table):
    return {row.key: row.value for row in table.rows}


def test_funnel_counts_and_median_days_per_stage(city):
    figures = case_figures(city.owner, city.filters())
    funnel = _table(figures, "funnel")
    assert _values(funnel) == {
        "reported": 4,
        "found": 4,
        "opened": 10,
        "assessed": 7,
        "in_care": 4,
        "placed": 4,
        "school": 4,
        "closed": 3,
    }
    medians = {row.key: row.extra for row in funnel.rows}
    # Reported 3 days before opening, found 1 day before; assessed on day 4
    # (cases 0-3) or 10 (cases 4-6); care day 5, placed 20, school 40, closed 50.
    assert medians == {
        "reported": 2,
        "found": 1,
        "opened": 4,
        "assessed": 1,
        "in_care": 15,
        "placed": 20,
        "school": 10,
        "closed": None,
    }
    assert funnel.total == 10
    assert not funnel.protected


def test_counts_by_status_form_age_sex_area_and_month(city):
    figures = case_figures(city.owner, city.filters())
    assert {k: v for k, v in _values(_table(figures, "status")).items() if v} == {
        "closed": 3,
        "monitoring": 1,
        "plan": 3,
        "identified": 3,
    }
    assert {k: v for k, v in _values(_table(figures, "form")).items() if v} == {
        "forced_selling": 2,
        "neglect": 2,
        "forced_begging": 8,
    }
    assert _values(_table(figures, "age")) == {"0-5": 1, "6-12": 7, "13-17": 2, "unknown": 0}
    assert _values(_table(figures, "sex")) == {"F": 8, "M": 2, "": 0}
    kecamatan = _values(_table(figures, "kecamatan"))
    assert kecamatan[MANGGAR[:8]] == 5
    assert kecamatan[KLANDASAN[:8]] == 5
    assert _values(_table(figures, "kelurahan")) == {MANGGAR: 5, KLANDASAN: 5}
    month = _values(_table(figures, "month"))
    assert month[city.start.strftime("%Y-%m")] == 10
    assert sum(v for v in month.values()) == 10
    assert _values(figures.repeat) == {"repeat": 0, "first": 10}


def test_period_and_area_narrow_the_cohort(city):
    later = city.start + timedelta(days=1)
    assert case_figures(city.owner, city.filters(date_from=later)).total == 0
    assert case_figures(city.owner, city.filters(kelurahan=MANGGAR)).total == 5
    assert case_figures(city.owner, city.filters(kecamatan=KLANDASAN[:8])).total == 5


def test_overdue_tasks_and_triage(city):
    today = timezone.localdate()
    with translation.override("en"):  # the labels are compared in the source language
        work = {str(c.label): c.value for c in work_now(city.owner, city.filters(), today).counts}
    assert work["Overdue tasks"] == 1
    assert work["Reports waiting for triage"] == 0
    # The other manager leads no case with a late task; no triage for the DPO.
    assert work_now(city.other, city.filters(), today).counts[0].value == 0
    assert len(work_now(city.dpo, city.filters(scope=policy.CITY), today).counts) == 1


def test_repeat_rate_matches_the_identity_module(city):
    earlier = city.cases[0]
    again = make_case(
        city.owner, opened=city.start + timedelta(days=55), supervisor=city.supervisor
    )
    again.child = earlier.child
    again.repeat_of = earlier
    again.save()
    # The supervisor sees every case of the city here: nothing is protected.
    type(city.lone).objects.filter(pk=city.lone.pk).update(supervisor=city.supervisor)
    filters = city.filters(scope=policy.CITY)
    board = dashboard(city.supervisor, filters, timezone.localdate())
    expected = repeat_rate(filters.date_from, filters.date_to)
    assert expected == {"cases": 12, "repeats": 1, "rate": 1 / 12}
    assert board.repeat_rate == pytest.approx(1 / 12)
    team = dashboard(city.owner, city.filters(), timezone.localdate())
    assert team.repeat_rate == pytest.approx(1 / 11)


def test_shelters_capacity_and_budget_figures(city):
    today = timezone.localdate()
    shelters = dashboard(city.staff, city.filters(), today).shelters
    assert shelters is not None
    assert [(row.label, row.value, row.extra) for row in shelters.rows] == [
        ("Rumah Aman Sintetis", 1, 4)
    ]
    capacity = dashboard(city.worker, city.filters(), today).capacity
    assert capacity is not None
    assert [(row.label, row.value, row.extra) for row in capacity.rows] == [
        ("LKSA Angka Sintetis", 0, 12)
    ]
    assert dashboard(city.finance, city.filters(), today).budget == []
    assert dashboard(city.owner, city.filters(), today).budget is None
