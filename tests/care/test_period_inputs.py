"""Every period a request can ask for is safe: never a 500, always a period within the case.

Regression tests for the review finding M1: a case opened today made the
school-readiness page fail (a one-day trend had no "week before"), and
far-off dates overflowed Python's date range.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.care import selectors as sel
from kawal.cases.policy import case_access
from tests.care.conftest import backdate, plant
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

TODAY = "{today}"
YESTERDAY = "{yesterday}"
OPENED = "{opened}"
BEFORE_OPENED = "{before_opened}"

# Query strings of the readiness page, bad and edge: each is tried on cases
# opened today, three days ago and a year ago, by the owner and the psychologist.
READINESS_QUERIES = [
    "",
    f"dari={TODAY}",
    f"sampai={TODAY}",
    f"dari={TODAY}&sampai={TODAY}",
    f"dari={TODAY}&sampai={YESTERDAY}",
    f"dari={OPENED}&sampai={OPENED}",
    f"dari={BEFORE_OPENED}",
    f"sampai={BEFORE_OPENED}",
    "dari=9999-12-31",
    "sampai=9999-12-31",
    "dari=9999-12-31&sampai=9999-12-31",
    "sampai=0001-02-01",
    "dari=0001-01-01",
    "dari=0001-01-01&sampai=0001-01-03",
    "dari=0001-01-01&sampai=9999-12-31",
    "dari=31/12/9999&sampai=01/01/0001",
    "dari=abc&sampai=2024-02-30",
    "dari=&sampai=",
    "dari=2024-01-01&dari=9999-12-31",
    "dari=%00&sampai=%00",
    "sampai=" + "9" * 400,
    "hari=0&kembali=beranda&x=1",
]
CASE_AGES = (0, 3, 365)


def _fill(query: str, opened: date) -> str:
    today = timezone.localdate()
    return query.format(
        today=today.isoformat(),
        yesterday=(today - timedelta(days=1)).isoformat(),
        opened=opened.isoformat(),
        before_opened=(opened - timedelta(days=1)).isoformat(),
    )


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


@pytest.mark.parametrize("age", CASE_AGES)
@pytest.mark.parametrize("who", ["owner", "psychologist"])
def test_the_readiness_page_survives_every_period(world, age, who):
    case = backdate(world.case, age) if age else world.case
    today = timezone.localdate()
    if age:
        plant(case, today - timedelta(days=1), world.psychologist)
    client = _client(getattr(world, who))
    url = reverse("care:readiness", kwargs={"case_uuid": case.uuid})
    for query in READINESS_QUERIES:
        response = client.get(f"{url}?{_fill(query, case.opened_on)}")
        assert response.status_code == 200, (query, response.status_code)
        since, until = response.context["since"], response.context["until"]
        # Within the case and not in the future; never longer than the chart's half year.
        assert case.opened_on <= since <= until <= today, (query, since, until)
        assert (until - since).days < sel.PERIOD_MAX_DAYS, query
        # At least a week whenever the case is that old.
        shortest = min(sel.PERIOD_MIN_DAYS, (today - case.opened_on).days + 1)
        assert (until - since).days + 1 >= shortest, (query, since, until)
        assert response.context["trend"].days, query


@pytest.mark.parametrize("age", CASE_AGES)
def test_a_readiness_decision_sent_with_any_period_is_a_form_error_not_a_crash(world, age):
    case = backdate(world.case, age) if age else world.case
    today = timezone.localdate()
    client = _client(world.psychologist)
    url = reverse("care:readiness", kwargs={"case_uuid": case.uuid})
    periods = [
        (today.isoformat(), today.isoformat()),
        ("0001-01-01", "0001-01-03"),
        ("0001-01-01", "9999-12-31"),
        ("9999-12-31", "9999-12-31"),
        ("9999-12-31", "0001-01-01"),
        ("abc", ""),
    ]
    for start, end in periods:
        for query in ("", "?sampai=0001-02-01", f"?dari={today.isoformat()}", "?dari=9999-12-31"):
            response = client.post(
                url + query,
                {"safe": "no", "period_from": start, "period_to": end, "rationale": ""},
            )
            assert response.status_code == 400, (start, end, query, response.status_code)
    assert not case.readiness_decisions.exists()


CARE_QUERIES = [
    "",
    "hari=",
    "hari=0",
    "hari=1",
    "hari=-14",
    "hari=13",
    "hari=14",
    "hari=180",
    "hari=181",
    "hari=1.5",
    "hari=abc",
    "hari=%00",
    "hari=" + "9" * 5000,
    "hari=14&hari=9999",
    "dari=0001-01-01&sampai=9999-12-31",
    "kembali=beranda",
]


@pytest.mark.parametrize("age", CASE_AGES)
@pytest.mark.parametrize("who", ["owner", "psychologist"])
def test_the_care_page_survives_every_window(world, age, who):
    case = backdate(world.case, age) if age else world.case
    client = _client(getattr(world, who))
    url = reverse("care:case", kwargs={"case_uuid": case.uuid})
    for query in CARE_QUERIES:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (query, response.status_code)
        assert response.context["days"] in sel.WINDOWS, query
    today_page = client.get(reverse("care:today") + "?hari=0&kembali=x")
    assert today_page.status_code in (200, 403)


def test_the_record_page_survives_odd_parameters(world):
    client = _client(world.psychologist)
    url = reverse("care:record", kwargs={"case_uuid": world.case.uuid})
    for query in ("kembali=beranda", "kembali=" + "x" * 3000, "kembali=%00", "hari=-1"):
        assert client.get(f"{url}?{query}").status_code == 200, query


@pytest.mark.parametrize(
    ("since", "until", "opened_days_ago", "expected"),
    [
        # Nothing asked: four weeks up to today, not before the case.
        (None, None, 365, (-27, 0)),
        (None, None, 3, (-3, 0)),
        (None, None, 0, (0, 0)),
        # A day: widened to a week back, within the case.
        (0, 0, 365, (-6, 0)),
        (0, 0, 3, (-3, 0)),
        (-3, -3, 3, (-3, 0)),
        (-20, -20, 365, (-26, -20)),
        # Before the case, after today, upside down.
        (-400, 400, 365, (-179, 0)),
        (-9000, -8000, 365, (-365, -359)),
        (5, 3, 365, (-6, 0)),
        (-5, -10, 365, (-16, -10)),
    ],
)
def test_period_bounds(since, until, opened_days_ago, expected):
    today = date(2025, 6, 30)

    def day(offset):
        return None if offset is None else today + timedelta(days=offset)

    got = sel.period_bounds(
        day(since), day(until), opened_on=today - timedelta(days=opened_days_ago), today=today
    )
    assert got == (day(expected[0]), day(expected[1]))


def test_period_bounds_at_the_ends_of_the_calendar():
    for opened, today in (
        (date.min, date.min),
        (date.min, date.min + timedelta(days=2)),
        (date.max, date.max),
        (date.max - timedelta(days=1), date.max),
    ):
        for since, until in ((date.min, date.max), (date.max, date.min), (None, None)):
            start, end = sel.period_bounds(since, until, opened_on=opened, today=today)
            assert min(opened, today) <= start <= end <= today


@pytest.mark.parametrize("days", range(1, 16))
def test_a_short_trend_reads_the_same_averages_as_a_long_one(world, days):
    """The 7-day average today and a week before do not depend on the window shown."""
    case = backdate(world.case, 60)
    today = timezone.localdate()
    for offset in range(30):
        # Worse lately: 2 this week, 4 the week before.
        plant(
            case, today - timedelta(days=offset), world.psychologist, value=2 if offset < 7 else 4
        )
    access = case_access(world.owner, case)
    reference = sel.care_trend(case, access, days=30)
    short = sel.care_trend(case, access, days=days)
    assert len(short.days) == days
    for long_item, short_item in zip(reference.indicators, short.indicators, strict=True):
        assert short_item.average_now == long_item.average_now == 2
        assert short_item.average_week_before == long_item.average_week_before == 4
        assert short_item.direction == long_item.direction != ""


def test_a_trend_of_a_case_opened_today(world):
    access = case_access(world.owner, world.case)
    for days in (-5, 0, 1, 2):
        trend = sel.care_trend(world.case, access, days=days)
        assert len(trend.days) == max(days, 1)
        assert all(item.average_week_before is None for item in trend.indicators)
    for end in (date.min, date.min + timedelta(days=1)):
        assert sel.care_trend(world.case, access, days=180, end=end).days


def test_an_adjusted_period_is_said_and_shown_in_the_form(world):
    case = backdate(world.case, 365)
    today = timezone.localdate()
    client = _client(world.owner)
    url = reverse("care:readiness", kwargs={"case_uuid": case.uuid})
    note = "The period shown is the nearest one within the case"
    plain = client.get(url).content.decode()
    assert note not in plain
    honoured = client.get(f"{url}?dari={(today - timedelta(days=9)).isoformat()}")
    assert note not in honoured.content.decode()
    assert honoured.context["since"] == today - timedelta(days=9)
    adjusted = client.get(f"{url}?dari=0001-01-01&sampai=9999-12-31")
    body = adjusted.content.decode()
    assert note in body
    since = today - timedelta(days=sel.PERIOD_MAX_DAYS - 1)
    assert f'value="{since.isoformat()}"' in body
    assert f'value="{today.isoformat()}"' in body
