from __future__ import annotations

import os

import pytest
from django.urls import reverse

from kawal.access.catalogue import Role
from tests.helpers import make_user, production_env, run_kawal, sign_in

pytestmark = pytest.mark.django_db


def test_security_headers_on_every_page(client):
    sign_in(client, make_user(Role.CASE_MANAGER))
    for url in (reverse("web:home"), reverse("accounts:security")):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_and_no_external_origins(client):
    sign_in(client, make_user(Role.SYSTEM_ADMIN))
    for url in (reverse("accounts:login"), reverse("web:home"), reverse("accounts:security")):
        body = client.get(url).content.decode()
        for tag in body.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), url
        assert "http://" not in body and "https://" not in body, url


def test_session_cookie_is_http_only_and_same_site(client):
    user = make_user(Role.CASE_MANAGER)
    from tests.helpers import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_deploy_check_is_clean_with_production_settings():
    result = run_kawal("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_NAME, s.DEBUG)"
    )
    result = run_kawal("shell", "-c", code, env=production_env())
    values = result.stdout.strip().splitlines()[-1].split()
    assert values == ["True", "True", "31536000", "__Host-sessionid", "False"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_its_settings(missing):
    env = production_env()
    env.pop(missing)
    result = run_kawal("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_deploy_check_warns_when_no_proxy_is_trusted():
    env = production_env(KAWAL_TRUSTED_PROXY_COUNT="0")
    result = run_kawal("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "kawal.W001" in result.stdout + result.stderr


def test_only_the_suite_gives_up_waiting_for_the_disk_at_commit():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    url = "postgres://kawal@127.0.0.1:5432/kawal"
    production = run_kawal("shell", "-c", code, env=production_env(DATABASE_URL=url))
    assert "jit=off" in production.stdout, production.stderr
    assert "synchronous_commit" not in production.stdout
    suite = run_kawal("shell", "-c", code, env={**os.environ, "DATABASE_URL": url})
    assert "synchronous_commit=off" in suite.stdout, suite.stderr
