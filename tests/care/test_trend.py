"""The trend the server computes: 7-day moving averages, missing days, incident markers."""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from kawal.access.catalogue import DataClass
from kawal.care.selectors import care_trend, direction, moving_average
from kawal.cases.policy import case_access
from tests.care.conftest import ACTION_MARKER, NOTE_MARKER, backdate, plant
from tests.helpers import sign_in

# --- The moving average ------------------------------------------------------------


def test_the_average_of_a_full_week_is_its_mean():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0]
    averages = moving_average(values)
    assert averages[:3] == [None, None, None]  # fewer than 4 days recorded so far
    assert averages[3] == 2.5  # (1+2+3+4)/4
    assert averages[6] == round((1 + 2 + 3 + 4 + 5 + 4 + 3) / 7, 2)
    assert averages[7] == round((2 + 3 + 4 + 5 + 4 + 3 + 2) / 7, 2)  # day 1 left the window


def test_missing_days_are_skipped_not_counted_as_zero():
    values = [4.0, None, 4.0, None, 4.0, None, 4.0, None]
    averages = moving_average(values)
    assert averages[6] == 4.0  # four recorded days in the week, none counts as 0
    # Days 2..8 hold only three values (4, 4, 4): too few for an average.
    assert averages[7] is None


def test_an_average_needs_most_of_the_week():
    assert moving_average([3.0, 3.0, 3.0, None, None, None, None]) == [None] * 7
    assert moving_average([3.0] * 4, minimum=4)[-1] == 3.0
    assert moving_average([], window=7) == []


def test_the_window_is_the_day_and_the_six_before():
    values = [5.0] * 7 + [1.0] * 7
    averages = moving_average(values)
    assert averages[6] == 5.0
    assert averages[9] == round((5 * 4 + 1 * 3) / 7, 2)
    assert averages[13] == 1.0


@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=60))
def test_averages_stay_on_the_scale_and_exist_only_with_four_values(values):
    floats = [None if v is None else float(v) for v in values]
    for index, average in enumerate(moving_average(floats)):
        week = [v for v in floats[max(0, index - 6) : index + 1] if v is not None]
        if len(week) < 4:
            assert average is None
        else:
            assert average is not None and 1 <= average <= 5
            assert average == round(sum(week) / len(week), 2)


def test_direction_reads_the_scale_both_ways():
    assert direction(4.0, 3.0, higher_is_better=True) == "better"
    assert direction(4.0, 3.0, higher_is_better=False) == "worse"  # aggression went up
    assert direction(2.0, 3.0, higher_is_better=False) == "better"
    assert direction(3.2, 3.0, higher_is_better=True) == "steady"
    assert direction(None, 3.0, higher_is_better=True) == ""


# --- The trend of a case -----------------------------------------------------------


@pytest.mark.django_db
def test_missing_days_are_marked_from_the_first_observation_and_today_is_not_missing(world):
    backdate(world.case, 40)
    today = timezone.localdate()
    first = today - timedelta(days=20)
    for offset in range(21):
        day = first + timedelta(days=offset)
        if offset in (5, 6, 12) or day == today:
            continue
        incidents = (("aggression", time(14, 30), ACTION_MARKER),) if offset == 10 else ()
        plant(world.case, day, world.psychologist, value=3, incidents=incidents)
    access = case_access(world.owner, world.case)
    with translation.override("id"):
        trend = care_trend(world.case, access, days=30)
    assert len(trend.days) == 30 and trend.days[-1].day == today
    assert trend.missing == [
        first + timedelta(days=5),
        first + timedelta(days=6),
        first + timedelta(days=12),
    ]
    # Before observing began, days are not missing; today is not missing while it lasts.
    assert not any(day.missing for day in trend.days if day.day < first)
    assert not trend.days[-1].missing and not trend.days[-1].observed
    marked = [day for day in trend.days if day.incidents]
    assert [day.day for day in marked] == [first + timedelta(days=10)]
    assert marked[0].incidents[0].occurred_at == time(14, 30)
    with translation.override("id"):
        data = trend.chart_data()
    assert data["missing"] == [trend.days.index(d) for d in trend.days if d.missing]
    assert data["incidents"][0]["marks"] == ["14:30 Agresi terhadap orang lain"]
    assert trend.observed_count == 17 and trend.incident_count == 1


@pytest.mark.django_db
def test_the_averages_in_the_chart_come_from_the_server(world):
    backdate(world.case, 30)
    today = timezone.localdate()
    for offset in range(14):
        plant(
            world.case,
            today - timedelta(days=13 - offset),
            world.psychologist,
            value=1 + offset % 5,
        )
    access = case_access(world.owner, world.case)
    trend = care_trend(world.case, access, days=14)
    mood = next(item for item in trend.indicators if item.indicator.code == "mood")
    expected = moving_average([float(1 + offset % 5) for offset in range(14)])
    assert mood.values == [1 + offset % 5 for offset in range(14)]
    assert mood.average == expected
    assert mood.average_now == expected[-1]
    chart = trend.chart_data()
    assert next(i for i in chart["indicators"] if i["code"] == "mood")["average"] == expected


