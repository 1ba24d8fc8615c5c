from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kawal.access.catalogue import Role
from kawal.core.models import AuditEvent
from tests.helpers import add_totp, current_code, make_user, sign_in

pytestmark = pytest.mark.django_db
HOME = reverse("web:home")


def test_password_alone_reaches_no_page(client):
    user = make_user(Role.SUPERVISOR)
    add_totp(user)
    sign_in(client, user, second_factor=False)
    for url in (HOME, reverse("accounts:security"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:verify"))


def test_enrolment_with_a_real_code_then_recovery_codes(client):
    user = make_user(Role.PSYCHOLOGIST)
    sign_in(client, user, second_factor=False)
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    # A wrong code makes the device wait a moment before it accepts another.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        response = client.post(reverse("accounts:setup"), {"code": current_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(codes) == 10
    assert client.get(HOME).status_code == 200
    kinds = set(AuditEvent.objects.filter(subject_user=user).values_list("kind", flat=True))
    assert {"auth.second_factor_enrolled", "auth.recovery_codes_generated"} <= kinds


def test_a_code_works_once_and_not_after_its_time(client):
    user = make_user(Role.INVESTIGATOR)
    device = add_totp(user)
    sign_in(client, user, second_factor=False)
    code = current_code(device)
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302

    other = type(client)()
    sign_in(other, user, second_factor=False)
    reused = other.post(reverse("accounts:verify"), {"code": code})
    assert reused.status_code == 200  # the same code is refused the second time
    assert other.get(HOME).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=120), tick=False):
        late = type(client)()
        sign_in(late, user, second_factor=False)
        assert late.post(reverse("accounts:verify"), {"code": code}).status_code == 200


def test_recovery_code_signs_in_once(client):
    from kawal.accounts.services import recovery_codes_generate

    user = make_user(Role.CASE_MANAGER)
    add_totp(user)
    codes = recovery_codes_generate(user)
    sign_in(client, user, second_factor=False)
    response = client.post(reverse("accounts:verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(kind="auth.recovery_code_used", subject_user=user).exists()

    again = type(client)()
    sign_in(again, user, second_factor=False)
    assert again.post(reverse("accounts:verify"), {"code": codes[0]}).status_code == 200


def test_demo_accounts_skip_the_second_factor_only_in_demo_mode(client):
    user = make_user(Role.CASE_MANAGER, is_demo_account=True)
    sign_in(client, user, second_factor=False)
    with override_settings(KAWAL_DEMO_SKIPS_SECOND_FACTOR=False):
        assert client.get(HOME).status_code == 302
    with override_settings(KAWAL_DEMO_SKIPS_SECOND_FACTOR=True):
        assert client.get(HOME).status_code == 200


def test_ordinary_accounts_never_skip_even_in_demo_mode(client):
    user = make_user(Role.CASE_MANAGER)
    sign_in(client, user, second_factor=False)
    with override_settings(KAWAL_DEMO_SKIPS_SECOND_FACTOR=True):
        assert client.get(HOME).status_code == 302


def test_wrong_codes_are_audited(client):
    user = make_user(Role.CASE_MANAGER)
    add_totp(user)
    sign_in(client, user, second_factor=False)
    client.post(reverse("accounts:verify"), {"code": "123456"})
    assert AuditEvent.objects.filter(kind="auth.second_factor_failed", subject_user=user).exists()


def test_every_role_must_pass_the_second_factor(client):
    for role in Role:
        user = make_user(role)
        add_totp(user)
        fresh = type(client)()
        sign_in(fresh, user, second_factor=False)
        assert fresh.get(HOME).status_code == 302, role
        sign_in(fresh, user)
        assert fresh.get(HOME).status_code == 200, role
