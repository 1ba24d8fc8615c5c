"""The hotspot map: who may see it, what its data endpoint may say, filters, boundaries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kawal.access.catalogue import ROLES, Capability, Role
from kawal.outreach.models import Capture, Operation, OperationStatus
from kawal.regions.models import Region
from kawal.reports.models import Report
from tests.helpers import make_user, sign_in
from tests.identity.conftest import register

pytestmark = pytest.mark.django_db

NAME_MARK = "Zulkarnainmarker Sintetis"
TOLD_MARK = "Toldmarker"
STREET_MARK = "Jalan Rumahmarker 99"
PLACE_MARK = "Placemarker depan toko"
ADULT_MARK = "Adultmarker"
REPORTER_MARK = "Reportermarker Sintetis"
PHONE_MARK = "0899-1234-5678"
CHILD_NAMES_MARK = "Namedchildmarker"
DESCRIPTION_MARK = "Descriptionmarker"
LANDMARK_MARK = "Landmarkmarker"


def at(day: str, hour: int) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:15"))


@pytest.fixture
def found(db):
    """Three children found: two points in Klandasan Ilir, one without a point in Sepinggan."""
    owner = make_user(Role.CASE_MANAGER, username="hs-owner")
    case = register(owner, NAME_MARK, street=STREET_MARK)

    def capture(area: str, when: datetime, activity: str, point: tuple[str, str] | None) -> None:
        operation = Operation.objects.create(
            title="Operasi (sintetis)",
            starts_at=when,
            area=Region.objects.get(code=area),
            status=OperationStatus.CONDUCTED,
            lead=owner,
            created_by=owner,
        )
        row = Capture.objects.create(
            operation=operation,
            name_as_told=TOLD_MARK,
            age_estimate=9,
            activity=activity,
            place=PLACE_MARK,
            accompanying_adult=ADULT_MARK,
            taken_to="uptd",
            child=case.child,
            case=case,
            outcome="linked",
            captured_by=owner,
            latitude=Decimal(point[0]) if point else None,
            longitude=Decimal(point[1]) if point else None,
        )
        Capture.objects.filter(pk=row.pk).update(created_at=when)

    # 2026-03-02 is a Monday, 2026-04-11 a Saturday.
    capture("64.71.06.1004", at("2026-03-02", 20), "tissues", ("-1.27651234", "116.82159876"))
    capture("64.71.06.1004", at("2026-04-11", 9), "begging", ("-1.2770", "116.8283"))
    capture("64.71.05.1002", at("2026-04-11", 20), "tissues", None)
    return case


@pytest.fixture
def sighted(found):
    """Two sightings reported in Klandasan Ilir (one with a point) and a merged repeat."""

    def sighting(when: datetime, seen: list[str], point: tuple[str, str] | None, **extra):
        made = Report.objects.create(
            channel="phone",
            seen=seen,
            children_count=2,
            seen_at=when,
            kelurahan=Region.objects.get(code="64.71.06.1004"),
            landmark=LANDMARK_MARK,
            description=DESCRIPTION_MARK,
            reporter_name=REPORTER_MARK,
            reporter_phone=PHONE_MARK,
            child_names=CHILD_NAMES_MARK,
            latitude=Decimal(point[0]) if point else None,
            longitude=Decimal(point[1]) if point else None,
            **extra,
        )
        # Sent from the place, a quarter of an hour after the sighting.
        Report.objects.filter(pk=made.pk).update(created_at=when + timedelta(minutes=15))
        return made

    # 2026-03-03 is a Tuesday.
    first = sighting(at("2026-03-03", 21), ["begging", "busking"], ("-1.27556", "116.82444"))
    sighting(at("2026-03-04", 7), ["tissues"], None)
    sighting(at("2026-03-03", 21), ["begging"], ("-1.2756", "116.8244"), duplicate_of=first)
    return found


def client_for(client, role: Role):
    sign_in(client, make_user(role))
    return client


@pytest.mark.parametrize("role", list(Role))
def test_only_roles_with_the_capability_see_the_map(client, role, found):
    allowed = Capability.VIEW_HOTSPOT_MAP in ROLES[role].capabilities
    client_for(client, role)
    for name in ("hotspots:map", "hotspots:data"):
        response = client.get(reverse(name))
        assert response.status_code == (200 if allowed else 403), (role, name)
    home = client.get(reverse("web:home")).content.decode()
    assert (reverse("hotspots:map") in home) is allowed


def test_some_roles_see_it_and_some_do_not():
    roles = {role for role in Role if Capability.VIEW_HOTSPOT_MAP in ROLES[role].capabilities}
    assert Role.PATROL_OFFICER in roles
    assert Role.PSYCHOLOGIST not in roles and Role.RT_HEAD not in roles


def test_data_carries_points_and_counts_but_nothing_that_names_a_child(client, found):
    client_for(client, Role.PATROL_OFFICER)
    response = client.get(reverse("hotspots:data"))
    assert response.status_code == 200
    text = response.content.decode()
    for secret in (
        NAME_MARK,
        "Zulkarnainmarker",
        TOLD_MARK,
        STREET_MARK,
        "Rumahmarker",
        PLACE_MARK,
        ADULT_MARK,
        found.number,
        str(found.child.uuid),
        str(found.uuid),
    ):
        assert secret not in text, secret
    data = response.json()
    assert set(data) == {"points", "points_truncated", "kelurahan", "found", "reported", "total"}
    assert {tuple(sorted(point)) for point in data["points"]} == {
        ("activity", "activity_label", "date", "hour", "kind", "lat", "lon")
    }
    newest, oldest = data["points"]
    assert (oldest["lat"], oldest["lon"]) == (-1.277, 116.822)  # rounded to 3 decimals
    assert oldest["hour"] == 20 and oldest["date"] == "2026-03-02"
    assert newest["activity"] == "begging" and newest["hour"] == 9
    counts = {row["code"]: row for row in data["kelurahan"]}
    assert counts["64.71.06.1004"]["count"] == 2 and counts["64.71.05.1002"]["count"] == 1
    assert counts["64.71.06.1004"]["lat"] is not None
    assert data["total"] == data["found"] == 3 and data["reported"] == 0


def test_sightings_join_the_map_without_anything_about_the_reporter(client, sighted):
    client_for(client, Role.PATROL_OFFICER)
    response = client.get(reverse("hotspots:data"))
    text = response.content.decode()
    for secret in (
        REPORTER_MARK,
        "Reportermarker",
        PHONE_MARK,
        CHILD_NAMES_MARK,
        DESCRIPTION_MARK,
        LANDMARK_MARK,
    ):
        assert secret not in text, secret
    data = response.json()
    reported = [point for point in data["points"] if point["kind"] == "reported"]
    # The merged repeat is the same sighting: one point, counted once.
    assert len(reported) == 1
    assert (reported[0]["lat"], reported[0]["lon"], reported[0]["hour"]) == (-1.276, 116.824, 21)
    assert reported[0]["activity"] == "begging"
    counts = {row["code"]: row for row in data["kelurahan"]}
    assert (counts["64.71.06.1004"]["reported"], counts["64.71.06.1004"]["found"]) == (2, 2)
    assert counts["64.71.06.1004"]["count"] == 4
    assert (data["found"], data["reported"], data["total"]) == (3, 2, 5)
    # Newest first across both sources: the April finds, then the March sighting.
    assert [point["kind"] for point in data["points"]] == ["found", "reported", "found"]


def test_a_point_sent_long_after_the_sighting_stays_off_the_map(client, sighted):
    # Sent a day later: the phone was wherever the reporter was by then.
    late = Report.objects.filter(latitude__isnull=False, duplicate_of__isnull=True).get()
    Report.objects.filter(pk=late.pk).update(created_at=late.seen_at + timedelta(days=1))
    client_for(client, Role.CASE_MANAGER)
    data = client.get(reverse("hotspots:data")).json()
    assert [point["kind"] for point in data["points"]] == ["found", "found"]
    assert data["reported"] == 2  # still counted for its kelurahan, without a point


@pytest.mark.parametrize(
    ("query", "points", "finds", "sightings"),
    [
        ({"source": "reported"}, 1, 0, 2),
        ({"source": "found"}, 2, 3, 0),
        ({"activity": "busking"}, 1, 0, 1),
        ({"activity": "tissues", "source": "reported"}, 0, 0, 1),
        ({"time_of_day": "morning"}, 1, 1, 1),
        ({"date_from": "2026-03-04", "date_to": "2026-03-31"}, 0, 0, 1),
    ],
)
def test_sighting_filters(client, sighted, query, points, finds, sightings):
    client_for(client, Role.CASE_MANAGER)
    data = client.get(reverse("hotspots:data"), query).json()
    assert (len(data["points"]), data["found"], data["reported"]) == (points, finds, sightings)


def test_the_hour_table_counts_sightings_when_seen(client, sighted):
    client_for(client, Role.CASE_MANAGER)
    response = client.get(reverse("hotspots:map"), {"source": "reported"})
    rows = response.context["rows"]
    assert rows[21][1][1][0] == 1  # 21:00 on the Tuesday
    assert rows[7][1][2][0] == 1  # 07:00 on the Wednesday
    assert response.context["total"] == 2


@pytest.mark.parametrize(
    ("query", "points", "total"),
    [
        ({"date_from": "2026-04-01"}, 1, 2),
        ({"date_to": "2026-03-31"}, 1, 1),
        ({"activity": "tissues"}, 1, 2),
        ({"time_of_day": "night"}, 1, 2),
        ({"time_of_day": "morning"}, 1, 1),
        ({"time_of_day": "afternoon"}, 0, 0),
        ({"date_from": "2026-04-11", "date_to": "2026-04-11", "activity": "begging"}, 1, 1),
    ],
)
def test_filters(client, found, query, points, total):
    client_for(client, Role.SUPERVISOR)
    data = client.get(reverse("hotspots:data"), query).json()
    assert (len(data["points"]), data["total"]) == (points, total)


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "kemarin"},
        {"date_to": "2026-13-40"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"activity": "selling-kidneys"},
        {"time_of_day": "noon"},
        {"source": "everything"},
    ],
)
def test_bad_filters_are_refused_with_a_message(client, found, query):
    client_for(client, Role.SUPERVISOR)
    response = client.get(reverse("hotspots:data"), query)
    assert response.status_code == 400
    assert response.json()["message"]
    page = client.get(reverse("hotspots:map"), query)
    assert page.status_code == 400 and b'class="error"' in page.content


def test_the_page_tables_work_without_javascript(client, found):
    client_for(client, Role.CASE_MANAGER)
    response = client.get(reverse("hotspots:map"), {"time_of_day": "night"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[20][1][0][0] == 1  # 20:00 on a Monday
    assert rows[20][1][5][0] == 1  # 20:00 on a Saturday
    assert response.context["total"] == 2
    html = response.content.decode()
    assert 'id="hour-week"' in html and "Klandasan Ilir" in html
    assert "<script>" not in html and "style=" not in html
    assert NAME_MARK not in html and found.number not in html


def test_every_balikpapan_kelurahan_has_a_centre_inside_the_city():
    kelurahan = Region.objects.filter(code__startswith="64.71.", level="kelurahan")
    assert kelurahan.count() == 34
    for region in kelurahan:
        assert region.latitude is not None, region
        assert -1.35 < region.latitude < -1.05 and 116.75 < region.longitude < 117.10, region


def square(code, west=116.82, south=-1.28, size=0.01, key="code"):
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south]]
    return {
        "type": "Feature",
        "properties": {key: code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write(tmp_path, features):
    path = tmp_path / "kelurahan.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_import_boundaries_stores_polygons_and_is_idempotent(tmp_path):
    path = write(
        tmp_path, [square("64.71.06.1004"), square("64.71.05.1002", key="KDEPUM", west=116.88)]
    )
    out = StringIO()
    call_command("import_boundaries", str(path), stdout=out)
    assert "2 updated" in out.getvalue()
    boundary = Region.objects.get(code="64.71.06.1004").boundary
    assert boundary["type"] == "Polygon" and boundary["coordinates"][0][0] == [116.82, -1.28]
    out = StringIO()
    call_command("import_boundaries", str(path), stdout=out)
    assert "0 updated, 2 unchanged" in out.getvalue()


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "Feature", "properties": {}, "geometry": square("x")["geometry"]},
        square("64.71.06"),  # a kecamatan, not a kelurahan
        square("64.71.06.1999"),  # well-formed, not in the table
        square("64.71.06.1004"),  # twice
        {**square("64.71.06.1003"), "geometry": {"type": "Point", "coordinates": [116.8, -1.2]}},
        {
            **square("64.71.06.1003"),
            "geometry": {"type": "Polygon", "coordinates": [[[116.8, -1.2], [116.9, -1.2]]]},
        },
        {
            **square("64.71.06.1003"),
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[116.8, -1.2], [116.9, -1.2], [116.9, -1.1], [116.8, -1.1]]],
            },
        },
        {
            **square("64.71.06.1003"),
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[216.8, -1.2], [216.9, -1.2], [216.9, -1.1], [216.8, -1.2]]],
            },
        },
    ],
)
def test_import_boundaries_refuses_a_bad_file_and_stores_nothing(tmp_path, bad):
    path = write(tmp_path, [square("64.71.06.1004"), bad])
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_boundaries", str(path), stderr=err)
    assert err.getvalue().strip()
    assert not Region.objects.filter(boundary__isnull=False).exists()


def test_import_boundaries_refuses_what_is_not_geojson(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_boundaries", str(path), stderr=StringIO())
    path.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(CommandError):
        call_command("import_boundaries", str(path), stderr=StringIO())


def test_imported_boundaries_are_served_to_map_roles_only(client, tmp_path):
    path = write(tmp_path, [square("64.71.06.1004")])
    call_command("import_boundaries", str(path), stdout=StringIO())
    client_for(client, Role.PATROL_OFFICER)
    collection = client.get(reverse("hotspots:boundaries")).json()
    assert [feature["properties"] for feature in collection["features"]] == [
        {"code": "64.71.06.1004", "name": "Klandasan Ilir"}
    ]
    assert collection["features"][0]["geometry"]["type"] == "Polygon"
    client_for(client, Role.PSYCHOLOGIST)
    assert client.get(reverse("hotspots:boundaries")).status_code == 403
