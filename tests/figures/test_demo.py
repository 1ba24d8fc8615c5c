"""The year of demo history: spread, dated journeys, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import User
from kawal.cases.models import Case, CaseStatus
from kawal.demo.history import MARK, demo_load_history
from kawal.figures.selectors import Filters, case_figures
from kawal.institutions.models import Institution, InstitutionKind
from kawal.shelters.models import Bed, Room, Shelter
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_nothing_without_the_demo_accounts(db):
    assert demo_load_history() == 0


def test_a_year_of_history_once(db):
    for role, name in ((Role.CASE_MANAGER, "manajer"), (Role.SUPERVISOR, "supervisor")):
        make_user(role, username=name, is_demo_account=True)
    make_user(Role.SUPERVISOR, username="supervisor2", is_demo_account=True)
    # The shelter and institution demos ran before: beds and homes exist.
    staff = make_user(Role.SHELTER_STAFF)
    room = Room.objects.create(
        shelter=Shelter.objects.create(agency=staff.agency, name="Rumah Aman Demo"), name="A"
    )
    Bed.objects.create(room=room, label="1")
    Institution.objects.create(kind=InstitutionKind.LKSA, name="LKSA Demo Sintetis", capacity=20)
    made = demo_load_history(count=200)
    assert made == 200
    assert demo_load_history(count=200) == 0
    cases = Case.objects.filter(risk_rationale=MARK)
    today = timezone.localdate()
    opened = cases.values_list("opened_on", flat=True)
    assert min(opened) >= today - timedelta(days=365)
    assert max(opened) < today
    months = {day.strftime("%Y-%m") for day in opened}
    assert len(months) >= 12
    assert cases.filter(status=CaseStatus.CLOSED).count() > 60
    assert cases.exclude(repeat_of=None).exists()
    kelurahan = cases.values("child__kelurahan").annotate(n=Count("pk"))
    assert len(kelurahan) > 10
    manager = User.objects.get(username="manajer")
    start = today - timedelta(days=365)
    figures = case_figures(manager, Filters(date_from=start, date_to=today))
    funnel = {row.key: row.value for row in figures.tables[0].rows}
    # Every step of the journey has cases behind it, and a median.
    assert all(funnel[key] for key in funnel), funnel
    assert all(row.extra is not None for row in figures.tables[0].rows[:-1])
