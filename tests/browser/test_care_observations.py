"""On a 360 px phone: the psychologist records three days and sees the chart; the case
manager sees the chart but never the notes.

Prints the figures the issue asks for: seconds and taps to record one
observation from the home page, and the bytes the chart page transfers.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.care.models import Indicator, Observation
from kawal.cases import services as svc
from kawal.cases.models import Case, SharingBasis
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.cases.conftest import open_case
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Anak menangis saat menyebut ibunya (catatan klinis sintetis)"
ACTION = "Didampingi dan ditenangkan di ruang konseling (sintetis)"


@pytest.fixture(autouse=True)
def _indicators(transactional_db):
    """Transactional tests flush the database, the indicators' data migration included."""
    import importlib

    from django.apps import apps

    if not Indicator.objects.exists():
        importlib.import_module("kawal.care.migrations.0002_indicators").load(apps, None)


def setting_up():
    manager = make_user(Role.CASE_MANAGER, username="co-manajer", full_name="Rina Sintetis")
    supervisor = make_user(Role.SUPERVISOR, username="co-supervisor", full_name="Hendra Sintetis")
    psychologist = make_user(Role.PSYCHOLOGIST, username="co-psikolog", full_name="Dewi Sintetis")
    case = open_case(manager, supervisor, name="Melati Sintetis binti Contoh")
    case = svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=manager,
    )
    svc.member_add(
        case,
        user=psychologist,
        case_role="Psikolog pendamping",
        data_classes=["identity", "whereabouts", "clinical", "progress"],
        acting_user=manager,
    )
    Case.objects.filter(pk=case.pk).update(opened_on=timezone.localdate() - timedelta(days=6))
    return manager, psychologist, Case.objects.get(pk=case.pk)


def tap_scores(page, values: dict[str, int]) -> int:
    taps = 0
    for code, value in values.items():
        page.click(f"#scale-{code} label:has(input[value='{value}'])")
        taps += 1
    return taps


