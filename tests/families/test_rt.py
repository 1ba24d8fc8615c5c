"""The RT head sees only a minimal list of visits in their own neighbourhood, and confirms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.families import services as svc
from kawal.families.models import RtConfirmation
from tests.cases.conftest import MARKERS
from tests.families.conftest import PP, days_ago, rt_agency
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def en_client(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def test_the_list_shows_a_parent_name_the_date_and_who_went_only(family):
    client = en_client(family.rt_head)
    response = client.get(reverse("families:rt_visits"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Family of {PP['identity']}" in body
    assert days_ago(3).strftime("%d/%m/%Y") in body
    # Who went by name and role title; never their office (see test_review_fixes).
    assert f"{family.world.psychologist.full_name} (Psychologist)" in body
    assert str(family.world.psychologist.agency) not in body
    # Nothing of the child, the case or what was found.
    child = family.case.child
    for secret in (
        child.full_name,
        MARKERS["identity"],
        "Ika",  # the child's alias
        family.case.number,
        str(family.case.uuid),
        PP["school"],
        PP["progress"],
        PP["clinical"],
        PP["financial"],
        MARKERS["whereabouts"],
        "Rumah bersih",  # the findings
        "found safe",
        "Jl. Sintetis",  # the home street
    ):
        assert secret not in body, secret
    row = AccessLog.objects.filter(user=family.rt_head, action="list").get()
    assert row.case_id == family.case.pk and row.data_classes == ["identity"]


def test_home_card_counts_waiting_visits(family):
    client = en_client(family.rt_head)
    body = client.get(reverse("web:home")).content.decode()
    assert "1 home visit in your neighbourhood is waiting for your answer." in body
    assert PP["identity"] not in body  # the home page counts, it names nobody


def test_the_rt_head_confirms_and_the_visit_leaves_the_list(family):
    client = en_client(family.rt_head)
    url = reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid})
    page = client.get(url)
    assert page.status_code == 200
    assert PP["identity"] in page.content.decode()
    assert "Rumah bersih" not in page.content.decode()
    response = client.post(url, {"outcome": "confirmed", "note": ""})
    assert response.status_code == 302
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.CONFIRMED
    assert family.visit.rt_confirmed_by == family.rt_head
    event = family.case.events.get(kind="families.visit_confirmed")
    assert event.data_class == "progress" and event.payload["outcome"] == "confirmed"
    assert "Family of" not in client.get(reverse("families:rt_visits")).content.decode()
    # Answered once: the page is gone for a second answer.
    assert client.post(url, {"outcome": "not_confirmed", "note": "x"}).status_code == 404
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.CONFIRMED


def test_concerns_need_a_note(family):
    client = en_client(family.rt_head)
    url = reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid})
    response = client.post(url, {"outcome": "concerns", "note": ""})
    assert response.status_code == 400
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.PENDING
    client.post(url, {"outcome": "concerns", "note": "Sering terdengar keributan (sintetis)"})
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.CONCERNS


def test_another_neighbourhood_sees_nothing_and_cannot_confirm(family):
    elsewhere = rt_agency("64.71.01.1001", name="RT 012 Lain")
    other_head = make_user(Role.RT_HEAD, username="rt-lain", agency=elsewhere)
    client = en_client(other_head)
    body = client.get(reverse("families:rt_visits")).content.decode()
    assert PP["identity"] not in body
    url = reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid})
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "confirmed"}).status_code == 404
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.PENDING


def test_the_rt_head_reads_nothing_else(family):
    client = en_client(family.rt_head)
    case = family.case
    programme = family.programme
    pages = [
        reverse("cases:detail", kwargs={"case_uuid": case.uuid}),
        reverse("families:programme", kwargs={"programme_uuid": programme.uuid}),
        reverse("families:visit_new", kwargs={"programme_uuid": programme.uuid}),
        reverse(
            "families:undertaking_download",
            kwargs={"undertaking_uuid": family.undertaking.uuid},
        ),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for name in ("families:programmes", "families:community", "cases:list", "hotspots:map"):
        assert client.get(reverse(name)).status_code == 403, name


def test_only_the_rt_head_confirms(family):
    for user in (family.world.owner, family.world.psychologist):
        client = en_client(user)
        url = reverse("families:rt_confirm", kwargs={"visit_uuid": family.visit.uuid})
        assert client.post(url, {"outcome": "confirmed"}).status_code == 403
        assert client.get(reverse("families:rt_visits")).status_code == 403
    family.visit.refresh_from_db()
    assert family.visit.rt_status == RtConfirmation.PENDING


def test_the_rt_asked_must_be_the_familys(family):
    from django.core.exceptions import ValidationError

    elsewhere = rt_agency("64.71.01.1001", name="RT 012 Jauh")
    with pytest.raises(ValidationError) as error:
        svc.visit_record(
            family.programme,
            visited_on=days_ago(1),
            visitors=[family.world.psychologist],
            other_visitors="",
            findings="x",
            found_safe=True,
            confirming_agency=elsewhere,
            acting_user=family.world.psychologist,
        )
    assert "confirming_agency" in error.value.message_dict


def test_visits_of_a_closed_programme_leave_the_list(family):
    svc.programme_close(
        family.programme,
        reason="Selesai (sintetis)",
        expected_version=family.programme.version,
        acting_user=family.world.owner,
    )
    client = en_client(family.rt_head)
    assert PP["identity"] not in client.get(reverse("families:rt_visits")).content.decode()
