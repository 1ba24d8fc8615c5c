"""The case page: the stays section (whereabouts) and the timeline lines by class."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kawal.accounts.models import User
from kawal.shelters import services as svc
from tests.helpers import sign_in
from tests.shelters.conftest import shared_case, staff_on

pytestmark = pytest.mark.django_db
DESTINATION = "LKSA Harapan Sintetis, Jl. Contoh 9"


def client_for(user) -> Client:
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def page_of(user, case) -> str:
    response = client_for(user).get(reverse("cases:detail", kwargs={"case_uuid": case.uuid}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_manager_sees_the_stay_and_the_destination(shelter_world):
    stay = shelter_world.stay
    body = page_of(shelter_world.world.owner, shelter_world.case)
    assert "Shelter stays" in body and "Staying now" in body
    assert "Rumah Aman Sintetis · Melati · G1" in body and "needs a doctor" in body
    # The case manager does not run the shelter: no moving or discharging from here.
    assert "Move to another bed" not in body and "Admit to a shelter" not in body
    svc.stay_discharge(
        stay,
        expected_version=stay.version,
        at=timezone.now(),
        reason="institution",
        destination=DESTINATION,
        acting_user=shelter_world.staff,
    )
    body = page_of(shelter_world.world.owner, shelter_world.case)
    assert "Earlier stays" in body and DESTINATION in body
    assert "Left the shelter" in body
    line = "Left Rumah Aman Sintetis: Placed in an institution (LKSA, pesantren); went to: "
    assert line + DESTINATION in body


def test_the_destination_reaches_whereabouts_readers_only(shelter_world):
    stay = shelter_world.stay
    svc.stay_discharge(
        stay,
        expected_version=stay.version,
        at=timezone.now(),
        reason="institution",
        destination=DESTINATION,
        acting_user=shelter_world.staff,
    )
    world = shelter_world.world
    # The psychologist's part includes whereabouts; the investigator's does not.
    assert DESTINATION in page_of(world.psychologist, world.case)
    police = page_of(world.investigator, world.case)
    assert "Left the shelter" in police and "Admitted to a shelter" in police
    assert DESTINATION not in police and "Rumah Aman Sintetis" not in police
    assert "Shelter stays" not in police
    finance = User.objects.get(username="money")
    body = page_of(finance, world.case)
    assert "Left the shelter" in body and DESTINATION not in body and "Melati" not in body


def test_shelter_staff_admit_from_the_case_page(shelter_world):
    other = shared_case(shelter_world.world.owner)
    staff_on(other, shelter_world.world.owner, staff=shelter_world.staff)
    body = page_of(shelter_world.staff, other)
    assert "Not staying in a shelter." in body
    assert f"?kasus={other.uuid}" in body
    # A case manager sees no empty section.
    assert "Shelter stays" not in page_of(shelter_world.world.owner, other)


def _more_stays(shelter_world, moves: int) -> None:
    from kawal.shelters.models import Stay

    stay = Stay.objects.active().get(case=shelter_world.case)
    beds = [shelter_world.bed(shelter_world.girls, label) for label in ("G1", "G2", "G3")]
    for index in range(moves):
        stay = svc.stay_transfer(
            stay,
            expected_version=stay.version,
            bed=next(bed for bed in beds[index % 3 :] + beds if bed.pk != stay.bed_id),
            at=timezone.now(),
            reason=f"Pindah {index}",
            acting_user=shelter_world.staff,
        )


def _count(user, case) -> int:
    client = client_for(user)
    url = reverse("cases:detail", kwargs={"case_uuid": case.uuid})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_case_page_queries_do_not_grow_with_the_stays(shelter_world):
    owner, staff, case = shelter_world.world.owner, shelter_world.staff, shelter_world.case
    _more_stays(shelter_world, 1)
    small_owner, small_staff = _count(owner, case), _count(staff, case)
    _more_stays(shelter_world, 12)
    assert case.shelter_stays.count() == 14
    assert _count(owner, case) == small_owner
    assert _count(staff, case) == small_staff


def test_the_stay_page_queries_do_not_grow_with_belongings_or_history(shelter_world):
    client = client_for(shelter_world.staff)

    def count(stay) -> int:
        url = reverse("shelters:stay", kwargs={"stay_uuid": stay.uuid})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count(shelter_world.stay)
    _more_stays(shelter_world, 6)
    latest = shelter_world.case.shelter_stays.get(discharged_at__isnull=True)
    assert count(latest) == small
