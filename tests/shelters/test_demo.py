"""The demo shelters: a full room, a nearly full one, a long stay, a transfer, a past stay."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kawal.cases.models import Task
from kawal.demo.cases import demo_load_cases
from kawal.demo.services import demo_load
from kawal.demo.shelters import MAIN, TRANSIT, demo_load_shelters
from kawal.shelters.models import Shelter, Stay
from kawal.shelters.services import stay_limit_days

pytestmark = pytest.mark.django_db


def test_the_demo_shelters_load_once_and_show_every_situation():
    demo_load(password="kawal-demo-test")
    assert demo_load_cases(count=40) == 40
    assert demo_load_shelters() == 7
    assert demo_load_shelters() == 0  # idempotent
    assert Shelter.objects.filter(name__in=[MAIN, TRANSIT]).count() == 2
    main = Shelter.objects.get(name=MAIN)
    assert main.agency.name == "UPTD PPA Kota Balikpapan"
    occupancy = {
        room.name: (
            Stay.objects.active().filter(bed__room=room).count(),
            room.beds.filter(is_active=True).count(),
        )
        for room in main.rooms.all()
    }
    assert occupancy["Kamar Melati"] == (3, 3)  # full
    assert occupancy["Kamar Cendana"] == (3, 4)  # nearly full
    today = timezone.localdate()
    active = list(Stay.objects.active())
    assert sum(stay.days(today) > stay_limit_days() for stay in active) == 1
    moved = Stay.objects.get(previous__isnull=False)
    assert moved.previous.bed.room.shelter.name == TRANSIT and moved.is_active
    past = Stay.objects.get(discharge_reason="home")
    assert "sintetis" in past.discharged_to
    assert Task.objects.filter(reminder_key__startswith="shelters.long_stay:").count() == 1
    # Every stay was admitted by the demo shelter staff, on a case their agency is on.
    assert {stay.admitted_by.username for stay in Stay.objects.all()} == {"uptd"}


def test_too_few_demo_cases_make_no_half_filled_shelter():
    demo_load(password="kawal-demo-test")
    demo_load_cases(count=2)
    assert demo_load_shelters() == 0
    assert not Shelter.objects.exists()
