"""Community sessions: recording, materials, families at risk, the statistics selector and
the hotspot map layer, which carries numbers per kelurahan and never a name."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.access.models import AccessLog
from kawal.core.models import AuditEvent, StaleVersion
from kawal.families import services as svc
from kawal.families.models import CommunitySession
from kawal.families.selectors import community_session_stats, linkable_people
from kawal.hotspots import layers
from kawal.regions.models import Region
from tests.families.conftest import KELURAHAN, PP, days_ago, png_upload
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def en_client(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def form(**extra) -> dict:
    data = {
        "kelurahan": KELURAHAN,
        "rt": "12",
        "held_on": days_ago(2).isoformat(),
        "topic": "Pola asuh positif (sintetis)",
        "venue": "Aula kelurahan",
        "other_facilitators": "Puskesmas (sintetis)",
        "girls": "2",
        "boys": "1",
        "women": "15",
        "men": "7",
        "older_women": "3",
        "older_men": "0",
        "notes": "",
    }
    data.update(extra)
    return data


def test_recording_a_session_with_counts_only(family):
    client = en_client(family.social_worker)
    response = client.post(reverse("families:community_new"), form())
    assert response.status_code == 302
    session = CommunitySession.objects.get(topic="Pola asuh positif (sintetis)")
    assert session.rt == "012" and session.attendees == 28
    assert list(session.facilitators.all()) == [family.social_worker]
    assert AuditEvent.objects.filter(kind="families.community_session_created").exists()
    bad = client.post(reverse("families:community_new"), form(women="-1", rt="abc"))
    assert bad.status_code == 400
    future = client.post(reverse("families:community_new"), form(held_on="2099-01-01"))
    assert future.status_code == 400


def test_a_case_manager_reads_but_does_not_record(family):
    with pytest.raises(PermissionDenied):
        svc.community_session_create(
            kelurahan=Region.objects.get(code=KELURAHAN),
            rt="",
            held_on=days_ago(1),
            topic="x",
            venue="",
            facilitators=[],
            other_facilitators="",
            counts={},
            notes="",
            acting_user=family.world.owner,
        )
    client = en_client(family.world.owner)
    listing = client.get(reverse("families:community") + f"?kelurahan={KELURAHAN}")
    assert listing.status_code == 200
    assert "Bahaya eksploitasi anak" in listing.content.decode()
    assert "Record a community session" not in listing.content.decode()


def test_edit_is_versioned_and_for_organisers(family):
    session = family.community
    other = make_user(Role.PSYCHOLOGIST)
    fields = {
        "kelurahan": session.kelurahan,
        "rt": "5",
        "held_on": session.held_on,
        "topic": "Judul baru",
        "venue": "",
        "facilitators": [family.world.psychologist],
        "other_facilitators": "",
        "counts": {"women": 4},
        "notes": "",
    }
    with pytest.raises(PermissionDenied):
        svc.community_session_update(
            session, expected_version=session.version, acting_user=other, **fields
        )
    svc.community_session_update(
        session, expected_version=1, acting_user=family.world.psychologist, **fields
    )
    with pytest.raises(StaleVersion):
        svc.community_session_update(
            session, expected_version=1, acting_user=family.world.psychologist, **fields
        )
    session.refresh_from_db()
    assert session.topic == "Judul baru" and session.attendees == 4


def test_materials_as_files_or_text(family):
    session = family.community
    client = en_client(family.world.psychologist)
    url = reverse("families:material_add", kwargs={"session_uuid": session.uuid})
    client.post(url, {"title": "Poster", "file": png_upload()})
    client.post(url, {"title": "Pesan kunci", "text": "Anak bukan untuk dipekerjakan."})
    client.post(url, {"title": "Kosong"})  # neither: refused with a message
    assert [m.title for m in session.materials.all()] == ["Poster", "Pesan kunci"]
    poster = session.materials.get(title="Poster")
    download = client.get(
        reverse("families:material_download", kwargs={"material_uuid": poster.uuid})
    )
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    detail = client.get(reverse("families:community_detail", kwargs={"session_uuid": session.uuid}))
    assert "Anak bukan untuk dipekerjakan." in detail.content.decode()


def test_at_risk_families_link_only_to_people_the_facilitator_may_see(family):
    session = family.community
    psychologist = family.world.psychologist
    options = linkable_people(psychologist, session)
    offered = {person.pk for person, _label, _case in options}
    assert family.case.child_id in offered and family.mother.pk in offered
    # Another psychologist organising a session there sees no one on a case they are not on.
    stranger = make_user(Role.PSYCHOLOGIST)
    assert linkable_people(stranger, session) == []
    svc.community_family_add(
        session,
        family_name="Keluarga Terkait (sintetis)",
        rt="5",
        concern="Ibu sering membawa anak ke simpang",
        person=family.mother,
        acting_user=psychologist,
    )
    # ... nor links a family to them: the id of a person they may not see is refused.
    own = svc.community_session_create(
        kelurahan=session.kelurahan,
        rt="",
        held_on=days_ago(1),
        topic="Sesi lain (sintetis)",
        venue="",
        facilitators=[],
        other_facilitators="",
        counts={"women": 3},
        notes="",
        acting_user=stranger,
    )
    with pytest.raises(ValidationError):
        svc.community_family_add(
            own, family_name="x", rt="", concern="x", person=family.mother, acting_user=stranger
        )
    client = en_client(psychologist)
    page = client.get(reverse("families:community_detail", kwargs={"session_uuid": session.uuid}))
    body = page.content.decode()
    assert PP["at_risk"] in body and family.case.number in body
    row = AccessLog.objects.filter(user=psychologist, case_id=family.case.pk).latest("at")
    assert row.data_classes == ["identity"]
    # A case manager who does not see that case reads the family but not the link.
    other_manager = make_user(Role.CASE_MANAGER)
    other = en_client(other_manager).get(
        reverse("families:community_detail", kwargs={"session_uuid": session.uuid})
    )
    assert "Keluarga Terkait" in other.content.decode()
    assert family.case.number not in other.content.decode()


def test_statistics_selector_counts_by_kelurahan_sex_and_age(family):
    svc.community_session_create(
        kelurahan=Region.objects.get(code=KELURAHAN),
        rt="",
        held_on=days_ago(400),
        topic="Lama",
        venue="",
        facilitators=[],
        other_facilitators="",
        counts={"men": 5},
        notes="",
        acting_user=family.world.psychologist,
    )
    [row] = community_session_stats()
    assert row.code == KELURAHAN and row.sessions == 2
    assert row.attendees == 24 + 5
    assert row.by_group == {
        "girls": 3,
        "boys": 4,
        "women": 10,
        "men": 11,
        "older_women": 1,
        "older_men": 0,
    }
    assert row.families_at_risk == 1
    [recent] = community_session_stats(date_from=days_ago(30))
    assert recent.sessions == 1 and recent.attendees == 24
    assert community_session_stats(kelurahan=["64.71.01.1001"]) == []


def test_the_map_layer_carries_no_names(family, settings):
    manager = make_user(Role.CASE_MANAGER)
    client = en_client(manager)
    assert "layers" not in client.get(reverse("hotspots:data")).json()
    data = client.get(reverse("hotspots:layers")).json()
    [layer] = [item for item in data["layers"] if item["key"] == "families.community_sessions"]
    assert layer["label"] == "Community sessions"
    assert layer["columns"] == ["Sessions", "People reached"]
    [row] = layer["kelurahan"]
    assert set(row) == {"code", "name", "lat", "lon", "count", "values"}
    assert row["code"] == KELURAHAN and row["count"] == 1 and row["values"] == [1, 24]
    text = json.dumps(data)
    for secret in (
        PP["at_risk"],
        "Anak sering terlihat",
        "Bahaya eksploitasi",  # the topic is free text: not on the map
        "Balai RT",
        family.world.psychologist.full_name,
        PP["identity"],
    ):
        assert secret not in text, secret
    # Dates filter the layer; other filters describe children on the street.
    future = client.get(reverse("hotspots:layers") + "?date_from=2099-01-01").json()
    [empty] = [item for item in future["layers"] if item["key"] == "families.community_sessions"]
    assert empty["kelurahan"] == []
    assert client.get(reverse("hotspots:layers") + "?date_from=x").status_code == 400
    patrol = en_client(make_user(Role.PATROL_OFFICER))
    assert patrol.get(reverse("hotspots:layers")).status_code == 200
    assert (
        en_client(make_user(Role.PSYCHOLOGIST)).get(reverse("hotspots:layers")).status_code == 403
    )
    page = client.get(reverse("hotspots:map"))
    assert "Community sessions" in page.content.decode()
    assert PP["at_risk"] not in page.content.decode()


def test_a_layer_hands_on_numbers_only():
    layer = layers.MapLayer(
        key="tests.sneaky",
        order=99,
        label="Sneaky",
        columns=(layers.LayerColumn("n", "N"),),
        counts=lambda criteria: {KELURAHAN: {"n": "Budi bin Sintetis"}, "nowhere": {"n": 3}},
    )
    layers.register_map_layer(layer)
    try:
        from kawal.hotspots.selectors import HotspotFilter

        result = [
            item for item in layers.layer_data(HotspotFilter()) if item["key"] == "tests.sneaky"
        ]
        assert result[0]["kelurahan"] == []  # a string is not a count; an unknown code is dropped
        with pytest.raises(ValueError, match="twice"):
            layers.register_map_layer(
                layers.MapLayer("tests.sneaky", 1, "x", (layers.LayerColumn("n", "N"),), dict)
            )
    finally:
        layers._LAYERS.pop("tests.sneaky")
