from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kawal.access.catalogue import Role
from kawal.cases import services as svc
from kawal.cases.models import ApprovalKind, ApprovalStatus, CaseEvent, CaseStatus, NoteKind
from tests.cases.conftest import open_case
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Service messages are matched in English; pages are tested in Indonesian elsewhere."""
    with translation.override("en"):
        yield


S = CaseStatus


@pytest.fixture
def people():
    return make_user(Role.CASE_MANAGER), make_user(Role.SUPERVISOR), make_user(Role.PSYCHOLOGIST)


def move(case, target, user, reason=""):
    case.refresh_from_db()
    return svc.case_transition(case, target=target, reason=reason, acting_user=user)


def test_a_plan_needs_an_assessment(people):
    owner, boss, psy = people
    case = open_case(owner, boss)
    move(case, S.ASSESSMENT, owner)
    with pytest.raises(ValidationError, match="assessment"):
        move(case, S.PLAN, owner)
    svc.member_add(
        case, user=psy, case_role="psikolog", data_classes=["clinical"], acting_user=owner
    )
    svc.note_add(case, data_class="clinical", kind=NoteKind.ASSESSMENT, body="x", acting_user=psy)
    assert move(case, S.PLAN, owner).status == S.PLAN


def test_intervention_needs_an_approved_plan_and_returns_carry_comments(people):
    owner, boss, _ = people
    case = open_case(owner, boss)
    move(case, S.ASSESSMENT, owner)
    svc.note_add(case, data_class="basic", kind=NoteKind.ASSESSMENT, body="x", acting_user=owner)
    move(case, S.PLAN, owner)
    with pytest.raises(ValidationError, match="approved"):
        move(case, S.INTERVENTION, owner)
    first = svc.approval_request(case, kind=ApprovalKind.PLAN, comment="", acting_user=owner)
    with pytest.raises(ValidationError):
        svc.approval_decide(
            first, approve=False, comment="", acting_user=boss
        )  # a return needs comments
    svc.approval_decide(
        first, approve=False, comment="Tambahkan jadwal konseling", acting_user=boss
    )
    with pytest.raises(ValidationError):
        move(case, S.INTERVENTION, owner)
    second = svc.approval_request(
        case, kind=ApprovalKind.PLAN, comment="diperbaiki", acting_user=owner
    )
    with pytest.raises(PermissionDenied):
        svc.approval_decide(
            second, approve=True, comment="", acting_user=owner
        )  # not the supervisor
    svc.approval_decide(second, approve=True, comment="", acting_user=boss)
    with pytest.raises(ValidationError):
        svc.approval_decide(second, approve=True, comment="", acting_user=boss)  # decided already
    assert move(case, S.INTERVENTION, owner).status == S.INTERVENTION
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count("approval.returned") == 1 and kinds.count("approval.approved") == 1


def test_closing_needs_a_reason_and_approval_and_reopening_a_reason(people):
    owner, boss, _ = people
    case = open_case(owner, boss)
    case.status = S.MONITORING
    case.save()
    with pytest.raises(ValidationError) as problems:
        move(case, S.CLOSED, owner)
    assert len(problems.value.messages) == 2
    approval = svc.approval_request(case, kind=ApprovalKind.CLOSURE, comment="", acting_user=owner)
    svc.approval_decide(approval, approve=True, comment="", acting_user=boss)
    closed = move(case, S.CLOSED, owner, reason="Kembali sekolah")
    assert closed.closed_on is not None and closed.closed_reason == "Kembali sekolah"
    with pytest.raises(ValidationError):
        move(case, S.ASSESSMENT, owner)
    reopened = move(case, S.ASSESSMENT, owner, reason="Ditemukan lagi di jalan")
    assert reopened.status == S.ASSESSMENT and reopened.closed_on is None
    assert CaseEvent.objects.filter(case=case, kind="case.reopened").exists()


def test_emergency_protection_only_for_high_risk(people):
    owner, boss, _ = people
    case = open_case(owner, boss)
    with pytest.raises(ValidationError):
        move(case, S.INTERVENTION, owner, reason="bahaya")
    case.refresh_from_db()
    svc.case_update(
        case,
        expected_version=case.version,
        acting_user=owner,
        changes={"risk_level": "high", "risk_rationale": "Dieksploitasi malam hari"},
    )
    moved = move(case, S.INTERVENTION, owner, reason="Anak dalam bahaya malam ini")
    assert moved.emergency_protection


def test_no_skipping_steps_and_only_leads_move_cases(people):
    owner, boss, psy = people
    case = open_case(owner, boss)
    with pytest.raises(ValidationError):
        move(case, S.MONITORING, owner)
    svc.member_add(
        case, user=psy, case_role="psikolog", data_classes=["clinical"], acting_user=owner
    )
    with pytest.raises(PermissionDenied):
        move(case, S.ASSESSMENT, psy)


def test_every_transition_is_a_typed_event(people):
    owner, boss, _ = people
    case = open_case(owner, boss)
    move(case, S.ASSESSMENT, owner)
    event = CaseEvent.objects.get(case=case, kind="case.status_changed")
    assert event.payload["before"] == S.IDENTIFIED and event.payload["after"] == S.ASSESSMENT
    assert event.actor == owner


def test_approval_needs_a_supervisor_on_the_case(people):
    owner, _, _ = people
    case = open_case(owner, None)
    with pytest.raises(ValidationError):
        svc.approval_request(case, kind=ApprovalKind.PLAN, comment="", acting_user=owner)
    assert not case.approvals.filter(status=ApprovalStatus.REQUESTED).exists()