@pytest.mark.django_db
def test_the_first_averages_of_a_window_use_the_week_before_it(world):
    backdate(world.case, 40)
    today = timezone.localdate()
    for offset in range(20):
        plant(world.case, today - timedelta(days=offset), world.psychologist, value=4)
    trend = care_trend(world.case, case_access(world.owner, world.case), days=14)
    mood = next(item for item in trend.indicators if item.indicator.code == "mood")
    assert mood.average[0] == 4.0  # from the six days before the window too


@pytest.mark.django_db
def test_improving_and_worsening_are_told_apart_by_the_indicator(world):
    backdate(world.case, 30)
    today = timezone.localdate()
    for offset in range(14):
        value = 2 if offset < 7 else 4  # everything went up in the second week
        plant(world.case, today - timedelta(days=13 - offset), world.psychologist, value=value)
    trend = care_trend(world.case, case_access(world.owner, world.case), days=14)
    directions = {item.indicator.code: item.direction for item in trend.indicators}
    assert directions["mood"] == "better"
    assert directions["aggression"] == "worse"


@pytest.mark.django_db
def test_the_chart_data_and_trend_hold_no_clinical_text(world):
    backdate(world.case, 5)
    plant(
        world.case,
        timezone.localdate() - timedelta(days=1),
        world.psychologist,
        note=NOTE_MARKER,
        incidents=(("distress", time(8, 0), ACTION_MARKER),),
    )
    manager = case_access(world.owner, world.case)
    trend = care_trend(world.case, manager, days=14)
    text = json.dumps(trend.chart_data())
    assert NOTE_MARKER not in text and ACTION_MARKER not in text
    assert trend.entries == []  # the clinical list is built for clinicians only
    clinician = case_access(world.psychologist, world.case)
    assert clinician.can_read(DataClass.CLINICAL)
    entries = care_trend(world.case, clinician, days=14).entries
    assert entries[0].note == NOTE_MARKER and entries[0].incidents[0][1] == ACTION_MARKER


@pytest.mark.django_db
def test_the_care_page_marks_missing_days_in_the_table_and_the_marker_row(world):
    backdate(world.case, 10)
    today = timezone.localdate()
    plant(world.case, today - timedelta(days=3), world.psychologist)
    plant(world.case, today - timedelta(days=1), world.psychologist)
    client = Client()
    sign_in(client, world.owner)
    client.cookies["kawal_language"] = "en"
    response = client.get(reverse("care:case", kwargs={"case_uuid": world.case.uuid}) + "?hari=14")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<li class="missing"') == 1  # the marker row
    assert body.count('<tr class="missing">') == 1  # the table
    assert "1 day without an observation:" in body
    assert (today - timedelta(days=2)).strftime("%d/%m/%Y") in body
    assert '<script id="care-trend-data" type="application/json">' in body
    assert "<caption>" in body and "<table>" in body


# --- A child never observed ---------------------------------------------------------


def english(user) -> Client:
    client = Client()
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def test_a_child_in_care_never_observed_is_said_so_on_the_case_page(world):
    from kawal.cases.models import Case, CaseStatus

    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.INTERVENTION)
    detail = reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    # The case manager reads progress but does not record: the card is there all the same.
    body = english(world.owner).get(detail).content.decode()
    assert 'id="care-never-observed"' in body and "No daily observation yet" in body
    # Once observed, it is gone.
    plant(world.case, timezone.localdate(), world.psychologist)
    body = english(world.owner).get(detail).content.decode()
    assert "No daily observation yet" not in body and "h-care-observations" in body
    # Out of daily care and never observed: no card for the reader who does not record.
    world.case.observations.all().delete()
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.MONITORING)
    body = english(world.owner).get(detail).content.decode()
    assert "h-care-observations" not in body


def test_the_trend_page_draws_nothing_when_nothing_was_observed(world):
    page = reverse("care:case", kwargs={"case_uuid": world.case.uuid})
    body = english(world.owner).get(page).content.decode()
    assert 'id="care-no-trend"' in body
    assert "chart.umd.min.js" not in body and "care-charts" not in body
    assert "care-trend-data" not in body
    plant(world.case, timezone.localdate(), world.psychologist)
    body = english(world.owner).get(page).content.decode()
    assert "chart.umd.min.js" in body and "care-charts" in body
    assert 'id="care-no-trend"' not in body
