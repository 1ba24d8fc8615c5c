"""Browser tests: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import load_regions


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("KAWAL_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("No Chromium found: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by the test itself are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phones(browser, live_server) -> Iterator[Callable[[], Any]]:
    """Phone-sized pages (360x740), each its own profile, refusing off-machine requests."""
    contexts: list[Any] = []
    offsite: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(live_server.url):
            route.continue_()
        else:
            offsite.append(url)
            route.abort()

    def new_phone() -> Any:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        return page

    yield new_phone
    for context in contexts:
        context.close()
    assert offsite == [], f"pages tried to reach the network: {offsite}"


@pytest.fixture
def phone(phones: Callable[[], Any]) -> Any:
    return phones()


@pytest.fixture(autouse=True)
def _regions(request: Any) -> None:
    """Transactional tests flush the database after each test, data migrations included."""
    if "live_server" not in request.fixturenames and "phones" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    load_regions()
