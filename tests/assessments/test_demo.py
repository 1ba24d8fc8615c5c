"""The demo's assessments: both instruments on several cases, a correction, a draft."""

from __future__ import annotations

import pytest

from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    AssessmentStatus,
)
from kawal.assessments.selectors import latest_signed, signed_assessments
from kawal.demo.assessments import demo_load_assessments
from kawal.demo.cases import demo_load_cases
from kawal.demo.services import demo_load

pytestmark = pytest.mark.django_db


def test_demo_assessments_are_loaded_once():
    demo_load(password="kawal-demo")
    demo_load_cases(count=30)
    made = demo_load_assessments()
    assert made == 9
    assert demo_load_assessments() == 0  # idempotent
    signed = Assessment.objects.filter(status=AssessmentStatus.SIGNED)
    assert signed.filter(instrument_code=BIOPSYCHOSOCIAL_CODE).count() == 4
    assert signed.filter(instrument_code=SAFETY_RISK_CODE).count() == 4
    superseded = signed.get(superseded_at__isnull=False)
    correction = signed.get(supersedes=superseded)
    assert correction.case_id == superseded.case_id
    draft = Assessment.objects.get(status=AssessmentStatus.DRAFT)
    assert draft.assessor.username == "psikolog" and draft.answers
    bands = set(signed.filter(instrument_code=SAFETY_RISK_CODE).values_list("band_code", flat=True))
    assert bands == {"low", "medium", "high"}
    cases = {assessment.case for assessment in signed}
    assert len(cases) >= 4
    case = superseded.case
    assert [s.uuid for s in signed_assessments(case)].count(superseded.uuid) == 0
    assert latest_signed(case, BIOPSYCHOSOCIAL_CODE).uuid == correction.uuid
