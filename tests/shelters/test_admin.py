"""Shelters, rooms and beds are configured in the console by an administrator."""

from __future__ import annotations

import pytest
from django.test import Client

from kawal.access.catalogue import Role
from kawal.accounts.admin_site import admin_site
from kawal.accounts.models import Agency
from kawal.core.models import AuditEvent
from kawal.shelters.models import Bed, Room, Shelter
from tests.helpers import agency_for, make_user, sign_in

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, make_user(Role.SYSTEM_ADMIN))
    return client


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_the_console_registers_shelters_and_rooms_only():
    registered = {model._meta.label for model in admin_site._registry}
    assert {"shelters.Shelter", "shelters.Room"} <= registered
    assert "shelters.Stay" not in registered and "shelters.Belonging" not in registered


def test_an_administrator_adds_a_shelter_with_rooms_then_beds():
    uptd = agency_for(Role.SHELTER_STAFF)
    client = admin_client()
    assert client.get("/admin/shelters/shelter/add/").status_code == 200
    response = client.post(
        "/admin/shelters/shelter/add/",
        {
            "agency": uptd.pk,
            "name": "Rumah Aman Baru (sintetis)",
            "is_active": "on",
            **inline_management("rooms", total=1),
            "rooms-0-name": "Anggrek",
            "rooms-0-accepts_sex": "F",
            "rooms-0-age_min": "6",
            "rooms-0-age_max": "12",
            "rooms-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    shelter = Shelter.objects.get(name="Rumah Aman Baru (sintetis)")
    room = shelter.rooms.get()
    assert (room.accepts_sex, room.age_min, room.age_max) == ("F", 6, 12)
    assert client.get(f"/admin/shelters/room/{room.pk}/change/").status_code == 200
    assert client.get("/admin/shelters/room/").status_code == 200
    response = client.post(
        f"/admin/shelters/room/{room.pk}/change/",
        {
            "expected_version": room.version,
            "name": "Anggrek",
            "accepts_sex": "F",
            "age_min": "6",
            "age_max": "12",
            "is_active": "on",
            **inline_management("beds", total=2),
            "beds-0-label": "A1",
            "beds-0-is_active": "on",
            "beds-1-label": "A2",
            "beds-1-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(room.beds.values_list("label", flat=True)) == ["A1", "A2"]
    targets = set(AuditEvent.objects.values_list("target", flat=True))
    assert f"shelters.Shelter:{shelter.pk}" in targets
    assert f"shelters.Room:{room.pk}" in targets
    assert all(f"shelters.Bed:{bed.pk}" in targets for bed in room.beds.all())


def test_a_shelter_belongs_to_a_uptd_ppa():
    police = Agency.objects.create(name="Polres Sintetis", kind="police")
    client = admin_client()
    response = client.post(
        "/admin/shelters/shelter/add/",
        {"agency": police.pk, "name": "Salah", "is_active": "on", **inline_management("rooms")},
    )
    assert response.status_code == 200
    assert not Shelter.objects.filter(name="Salah").exists()


def test_rooms_take_children_of_sensible_ages():
    shelter = Shelter.objects.create(agency=agency_for(Role.SHELTER_STAFF), name="R")
    client = admin_client()
    response = client.post(
        "/admin/shelters/room/add/",
        {
            "shelter": shelter.pk,
            "name": "Terbalik",
            "accepts_sex": "",
            "age_min": "12",
            "age_max": "6",
            "is_active": "on",
            **inline_management("beds"),
        },
    )
    assert response.status_code == 200
    assert "The oldest age must not be below the youngest." in response.content.decode()
    assert not Room.objects.filter(name="Terbalik").exists()


def test_an_occupied_bed_or_room_cannot_be_retired(shelter_world):
    client = admin_client()
    room = shelter_world.girls
    beds = list(room.beds.order_by("label"))
    data = {
        "expected_version": room.version,
        "name": room.name,
        "accepts_sex": "F",
        "age_min": "6",
        "age_max": "12",
        "is_active": "on",
        **inline_management("beds", total=3, initial=3),
    }
    for index, bed in enumerate(beds):
        data[f"beds-{index}-id"] = str(bed.pk)
        data[f"beds-{index}-room"] = str(room.pk)
        data[f"beds-{index}-label"] = bed.label
        data[f"beds-{index}-is_active"] = "on"
    del data["beds-0-is_active"]  # G1, where the world child sleeps
    response = client.post(f"/admin/shelters/room/{room.pk}/change/", data)
    assert response.status_code == 200
    assert "A child is staying here" in response.content.decode()
    assert Bed.objects.get(pk=beds[0].pk).is_active
    data["beds-0-is_active"] = "on"
    del data["is_active"]
    response = client.post(f"/admin/shelters/room/{room.pk}/change/", data)
    assert response.status_code == 200
    assert Room.objects.get(pk=room.pk).is_active


def test_other_roles_cannot_open_the_shelter_console(shelter_world):
    client = Client(raise_request_exception=False)
    sign_in(client, shelter_world.staff)
    assert client.get("/admin/shelters/shelter/").status_code in (302, 403)
