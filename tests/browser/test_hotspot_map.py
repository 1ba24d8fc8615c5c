"""On a phone: the hotspot map draws points and circles with no tile server and no network."""

from __future__ import annotations

import importlib
from datetime import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.outreach.models import Capture, Operation, OperationStatus
from kawal.regions.models import Region
from kawal.reports.models import Report
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user
from tests.identity.conftest import register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hotspot_map_on_a_phone_without_tiles(phones, settings):
    settings.KAWAL_MAP_TILES_URL = ""
    importlib.import_module("kawal.regions.migrations.0004_balikpapan_centres").load(apps, None)
    owner = make_user(Role.CASE_MANAGER, username="hm-manajer")
    case = register(owner, "Anak Peta Sintetis")
    for code, hour, point in (
        ("64.71.06.1004", 20, ("-1.2770", "116.8283")),
        ("64.71.06.1004", 21, ("-1.2772", "116.8286")),
        ("64.71.05.1002", 16, ("-1.2630", "116.8860")),
    ):
        when = timezone.make_aware(datetime.fromisoformat(f"2026-03-02T{hour:02d}:10"))
        operation = Operation.objects.create(
            title="Operasi (sintetis)",
            starts_at=when,
            area=Region.objects.get(code=code),
            status=OperationStatus.CONDUCTED,
            lead=owner,
            created_by=owner,
        )
        row = Capture.objects.create(
            operation=operation,
            name_as_told="Anak",
            age_estimate=9,
            activity="tissues",
            taken_to="home",
            child=case.child,
            outcome="linked",
            captured_by=owner,
            latitude=Decimal(point[0]),
            longitude=Decimal(point[1]),
        )
        Capture.objects.filter(pk=row.pk).update(created_at=when)

    # A sighting reported on the Tuesday, elsewhere in the city.
    sighting = Report.objects.create(
        channel="public_web",
        seen=["begging"],
        children_count=1,
        seen_at=timezone.make_aware(datetime.fromisoformat("2026-03-03T10:30")),
        kelurahan=Region.objects.get(code="64.71.01.1001"),
        landmark="Simpang (sintetis)",
        latitude=Decimal("-1.2150"),
        longitude=Decimal("116.8650"),
    )
    Report.objects.filter(pk=sighting.pk).update(created_at=sighting.seen_at)

    # One imported outline (as `kawal import_boundaries` stores it).
    Region.objects.filter(code="64.71.06.1004").update(
        boundary={
            "type": "Polygon",
            "coordinates": [
                [
                    [116.82, -1.28],
                    [116.84, -1.28],
                    [116.84, -1.26],
                    [116.82, -1.26],
                    [116.82, -1.28],
                ]
            ],
        }
    )

    patrol = make_user(Role.PATROL_OFFICER, username="hm-satpol")
    phone = phones()
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(phone, patrol)
    phone.goto(phone.base_url + "/peta/")
    phone.wait_for_selector("#hotspot-map[data-state='ready']")
    map_box = phone.locator("#hotspot-map")
    assert map_box.get_attribute("data-points") == "4"
    assert map_box.get_attribute("data-circles") == "3"
    assert phone.locator("#hotspot-map path.hotspot-circle").count() == 3
    assert phone.locator("#hotspot-map .leaflet-marker-icon").count() >= 2
    assert phone.locator("#hotspot-map .hotspot-point.reported").count() == 1
    phone.wait_for_selector("#hotspot-map[data-boundaries='1']")
    assert phone.locator("#hotspot-map path.hotspot-boundary").count() == 1
    assert phone.locator("#hotspot-map img.leaflet-tile").count() == 0
    assert map_box.bounding_box()["width"] <= 360
    table = phone.locator("#hour-week")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 24
    assert table.locator("tfoot").inner_text().split()[1:] == ["3", "1", "0", "0", "0", "0", "0"]
    no_horizontal_scroll(phone)
    assert errors == [], errors

    phone.select_option("#id_time_of_day", "night")
    phone.click("main button.primary")
    phone.wait_for_selector("#hotspot-map[data-state='ready']")
    assert phone.locator("#hotspot-map").get_attribute("data-points") == "2"
    no_horizontal_scroll(phone)
