from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def lock(client, username, ip):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "not the password at all", ip)


def test_lockout_refuses_even_the_right_password_with_the_same_message(client):
    make_user(Role.INVESTIGATOR, username="agus")
    lock(client, "agus", "10.1.1.1")
    response = attempt(client, "agus", PASSWORD, "10.1.1.1")
    assert response.status_code == 200
    assert "Gagal masuk" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="auth.locked_out").exists()


def test_lockout_of_unknown_user_looks_the_same(client):
    lock(client, "no-such-user", "10.1.1.1")
    locked = attempt(client, "no-such-user", PASSWORD, "10.1.1.1")
    assert locked.status_code == 200
    assert "Gagal masuk" in locked.content.decode()


def test_same_username_from_another_address_is_not_locked(client):
    make_user(Role.INVESTIGATOR, username="agus")
    lock(client, "agus", "10.1.1.1")
    response = attempt(client, "agus", PASSWORD, "10.9.9.9")
    assert response.status_code == 302


def test_forged_forwarded_header_does_not_escape_lockout(client):
    make_user(Role.INVESTIGATOR, username="agus")
    lock(client, "agus", "10.1.1.1")
    response = client.post(
        LOGIN,
        {"username": "agus", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 200


def test_lockout_expires_after_cool_off(client):
    make_user(Role.INVESTIGATOR, username="agus")
    lock(client, "agus", "10.1.1.1")
    later = timezone.now() + timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later, tick=False):
        assert attempt(client, "agus", PASSWORD, "10.1.1.1").status_code == 302


def test_password_spraying_from_one_address_is_paused_across_usernames(client, settings):
    settings.KAWAL_LOGIN_ADDRESS_FAILURES = 6
    make_user(Role.INVESTIGATOR, username="agus")
    # One guess per username never reaches the per-username limit.
    for n in range(6):
        attempt(client, f"someone{n}", "Musim-hujan-2026", "10.2.2.2")
    paused = attempt(client, "agus", PASSWORD, "10.2.2.2")
    assert paused.status_code == 200
    assert "Gagal masuk" in paused.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(kind="auth.locked_out").latest("id")
    assert event.detail["scope"] == "address"
    # Another address is not affected, and the pause ends after the cool-off.
    assert attempt(client, "agus", PASSWORD, "10.3.3.3").status_code == 302


def test_address_pause_counts_an_ipv6_subscriber_as_one(client, settings):
    settings.KAWAL_LOGIN_ADDRESS_FAILURES = 3
    make_user(Role.INVESTIGATOR, username="agus")
    for n in range(3):
        attempt(client, f"someone{n}", "Musim-hujan-2026", f"2001:db8:5:5::{n + 1}")
    assert attempt(client, "agus", PASSWORD, "2001:db8:5:5::99").status_code == 200


def test_a_success_does_not_reset_the_address_count(client, settings):
    settings.KAWAL_LOGIN_ADDRESS_FAILURES = 4
    make_user(Role.INVESTIGATOR, username="agus")
    for n in range(3):
        attempt(client, f"someone{n}", "Musim-hujan-2026", "10.4.4.4")
    assert attempt(client, "agus", PASSWORD, "10.4.4.4").status_code == 302
    client.logout()
    attempt(client, "someone9", "Musim-hujan-2026", "10.4.4.4")
    assert attempt(client, "agus", PASSWORD, "10.4.4.4").status_code == 200
