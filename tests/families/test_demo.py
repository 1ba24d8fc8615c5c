"""The families demo: parents at every stage, a community session in a hotspot, a visit for `rt`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kawal.accounts.models import User
from kawal.demo.assessments import demo_load_assessments
from kawal.demo.cases import demo_load_cases
from kawal.demo.families import KLANDASAN_ILIR, demo_load_families
from kawal.demo.hotspots import HOTSPOTS
from kawal.demo.services import demo_load
from kawal.families.compliance import Compliance, derive_compliance
from kawal.families.models import CommunitySession, HomeVisit, ParentProgramme, RtConfirmation
from kawal.families.selectors import programme_facts, reunification_readiness
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_demo_programmes_and_sessions(settings):
    settings.KAWAL_REUNIFICATION_MIN_SESSIONS = 4
    demo_load(password="kawal-demo")
    assert demo_load_cases(count=60) == 60
    demo_load_assessments()
    made = demo_load_families()
    assert made == 6
    assert demo_load_families() == 0  # idempotent
    programmes = list(ParentProgramme.objects.select_related("case"))
    assert len(programmes) == 4
    facts = programme_facts(programmes)
    statuses = {derive_compliance(facts[p.pk]).status for p in programmes}
    assert {Compliance.JUST_STARTED, Compliance.NOT_COMPLYING, Compliance.COMPLETED} <= statuses
    # One of them is ready for reunification (the assessments demo signed its low risk).
    assert any(reunification_readiness(p.case).ready for p in programmes)
    # The `rt` account has one visit waiting in its RT, and answered others.
    rt = User.objects.get(username="rt")
    waiting = HomeVisit.objects.filter(
        confirming_agency=rt.agency, rt_status=RtConfirmation.PENDING
    )
    assert waiting.count() == 1
    client = Client()
    sign_in(client, rt)
    body = client.get(reverse("families:rt_visits")).content.decode()
    assert "rt-visit" in body
    # A community session in a hotspot kelurahan of the map demo.
    assert KLANDASAN_ILIR in {code for code, *_rest in HOTSPOTS}
    session = CommunitySession.objects.get(kelurahan_id=KLANDASAN_ILIR)
    assert session.attendees > 0 and session.materials.count() == 2
    assert session.families.count() == 1
    # The demo psychologist and case manager open the programmes.
    for username in ("psikolog", "manajer"):
        client = Client()
        sign_in(client, User.objects.get(username=username))
        listing = client.get(reverse("families:programmes"))
        assert listing.status_code == 200
        assert len(listing.context["rows"]) == 4
