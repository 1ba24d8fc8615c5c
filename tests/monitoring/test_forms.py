"""Dinas Sosial's review, visit and follow-up forms, the incident form, and versioned edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kawal.cases.models import CaseEvent
from kawal.monitoring import services as svc
from kawal.monitoring.models import (
    AfterCareFollowUp,
    Incident,
    MonitoringVisit,
    PlacementReview,
    ReviewOutcome,
)
from kawal.placement.models import ExitReason, Placement
from tests.helpers import sign_in


def client_for(user) -> Client:
    client = Client()
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


def iso(day) -> str:
    return day.isoformat()


def test_review_form_records_and_shows_on_the_case_page(placed):
    client = client_for(placed.worker)
    url = reverse("monitoring:review_new", kwargs={"placement_uuid": placed.placement.uuid})
    page = client.get(url)
    assert page.status_code == 200
    # A date field's value is ISO, or the phone's date picker shows it empty.
    assert f'value="{iso(placed.today)}"' in page.content.decode()
    response = client.post(
        url,
        {
            "reviewed_on": iso(placed.today),
            "outcome": "change_plan",
            "notes": "Tambah konseling (sintetis)",
            "next_review_on": iso(placed.today + timedelta(days=180)),
        },
    )
    assert response.status_code == 302
    review = PlacementReview.objects.get(placement=placed.placement)
    assert review.outcome == ReviewOutcome.CHANGE_PLAN
    assert review.recorded_by == placed.worker
    assert CaseEvent.objects.filter(case=placed.case, kind="monitoring.review").exists()
    case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": placed.case.uuid}))
    body = case_page.content.decode()
    assert "Placement monitoring" in body
    assert "Tambah konseling (sintetis)" in body
    assert "Placement reviewed: Continue with a changed care plan" in body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reviewed_on": "not a date"}, "reviewed_on"),
        ({"outcome": "vanish"}, "outcome"),
        ({"next_review_on": "yesterday"}, "next_review_on"),
        ({"reviewed_on": "future"}, "reviewed_on"),
        ({"reviewed_on": "before"}, "reviewed_on"),
        ({"next_review_on": "same"}, "next_review_on"),
    ],
)
def test_review_form_bad_input_is_a_400_with_the_input_kept(placed, change, field):
    today = placed.today
    specials = {
        "future": iso(today + timedelta(days=2)),
        "before": iso(placed.placement.started_on - timedelta(days=1)),
        "same": iso(today),
    }
    data = {
        "reviewed_on": iso(today),
        "outcome": "continue",
        "notes": "Catatan yang tidak boleh hilang",
        "next_review_on": iso(today + timedelta(days=100)),
    }
    data.update({k: specials.get(v, v) for k, v in change.items()})
    client = client_for(placed.worker)
    url = reverse("monitoring:review_new", kwargs={"placement_uuid": placed.placement.uuid})
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field) or response.context["form"].errors
    assert field in response.context["form"].errors
    assert "Catatan yang tidak boleh hilang" in response.content.decode()
    assert not PlacementReview.objects.exists()


def test_visit_form_and_bad_input(placed):
    client = client_for(placed.worker)
    url = reverse("monitoring:visit_new", kwargs={"placement_uuid": placed.placement.uuid})
    good = {
        "visited_on": iso(placed.today),
        "visitors": "Maya Sari, Dinas Sosial (sintetis)",
        "findings": "Kamar bersih, anak ceria (sintetis)",
        "child_seen_alone": "no",
        "concerns": "Belum bertemu wali kelas",
    }
    for broken in (
        {"child_seen_alone": ""},
        {"child_seen_alone": "perhaps"},
        {"findings": "   "},
        {"visited_on": iso(placed.today + timedelta(days=1))},
        {"visitors": "x" * 301},
    ):
        response = client.post(url, good | broken)
        assert response.status_code == 400, broken
    assert not MonitoringVisit.objects.exists()
    assert client.post(url, good).status_code == 302
    visit = MonitoringVisit.objects.get()
    assert visit.child_seen_alone is False
    event = CaseEvent.objects.get(case=placed.case, kind="monitoring.visit")
    assert event.payload == {"seen_alone": False, "concerns": True}


def test_follow_up_needs_an_exit_and_records_after_it(placed):
    client = client_for(placed.worker)
    url = reverse("monitoring:follow_up_new", kwargs={"placement_uuid": placed.placement.uuid})
    data = {
        "milestone": "1",
        "followed_up_on": iso(placed.today),
        "wellbeing": "Sehat, kembali ke rumah (sintetis)",
        "in_school": "yes",
        "risk_signs": "",
        "notes": "",
    }
    # Still placed: nothing to follow up yet.
    assert client.post(url, data).status_code == 400
    Placement.objects.filter(pk=placed.placement.pk).update(
        ended_on=placed.today - timedelta(days=30), exit_reason=ExitReason.REUNIFICATION
    )
    for broken in (
        {"milestone": "2"},
        {"in_school": "sometimes"},
        {"wellbeing": ""},
        {"followed_up_on": iso(placed.today - timedelta(days=31))},
    ):
        assert client.post(url, data | broken).status_code == 400, broken
    assert client.post(url, data).status_code == 302
    assert AfterCareFollowUp.objects.get().milestone == 1
    # The same milestone twice is refused with a form error.
    assert client.post(url, data).status_code == 400
    case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": placed.case.uuid}))
    assert "After-care follow-ups (bimbingan lanjut)" in case_page.content.decode()


def test_editing_a_visit_is_versioned(placed):
    visit = svc.visit_record(
        placed.placement,
        visited_on=placed.today,
        visitors="Tim Dinsos",
        findings="Baik",
        child_seen_alone=True,
        concerns="",
        acting_user=placed.worker,
    )
    client = client_for(placed.worker)
    url = reverse("monitoring:visit_edit", kwargs={"record_uuid": visit.uuid})
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "expected_version": "1",
        "visited_on": iso(placed.today),
        "visitors": "Tim Dinsos",
        "findings": "Baik, sudah diperbaiki",
        "child_seen_alone": "yes",
        "concerns": "",
    }
    assert client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.version, visit.findings) == (2, "Baik, sudah diperbaiki")
    changed = CaseEvent.objects.get(case=placed.case, kind="monitoring.changed")
    assert changed.payload == {"record": "visit", "changed": ["findings"]}
    case_page = client.get(reverse("cases:detail", kwargs={"case_uuid": placed.case.uuid}))
    assert "Changed the monitoring visit: findings" in case_page.content.decode()
    # A second editor still holding version 1 is stopped and shown both versions.
    stale = client.post(url, data | {"findings": "Versi lama"})
    assert stale.status_code == 409
    assert "Baik, sudah diperbaiki" in stale.content.decode()
    visit.refresh_from_db()
    assert visit.findings == "Baik, sudah diperbaiki"
    # A garbled version never matches.
    assert client.post(url, data | {"expected_version": "x"}).status_code == 400


def test_editing_a_review_and_a_follow_up(placed):
    review = svc.review_record(
        placed.placement,
        reviewed_on=placed.today,
        outcome="continue",
        notes="",
        next_review_on=placed.today + timedelta(days=180),
        acting_user=placed.worker,
    )
    client = client_for(placed.worker)
    url = reverse("monitoring:review_edit", kwargs={"record_uuid": review.uuid})
    data = {
        "expected_version": "1",
        "reviewed_on": iso(placed.today),
        "outcome": "reunify",
        "notes": "Keluarga siap (sintetis)",
        "next_review_on": iso(placed.today + timedelta(days=60)),
    }
    assert client.post(url, data | {"next_review_on": iso(placed.today)}).status_code == 400
    assert client.post(url, data).status_code == 302
    review.refresh_from_db()
    assert (review.version, review.outcome) == (2, "reunify")


def test_incident_form_for_institution_staff(placed):
    client = client_for(placed.staff)
    url = reverse("monitoring:incident", kwargs={"placement_uuid": placed.placement.uuid})
    assert client.get(url).status_code == 200
    moment = timezone.localtime() - timedelta(hours=1)
    data = {
        "occurred_at": moment.strftime("%Y-%m-%dT%H:%M"),
        "kind": "injury",
        "what_happened": "Jatuh dari sepeda (sintetis)",
        "action_taken": "Luka dibersihkan",
    }
    for broken in (
        {"kind": "alien"},
        {"occurred_at": "soon"},
        {"occurred_at": (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")},
        {"what_happened": ""},
    ):
        response = client.post(url, data | broken)
        assert response.status_code == 400, broken
        assert "Luka dibersihkan" in response.content.decode()
    assert not Incident.objects.exists()
    assert client.post(url, data).status_code == 302
    assert Incident.objects.get().kind == "injury"


def test_institution_staff_on_the_team_still_do_not_see_the_monitoring_card(placed):
    from kawal.cases import services as case_svc

    case_svc.member_add(
        placed.case,
        user=placed.staff,
        case_role="lksa",
        data_classes=["identity", "whereabouts"],
        acting_user=placed.world.owner,
    )
    svc.visit_record(
        placed.placement,
        visited_on=placed.today,
        visitors="Tim Dinsos",
        findings="MARKER-VISIT-FINDINGS",
        child_seen_alone=True,
        concerns="",
        acting_user=placed.worker,
    )
    client = client_for(placed.staff)
    page = client.get(reverse("cases:detail", kwargs={"case_uuid": placed.case.uuid}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "MARKER-VISIT-FINDINGS" not in body
    assert "Monitoring visit to the placement" not in body
