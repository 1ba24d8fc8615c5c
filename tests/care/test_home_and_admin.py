"""The psychologist's home card and "not seen today"; indicators in the configuration console."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessAction, AccessLog
from kawal.care.models import Indicator
from kawal.core.models import AuditEvent
from tests.care.conftest import ACTION_MARKER, MARKERS, NOTE_MARKER, add_member, record_today
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def test_the_home_card_lists_my_children_with_a_one_tap_link_to_the_form(world):
    client = client_for(world.psychologist)
    body = client.get(reverse("web:home")).content.decode()
    record = reverse("care:record", kwargs={"case_uuid": world.case.uuid})
    assert "My children today" in body and "1 child not seen today." in body
    assert MARKERS["identity"] in body  # the psychologist reads identity on this case
    assert f'href="{record}?kembali=beranda"' in body
    listed = AccessLog.objects.filter(
        user=world.psychologist, action=AccessAction.LIST, case_id=world.case.pk
    )
    assert listed.exists()
    assert set(listed.latest("at").data_classes) == {"basic", "identity", "progress"}
    record_today(world)
    body = client.get(reverse("web:home")).content.decode()
    assert "Every child seen today." in body and "seen today, recorded" in body
    assert NOTE_MARKER not in body and ACTION_MARKER not in body


def test_the_card_shows_initials_where_identity_is_not_granted(world):
    psychologist = add_member(world.case, world.owner, Role.PSYCHOLOGIST, ["progress"])
    body = client_for(psychologist).get(reverse("web:home")).content.decode()
    assert world.case.number in body
    assert MARKERS["identity"] not in body and "Z.M." in body


def test_an_agency_membership_does_not_make_a_child_mine(world):
    colleague = make_user(Role.PSYCHOLOGIST, agency=world.psychologist.agency)
    body = client_for(colleague).get(reverse("web:home")).content.decode()
    assert world.case.number not in body


def test_not_seen_today_page(world):
    client = client_for(world.psychologist)
    page = client.get(reverse("care:today")).content.decode()
    assert "Not seen today" in page and world.case.number in page
    record_today(world)
    page = client.get(reverse("care:today")).content.decode()
    assert "Every child seen today." in page
    assert NOTE_MARKER not in page


def test_other_roles_see_no_care_card(world):
    for user in (world.owner, world.supervisor, world.investigator):
        body = client_for(user).get(reverse("web:home")).content.decode()
        assert "My children today" not in body


def test_an_administrator_adds_an_indicator_in_the_configuration_console(world):
    admin = make_user(Role.SYSTEM_ADMIN)
    client = client_for(admin)
    listing = client.get("/admin/care/indicator/")
    assert listing.status_code == 200 and "mood" in listing.content.decode()
    response = client.post(
        "/admin/care/indicator/add/",
        {
            "code": "play",
            "label_id": "Bermain",
            "label_en": "Play",
            "low_id": "tidak mau",
            "low_en": "will not",
            "high_id": "bermain aktif",
            "high_en": "plays actively",
            "higher_is_better": "on",
            "order": "80",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get(code="play").label_en == "Play"
    assert AuditEvent.objects.filter(kind="configuration.created").exists()
    form = client_for(world.psychologist).get(
        reverse("care:record", kwargs={"case_uuid": world.case.uuid})
    )
    assert "Play" in form.content.decode() and "plays actively" in form.content.decode()
    # Indicators are retired, never deleted (past scores keep them).
    indicator = Indicator.objects.get(code="play")
    assert client.post(f"/admin/care/indicator/{indicator.pk}/delete/").status_code == 403


def test_case_workers_do_not_reach_the_console(world):
    response = client_for(world.psychologist).get("/admin/care/indicator/")
    assert response.status_code in (302, 403)
