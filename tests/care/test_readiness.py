"""School readiness: decided on the case, confirmed by a supervisor (four eyes), revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.care import services as care_svc
from kawal.care.models import ReadinessDecision
from kawal.care.selectors import Readiness, school_readiness
from kawal.cases import services as svc
from kawal.cases.models import Case, CaseMember
from tests.care.conftest import RATIONALE_MARKER, Summary, add_member, backdate, plant
from tests.helpers import make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(world, signed):
    """Three weeks observed and one signed assessment."""
    backdate(world.case, 30)
    today = timezone.localdate()
    for offset in range(21):
        plant(world.case, today - timedelta(days=offset), world.psychologist, value=4)
    signed.append(Summary())
    return world


def decide(world, *, by=None, safe=True, assessments=None, days=14, **extra):
    today = timezone.localdate()
    return care_svc.readiness_decide(
        world.case,
        safe=safe,
        assessment_uuids=[str(s.uuid) for s in assessments]
        if assessments is not None
        else [str(s.uuid) for s in care_svc.signed_assessments_of(world.case)],
        period_from=extra.pop("period_from", today - timedelta(days=days - 1)),
        period_to=extra.pop("period_to", today),
        rationale=extra.pop("rationale", RATIONALE_MARKER),
        acting_user=by or world.psychologist,
    )


def test_no_decision_means_not_cleared(world):
    assert school_readiness(world.case) == Readiness(cleared=False)


def test_a_decision_clears_the_child_only_once_the_supervisor_confirms(ready):
    world = ready
    decision = decide(world)
    state = school_readiness(world.case)
    assert not state.cleared and state.decided_at and state.confirmed_at is None
    assert state.decision_uuid == decision.uuid
    assert decision.assessments[0]["instrument_name"] == "Asesmen biopsikososial awal (sintetis)"
    assert decision.assessments[0]["uuid"] == str(
        care_svc.signed_assessments_of(world.case)[0].uuid
    )
    care_svc.readiness_confirm(decision, acting_user=world.supervisor)
    state = school_readiness(world.case)
    assert state.cleared and state.confirmed_at is not None and state.revoked_at is None
    kinds = list(
        world.case.events.filter(kind__startswith="care.readiness").values_list(
            "kind", "data_class"
        )
    )
    assert sorted(kinds) == [
        ("care.readiness_confirmed", "progress"),
        ("care.readiness_decided", "progress"),
    ]


def test_nobody_confirms_their_own_decision(ready):
    world = ready
    decision = decide(world)
    with pytest.raises(PermissionDenied):
        care_svc.readiness_confirm(decision, acting_user=world.psychologist)
    # No role both decides and approves today; should one ever, its holder still
    # cannot confirm a decision of their own.
    ReadinessDecision.objects.filter(pk=decision.pk).update(decided_by=world.supervisor)
    decision.refresh_from_db()
    with pytest.raises(PermissionDenied):
        care_svc.readiness_confirm(decision, acting_user=world.supervisor)
    assert not school_readiness(world.case).cleared


def test_who_confirms(ready):
    world = ready
    decision = decide(world)
    # The case manager leads the case but does not approve.
    with pytest.raises(PermissionDenied):
        care_svc.readiness_confirm(decision, acting_user=world.owner)
    # A supervisor of another agency, even on the team, does not confirm.
    from tests.cases.conftest import other_agency

    outsider = add_member(world.case, world.owner, Role.SUPERVISOR, ["progress"])
    outsider.agency = other_agency("dp3akb")
    outsider.save()
    with pytest.raises(PermissionDenied):
        care_svc.readiness_confirm(decision, acting_user=outsider)
    # A supervisor of the owner's agency on the team does.
    colleague = add_member(world.case, world.owner, Role.SUPERVISOR, ["progress"])
    assert colleague.agency_id == world.owner.agency_id
    care_svc.readiness_confirm(decision, acting_user=colleague)
    assert school_readiness(world.case).cleared
    with pytest.raises(ValidationError, match="already"):
        care_svc.readiness_confirm(decision, acting_user=world.supervisor)


def test_a_supervisor_of_the_agency_without_a_part_in_the_case_cannot_confirm(ready):
    world = ready
    decision = decide(world)
    stranger = make_user(Role.SUPERVISOR, agency=world.owner.agency)
    with pytest.raises(PermissionDenied):
        care_svc.readiness_confirm(decision, acting_user=stranger)


def test_a_social_worker_on_the_case_may_decide(ready):
    world = ready
    social = add_member(world.case, world.owner, Role.SOCIAL_WORKER, ["progress", "identity"])
    decision = decide(world, by=social, safe=False)
    assert decision.decided_by == social and not decision.safe


@pytest.mark.parametrize(
    "role", [Role.CASE_MANAGER, Role.INVESTIGATOR, Role.SHELTER_STAFF, Role.SUPERVISOR]
)
def test_other_roles_may_not_decide(ready, role):
    world = ready
    user = add_member(world.case, world.owner, role, ["progress", "identity"])
    with pytest.raises(PermissionDenied):
        decide(world, by=user)
    assert not ReadinessDecision.objects.exists()


def test_a_psychologist_without_progress_on_the_case_may_not_decide(ready):
    world = ready
    user = add_member(world.case, world.owner, Role.PSYCHOLOGIST, ["clinical"])
    with pytest.raises(PermissionDenied):
        decide(world, by=user)


def test_a_safe_decision_rests_on_named_assessments_and_an_observed_period(ready, signed):
    world = ready
    with pytest.raises(ValidationError) as error:
        decide(world, assessments=[])
    assert "assessments" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(world, assessments=[Summary()])  # not one of this case's
    assert "assessments" in error.value.message_dict
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        decide(world, days=5)
    assert "period_from" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(world, period_from=today - timedelta(days=10), period_to=today + timedelta(days=1))
    assert "period_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(world, period_from=today, period_to=today - timedelta(days=8))
    assert "period_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(world, period_from=today - timedelta(days=60), period_to=today)
    assert "period_from" in error.value.message_dict  # before the case was opened
    # A period with no observation cannot show the child is safe.
    world.case.observations.all().delete()
    with pytest.raises(ValidationError, match="No daily observation"):
        decide(world)
    assert not ReadinessDecision.objects.exists()
    # "Not yet" needs neither.
    assert not decide(world, safe=False, assessments=[]).safe


def test_one_decision_at_a_time(ready):
    world = ready
    first = decide(world)
    with pytest.raises(ValidationError, match="revoke it first"):
        decide(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessDecision.objects.create(
            case=world.case,
            safe=True,
            period_from=first.period_from,
            period_to=first.period_to,
            decided_by=world.psychologist,
            decided_at=timezone.now(),
        )
    care_svc.readiness_confirm(first, acting_user=world.supervisor)
    # A confirmed "safe" stays in force until revoked.
    with pytest.raises(ValidationError, match="revoke it first"):
        decide(world, safe=False)


def test_revoking_needs_a_reason_and_ends_the_clearance(ready):
    world = ready
    decision = decide(world)
    care_svc.readiness_confirm(decision, acting_user=world.supervisor)
    with pytest.raises(ValidationError):
        care_svc.readiness_revoke(decision, reason="  ", acting_user=world.psychologist)
    with pytest.raises(PermissionDenied):
        care_svc.readiness_revoke(decision, reason="x", acting_user=world.owner)
    care_svc.readiness_revoke(
        decision, reason="Kembali ditemukan di jalan (sintetis)", acting_user=world.supervisor
    )
    state = school_readiness(world.case)
    assert not state.cleared and state.revoked_at is not None
    with pytest.raises(ValidationError, match="already revoked"):
        care_svc.readiness_revoke(decision, reason="again", acting_user=world.psychologist)
    # After a revocation a new decision can be taken; the latest is in force.
    again = decide(world)
    assert school_readiness(world.case).decision_uuid == again.uuid
    assert not school_readiness(world.case).cleared


def test_a_pending_decision_can_be_revoked_by_its_decider(ready):
    world = ready
    decision = decide(world)
    care_svc.readiness_revoke(decision, reason="Salah periode", acting_user=world.psychologist)
    with pytest.raises(ValidationError):
        care_svc.readiness_confirm(decision, acting_user=world.supervisor)


def test_a_removed_member_loses_the_right_to_decide(ready):
    world = ready
    member = CaseMember.objects.get(case=world.case, user=world.psychologist)
    svc.member_remove(member, acting_user=world.owner)
    with pytest.raises(PermissionDenied):
        decide(world)


# --- Through the pages ----------------------------------------------------------------


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    sign_in(client, user)
    client.cookies["kawal_language"] = "en"
    return client


def test_decide_confirm_and_revoke_through_the_pages(ready, signed):
    world = ready
    url = reverse("care:readiness", kwargs={"case_uuid": world.case.uuid})
    psychologist = client_for(world.psychologist)
    page = psychologist.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Asesmen biopsikososial awal (sintetis)" in body  # the signed assessment to choose
    assert '<script id="care-trend-data"' in body  # the trend beside the form
    today = timezone.localdate()
    bad = psychologist.post(url, {"safe": "yes", "period_from": "", "period_to": ""})
    assert bad.status_code == 400 and not ReadinessDecision.objects.exists()
    no_basis = psychologist.post(
        url,
        {
            "safe": "yes",
            "period_from": (today - timedelta(days=13)).isoformat(),
            "period_to": today.isoformat(),
        },
    )
    assert no_basis.status_code == 400
    assert "Name the assessments the decision is based on." in no_basis.content.decode()
    response = psychologist.post(
        url,
        {
            "safe": "yes",
            "period_from": (today - timedelta(days=13)).isoformat(),
            "period_to": today.isoformat(),
            "assessments": [str(signed[0].uuid)],
            "rationale": RATIONALE_MARKER,
        },
    )
    assert response.status_code == 302
    decision = ReadinessDecision.objects.get()
    assert decision.safe and decision.assessments[0]["uuid"] == str(signed[0].uuid)
    # The decider sees no confirm button; the supervisor does.
    assert "Confirm</button>" not in psychologist.get(url).content.decode()
    supervisor = client_for(world.supervisor)
    assert "Confirm</button>" in supervisor.get(url).content.decode()
    confirm = reverse(
        "care:readiness_confirm",
        kwargs={"case_uuid": world.case.uuid, "decision_uuid": decision.uuid},
    )
    # The decider posting the confirmation anyway is refused.
    assert psychologist.post(confirm).status_code == 403
    assert supervisor.post(confirm).status_code == 302
    assert school_readiness(world.case).cleared
    assert "Cleared: safe to return to school." in supervisor.get(url).content.decode()
    detail = supervisor.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    assert "Safe to return to school" in detail.content.decode()
    revoke = reverse(
        "care:readiness_revoke",
        kwargs={"case_uuid": world.case.uuid, "decision_uuid": decision.uuid},
    )
    assert supervisor.post(revoke, {"reason": ""}).status_code == 400
    assert supervisor.post(revoke, {"reason": "Ditemukan lagi di jalan"}).status_code == 302
    assert not school_readiness(world.case).cleared


def test_the_supervisor_home_card_lists_decisions_to_confirm(ready):
    world = ready
    decide(world)
    body = client_for(world.supervisor).get(reverse("web:home")).content.decode()
    assert "School readiness to confirm" in body and world.case.number in body
    assert RATIONALE_MARKER not in body
    # The case manager (no approval) and the decider see no such card.
    for user in (world.owner, world.psychologist):
        assert (
            "School readiness to confirm"
            not in client_for(user).get(reverse("web:home")).content.decode()
        )


def test_a_closed_case_takes_no_decision(ready):
    world = ready
    Case.objects.filter(pk=world.case.pk).update(status="closed")
    world.case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        decide(world)


# --- A "yes" against a high assessment result ----------------------------------

HIGH = {"band_code": "high", "band_label": "Risiko tinggi", "instrument_code": "safety_risk"}
AGAINST_MARKER = "MARKER-CARE-AGAINST-9945"


def test_a_yes_on_a_high_result_needs_a_written_reason(ready, signed):
    world = ready
    high = Summary(instrument_name="Asesmen keselamatan dan risiko (sintetis)", **HIGH)
    signed.append(high)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        decide(world, assessments=[high])
    assert "against_reason" in refused.value.message_dict
    assert "came out high" in refused.value.message_dict["against_reason"][0]
    assert not ReadinessDecision.objects.exists()
    # "Not yet" on the same assessment needs no reason; neither does a "yes" on low ones.
    not_yet = decide(world, safe=False, assessments=[high])
    assert not_yet.high_assessments and not not_yet.against_reason
    care_svc.readiness_revoke(not_yet, reason="x", acting_user=world.psychologist)
    low_only = decide(world, assessments=[signed[0]])
    assert not low_only.high_assessments
    care_svc.readiness_revoke(low_only, reason="x", acting_user=world.psychologist)
    decision = care_svc.readiness_decide(
        world.case,
        safe=True,
        assessment_uuids=[str(high.uuid)],
        period_from=timezone.localdate() - timedelta(days=13),
        period_to=timezone.localdate(),
        rationale="",
        against_reason=AGAINST_MARKER,
        acting_user=world.psychologist,
    )
    assert decision.against_reason == AGAINST_MARKER
    assert [item["uuid"] for item in decision.high_assessments] == [str(high.uuid)]


def test_the_form_marks_high_results_and_the_supervisor_is_warned(ready, signed):
    world = ready
    high = Summary(instrument_name="Asesmen keselamatan dan risiko (sintetis)", **HIGH)
    signed.append(high)
    url = reverse("care:readiness", kwargs={"case_uuid": world.case.uuid})
    psychologist = client_for(world.psychologist)
    page = psychologist.get(url).content.decode()
    assert "⚠ Asesmen keselamatan" in page and 'id="against-high"' in page
    assert "care/js/readiness.js" in page
    # The reason field is hidden until a "yes" names the high result.
    assert re.search(r'id="against-high"[^>]*hidden', page)
    today = timezone.localdate()
    post = {
        "safe": "yes",
        "period_from": (today - timedelta(days=13)).isoformat(),
        "period_to": today.isoformat(),
        "assessments": [str(high.uuid)],
    }
    refused = psychologist.post(url, post)
    body = refused.content.decode()
    assert refused.status_code == 400 and not ReadinessDecision.objects.exists()
    assert "came out high" in body and not re.search(r'id="against-high"[^>]*hidden', body)
    assert psychologist.post(url, {**post, "against_reason": AGAINST_MARKER}).status_code == 302
    supervisor = client_for(world.supervisor)
    page = supervisor.get(url).content.decode()
    assert "Warning: this decision goes against high assessment results." in page
    assert AGAINST_MARKER in page and "Risiko tinggi" in page
    assert page.index("Warning: this decision") < page.index("Confirm</button>")
    home = supervisor.get(reverse("web:home")).content.decode()
    assert "against a high assessment result" in home
    timeline = supervisor.get(reverse("cases:detail", kwargs={"case_uuid": world.case.uuid}))
    assert "against a high assessment result" in timeline.content.decode()


def test_a_page_without_high_results_shows_no_reason_field(ready):
    page = client_for(ready.psychologist).get(
        reverse("care:readiness", kwargs={"case_uuid": ready.case.uuid})
    )
    body = page.content.decode()
    assert 'id="against-high"' not in body and "readiness.js" not in body
