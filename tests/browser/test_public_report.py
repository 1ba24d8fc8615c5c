"""A citizen files a report on a phone-sized screen, then checks it with the code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.reports.models import Report
from tests.browser.test_case_journey import no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_reports_without_an_account_and_tracks_it(phone):
    phone.goto(phone.base_url + "/lapor/")
    no_horizontal_scroll(phone)
    phone.check("input[name='seen'][value='tissues']")
    phone.fill("#id_children_count", "2")
    phone.fill("#id_youngest_age", "5")
    when = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    phone.fill("#id_seen_at", when)
    phone.select_option("#id_kelurahan", "64.71.06.1004")
    phone.fill("#id_landmark", "Lampu merah Simpang Rapak (sintetis)")
    phone.click("main button.primary")
    phone.wait_for_url(re.compile(r"/lapor/terima-kasih/$"))
    report = Report.objects.get()
    assert report.tracking_code in phone.inner_text("main")
    no_horizontal_scroll(phone)

    phone.click("a[href$='/lapor/cek/']")
    phone.fill("#id_code", report.tracking_code)
    phone.click("main button.primary")
    status = phone.inner_text("p.status")
    assert report.get_status_display() in status
    assert "Simpang Rapak" not in phone.inner_text("main")
