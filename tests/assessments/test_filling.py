"""Filling in, autosave, signing, immutability, corrections and drafts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kawal.access.catalogue import Role
from kawal.assessments import services as svc
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    AssessmentLocked,
    AssessmentStatus,
)
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent
from kawal.core.models import StaleVersion
from tests.assessments.builders import build_instrument, complete_answers, fill_and_sign
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


def english(client: Client, user) -> Client:
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def urls(assessment):
    keys = {"case_uuid": assessment.case.uuid, "assessment_uuid": assessment.uuid}
    return {
        name: reverse(f"assessments:{name}", kwargs=keys)
        for name in ("fill", "sign", "detail", "correct", "discard")
    }


def posted(answers: dict[str, str], version: int, **extra) -> dict[str, str]:
    data = {f"q_{code}": value for code, value in answers.items()}
    data["expected_version"] = str(version)
    data.update(extra)
    return data


def test_start_resumes_the_same_draft(world, client):
    english(client, world.psychologist)
    start = reverse("assessments:start", kwargs={"case_uuid": world.case.uuid})
    first = client.post(start, {"instrument": BIOPSYCHOSOCIAL_CODE})
    second = client.post(start, {"instrument": BIOPSYCHOSOCIAL_CODE}, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "You had started this assessment already" in second.content.decode()
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT).count() == 1
    assert world.case.events.filter(kind="assessments.started").count() == 1


def test_an_unknown_or_unpublished_instrument_cannot_be_started(world, client):
    english(client, world.psychologist)
    start = reverse("assessments:start", kwargs={"case_uuid": world.case.uuid})
    response = client.post(start, {"instrument": "no-such-thing"}, follow=True)
    assert "This instrument is not in use." in response.content.decode()
    build_instrument("unpublished", publish=False)
    client.post(start, {"instrument": "unpublished"})
    client.post(start, {"instrument": "<script>"})
    assert not Assessment.objects.exists()


def test_save_draft_without_javascript_and_resume_later(world, client):
    english(client, world.psychologist)
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    page = client.get(urls(draft)["fill"])
    assert page.status_code == 200 and "Save draft" in page.content.decode()
    response = client.post(
        urls(draft)["fill"],
        posted({"bio-gizi": "2", "riwayat": "Riwayat sintetis"}, draft.version, action="save"),
    )
    assert response.status_code == 302 and response["Location"] == urls(draft)["fill"]
    draft.refresh_from_db()
    assert draft.answers == {"bio-gizi": "2", "riwayat": "Riwayat sintetis"}
    assert draft.version == 2
    # Later, from another session: the answers are there.
    again = english(Client(), world.psychologist).get(urls(draft)["fill"]).content.decode()
    assert 'value="2" id="id_q_bio-gizi_2" checked' in again
    assert "Riwayat sintetis" in again


def test_autosave_answers_json_and_bumps_the_version(world, client):
    english(client, world.psychologist)
    draft, _ = svc.assessment_start(
        world.case, instrument_code=SAFETY_RISK_CODE, acting_user=world.psychologist
    )
    url = urls(draft)["fill"]
    response = client.post(
        url, posted({"home-ancaman": "1"}, draft.version), HTTP_X_KAWAL_AUTOSAVE="1"
    )
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["version"] == 2 and answer["message"].startswith("Saved at")
    # Posting the same answers again writes nothing and keeps the version.
    same = client.post(url, posted({"home-ancaman": "1"}, 2), HTTP_X_KAWAL_AUTOSAVE="1")
    assert json.loads(same.content)["version"] == 2
    # A stale version (another window saved meanwhile) is refused, nothing written.
    stale = client.post(url, posted({"home-ancaman": "2"}, 1), HTTP_X_KAWAL_AUTOSAVE="1")
    assert stale.status_code == 409
    assert "another window" in json.loads(stale.content)["message"]
    draft.refresh_from_db()
    assert draft.answers == {"home-ancaman": "1"}
    # A value the scale does not offer: 400, nothing written.
    bad = client.post(url, posted({"home-ancaman": "9"}, 2), HTTP_X_KAWAL_AUTOSAVE="1")
    assert bad.status_code == 400
    draft.refresh_from_db()
    assert draft.answers == {"home-ancaman": "1"}
    # The autosave writes no timeline event.
    assert not world.case.events.filter(kind__startswith="assessments.saved").exists()


def test_a_stale_save_without_javascript_keeps_what_was_typed(world, client):
    english(client, world.psychologist)
    draft, _ = svc.assessment_start(
        world.case, instrument_code=SAFETY_RISK_CODE, acting_user=world.psychologist
    )
    svc.assessment_save_draft(
        draft, answers={"home-ancaman": "2"}, expected_version=1, acting_user=world.psychologist
    )
    response = client.post(
        urls(draft)["fill"], posted({"street-uang": "1", "langkah-pengamanan": "Teks saya"}, 1)
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Teks saya" in body and "another window" in body
    assert 'name="expected_version" value="2"' in body  # sending again overwrites, knowingly
    draft.refresh_from_db()
    assert draft.answers == {"home-ancaman": "2"}


def test_bad_input_is_a_form_error_never_a_500(world, client):
    english(client, world.psychologist)
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    url = urls(draft)["fill"]
    for data in (
        posted({"bio-gizi": "99"}, draft.version),
        posted({"bio-gizi": "1e999"}, draft.version),
        posted({"riwayat": "x" * 5000}, draft.version),
        posted({"riwayat": "nul\x00byte"}, draft.version),
        {"expected_version": "abc"},
        {"expected_version": "99999999999999999999999"},
        {},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
    draft.refresh_from_db()
    assert draft.answers == {} and draft.version == 1


def test_signing_scores_on_the_server_and_locks_the_assessment(world, client):
    english(client, world.psychologist)
    instrument = build_instrument("flow", band_label="Flow high band")
    draft, _ = svc.assessment_start(
        world.case, instrument_code="flow", acting_user=world.psychologist
    )
    # Exactly at the "high" limit: 2 + (3 - 1) + 2 + (3 - 1) = 8.
    answers = {**complete_answers(instrument), "a": "2", "b": "1", "c": "2", "d": "1"}
    client.post(
        urls(draft)["fill"],
        # A score sent by the browser is ignored: the server scores from the answers.
        posted(answers, draft.version, total="0", band_code="low", action="review"),
    )
    review = client.get(urls(draft)["sign"])
    body = review.content.decode()
    assert review.status_code == 200
    assert "Flow high band" in body  # previewed, scored by the server
    refused = client.post(urls(draft)["sign"], {"expected_version": 2})
    assert refused.status_code == 400 and "Confirm the answers to sign." in refused.content.decode()
    signed = client.post(urls(draft)["sign"], {"expected_version": 2, "confirm": "on"})
    assert signed.status_code == 302 and signed["Location"] == urls(draft)["detail"]
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SIGNED
    assert draft.signed_by == world.psychologist and draft.signed_at is not None
    assert draft.total == Decimal("8.00") and draft.band_code == "high"
    event = world.case.events.get(kind="assessments.signed")
    assert event.data_class == "progress" and event.actor == world.psychologist
    # The event names the instrument; it never carries an answer.
    assert set(event.payload) == {
        "assessment",
        "instrument",
        "name_id",
        "name_en",
        "version",
        "band_id",
        "band_en",
    }

    # Immutable: the model refuses, the services refuse, the pages send to the signed view.
    draft.answers = {"a": "0"}
    with pytest.raises(AssessmentLocked):
        draft.save()
    fresh = Assessment.objects.get(pk=draft.pk)
    with pytest.raises(ValidationError):
        svc.assessment_save_draft(
            fresh,
            answers={"a": "0"},
            expected_version=fresh.version,
            acting_user=world.psychologist,
        )
    with pytest.raises(ValidationError):
        svc.assessment_sign(fresh, expected_version=fresh.version, acting_user=world.psychologist)
    with pytest.raises(AssessmentLocked):
        fresh.delete()
    assert client.post(urls(draft)["fill"], posted({"a": "0"}, fresh.version)).status_code == 302
    assert client.get(urls(draft)["fill"])["Location"] == urls(draft)["detail"]
    fresh.refresh_from_db()
    assert fresh.total == Decimal("8.00") and fresh.answers == answers


def test_required_questions_block_signing(world):
    instrument = build_instrument("required")
    draft, _ = svc.assessment_start(
        world.case, instrument_code="required", acting_user=world.psychologist
    )
    answers = complete_answers(instrument)
    del answers["note"], answers["c"]
    draft = svc.assessment_save_draft(
        draft, answers=answers, expected_version=1, acting_user=world.psychologist
    )
    with pytest.raises(ValidationError) as error:
        svc.assessment_sign(draft, expected_version=draft.version, acting_user=world.psychologist)
    assert "3" in error.value.messages[0] and "5" in error.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_optional_answers_missing_can_give_not_scorable(world, client):
    build_instrument("optional", required=False, min_answered_percent=100)
    signed = fill_and_sign(world.case, world.psychologist, "optional", {"a": "1"})
    assert signed.total is None and signed.band_code == ""
    english(client, world.psychologist)
    assert "Not scorable" in client.get(urls(signed)["detail"]).content.decode()


def test_a_stale_sign_writes_nothing(world):
    build_instrument("stale")
    draft, _ = svc.assessment_start(
        world.case, instrument_code="stale", acting_user=world.psychologist
    )
    with pytest.raises(StaleVersion):
        svc.assessment_sign(draft, expected_version=7, acting_user=world.psychologist)


def test_only_the_assessor_sees_and_signs_a_draft(world):
    other = make_user(Role.PSYCHOLOGIST, username="psy2")
    case_svc.member_add(
        world.case,
        user=other,
        case_role="psikolog",
        data_classes=["clinical", "progress"],
        acting_user=world.owner,
    )
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    client = Client()
    sign_in(client, other)
    for name in ("fill", "sign"):
        assert client.get(urls(draft)[name]).status_code == 404
    assert client.post(urls(draft)["discard"]).status_code == 404
    with pytest.raises(PermissionDenied):
        svc.assessment_save_draft(draft, answers={}, expected_version=1, acting_user=other)
    with pytest.raises(PermissionDenied):
        svc.assessment_sign(draft, expected_version=1, acting_user=other)
    with pytest.raises(PermissionDenied):
        svc.assessment_discard(draft, acting_user=other)


def test_a_correction_supersedes_and_both_stay_in_the_history(world, client):
    instrument = build_instrument("fix")
    original = fill_and_sign(
        world.case, world.psychologist, "fix", complete_answers(instrument, value="0")
    )
    english(client, world.psychologist)
    response = client.post(urls(original)["correct"])
    correction = Assessment.objects.get(supersedes=original)
    assert response["Location"] == urls(correction)["fill"]
    assert correction.answers == original.answers and correction.instrument == original.instrument
    # Not superseded until the correction is signed.
    original.refresh_from_db()
    assert original.superseded_at is None
    # Correcting again resumes the same correction.
    assert client.post(urls(original)["correct"])["Location"] == urls(correction)["fill"]
    answers = complete_answers(instrument, value="3")
    correction = svc.assessment_save_draft(
        correction,
        answers=answers,
        expected_version=correction.version,
        acting_user=world.psychologist,
    )
    correction = svc.assessment_sign(
        correction, expected_version=correction.version, acting_user=world.psychologist
    )
    original.refresh_from_db()
    assert original.superseded_at == correction.signed_at
    assert original.status == AssessmentStatus.SIGNED and original.total == Decimal("6.00")
    assert world.case.events.filter(kind="assessments.corrected").count() == 1
    history = client.get(reverse("assessments:case", kwargs={"case_uuid": world.case.uuid}))
    body = history.content.decode()
    assert str(original.uuid) in body and str(correction.uuid) in body
    assert "corrected later" in body
    old = client.get(urls(original)["detail"]).content.decode()
    assert "Corrected later" in old and str(correction.uuid) in old
    assert "Correct this assessment" not in old
    new = client.get(urls(correction)["detail"]).content.decode()
    assert str(original.uuid) in new and "Correct this assessment" in new
    # A superseded assessment cannot be corrected again.
    with pytest.raises(ValidationError):
        svc.assessment_correct(original, acting_user=world.psychologist)


def test_one_correction_at_a_time(world):
    instrument = build_instrument("once")
    original = fill_and_sign(world.case, world.psychologist, "once", complete_answers(instrument))
    other = make_user(Role.PSYCHOLOGIST, username="psy3")
    case_svc.member_add(
        world.case,
        user=other,
        case_role="psikolog",
        data_classes=["clinical", "progress"],
        acting_user=world.owner,
    )
    svc.assessment_correct(original, acting_user=world.psychologist)
    with pytest.raises(ValidationError):
        svc.assessment_correct(original, acting_user=other)


def test_discarding_a_draft_keeps_the_row_and_frees_the_instrument(world, client):
    english(client, world.psychologist)
    draft, _ = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    assert client.post(urls(draft)["discard"]).status_code == 302
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DISCARDED and draft.discarded_at is not None
    assert client.get(urls(draft)["fill"]).status_code == 404
    again, created = svc.assessment_start(
        world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
    )
    assert created and again.pk != draft.pk
    assert world.case.events.filter(kind="assessments.discarded").count() == 1


def test_a_closed_case_takes_no_new_assessment(world):
    from kawal.cases.models import Case

    Case.objects.filter(pk=world.case.pk).update(status="closed")
    world.case.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.assessment_start(
            world.case, instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=world.psychologist
        )


def test_the_timeline_names_the_instrument_and_the_band_to_progress_readers(world, client):
    instrument = build_instrument("timeline", band_label="Timeline high band")
    answers = {**complete_answers(instrument), "a": "3", "b": "0", "c": "3", "d": "0"}
    fill_and_sign(world.case, world.psychologist, "timeline", answers)
    english(client, world.owner)
    body = client.get(
        reverse("cases:detail", kwargs={"case_uuid": world.case.uuid})
    ).content.decode()
    assert "Assessment signed: Test instrument timeline (v1) — Timeline high band" in body
    assert CaseEvent.objects.filter(kind="assessments.signed", data_class="progress").exists()
