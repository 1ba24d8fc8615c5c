"""Instrument versions: published versions never change, and neither do past scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kawal.access.catalogue import DataClass, Role
from kawal.assessments import services as svc
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    AnswerScale,
    Assessment,
    Band,
    Instrument,
    InstrumentLocked,
    InstrumentStatus,
    Item,
    ScaleOption,
    Section,
)
from kawal.assessments.scoring import result_json, rules_for, score
from kawal.assessments.selectors import latest_signed, signed_assessments
from kawal.cases import services as case_svc
from kawal.core.models import AuditEvent
from tests.assessments.builders import admin_user, build_instrument, complete_answers
from tests.cases.conftest import open_case
from tests.helpers import make_user


@pytest.mark.django_db
def test_the_shipped_instruments_are_published_and_valid():
    shipped = {i.code: i for i in Instrument.objects.filter(status=InstrumentStatus.PUBLISHED)}
    assert set(shipped) == {BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE}
    bio, safety = shipped[BIOPSYCHOSOCIAL_CODE], shipped[SAFETY_RISK_CODE]
    assert bio.answers_class == DataClass.CLINICAL and bio.roles == [Role.PSYCHOLOGIST]
    assert safety.answers_class == DataClass.PROGRESS
    assert set(safety.roles) == {Role.PSYCHOLOGIST, Role.CASE_MANAGER, Role.SOCIAL_WORKER}
    assert set(safety.bands.filter(subscale=None).values_list("code", flat=True)) == {
        "low",
        "medium",
        "high",
    }
    assert safety.bands.get(code="high", subscale=None).attention
    assert set(safety.subscales.values_list("code", flat=True)) == {
        "home",
        "street",
        "parents",
        "wishes",
    }
    for instrument in (bio, safety):
        assert svc.instrument_problems(instrument) == []
        assert instrument.version_number == 1
        for item in instrument.items.all():
            assert item.text_id and item.text_en  # Indonesian first, English beside it
        assert instrument.items.filter(reverse=True).exists()


@pytest.mark.django_db
def test_a_published_version_and_its_parts_are_locked():
    instrument = Instrument.objects.get(code=SAFETY_RISK_CODE)
    instrument.name_id = "Diubah"
    with pytest.raises(InstrumentLocked):
        instrument.save()
    with pytest.raises(InstrumentLocked):
        instrument.delete()
    item = instrument.items.first()
    item.reverse = not item.reverse
    with pytest.raises(InstrumentLocked):
        item.save()
    with pytest.raises(InstrumentLocked):
        item.delete()
    option = ScaleOption.objects.filter(scale__instrument=instrument).first()
    option.value = Decimal(9)
    with pytest.raises(InstrumentLocked):
        option.save()
    band = instrument.bands.first()
    band.from_score = Decimal(1)
    with pytest.raises(InstrumentLocked):
        band.save()
    with pytest.raises(InstrumentLocked):
        Section.objects.create(instrument=instrument, title_id="Baru")


@pytest.mark.django_db
def test_copy_edit_and_publish_a_new_version():
    admin = admin_user()
    v1 = Instrument.objects.get(code=SAFETY_RISK_CODE)
    v2 = svc.instrument_new_version(v1, acting_user=admin)
    assert v2.status == InstrumentStatus.DRAFT and v2.version_number == 2 and v2.based_on == v1
    assert v2.items.count() == v1.items.count()
    assert v2.bands.count() == v1.bands.count()
    assert ScaleOption.objects.filter(scale__instrument=v2).count() == 3
    assert all(item.scale.instrument_id == v2.pk for item in v2.items.exclude(scale=None))
    assert all(item.section.instrument_id == v2.pk for item in v2.items.all())
    # Only one draft at a time; a draft is edited, not copied.
    with pytest.raises(ValidationError):
        svc.instrument_new_version(v1, acting_user=admin)
    with pytest.raises(ValidationError):
        svc.instrument_new_version(v2, acting_user=admin)
    item = v2.items.get(code="home-ancaman")
    item.text_id = "Teks baru"
    item.save()  # a draft is editable
    v2 = svc.instrument_publish(v2, acting_user=admin)
    v1.refresh_from_db()
    assert v2.status == InstrumentStatus.PUBLISHED and v1.status == InstrumentStatus.RETIRED
    assert v1.items.get(code="home-ancaman").text_id != "Teks baru"
    assert svc.published_instrument(SAFETY_RISK_CODE) == v2
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"assessments.instrument_copied", "assessments.instrument_published"} <= kinds
    svc.instrument_retire(v2, acting_user=admin)
    assert svc.published_instrument(SAFETY_RISK_CODE) is None


@pytest.mark.django_db
def test_only_a_configuration_manager_changes_instruments():
    instrument = Instrument.objects.get(code=SAFETY_RISK_CODE)
    for role in Role:
        if role == Role.SYSTEM_ADMIN:
            continue
        user = make_user(role)
        with pytest.raises(PermissionDenied):
            svc.instrument_new_version(instrument, acting_user=user)
        with pytest.raises(PermissionDenied):
            svc.instrument_retire(instrument, acting_user=user)


@pytest.mark.django_db
@translation.override("en")
def test_publishing_checks_the_draft():
    draft = Instrument.objects.create(code="empty", name_id="", roles=["rt_head", "nobody"])
    problems = svc.instrument_problems(draft)
    assert any("Indonesian name" in p for p in problems)
    assert any("Unknown role" in p for p in problems)
    assert any("never read answers" in p for p in problems)
    assert any("at least one item" in p for p in problems)
    with pytest.raises(ValidationError):
        svc.instrument_publish(draft, acting_user=admin_user())
    draft.refresh_from_db()
    assert draft.status == InstrumentStatus.DRAFT
    built = build_instrument("dupes", publish=False)
    Band.objects.create(instrument=built, code="high", from_score=Decimal(9), label_id="x")
    Band.objects.create(instrument=built, code="other", from_score=Decimal(4), label_id="x")
    scale = AnswerScale.objects.create(instrument=built, code="lonely", name_id="Satu")
    ScaleOption.objects.create(scale=scale, value=Decimal(1), label_id="x")
    problems = svc.instrument_problems(built)
    assert any("used twice" in p for p in problems)
    assert any("same score" in p for p in problems)
    assert any("two options" in p for p in problems)


@pytest.mark.django_db
def test_an_item_cannot_use_another_versions_parts():
    other = Instrument.objects.get(code=SAFETY_RISK_CODE)
    draft = build_instrument("mine", publish=False)
    item = Item(
        instrument=draft,
        section=draft.sections.first(),
        code="x",
        text_id="x",
        scale=other.scales.first(),
    )
    with pytest.raises(ValidationError):
        item.full_clean()


class PastScoresNeverChange(TestCase):
    """Property: a signed assessment's stored score, band and summary never change,
    whatever a later version of its instrument says, once published."""

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        answers=st.fixed_dictionaries(
            {code: st.one_of(st.none(), st.sampled_from(["0", "1", "2", "3"])) for code in "abcd"}
        ),
        flip=st.sets(st.sampled_from("abcd")),
        scale_factor=st.integers(min_value=1, max_value=4),
        band_shift=st.integers(min_value=-3, max_value=6),
        method=st.sampled_from(["sum", "mean"]),
        percent=st.integers(min_value=1, max_value=100),
        drop_item=st.sampled_from(["", "a", "c"]),
    )
    def test_publishing_a_new_version_never_changes_a_signed_score(
        self, answers, flip, scale_factor, band_shift, method, percent, drop_item
    ):
        admin = admin_user()
        owner = make_user(Role.CASE_MANAGER)
        psychologist = make_user(Role.PSYCHOLOGIST)
        case = open_case(owner)
        case_svc.member_add(
            case,
            user=psychologist,
            case_role="psikolog",
            data_classes=["clinical", "progress"],
            acting_user=owner,
        )
        v1 = build_instrument("prop", required=False, min_answered_percent=50)
        draft, _ = svc.assessment_start(case, instrument_code="prop", acting_user=psychologist)
        given_answers = {code: value for code, value in answers.items() if value is not None}
        given_answers["note"] = "Catatan"
        draft = svc.assessment_save_draft(
            draft, answers=given_answers, expected_version=1, acting_user=psychologist
        )
        signed = svc.assessment_sign(
            draft, expected_version=draft.version, acting_user=psychologist
        )
        before = (signed.total, signed.band_code, signed.result, signed.answers)
        summary = latest_signed(case, "prop")

        # A new version changes everything that scoring depends on, and is published.
        v2 = svc.instrument_new_version(v1, acting_user=admin)
        v2.method = method
        v2.min_answered_percent = percent
        v2.name_id = "Versi baru"
        v2.save()
        for item in v2.items.filter(code__in=flip):
            item.reverse = not item.reverse
            item.save()
        # From the top, so a scaled value never meets one not yet scaled.
        for option in ScaleOption.objects.filter(scale__instrument=v2).order_by("-value"):
            option.value = option.value * scale_factor
            option.save()
        for band in v2.bands.all():
            band.from_score = band.from_score + band_shift
            band.save()
        if drop_item:
            v2.items.get(code=drop_item).delete()
        svc.instrument_publish(v2, acting_user=admin)
        # Edits of the old version are refused outright.
        for part in (v1.items.first(), v1.bands.first()):
            with pytest.raises(InstrumentLocked):
                part.save()

        stored = Assessment.objects.get(pk=signed.pk)
        assert (stored.total, stored.band_code, stored.result, stored.answers) == before
        assert stored.instrument_id == v1.pk
        # Re-scoring with the version it points at gives the stored result again.
        rescored = score(rules_for(stored.instrument), stored.answers)
        assert result_json(rules_for(stored.instrument), rescored) == stored.result
        assert latest_signed(case, "prop") == summary
        assert signed_assessments(case) == [summary]


@pytest.mark.django_db
def test_the_test_instrument_scores_as_documented(world):
    instrument = build_instrument("doc")
    answers = {**complete_answers(instrument), "a": "3", "b": "0", "c": "3", "d": "0"}
    from tests.assessments.builders import fill_and_sign

    signed = fill_and_sign(world.case, world.psychologist, "doc", answers)
    assert signed.total == Decimal("12.00") and signed.band_code == "high"
    assert signed.result["subscales"][0]["band"]["code"] == "concern"
