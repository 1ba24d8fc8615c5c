"""The care demo: weeks of observations on four children, and one child cleared for school."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.accounts.models import User
from kawal.care import services as care_svc
from kawal.care.models import Incident, Observation, ReadinessDecision
from kawal.care.selectors import school_readiness
from kawal.cases.models import Case
from kawal.demo.care import demo_load_care
from kawal.demo.cases import demo_load_cases
from kawal.demo.services import demo_load
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(signed):
    """Accounts, cases and (when the assessments app ships its demo) signed assessments."""
    from tests.care.conftest import Summary

    demo_load(password="kawal-demo")
    demo_load_cases(count=40)
    # The improving child has a signed (test) assessment to be cleared on.
    signed.append(Summary(band_label="Kebutuhan rendah"))
    return signed


def test_demo_children_with_weeks_of_observations_and_one_cleared(demo):
    made = demo_load_care()
    assert made > 4 * 30
    observed = Case.objects.filter(observations__isnull=False).distinct()
    assert observed.count() == 4
    per_case = sorted(case.observations.count() for case in observed)
    assert per_case[0] < per_case[-1]  # the child with missed days
    assert Incident.objects.count() == 2
    cleared = [case for case in observed if school_readiness(case).cleared]
    assert len(cleared) == 1
    pending = ReadinessDecision.objects.filter(confirmed_at__isnull=True)
    assert pending.count() == 1 and not pending.get().safe
    # Past days were written on their day: only today's is still editable.
    today = timezone.localdate()
    assert Observation.objects.filter(observed_on=today).count() == 1
    # Idempotent.
    assert demo_load_care() == 0
    assert Observation.objects.count() == made - 2


def test_the_demo_psychologist_sees_the_children_and_the_manager_the_chart(demo):
    demo_load_care()
    psychologist = User.objects.get(username="psikolog")
    client = Client()
    sign_in(client, psychologist)
    client.cookies["kawal_language"] = "en"
    home = client.get(reverse("web:home")).content.decode()
    assert "My children today" in home and "Record today" in home
    case = Case.objects.filter(observations__isnull=False).distinct().first()
    manager = Client()
    sign_in(manager, case.owner)
    page = manager.get(reverse("care:case", kwargs={"case_uuid": case.uuid}))
    assert page.status_code == 200 and "care-trend-data" in page.content.decode()
    assert "catatan klinis sintetis" not in page.content.decode()


def test_with_the_assessments_demo_the_improving_child_is_cleared_on_real_assessments(
    signed, real_assessments
):
    from kawal.demo.assessments import demo_load_assessments

    demo_load(password="kawal-demo")
    demo_load_cases()
    demo_load_assessments()
    demo_load_care()
    cleared = [
        case
        for case in Case.objects.filter(observations__isnull=False).distinct()
        if school_readiness(case).cleared
    ]
    assert len(cleared) == 1
    decision = ReadinessDecision.objects.get(case=cleared[0], safe=True)
    assert decision.assessments and decision.assessments[0]["instrument_name"]
    # It rests only on low or medium results, the child has no high one, and the
    # reason states the results it names.
    assert {item["band_code"] for item in decision.assessments} <= {"low", "medium"}
    real = care_svc.signed_assessments_of(cleared[0])
    assert real and not care_svc.high_band(real)
    for item in decision.assessments:
        assert item["band_label"].lower() in decision.rationale
    assert "rendah" in decision.rationale or "ringan" in decision.rationale
    supervisor = User.objects.get(username="supervisor")
    client = Client()
    sign_in(client, supervisor)
    client.cookies["kawal_language"] = "en"
    page = client.get(reverse("care:readiness", kwargs={"case_uuid": cleared[0].uuid}))
    assert "Cleared: safe to return to school." in page.content.decode()
    assert decision.assessments[0]["instrument_name"] in page.content.decode()
