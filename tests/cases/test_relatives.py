from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from kawal.cases import services as svc
from kawal.people.models import Person
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_a_relative_can_be_corrected_with_history(world):
    link = svc.relative_add(
        world.case,
        person={"full_name": "Ibu Sintetis", "phone": "0811"},
        relation="mother",
        is_guardian=False,
        acting_user=world.owner,
    )
    relative = Person.objects.get(pk=link.relative_id)
    svc.relative_update(
        world.case,
        link,
        expected_version=relative.version,
        person={"full_name": "Ibu Sintetis", "phone": "0812"},
        relation="mother",
        is_guardian=True,
        acting_user=world.owner,
    )
    relative.refresh_from_db()
    link.refresh_from_db()
    assert relative.phone == "0812" and link.is_guardian
    event = world.case.events.get(kind="relative.updated")
    assert event.payload["changes"]["phone"] == ["0811", "0812"]
    with pytest.raises(svc.StaleVersion):
        svc.relative_update(
            world.case,
            link,
            expected_version=relative.version - 1,
            person={"phone": "0813"},
            relation="mother",
            is_guardian=True,
            acting_user=world.owner,
        )
    with pytest.raises(PermissionDenied):
        svc.relative_update(
            world.case,
            link,
            expected_version=relative.version,
            person={"phone": "0814"},
            relation="mother",
            is_guardian=True,
            acting_user=world.psychologist,
        )  # reads identity, cannot write it


def test_relative_edit_page(world):
    link = svc.relative_add(
        world.case,
        person={"full_name": "Ayah Sintetis"},
        relation="father",
        is_guardian=True,
        acting_user=world.owner,
    )
    client = Client()
    sign_in(client, world.owner)
    url = reverse(
        "cases:relative_edit", kwargs={"case_uuid": world.case.uuid, "relation_uuid": link.uuid}
    )
    page = client.get(url)
    assert page.status_code == 200 and "Ayah Sintetis" in page.content.decode()
    version = Person.objects.get(pk=link.relative_id).version
    response = client.post(
        url,
        {
            "full_name": "Ayah Sintetis",
            "relation": "father",
            "is_guardian": "on",
            "occupation": "Nelayan",
            "expected_version": version,
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=link.relative_id).occupation == "Nelayan"
    stale = client.post(
        url, {"full_name": "Lain", "relation": "father", "expected_version": version}
    )
    assert stale.status_code == 409
    other = Client()
    sign_in(other, world.psychologist)  # reads identity, may not change it
    assert (
        other.post(
            url, {"full_name": "x", "relation": "father", "expected_version": version + 1}
        ).status_code
        == 403
    )
