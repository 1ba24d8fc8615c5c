"""Every role signs in on a phone-sized screen, passes the second factor and finds its way."""

from __future__ import annotations

import base64
import re

import pytest
from django.utils import translation
from django_otp.oath import totp

from kawal.access.catalogue import Role
from tests.helpers import PASSWORD, add_totp, current_code, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide"


def sign_in_with_password(page, username: str) -> None:
    page.goto(page.base_url + "/")
    assert "/masuk/" in page.url
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


@pytest.mark.parametrize("role", list(Role))
def test_role_signs_in_and_navigates(phone, role):
    user = make_user(role, username=f"browser-{role.value}")
    device = add_totp(user)
    sign_in_with_password(phone, user.username)
    phone.wait_for_url(re.compile(r"/masuk/verifikasi/"))
    no_horizontal_scroll(phone)
    phone.get_by_label("Kode").fill(current_code(device))
    phone.get_by_role("button", name="Lanjutkan").click()
    phone.wait_for_url(phone.base_url + "/")
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Selamat datang")
    with translation.override("id"):
        assert str(role.label) in phone.inner_text("main")
    no_horizontal_scroll(phone)

    links = phone.locator("details.nav nav a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets, "every role has a navigation"
    for href in targets:
        response = phone.goto(phone.base_url + href)
        assert response is not None and response.status == 200, href
        if not href.startswith("/admin/"):
            no_horizontal_scroll(phone)
    has_admin = any(href.startswith("/admin/") for href in targets)
    assert has_admin == (role == Role.SYSTEM_ADMIN)

    phone.goto(phone.base_url + "/")
    phone.get_by_role("button", name="Keluar").click()
    phone.wait_for_url(re.compile(r"/masuk/"))
    assert "Anda telah keluar" in phone.inner_text("main")


def test_first_sign_in_sets_up_the_authenticator(phone):
    make_user(Role.PSYCHOLOGIST, username="baru")
    sign_in_with_password(phone, "baru")
    phone.wait_for_url(re.compile(r"/masuk/faktor-kedua/"))
    no_horizontal_scroll(phone)
    assert phone.locator("img.qr").is_visible()
    phone.get_by_text("Tidak bisa memindai?").click()
    secret = phone.locator(".secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    phone.get_by_label("Kode 6 angka dari aplikasi").fill(str(totp(key)).zfill(6))
    phone.get_by_role("button", name="Konfirmasi").click()
    codes = phone.locator("ul.codes code")
    assert codes.count() == 10
    no_horizontal_scroll(phone)
    phone.get_by_role("link", name=re.compile("Sudah saya simpan")).click()
    phone.wait_for_url(phone.base_url + "/")
    assert phone.get_by_role("heading", level=1).is_visible()


def test_language_switch_on_the_sign_in_page(phone):
    phone.goto(phone.base_url + "/masuk/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Masuk"
    phone.get_by_role("button", name="EN").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert "/masuk/" in phone.url


def test_keyboard_reaches_the_sign_in_form(phone):
    phone.goto(phone.base_url + "/masuk/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent").strip() in ("Langsung ke isi",)
    focused_names = []
    for _ in range(9):  # skip link, language, the citizen's report links, then the form
        phone.keyboard.press("Tab")
        focused_names.append(phone.evaluate("document.activeElement.name || ''"))
    assert "username" in focused_names and "password" in focused_names
