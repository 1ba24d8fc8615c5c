from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from tests.helpers import PASSWORD, add_totp, current_code, make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def post_login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


def test_login_page_is_indonesian_by_default(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert '<html lang="id">' in response.content.decode()
    assert "Masuk" in response.content.decode()


def test_password_then_setup_when_no_second_factor_yet(client):
    make_user(Role.CASE_MANAGER, username="rina")
    response = post_login(client, "rina")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:setup"))
    assert AuditEvent.objects.filter(kind="auth.login_succeeded").count() == 1


def test_password_then_verify_when_device_exists(client):
    user = make_user(Role.CASE_MANAGER, username="rina")
    add_totp(user)
    response = post_login(client, "rina")
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_failures_look_identical_whatever_the_reason(client):
    make_user(Role.PSYCHOLOGIST, username="exists")
    make_user(Role.PSYCHOLOGIST, username="gone", is_active=False)
    bodies = []
    for username, password in [
        ("exists", "wrong password entirely"),
        ("nobody-by-that-name", PASSWORD),
        ("gone", PASSWORD),
    ]:
        response = post_login(client, username, password)
        assert response.status_code == 200
        body = response.content.decode()
        # Only the echoed username and the CSRF token may differ.
        body = body.replace(f'value="{username}"', 'value="USERNAME"')
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
        bodies.append(body)
        assert "Gagal masuk" in response.content.decode()
    assert bodies[0] == bodies[1] == bodies[2]
    assert AuditEvent.objects.filter(kind="auth.login_failed").count() == 3


def test_failed_login_audit_does_not_store_the_password(client):
    post_login(client, "someone", "my secret passphrase typed here")
    event = AuditEvent.objects.get(kind="auth.login_failed")
    assert "my secret passphrase" not in str(event.detail)
    assert event.ip_address == "10.0.0.1"


def test_session_key_rotates_at_login_and_at_second_factor(client):
    user = make_user(Role.CASE_MANAGER, username="rina")
    device = add_totp(user)
    client.get(LOGIN)
    anonymous_key = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    post_login(client, "rina")
    after_password = client.cookies["sessionid"].value
    assert after_password != anonymous_key
    response = client.post(reverse("accounts:verify"), {"code": current_code(device)})
    assert response.status_code == 302
    after_code = client.cookies["sessionid"].value
    assert after_code != after_password
    # The pre-second-factor session id is dead.
    from django.test import Client

    replay = Client()
    replay.cookies["sessionid"] = after_password
    assert replay.get(reverse("web:home")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


def test_open_redirect_is_refused(client):
    make_user(Role.CASE_MANAGER, username="rina")
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "rina", "password": PASSWORD}
    )
    assert "evil.example" not in response["Location"]


def test_long_passphrase_signs_in(client):
    phrase = "kami menjaga anak anak balikpapan bersama sama setiap hari " * 2
    user = make_user(Role.CASE_MANAGER, username="panjang")
    user.set_password(phrase)
    user.save()
    from django.test import Client

    assert post_login(Client(), "panjang", phrase[:-1] + "x").status_code == 200
    assert post_login(client, "panjang", phrase).status_code == 302
