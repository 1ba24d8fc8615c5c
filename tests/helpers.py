"""Shared test helpers: real accounts, real codes, real sessions."""

from __future__ import annotations

import functools
import importlib
import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kawal.access.catalogue import ROLES, AgencyKind, Role
from kawal.accounts.models import Agency, User
from kawal.accounts.services import SESSION_AUTH_AT, SESSION_SEEN_AT

PASSWORD = "a long synthetic passphrase for tests"


# Two real transactions in threads, committed for real: PostgreSQL only (SQLite
# takes one writer at a time by design), with the regions a flush empties put back.
CONCURRENT_WRITERS = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
    pytest.mark.usefixtures("regions_loaded"),
]


def load_regions() -> None:
    """Put back the regions a data migration loads, which a transactional test's flush empties."""
    from django.apps import apps

    from kawal.regions.models import Region

    if not Region.objects.filter(code="64.71").exists():
        importlib.import_module("kawal.regions.migrations.0002_balikpapan").load(apps, None)


def run_kawal(
    *args: str, env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """Run the ``kawal`` command in a fresh process, e.g. with production settings."""
    return subprocess.run(
        [sys.executable, "-m", "kawal", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def production_env(**extra: str) -> dict[str, str]:
    """This process's environment with production settings instead of test ones."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KAWAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        KAWAL_ENV="production",
        SECRET_KEY="x" * 60 + "production-like-key-for-checks-only",
        ALLOWED_HOSTS="kawal.example.go.id",
        DATABASE_URL="sqlite:////nonexistent/kawal-production-check.sqlite3",
        KAWAL_CACHE_URL="redis://127.0.0.1:6379/0",
        KAWAL_TRUSTED_PROXY_COUNT="1",
    )
    env.update(extra)
    return env


@functools.cache
def password_hash() -> str:
    # Argon2 is deliberately slow; hash the shared test password once per run.
    return make_password(PASSWORD)


def agency_for(role: Role) -> Agency:
    kinds = ROLES[role].agency_kinds
    kind = sorted(kinds)[0] if kinds else AgencyKind.OTHER
    agency, _ = Agency.objects.get_or_create(
        name=f"Test agency {kind} (synthetic)", defaults={"kind": kind}
    )
    return agency


def make_user(role: Role = Role.CASE_MANAGER, username: str | None = None, **extra: Any) -> User:
    username = username or f"{role.value}-{User.objects.count() + 1}"
    fields: dict[str, Any] = {
        "username": username,
        "full_name": f"Synthetic {role.label}",
        "email": f"{username}@example.invalid",
        "role": role,
        "agency": agency_for(role),
        "password": password_hash(),
    }
    fields.update(extra)
    return User.objects.create(**fields)


def add_totp(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(value).zfill(device.digits)


def sign_in(client: Client, user: User, *, second_factor: bool = True) -> None:
    """A session as our sign-in would leave it, without paying for Argon2 each time."""
    client.force_login(user)
    session = client.session
    now = int(timezone.now().timestamp())
    session[SESSION_AUTH_AT] = now
    session[SESSION_SEEN_AT] = now
    if second_factor:
        session[DEVICE_ID_SESSION_KEY] = add_totp(user).persistent_id
    session.save()


def open_case_post(
    client, data, *, choice="new", reason="Different child: checked with the family"
):
    """POST the case-opening form, answering the candidate panel when it appears."""
    from django.urls import reverse

    url = reverse("cases:open")
    response = client.post(url, data)
    panel = (
        response.context.get("panel") if response.status_code == 200 and response.context else None
    )
    if not panel:
        return response
    answered = dict(data)
    answered["identity_check"] = response.context["signature"]
    answered["identity_choice"] = choice
    answered["new_child_reason"] = reason
    return client.post(url, answered)