def record_from_home(page, day=None, values=None, note="", incident=False) -> tuple[float, int]:
    """From the home page to saved and back home; returns (seconds, taps)."""
    codes = list(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    values = values or dict.fromkeys(codes, 4)
    started = time.perf_counter()
    page.click("#h-care-today ~ ul a.care-record")
    taps = 1
    page.wait_for_url(re.compile(r"/observasi/baru/"))
    if day is not None:
        page.fill("#id_observed_on", day.isoformat())  # typing a date: not counted as a tap
    taps += tap_scores(page, values)
    if note:
        page.fill("#id_note", note)
    if incident:
        page.click("details.incidents summary")
        page.select_option("#id_incident-0-kind", "distress")
        page.fill("#id_incident-0-occurred_at", "00:00")  # today: never later than now
        page.fill("#id_incident-0-action_taken", ACTION)
    page.click("button.care-save")
    taps += 1
    page.wait_for_url(page.base_url + "/")
    return time.perf_counter() - started, taps


def test_the_psychologist_records_three_days_and_the_chart_shows_them(phones):
    _manager, psychologist, case = setting_up()
    phone = phones()
    sign_in(phone, psychologist)
    no_horizontal_scroll(phone)
    card = phone.locator("#h-care-today").locator("..")
    assert "Melati Sintetis" in card.inner_text()
    button = phone.locator("a.care-record").first.bounding_box()
    assert button["height"] >= 44 and button["width"] >= 44

    today = timezone.localdate()
    # Two earlier days, recorded late with the date field, then today.
    record_from_home(phone, day=today - timedelta(days=2), note=NOTE, incident=True)
    record_from_home(phone, day=today - timedelta(days=1), values=None)
    phone.goto(phone.base_url + "/")
    # The timed one: today, the date left at its default, nothing typed.
    phone.click("#h-care-today ~ ul a.care-record")
    phone.wait_for_url(re.compile(r"/observasi/baru/"))
    for box in phone.locator(".scale-options label").all()[:5]:
        size = box.bounding_box()
        assert size["height"] >= 44 and size["width"] >= 44
    no_horizontal_scroll(phone)
    phone.goto(phone.base_url + "/")
    seconds, taps = record_from_home(phone)
    print(
        f"\nRECORD ONE OBSERVATION from the home page at 360x740: {seconds:.2f} s, {taps} taps "
        f"(1 to open the form from the home card, {taps - 2} scale taps, 1 to save)"
    )
    assert taps <= 9 and seconds < 60
    assert Observation.objects.filter(case=case).count() == 3
    assert "Semua anak sudah ditemui hari ini" in phone.inner_text("main")

    # The chart: one canvas per indicator, three days drawn.
    phone.click("#h-care-today ~ ul .who a")
    phone.wait_for_url(re.compile(r"/observasi/$"))
    phone.wait_for_function("document.querySelectorAll('#care-charts canvas').length === 7")
    data = json.loads(phone.locator("#care-trend-data").text_content())
    mood = next(item for item in data["indicators"] if item["code"] == "mood")
    assert [value for value in mood["values"] if value is not None] == [4, 4, 4]
    assert len(data["incidents"]) == 1
    assert phone.locator("#care-chart-status").inner_text() == ""
    assert phone.locator("#care-charts canvas").first.bounding_box()["width"] > 200
    assert NOTE in phone.inner_text("main")  # the psychologist reads their own notes
    no_horizontal_scroll(phone)


def measure(page, url: str) -> dict[str, int]:
    """Bytes of every response the page loads: as served here, and gzip-compressed
    (what WhiteNoise serves in production from its precompressed files)."""
    bodies: dict[str, bytes] = {}

    def keep(response):
        try:
            bodies[response.url] = response.body()
        except Exception:  # a redirect has no body
            bodies[response.url] = b""

    page.on("response", keep)
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('#care-charts canvas').length > 0")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", keep)
    transfer = page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(
              performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)"""
    )
    for url, body in sorted(bodies.items(), key=lambda item: -len(item[1])):
        packed = len(gzip.compress(body, 9))
        print(f"  {len(body):>8,} bytes, {packed:>7,} gzip  {url.split('/', 3)[-1]}")
    raw = sum(len(body) for body in bodies.values())
    packed = sum(len(gzip.compress(body, 9)) for body in bodies.values())
    return {"requests": len(bodies), "raw": raw, "gzip": packed, "transfer": transfer}


def test_the_case_manager_sees_the_chart_but_never_the_notes(phones):
    manager, psychologist, case = setting_up()
    from kawal.care import services as care_svc

    today = timezone.localdate()
    for back in (3, 2, 1):
        care_svc.observation_record(
            case,
            care_svc.ObservationInput(
                observed_on=today - timedelta(days=back),
                scores={i.code: 2 + back % 3 for i in Indicator.objects.filter(is_active=True)},
                note=NOTE,
                incidents=[care_svc.IncidentInput("distress", timezone.now().time(), ACTION)]
                if back == 2
                else [],
            ),
            acting_user=psychologist,
        )
    phone = phones()
    sign_in(phone, manager)
    phone.goto(f"{phone.base_url}/kasus/{case.uuid}/")
    section = phone.locator("#h-care-observations").locator("..")
    assert "Mood" in section.inner_text() or "Suasana hati" in section.inner_text()
    phone.click("a[href$='/observasi/']")
    phone.wait_for_url(re.compile(r"/observasi/$"))
    phone.wait_for_function("document.querySelectorAll('#care-charts canvas').length === 7")
    body = phone.content()
    assert NOTE not in body and ACTION not in body
    assert "#h-entries" not in body and 'id="h-entries"' not in body
    # The incident shows as a marker (kind and time), in the table too.
    phone.click("details.care-table summary")
    assert phone.locator("details.care-table table caption").is_visible()
    no_horizontal_scroll(phone)
    # No way to record: the case manager reads the trend only.
    assert phone.locator("a[href$='/observasi/baru/']").count() == 0
    phone.goto(f"{phone.base_url}/kasus/{case.uuid}/siap-sekolah/")
    phone.wait_for_function("document.querySelectorAll('#care-charts canvas').length === 7")
    assert NOTE not in phone.content()
    no_horizontal_scroll(phone)

    print("\nCHART PAGE responses:")
    figures = measure(phone, f"{phone.base_url}/kasus/{case.uuid}/observasi/")
    print(
        f"\nCHART PAGE: {figures['requests']} responses, {figures['raw']:,} bytes as served "
        f"by the test server (Resource Timing transferSize {figures['transfer']:,}), "
        f"{figures['gzip']:,} bytes gzip-compressed"
    )
    assert figures["gzip"] < 120_000
