from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import UserSession
from kawal.accounts.services import account_change_approve, user_update
from kawal.core.models import AuditEvent
from tests.helpers import PASSWORD, add_totp, current_code, make_user, sign_in

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")


def real_sign_in(client: Client, user) -> None:
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:verify"), {"code": current_code(add_totp(user))})


def test_idle_timeout_after_thirty_minutes(client):
    user = make_user(Role.CASE_MANAGER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user)
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert AuditEvent.objects.filter(kind="auth.session_expired_idle").count() == 1


def test_absolute_lifetime_of_twelve_hours_despite_activity(client):
    user = make_user(Role.CASE_MANAGER)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, user)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(HOME).status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(kind="auth.session_expired_absolute").count() == 1


def test_logout_kills_the_server_session(client):
    user = make_user(Role.CASE_MANAGER)
    real_sign_in(client, user)
    key = client.cookies["sessionid"].value
    assert client.get(HOME).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "cache" in response["Clear-Site-Data"]
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    assert replay.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(kind="auth.logged_out", subject_user=user).exists()


def test_logout_needs_post(client):
    user = make_user(Role.CASE_MANAGER)
    sign_in(client, user)
    assert client.get(reverse("accounts:logout")).status_code == 200
    assert client.get(HOME).status_code == 200  # a GET (e.g. a prefetch) signs nobody out


def test_deactivation_ends_every_open_session_at_once():
    user = make_user(Role.PSYCHOLOGIST)
    admin = make_user(Role.SYSTEM_ADMIN)
    phone, laptop = Client(), Client()
    real_sign_in(phone, user)
    real_sign_in(laptop, user)
    assert phone.get(HOME).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 2
    user_update(user, expected_version=user.version, acting_user=admin, is_active=False)
    assert phone.get(HOME).status_code == 302
    assert laptop.get(HOME).status_code == 302
    assert UserSession.objects.filter(user=user).count() == 0
    assert AuditEvent.objects.filter(kind="account.deactivated", subject_user=user).exists()


def test_role_change_ends_sessions_opened_under_the_old_role():
    user = make_user(Role.CASE_MANAGER)
    admin = make_user(Role.SYSTEM_ADMIN)
    client = Client()
    real_sign_in(client, user)
    change = user_update(
        user, expected_version=user.version, acting_user=admin, role=Role.SUPERVISOR
    ).pending_change
    assert client.get(HOME).status_code == 200  # nothing changed until approved
    account_change_approve(change, acting_user=make_user(Role.SYSTEM_ADMIN))
    assert client.get(HOME).status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others():
    user = make_user(Role.CASE_MANAGER)
    here, elsewhere = Client(), Client()
    real_sign_in(here, user)
    real_sign_in(elsewhere, user)
    phrase = "hujan turun di teluk balikpapan sore ini"
    wrong = here.post(
        reverse("accounts:password_change"),
        {"old_password": "not it", "new_password1": phrase, "new_password2": phrase},
    )
    assert wrong.status_code == 200
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": phrase, "new_password2": phrase},
    )
    assert response.status_code == 302
    assert here.get(HOME).status_code == 200
    assert elsewhere.get(HOME).status_code == 302
    assert AuditEvent.objects.filter(kind="auth.password_changed", subject_user=user).exists()
