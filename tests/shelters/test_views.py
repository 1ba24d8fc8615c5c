"""The shelter pages as the staff use them: admit, check, move, discharge; errors are forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import DataClass
from kawal.access.models import AccessLog
from kawal.shelters.models import Stay
from tests.cases.conftest import MARKERS
from tests.helpers import sign_in
from tests.shelters.conftest import shared_case, staff_on

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def moment(delta: timedelta = timedelta()) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def admission_data(case, bed, **extra) -> dict[str, str]:
    data = {
        "case": str(case.uuid),
        "bed": str(bed.uuid),
        "admitted_at": moment(-timedelta(hours=1)),
        "arrived_from": "outreach",
        "arrived_from_detail": "Operasi Simpang Sintetis",
        "brought_by": "Joko, Satpol PP",
        "reason": "Ditemukan mengemis pukul 22.00 (sintetis)",
        "age_exception": "",
        "health_done": "on",
        "temperature": "36.6",
        "injuries": "",
        "illness": "Pilek",
        "health_notes": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "60",
        "items-0-description": "Tas ransel",
        "items-0-quantity": "1",
        "items-1-description": "Uang Rp 12.000",
        "items-1-quantity": "1",
        "items-2-description": "",
        "items-2-quantity": "1",
    }
    data.update(extra)
    return data


@pytest.fixture
def newcomer(shelter_world):
    """A second child, a boy of 8, whose case the shelter staff are on."""
    case = shared_case(
        shelter_world.world.owner, name="Bima Pendatang Sintetis", sex="M", age_min=8, age_max=8
    )
    staff_on(case, shelter_world.world.owner, staff=shelter_world.staff)
    return case


def test_admitting_from_the_form(shelter_world, newcomer):
    client = client_for(shelter_world.staff)
    page = client.get(reverse("shelters:admit"))
    assert page.status_code == 200
    body = page.content.decode()
    # Offered: the newcomer's case and the free beds; not the child staying already.
    assert "Bima Pendatang Sintetis" in body
    assert MARKERS[DataClass.IDENTITY] not in body
    assert "Cendana · B1" in body and "Melati · G1" not in body
    bed = shelter_world.bed(shelter_world.boys, "B1")
    response = client.post(reverse("shelters:admit"), admission_data(newcomer, bed))
    assert response.status_code == 302 and response["Location"] == reverse("shelters:board")
    stay = Stay.objects.get(case=newcomer)
    assert stay.bed == bed and stay.arrived_from == "outreach" and stay.illness == "Pilek"
    assert stay.health_checked_at is not None
    assert list(stay.belongings.values_list("description", flat=True)) == [
        "Tas ransel",
        "Uang Rp 12.000",
    ]
    board = client.get(reverse("shelters:board")).content.decode()
    assert "Bima Pendatang Sintetis" in board and "The child is admitted." in board


def test_links_from_the_board_and_the_case_prefill_the_form(shelter_world, newcomer):
    client = client_for(shelter_world.staff)
    bed = shelter_world.bed(shelter_world.boys, "B2")
    page = client.get(reverse("shelters:admit") + f"?tempat={bed.uuid}&kasus={newcomer.uuid}")
    form = page.context["form"]
    assert form.initial["bed"] == str(bed.uuid) and form.initial["case"] == str(newcomer.uuid)
    # Garbage in the link is ignored, never a 500.
    page = client.get(reverse("shelters:admit") + "?tempat=x&kasus=99999999999999999999")
    assert page.status_code == 200 and "bed" not in page.context["form"].initial


def test_mistakes_come_back_as_a_form_with_every_message_and_nothing_saved(shelter_world, newcomer):
    client = client_for(shelter_world.staff)
    girls_bed = shelter_world.bed(shelter_world.girls, "G2")
    data = admission_data(
        newcomer,
        girls_bed,
        brought_by="",
        temperature="3",
        **{"items-0-quantity": "0"},
    )
    response = client.post(reverse("shelters:admit"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "Ensure this value is greater than or equal to 30." in body
    assert "Ensure this value is greater than or equal to 1." in body
    # What was typed is kept.
    assert "Ditemukan mengemis pukul 22.00" in body and "Tas ransel" in body
    # Fixed, the boy still may not sleep in the girls' room.
    response = client.post(reverse("shelters:admit"), admission_data(newcomer, girls_bed))
    assert response.status_code == 400
    assert "This room is for girls only" in response.content.decode()
    # A taken bed is named as such.
    response = client.post(
        reverse("shelters:admit"), admission_data(newcomer, shelter_world.stay.bed)
    )
    assert response.status_code == 400
    assert "This bed is taken. Choose a free bed." in response.content.decode()
    # A case or a bed not the user's is simply not a choice.
    response = client.post(
        reverse("shelters:admit"),
        {
            **admission_data(newcomer, shelter_world.bed(shelter_world.boys, "B1")),
            "case": "x" * 40,
        },
    )
    assert response.status_code == 400
    assert not Stay.objects.filter(case=newcomer).exists()


def test_the_stay_page_is_logged_and_shows_the_health_check(shelter_world):
    client = client_for(shelter_world.staff)
    response = client.get(reverse("shelters:stay", kwargs={"stay_uuid": shelter_world.stay.uuid}))
    body = response.content.decode()
    assert "37.9 °C" in body and "Needs a doctor" in body and "2 \u00d7 Kaos merah" in body
    row = AccessLog.objects.filter(user=shelter_world.staff, action="view").latest("id")
    assert row.case_id == shelter_world.case.pk
    assert set(row.data_classes) == {"basic", "identity", "whereabouts"}


def test_completing_the_health_check_and_belongings(shelter_world):
    client = client_for(shelter_world.staff)
    stay = shelter_world.stay
    url = reverse("shelters:edit", kwargs={"stay_uuid": stay.uuid})
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        "expected_version": str(stay.version),
        "arrived_from": stay.arrived_from,
        "arrived_from_detail": "",
        "brought_by": stay.brought_by,
        "reason": stay.reason,
        "health_done": "on",
        "temperature": "37.2",
        "injuries": "",
        "illness": "",
        "needs_doctor": "",
        "health_notes": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-description": "Jaket",
        "items-0-quantity": "1",
    }
    assert form.initial["needs_doctor"] is True
    response = client.post(url, data)
    assert response.status_code == 302
    stay.refresh_from_db()
    assert str(stay.temperature) == "37.2" and not stay.needs_doctor
    assert list(stay.belongings.values_list("description", flat=True)) == ["Jaket"]
    # The same form sent again is stale: nothing is overwritten.
    response = client.post(url, {**data, "temperature": "39.0"})
    assert response.status_code == 409
    assert "Someone changed this stay while you were editing it" in response.content.decode()
    stay.refresh_from_db()
    assert str(stay.temperature) == "37.2"
    assert response.context["form"].data["expected_version"] == str(stay.version)


def test_moving_and_discharging_from_the_pages(shelter_world):
    client = client_for(shelter_world.staff)
    stay = shelter_world.stay
    target = shelter_world.bed(shelter_world.girls, "G3")
    page = client.get(reverse("shelters:transfer", kwargs={"stay_uuid": stay.uuid}))
    assert "Melati · G3" in page.content.decode()
    response = client.post(
        reverse("shelters:transfer", kwargs={"stay_uuid": stay.uuid}),
        {
            "expected_version": str(stay.version),
            "bed": str(target.uuid),
            "moved_at": moment(),
            "reason": "Dekat perawat jaga",
        },
    )
    moved = Stay.objects.get(previous=stay)
    assert response.status_code == 302
    assert response["Location"] == reverse("shelters:stay", kwargs={"stay_uuid": moved.uuid})
    # The old stay cannot be moved or discharged again.
    again = client.get(reverse("shelters:discharge", kwargs={"stay_uuid": stay.uuid}))
    assert again.status_code == 302
    url = reverse("shelters:discharge", kwargs={"stay_uuid": moved.uuid})
    response = client.post(
        url,
        {
            "expected_version": str(moved.version),
            "discharged_at": moment(),
            "reason": "home",
            "destination": "",
        },
    )
    assert response.status_code == 400
    assert "Say where the child goes." in response.content.decode()
    response = client.post(
        url,
        {
            "expected_version": str(moved.version),
            "discharged_at": moment(),
            "reason": "home",
            "destination": "Rumah bibi di Manggar (sintetis)",
        },
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.discharged_to == "Rumah bibi di Manggar (sintetis)"
    history = client.get(reverse("shelters:stay", kwargs={"stay_uuid": stay.uuid})).content.decode()
    assert "Past shelter stay" in history and "Melati · G3" in history


def test_a_second_discharge_of_the_same_stay_is_a_conflict_not_a_500(shelter_world):
    client = client_for(shelter_world.staff)
    stay = shelter_world.stay
    url = reverse("shelters:discharge", kwargs={"stay_uuid": stay.uuid})
    data = {
        "expected_version": str(stay.version),
        "discharged_at": moment(),
        "reason": "institution",
        "destination": "LKSA Sintetis",
    }
    page = client.get(url)  # two phones opened the form
    assert page.status_code == 200
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # ended: back to the stay, said so
    stay.refresh_from_db()
    assert stay.discharged_to == "LKSA Sintetis"
