"""The occupancy board and the home card: scoped to the staff's own agency, logged, cheap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import DataClass, Role
from kawal.access.models import AccessLog
from kawal.accounts.models import Agency
from kawal.shelters.models import Bed, Room, Stay
from tests.cases.conftest import MARKERS, other_agency
from tests.helpers import make_user, sign_in
from tests.shelters.conftest import admit, make_shelter, shared_case, staff_on

pytestmark = pytest.mark.django_db
NAME = MARKERS[DataClass.IDENTITY]


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def test_the_board_shows_today_by_room_with_free_and_occupied_beds(shelter_world):
    client = client_for(shelter_world.staff)
    response = client.get(reverse("shelters:board"))
    assert response.status_code == 200
    body = response.content.decode()
    shelter = response.context["shelters"][0]
    assert (shelter.occupied, shelter.free) == (1, 5)
    girls = shelter.rooms[1]  # rooms by name: Cendana, Melati, Remaja
    assert girls.room.name == "Melati" and (girls.occupied, girls.free) == (1, 2)
    assert NAME in body and "Girls only, 6-12 years" in body
    assert "1 of 3 beds occupied, 2 free" in body
    assert "2 days in the shelters" in body
    assert body.count("Admit here") == 5


def test_children_staying_longer_than_the_limit_are_marked(shelter_world, settings):
    Stay.objects.filter(pk=shelter_world.stay.pk).update(
        began_at=timezone.now() - timedelta(days=31),
        admitted_at=timezone.now() - timedelta(days=31),
    )
    body = client_for(shelter_world.staff).get(reverse("shelters:board")).content.decode()
    assert "past 30 days" in body and "1 child past the limit" in body
    assert 'class="bed occupied long"' in body
    # The limit is a setting (KAWAL_SHELTER_STAY_LIMIT_DAYS).
    settings.KAWAL_SHELTER_STAY_LIMIT_DAYS = 45
    body = client_for(shelter_world.staff).get(reverse("shelters:board")).content.decode()
    assert "past 45 days" not in body and 'class="bed occupied long"' not in body
    assert "Stays longer than 45 days are marked." in body


def test_staff_of_another_uptd_see_nothing_of_this_shelter(shelter_world):
    elsewhere = other_agency("uptd_ppa")
    make_shelter(elsewhere, name="Rumah Aman Lain")
    stranger = make_user(Role.SHELTER_STAFF, agency=elsewhere)
    body = client_for(stranger).get(reverse("shelters:board")).content.decode()
    assert "Rumah Aman Lain" in body
    assert "Rumah Aman Sintetis" not in body and NAME not in body and "Occupied" not in body
    # Even on the case team, their board is their own agency's.
    staff_on(shelter_world.case, shelter_world.world.owner, staff=stranger)
    body = client_for(stranger).get(reverse("shelters:board")).content.decode()
    assert "Rumah Aman Sintetis" not in body and NAME not in body
    # And an agency without any shelter is told so.
    bare = Agency.objects.create(name="UPTD PPA Tanpa Rumah Aman (synthetic)", kind="uptd_ppa")
    lonely = make_user(Role.SHELTER_STAFF, agency=bare)
    body = client_for(lonely).get(reverse("shelters:board")).content.decode()
    assert "Your agency has no shelter yet" in body


def test_a_colleague_not_on_the_case_sees_the_bed_occupied_and_no_child(shelter_world):
    colleague = make_user(Role.SHELTER_STAFF, agency=shelter_world.agency)
    response = client_for(colleague).get(reverse("shelters:board"))
    body = response.content.decode()
    assert "Occupied" in body and NAME not in body
    assert str(shelter_world.stay.uuid) not in body
    assert shelter_world.case.number not in body
    # No child named, nothing listed in the access log.
    assert not AccessLog.objects.filter(user=colleague, action="list").exists()


def test_the_board_logs_the_children_it_names(shelter_world):
    client_for(shelter_world.staff).get(reverse("shelters:board"))
    row = AccessLog.objects.get(user=shelter_world.staff, action="list")
    assert row.case_id == shelter_world.case.pk
    assert set(row.data_classes) == {"basic", "identity", "whereabouts"}


def test_the_board_fails_closed_when_the_log_cannot_be_written(shelter_world, monkeypatch):
    from kawal.access import log

    def broken(rows):
        from django.db import DatabaseError

        raise DatabaseError("log table gone")

    client = client_for(shelter_world.staff)
    monkeypatch.setattr(log.AccessLog.objects, "bulk_create", broken)
    result = client.get(reverse("shelters:board"))
    assert result.status_code == 503
    assert NAME not in result.content.decode()


def _fill(shelter_world, count: int) -> None:
    """``count`` more children staying, each on their own case, in new beds."""
    room = Room.objects.create(
        shelter=shelter_world.shelter, name=f"Tambahan {count}", age_min=0, age_max=17
    )
    owner = shelter_world.world.owner
    for index in range(count):
        bed = Bed.objects.create(room=room, label=f"X{index}")
        case = shared_case(owner, name=f"Anak Tambahan {count} {index}")
        staff_on(case, owner, staff=shelter_world.staff)
        admit(case, bed, shelter_world.staff, days_ago=index % 40)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_board_and_home_card_queries_do_not_grow_with_the_stays(shelter_world):
    client = client_for(shelter_world.staff)
    _fill(shelter_world, 2)
    small_board = _count(client, reverse("shelters:board"))
    small_home = _count(client, reverse("web:home"))
    _fill(shelter_world, 20)
    assert _count(client, reverse("shelters:board")) == small_board
    assert _count(client, reverse("web:home")) == small_home
    assert small_board <= 16


def test_the_home_card_counts_without_naming_anyone(shelter_world):
    Stay.objects.filter(pk=shelter_world.stay.pk).update(
        began_at=timezone.now() - timedelta(days=40),
        admitted_at=timezone.now() - timedelta(days=40),
    )
    body = client_for(shelter_world.staff).get(reverse("web:home")).content.decode()
    assert "Shelter today" in body
    assert "1 of 6 beds occupied, 5 free" in body
    assert "1 child has stayed longer than 30 days." in body
    assert NAME not in body
    # Other roles get no card.
    body = client_for(shelter_world.world.owner).get(reverse("web:home")).content.decode()
    assert "Shelter today" not in body
