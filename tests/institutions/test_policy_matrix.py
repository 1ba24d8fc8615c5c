"""Every registry page x all 13 roles: who lists, who opens, who edits, who sees what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessAction, AccessLog
from tests.helpers import make_user, sign_in
from tests.institutions.conftest import ADDRESS, BANK, Registry

pytestmark = pytest.mark.django_db

MANAGERS = {Role.SOCIAL_WORKER}
READERS = {Role.SOCIAL_WORKER, Role.FINANCE_OFFICER}
SEES_ADDRESS = {Role.SOCIAL_WORKER, Role.INSTITUTION_STAFF}
SEES_BANK = {Role.SOCIAL_WORKER, Role.FINANCE_OFFICER}


def client_for(registry: Registry, role: Role) -> Client:
    client = Client()
    client.cookies["kawal_language"] = "en"
    user = registry.staff if role == Role.INSTITUTION_STAFF else make_user(role)
    sign_in(client, user)
    return client


@pytest.mark.parametrize("role", list(Role))
def test_the_registry_list(registry, role):
    client = client_for(registry, role)
    response = client.get(reverse("institutions:list"))
    if role in READERS:
        assert response.status_code == 200
        body = response.content.decode()
        assert registry.home.name in body and registry.other.name in body
        assert ("Register an institution" in body) == (role in MANAGERS)
    elif role == Role.INSTITUTION_STAFF:
        # Staff are taken to their own institution's page.
        assert response.status_code == 302
        assert response["Location"] == reverse("institutions:detail", args=[registry.home.uuid])
    else:
        assert response.status_code == 403
        assert AccessLog.objects.filter(action=AccessAction.DENIED).exists()


@pytest.mark.parametrize("role", list(Role))
def test_the_detail_page_shows_each_class_to_its_readers(registry, role):
    client = client_for(registry, role)
    response = client.get(reverse("institutions:detail", args=[registry.home.uuid]))
    if role not in READERS | {Role.INSTITUTION_STAFF}:
        assert response.status_code == 403
        assert AccessLog.objects.filter(action=AccessAction.DENIED).count() == 1
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert registry.home.name in body
    assert (ADDRESS in body) == (role in SEES_ADDRESS)
    assert (BANK in body) == (role in SEES_BANK)
    assert ("Suspend this institution" in body) == (role in MANAGERS)
    assert (reverse("institutions:edit", args=[registry.home.uuid]) in body) == (role in MANAGERS)


@pytest.mark.parametrize("role", list(Role))
def test_only_social_workers_write(registry, role):
    client = client_for(registry, role)
    uuid = registry.home.uuid
    pages = [
        ("get", reverse("institutions:create"), {}),
        ("get", reverse("institutions:edit", args=[uuid]), {}),
        ("post", reverse("institutions:suspend", args=[uuid]), {"reason": "x"}),
        ("post", reverse("institutions:reactivate", args=[uuid]), {}),
        (
            "post",
            reverse("institutions:inspection", args=[uuid]),
            {"inspected_on": "2026-01-05", "findings": "x"},
        ),
        ("get", reverse("institutions:alerts"), {}),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        if role in MANAGERS:
            assert response.status_code in (200, 302), url
        else:
            assert response.status_code == 403, url
    registry.home.refresh_from_db()
    assert registry.home.inspections.exists() == (role in MANAGERS)


def test_staff_never_see_another_institution(registry):
    client = client_for(registry, Role.INSTITUTION_STAFF)
    response = client.get(reverse("institutions:detail", args=[registry.other.uuid]))
    assert response.status_code == 403
    assert "Jl. Lain" not in response.content.decode()
    assert AccessLog.objects.filter(user=registry.staff, action=AccessAction.DENIED).exists()
    mine = client.get(reverse("institutions:mine"))
    assert mine["Location"] == reverse("institutions:detail", args=[registry.home.uuid])


def test_staff_of_an_unlinked_agency_are_told_whom_to_ask(registry, client):
    staff = make_user(Role.INSTITUTION_STAFF, username="unlinked_staff")
    sign_in(client, staff)
    client.cookies["kawal_language"] = "en"
    response = client.get(reverse("institutions:mine"))
    assert response.status_code == 200
    assert "not linked to an institution" in response.content.decode()
    claim = client.get(reverse("funding:claim"))
    assert claim.status_code == 200
    assert "not linked to an institution" in claim.content.decode()


def test_staff_of_a_deactivated_agency_see_nothing(registry):
    registry.agency.is_active = False
    registry.agency.save()
    client = client_for(registry, Role.INSTITUTION_STAFF)
    assert client.get(reverse("institutions:detail", args=[registry.home.uuid])).status_code == 403


def test_a_missing_or_garbled_institution_is_a_404(registry):
    client = client_for(registry, Role.SOCIAL_WORKER)
    for raw in ("nope", "00000000-0000-0000-0000-000000000000"):
        assert client.get(reverse("institutions:detail", args=[raw])).status_code == 404


def test_the_menu_shows_the_registry_to_its_readers(registry):
    for role, shown in (
        (Role.SOCIAL_WORKER, True),
        (Role.FINANCE_OFFICER, True),
        (Role.CASE_MANAGER, False),
    ):
        body = client_for(registry, role).get(reverse("web:home")).content.decode()
        assert (reverse("institutions:list") in body) == shown, role


def test_staff_of_a_deactivated_agency_cannot_file_claims(registry):
    registry.agency.is_active = False
    registry.agency.save()
    client = client_for(registry, Role.INSTITUTION_STAFF)
    client.cookies["kawal_language"] = "en"
    response = client.get(reverse("funding:claim"))
    assert response.status_code == 200
    assert "not linked to an institution" in response.content.decode()
    assert registry.home.name not in response.content.decode()
