"""On a phone: the hotspot map draws community sessions as a layer of counts, no names."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.families import services as svc
from kawal.regions.models import Region
from tests.browser.test_case_journey import no_horizontal_scroll, sign_in
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = "Keluarga Rahasiamarker"


def test_community_sessions_layer_on_the_map(phone, settings):
    settings.KAWAL_MAP_TILES_URL = ""
    importlib.import_module("kawal.regions.migrations.0004_balikpapan_centres").load(apps, None)
    psychologist = make_user(Role.PSYCHOLOGIST, username="fm-psikolog")
    manager = make_user(Role.CASE_MANAGER, username="fm-manajer")
    for code, women in (("64.71.06.1004", 12), ("64.71.03.1004", 5)):
        session = svc.community_session_create(
            kelurahan=Region.objects.get(code=code),
            rt="",
            held_on=timezone.localdate() - timedelta(days=3),
            topic="Sosialisasi (sintetis)",
            venue="",
            facilitators=[psychologist],
            other_facilitators="",
            counts={"women": women, "men": 3},
            notes="",
            acting_user=psychologist,
        )
        svc.community_family_add(
            session,
            family_name=FAMILY,
            rt="",
            concern="Anak di simpang (sintetis)",
            person=None,
            acting_user=psychologist,
        )
    sign_in(phone, manager)
    phone.context.add_cookies([{"name": "kawal_language", "value": "en", "url": phone.base_url}])
    phone.goto(phone.base_url + "/peta/")
    phone.wait_for_selector("#hotspot-map[data-state='ready']")
    # Drawn from their own endpoint once the main data is on the map.
    phone.wait_for_selector("#hotspot-map[data-layer-circles='2']")
    table = phone.inner_text("section[data-layer='families.community_sessions']")
    assert "Community sessions" in table and "Klandasan Ilir" in table and "15" in table
    assert FAMILY not in phone.content()
    no_horizontal_scroll(phone)
