"""The public selectors other apps call: signed_assessments and latest_signed."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from kawal.assessments import services as svc
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_BAND_HIGH,
    SAFETY_BAND_LOW,
    SAFETY_BAND_MEDIUM,
    SAFETY_RISK_CODE,
    Instrument,
)
from kawal.assessments.selectors import AssessmentSummary, latest_signed, signed_assessments
from tests.assessments.builders import admin_user, complete_answers, fill_and_sign

pytestmark = pytest.mark.django_db


def safety_answers(value: str) -> dict[str, str]:
    return complete_answers(svc.published_instrument(SAFETY_RISK_CODE), value=value)


def test_the_band_codes_other_apps_rely_on():
    safety = Instrument.objects.get(code=SAFETY_RISK_CODE)
    codes = set(safety.bands.filter(subscale=None).values_list("code", flat=True))
    assert (
        codes
        == {SAFETY_BAND_LOW, SAFETY_BAND_MEDIUM, SAFETY_BAND_HIGH}
        == {
            "low",
            "medium",
            "high",
        }
    )
    assert safety.bands.get(subscale=None, code="high").attention  # high = not safe


def test_summaries_newest_first_without_superseded_ones(world):
    assert signed_assessments(world.case) == []
    assert latest_signed(world.case, SAFETY_RISK_CODE) is None
    first = fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, safety_answers("0"))
    bio = fill_and_sign(
        world.case,
        world.psychologist,
        BIOPSYCHOSOCIAL_CODE,
        complete_answers(Instrument.objects.get(code=BIOPSYCHOSOCIAL_CODE), value="3"),
    )
    # A draft is no result.
    svc.assessment_start(world.case, instrument_code=SAFETY_RISK_CODE, acting_user=world.owner)
    summaries = signed_assessments(world.case)
    assert [s.uuid for s in summaries] == [bio.uuid, first.uuid]
    latest = latest_signed(world.case, SAFETY_RISK_CODE)
    assert isinstance(latest, AssessmentSummary)
    assert latest.uuid == first.uuid
    assert latest.instrument_code == SAFETY_RISK_CODE
    assert latest.instrument_version == 1
    assert isinstance(latest.signed_at, datetime) and latest.signed_by_id == world.owner.pk
    assert isinstance(latest.total, Decimal)
    assert latest.band_code in {"low", "medium", "high"}
    assert set(latest.subscales) == {"home", "street", "parents", "wishes"}
    assert all(isinstance(v, Decimal) for v in latest.subscales.values())
    with pytest.raises(FrozenInstanceError):
        latest.total = Decimal(0)  # type: ignore[misc]
    # Corrected: the correction replaces it; the old one leaves the summaries.
    correction, _ = svc.assessment_correct(first, acting_user=world.owner)
    correction = svc.assessment_save_draft(
        correction,
        answers=safety_answers("2"),
        expected_version=correction.version,
        acting_user=world.owner,
    )
    correction = svc.assessment_sign(
        correction, expected_version=correction.version, acting_user=world.owner
    )
    assert latest_signed(world.case, SAFETY_RISK_CODE).uuid == correction.uuid
    assert first.uuid not in [s.uuid for s in signed_assessments(world.case)]
    assert latest_signed(world.case, BIOPSYCHOSOCIAL_CODE).uuid == bio.uuid


def test_band_label_and_name_follow_the_language_and_any_version(world):
    fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, safety_answers("2"))
    with translation.override("en"):
        summary = latest_signed(world.case, SAFETY_RISK_CODE)
        assert summary.instrument_name == "Safety and risk assessment"
        assert summary.band_label
    with translation.override("id"):
        assert latest_signed(world.case, SAFETY_RISK_CODE).instrument_name == (
            "Asesmen keselamatan dan risiko"
        )
    # A newer version's assessment is found by the same code.
    admin = admin_user()
    v2 = svc.instrument_new_version(
        Instrument.objects.get(code=SAFETY_RISK_CODE), acting_user=admin
    )
    svc.instrument_publish(v2, acting_user=admin)
    newer = fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, safety_answers("0"))
    found = latest_signed(world.case, SAFETY_RISK_CODE)
    assert found.uuid == newer.uuid and found.instrument_version == 2
    assert [s.instrument_version for s in signed_assessments(world.case)] == [2, 1]


def test_the_safety_assessment_scores_with_only_its_required_questions(world):
    optional = set(
        Instrument.objects.get(code=SAFETY_RISK_CODE)
        .items.filter(required=False)
        .values_list("code", flat=True)
    )
    assert optional == {"home-alkohol", "street-orang-lain", "parents-pernyataan"}
    answers = {code: v for code, v in safety_answers("1").items() if code not in optional}
    # 11 of 14 scored items (79%), each part 3 of 4 (75%): enough for the 75% the
    # instrument asks, so "not known" on the optional questions still gives a result.
    fill_and_sign(world.case, world.owner, SAFETY_RISK_CODE, answers)
    summary = latest_signed(world.case, SAFETY_RISK_CODE)
    assert summary.total is not None and summary.band_code
    assert None not in summary.subscales.values()
