"""Regressions found in review: a commit must be the decision that was previewed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kawal.placement.models import Placement, PlacementDecision
from tests.cases.conftest import png_upload
from tests.placement.conftest import make_institution
from tests.placement.test_views import client_for, form_data

pytestmark = pytest.mark.django_db


def _preview(client, url, institution, **extra) -> str:
    response = client.post(url, {**form_data(institution, **extra), "action": "preview"})
    assert response.status_code == 200
    return response.context["form"].data["fingerprint"]


def test_commit_to_another_institution_than_previewed_is_shown_again(pw):
    # Both institutions pass every rule: the outcomes alone are the same.
    other = make_institution("LKSA Lain (sintetis)")
    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    fingerprint = _preview(client, url, pw.lksa)
    response = client.post(
        url,
        {
            **form_data(other),
            "action": "commit",
            "fingerprint": fingerprint,
            "agreement": png_upload(),
        },
    )
    assert response.status_code == 409
    assert not PlacementDecision.objects.exists() and not Placement.objects.exists()
    # The page now previews the institution actually posted; committing it works.
    again = response.context["form"].data["fingerprint"]
    response = client.post(
        url,
        {**form_data(other), "action": "commit", "fingerprint": again, "agreement": png_upload()},
    )
    assert response.status_code == 302
    assert Placement.objects.get().institution == other


def test_commit_with_another_start_day_than_previewed_is_shown_again(pw):
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(pw.social_worker)
    url = reverse("placement:decide", args=[pw.case.uuid])
    fingerprint = _preview(client, url, pw.lksa)
    later = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        url,
        {
            **form_data(pw.lksa, starts_on=later),
            "action": "commit",
            "fingerprint": fingerprint,
            "agreement": png_upload(),
        },
    )
    assert response.status_code == 409
    assert not Placement.objects.exists()


def test_no_override_places_a_child_on_a_case_closed_meanwhile(pw):
    from django.core.exceptions import ValidationError

    from kawal.cases.models import Case, CaseStatus
    from kawal.placement import services as svc
    from kawal.placement.models import DecisionStatus

    decision = pw.commit(school_distance_tenths_km=250)
    assert decision.status == DecisionStatus.AWAITING_OVERRIDE
    Case.objects.filter(pk=pw.case.pk).update(status=CaseStatus.CLOSED)
    decision.case.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.decision_override(
            decision,
            reasons={"school_distance": "Sekolah asal tetap, antar jemput tersedia."},
            expected_version=decision.version,
            acting_user=pw.supervisor,
        )
    assert not Placement.objects.exists()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AWAITING_OVERRIDE
