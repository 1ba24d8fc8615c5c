"""Supervisor A prepares the public figures of the last quarter and sees the preview; supervisor
B approves them; a citizen without an account reads them on a phone, a small cell hidden."""

from __future__ import annotations

import re

import pytest

from kawal.access.catalogue import Role
from kawal.publication.models import Release, ReleaseStatus
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user
from tests.publication.conftest import MARKERS, QUARTER, Builder, fill_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_supervisors_publish_and_the_public_sees_it_without_an_account(phones):
    first = make_user(Role.SUPERVISOR, username="sup-a")
    second = make_user(Role.SUPERVISOR, username="sup-b")
    fill_quarter(Builder(owner=make_user(Role.CASE_MANAGER, username="cm")))

    page = phones()
    sign_in(page, first)
    page.goto(page.base_url + "/rilis-statistik/")
    no_horizontal_scroll(page)
    page.select_option("#id_kind", "quarter")
    page.fill("#id_year", str(QUARTER.year))
    page.select_option("#id_quarter", str((QUARTER.month - 1) // 3 + 1))
    page.click("main form[action$='/siapkan/'] button.primary")
    page.wait_for_url(re.compile(r"/rilis-statistik/[0-9a-f-]{36}/$"))
    release = Release.objects.get()
    # The preview shows what will be published, a hidden cell among it, and no approve button
    # for the one who prepared it.
    assert page.locator("td[data-suppressed='1']").count() > 0
    assert page.locator("button[name='approve']").count() == 0
    no_horizontal_scroll(page)
    preview = page.inner_text("main")

    other = phones()
    sign_in(other, second)
    other.goto(f"{other.base_url}/rilis-statistik/{release.uuid}/")
    assert other.inner_text("main").count("*") == preview.count("*")
    other.click("button[name='approve']")
    other.wait_for_url(re.compile(rf"/rilis-statistik/{release.uuid}/$"))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED
    assert release.decided_by_id == second.pk

    citizen = phones()
    citizen.goto(citizen.base_url + "/statistik/")
    assert "/masuk/" not in citizen.url
    hidden = citizen.locator("td[data-suppressed='1']")
    assert hidden.count() > 0
    assert hidden.first.inner_text().strip() == "*"
    text = citizen.inner_text("main")
    # The tiny kecamatan with its one case shows as hidden, never as "1".
    row = citizen.locator("[data-table='area_outcome'] tr", has_text="Balikpapan Timur")
    assert row.locator("td[data-suppressed='1']").count() > 0
    for marker in MARKERS:
        assert marker not in text
    no_horizontal_scroll(citizen)
    sheet = citizen.request.get(citizen.base_url + f"/statistik/{release.slug}/v1/lembar.pdf")
    assert sheet.status == 200
    assert sheet.headers["content-type"] == "application/pdf"
