"""The shell's extension point: apps above it add menu entries and home cards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kawal.access.catalogue import Capability, Role
from kawal.web import extensions
from kawal.web.extensions import HomeCard, NavItem, any_of
from tests.helpers import make_user, sign_in


def test_the_menu_keeps_its_order_with_entries_registered_by_apps(db):
    names = [item.url_name for item in extensions.nav_items()]
    assert names.index("cases:referral_inbox") < names.index("reports:triage")
    assert names.index("reports:take_in") < names.index("outreach:list")
    assert names.index("hotspots:map") < names.index("cases:break_glass")
    assert names[0] == "web:home" and names[-1] == "accounts:security"
    with pytest.raises(ValueError, match="twice"):
        extensions.register_nav_item(NavItem("outreach:list", "x", order=1))


@pytest.fixture
def probe_card(settings, tmp_path):
    (tmp_path / "probe_card.html").write_text("<p>PROBE {{ card.due }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0].get("DIRS", []), tmp_path]}
    ]
    asked = []

    def context(request):
        asked.append(request.user.username)
        return {"due": 3}

    card = HomeCard(
        key="tests.probe",
        order=1,
        template="probe_card.html",
        shown_to=any_of(Capability.RECORD_CLINICAL),
        context=context,
    )
    extensions.register_home_card(card)
    yield asked
    del extensions._CARDS[card.key]


def test_a_home_card_shows_only_to_the_roles_it_names(client, db, probe_card):
    sign_in(client, make_user(Role.PSYCHOLOGIST, username="psy"))
    assert "PROBE 3" in client.get(reverse("web:home")).content.decode()
    sign_in(client, make_user(Role.PATROL_OFFICER, username="patrol"))
    assert "PROBE" not in client.get(reverse("web:home")).content.decode()
    # The card's selector never runs for a role it is not shown to.
    assert probe_card == ["psy"]
