"""The dashboard in the policy matrix: which figures each role sees, over which cases.

The lone case (the only case in its kelurahan, led by another manager) must
never be counted in a small cell for someone who may not see it, and must be
counted for those who may.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kawal.access.catalogue import ROLES, Capability, DataClass, Role
from kawal.cases.models import Case
from kawal.cases.policy import case_access_bulk
from kawal.figures import policy
from kawal.figures.selectors import case_figures, dashboard
from tests.figures.conftest import LONELY, make_case
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db

# The sections of the page each role sees by default (beyond the case figures).
EXTRA_SECTIONS = {
    Role.SHELTER_STAFF: {"shelters"},
    Role.SOCIAL_WORKER: {"capacity", "budget"},
    Role.FINANCE_OFFICER: {"budget"},
    # The DPO starts on the city's figures, which include every shelter.
    Role.DATA_PROTECTION_OFFICER: {"shelters"},
}
CASE_SECTIONS = {"funnel", "status", "form", "age", "sex", "kecamatan", "kelurahan", "month"}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_figures_or_nothing(city, role):
    user = make_user(role)
    client = Client()
    sign_in(client, user)
    response = client.get(reverse("figures:dashboard"))
    if Capability.VIEW_DASHBOARD not in ROLES[role].capabilities:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    board = response.context["figures"]
    shown = {table.key for table in board.tables}
    if board.budget is not None:
        shown.add("budget")
    assert shown == CASE_SECTIONS | EXTRA_SECTIONS.get(role, set())
    html = response.content.decode()
    for key in shown:
        assert f'id="{key}"' in html
    with translation.override("en"):  # the labels are compared in the source language
        triage = "Reports waiting for triage" in {str(c.label) for c in board.work.counts}
    assert triage == (Capability.TRIAGE_REPORTS in ROLES[role].capabilities)


@pytest.mark.parametrize("role", list(Role))
def test_only_overseers_may_ask_for_the_city(city, role):
    user = make_user(role)
    client = Client()
    sign_in(client, user)
    response = client.get(reverse("figures:dashboard"), {"scope": "city"})
    if Capability.VIEW_DASHBOARD not in ROLES[role].capabilities:
        assert response.status_code == 403
    elif role in (Role.SUPERVISOR, Role.DATA_PROTECTION_OFFICER):
        assert response.status_code == 200
        assert response.context["filters"].scope == policy.CITY
    else:
        assert response.status_code == 400


def _lonely(user, scope):
    figures = case_figures(user, _filters(scope))
    kelurahan = next(t for t in figures.tables if t.key == "kelurahan")
    return {row.key: row.value for row in kelurahan.rows}.get(LONELY, 0), figures


def _filters(scope):
    from datetime import timedelta

    from kawal.figures.selectors import Filters

    start = timezone.localdate() - timedelta(days=120)
    return Filters(date_from=start, date_to=start + timedelta(days=60), scope=scope)


def test_the_lone_case_counts_for_those_who_may_see_it(city):
    value, _figures = _lonely(city.other, policy.TEAM)
    assert value == 1


def test_the_lone_case_never_shows_to_its_outsiders(city):
    # Team figures of the owner and the supervisor: not counted at all.
    for user in (city.owner, city.supervisor):
        value, figures = _lonely(user, policy.TEAM)
        assert value == 0
        assert figures.total == 10
    # The supervisor's city figures: one hidden case in all, so nothing at all
    # shows (the total would give it away: 11 against the 10 they know).
    value, figures = _lonely(city.supervisor, policy.CITY)
    assert value is None
    for table in figures.tables:
        assert table.total is None
        assert all(row.value is None for row in table.rows if row.key == LONELY)
    # The DPO sees no case: the city's total shows, small cells do not.
    value, figures = _lonely(city.dpo, policy.CITY)
    assert value is None
    assert figures.tables[0].total == 11
    for table in figures.tables:
        for row in table.rows:
            assert row.value is None or row.value == 0 or row.value >= 5, (table.key, row)


def test_more_hidden_cases_let_large_cells_show_and_keep_the_lone_one_hidden(city):
    # Six more cases the supervisor may not see, none in the lone kelurahan.
    for _n in range(6):
        make_case(city.other, opened=city.start)
    value, figures = _lonely(city.supervisor, policy.CITY)
    assert value is None
    assert figures.tables[0].total == 17
    status = next(t for t in figures.tables if t.key == "status")
    values = {row.key: row.value for row in status.rows}
    # 3 + 7 identified, 7 of them hidden: shown.
    assert values["identified"] == 10
    # The other manager sees exactly their 7 cases, unprotected.
    assert case_figures(city.other, _filters(policy.TEAM)).total == 7


def test_the_lone_shelter_bed_is_hidden_from_the_city_overseers(city):
    # The lone child sleeps in the shelter: its staff see the bed taken (they
    # are the shelter), the supervisor and the DPO do not see it as a count.
    today = timezone.localdate()
    staff = dashboard(city.staff, _filters(policy.TEAM), today).shelters
    assert staff is not None and staff.total == 1
    for user in (city.supervisor, city.dpo):
        shelters = dashboard(user, _filters(policy.CITY), today).shelters
        assert shelters is not None
        assert shelters.total is None
        assert all(row.value is None for row in shelters.rows)


def test_identity_tables_need_identity_on_the_case(city):
    # The psychologist is on case 0 with the progress class only: the case
    # counts by status, but not by sex, age or kelurahan.
    figures = case_figures(city.psychologist, _filters(policy.TEAM))
    by_key = {t.key: t for t in figures.tables}
    assert figures.total == 1
    assert sum(row.value or 0 for row in by_key["status"].rows) == 1
    for key in ("age", "sex", "kecamatan", "kelurahan"):
        assert by_key[key].total is None
        assert all(row.value is None for row in by_key[key].rows)


@pytest.mark.parametrize("who", ["owner", "other", "supervisor", "psychologist", "dpo", "finance"])
def test_identified_cases_are_those_the_case_policy_lets_identify(city, who):
    user = getattr(city, who)
    cases = list(Case.objects.all())
    expected = {
        pk
        for pk, access in case_access_bulk(user, cases).items()
        if access.can_read(DataClass.IDENTITY)
    }
    assert set(policy.cases_identified_by(user).values_list("pk", flat=True)) == expected
