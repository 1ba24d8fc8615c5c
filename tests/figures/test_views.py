"""The dashboard page: filters in the URL, bad filters, a query budget, the page at 360 px."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kawal.figures import policy
from tests.figures.conftest import MANGGAR, make_case
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
URL = "/angka/"


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def test_the_url_is_stable():
    assert reverse("figures:dashboard") == URL


def test_filters_come_from_the_query_string(city):
    start = city.start.isoformat()
    end = (city.start + timedelta(days=30)).isoformat()
    response = _client(city.owner).get(
        URL, {"date_from": start, "date_to": end, "kelurahan": MANGGAR}
    )
    assert response.status_code == 200
    filters = response.context["filters"]
    assert (filters.date_from.isoformat(), filters.date_to.isoformat()) == (start, end)
    assert filters.kelurahan == MANGGAR
    assert response.context["figures"].cases.total == 5
    # The page links to itself with the same filters: a shareable URL.
    assert f"kelurahan={MANGGAR}" in response.context["share_url"]


def test_the_default_is_the_last_twelve_months_of_my_cases(city):
    response = _client(city.owner).get(URL)
    filters = response.context["filters"]
    assert filters.scope == policy.TEAM
    assert filters.date_to == timezone.localdate()
    assert filters.date_from.day == 1
    assert response.context["figures"].cases.total == 10


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not-a-date"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"date_from": "2019-01-01", "date_to": "2026-01-01"},
        {"kelurahan": "99.99.99.9999"},
        {"kecamatan": "64.71.01", "kelurahan": "64.71.06.1004"},
        {"scope": "everything"},
        {"quarter": "1999-Q7"},
    ],
)
def test_bad_filters_get_a_message_and_400(city, query):
    response = _client(city.supervisor, "id").get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error"' in html or "errorlist" in html
    assert "figures" not in response.context or response.context.get("valid") is False


def test_the_city_comes_per_quarter_for_the_whole_city(city):
    response = _client(city.supervisor).get(
        URL, {"scope": "city", "kelurahan": MANGGAR, "date_from": city.start.isoformat()}
    )
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.kelurahan == "" and filters.kecamatan == ""
    assert filters.date_from.day == 1 and filters.date_from.month in (1, 4, 7, 10)


def _count_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("who", ["owner", "supervisor", "staff", "worker", "finance", "dpo"])
def test_a_fixed_number_of_queries_whatever_the_caseload(city, who):
    user = getattr(city, who)
    client = _client(user)
    before = _count_queries(client)
    for n in range(15):
        make_case(city.owner, opened=city.start + timedelta(days=n), supervisor=city.supervisor)
    after = _count_queries(client)
    assert after == before
    # Session, user, second factor, ... and the figures: a budget, not a hope.
    assert after <= 20


def test_the_page_at_360_px_has_no_inline_code_and_every_chart_a_table(city):
    response = _client(city.supervisor).get(URL)
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert "style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not body.strip()
    assert "cdn" not in html.lower()
    charts = re.findall(r'<canvas data-chart="figure-(\w+)"', html)
    assert charts
    for key in charts:
        section = html.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]
        assert "<table" in section and '<div class="table-wrap">' in section
        assert f'id="figure-{key}"' in html  # its numbers, for the drawing
    # Wide tables scroll inside their card instead of widening the page.
    css = Path("src/kawal/figures/static/figures/css/dashboard.css").read_text()
    assert "minmax(0, 1fr)" in css


def test_charts_hold_the_numbers_of_their_tables(city):
    response = _client(city.owner).get(URL)
    board = response.context["figures"]
    charts = dict(response.context["charts"])
    status = next(t for t in board.tables if t.key == "status")
    assert charts["figure-status"]["values"] == [row.value for row in status.rows]


def test_the_menu_offers_the_figures(city):
    html = _client(city.owner).get(reverse("web:home")).content.decode()
    assert f'href="{URL}"' in html
