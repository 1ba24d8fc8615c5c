from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path

from kawal.access.catalogue import Role
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db

SECRET_MARKER = "SECRET-MARKER-7f3a"


def boom(request: HttpRequest):
    raise RuntimeError(f"database password {SECRET_MARKER}")


urlpatterns = [path("boom/", boom)]


def test_not_found_is_translated_and_echoes_nothing():
    client = Client()
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.get(f"/tidak-ada/{SECRET_MARKER}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Tidak ditemukan" in body
    assert SECRET_MARKER not in body


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_is_generic():
    client = Client(raise_request_exception=False)
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Terjadi kesalahan" in body
    assert SECRET_MARKER not in body and "Traceback" not in body and "RuntimeError" not in body


def test_csrf_failure_is_translated():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.content.decode()


def test_method_not_allowed_is_not_a_server_error():
    client = Client()
    sign_in(client, make_user(Role.CASE_MANAGER))
    assert client.put("/").status_code == 405


def test_bad_request_is_translated():
    response = Client(raise_request_exception=False).get("/masuk/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Permintaan tidak valid" in body
    assert "evil.example" not in body


def test_forbidden_is_translated():
    client = Client()
    sign_in(client, make_user(Role.CASE_MANAGER))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()
