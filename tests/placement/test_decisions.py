"""The combined decision: placed, refused, waiting for the supervisor; what it keeps."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kawal.access.catalogue import Role
from kawal.cases import services as case_svc
from kawal.cases.models import CaseEvent, Task
from kawal.institutions.models import InstitutionKind
from kawal.placement import rules
from kawal.placement import services as svc
from kawal.placement.models import DecisionStatus, Placement, PlacementDecision, RuleSetting
from kawal.placement.selectors import care_needs_of, contact_plan_of
from tests.cases.conftest import open_case, png_upload
from tests.helpers import make_user
from tests.placement.conftest import make_draft, make_institution, set_child, sign_assessments

pytestmark = pytest.mark.django_db


def test_all_rules_met_places_the_child_and_keeps_everything(pw):
    decision = pw.commit(
        care_allergies="Alergi kacang (sintetis)",
        care_health_needs="Asma ringan",
        contact_restriction="court_order",
        court_order_reference="PN Bpp 12/Pdt.P/2026",
        contact_note="Kontak diawasi di kantor Dinas Sosial.",
    )
    assert decision.status == DecisionStatus.PLACED
    placement = decision.placement
    assert placement.is_active and placement.institution == pw.lksa
    assert placement.placed_by == pw.social_worker and placement.child == pw.case.child
    assert decision.agreement_file and decision.agreement_sha256
    assert len(decision.rule_results) == len(rules.RULES)
    assert all(entry["outcome"] == "pass" for entry in decision.rule_results)
    assert contact_plan_of(placement).restricted
    assert contact_plan_of(placement).court_order_reference == "PN Bpp 12/Pdt.P/2026"
    assert care_needs_of(placement).allergies == "Alergi kacang (sintetis)"
    kinds = set(CaseEvent.objects.filter(case=pw.case).values_list("kind", flat=True))
    assert {"placement.decided", "placement.decided_where"} <= kinds


def test_a_hard_failure_is_stored_as_refused_and_places_no_child(pw):
    set_child(pw.case, religion="Kristen")
    pesantren = make_institution("Pesantren Uji", kind=InstitutionKind.PESANTREN, nsp_number="51")
    decision = svc.decision_commit(
        pw.draft(pesantren), upload=None, fingerprint=None, acting_user=pw.social_worker
    )
    assert decision.status == DecisionStatus.REFUSED
    assert decision.placement is None and not Placement.objects.exists()
    failed = [e for e in decision.rule_results if e["outcome"] == "fail"]
    assert [e["code"] for e in failed] == ["religion"]
    assert "37" in failed[0]["legal_basis_id"] and "37(3)" in failed[0]["legal_basis_en"]


def test_the_agreement_is_required_to_place(pw):
    with pytest.raises(ValidationError) as error:
        svc.decision_commit(pw.draft(), upload=None, fingerprint=None, acting_user=pw.social_worker)
    assert "agreement" in error.value.message_dict
    assert not PlacementDecision.objects.exists()


def test_a_later_rule_change_never_rewrites_a_past_decision(pw):
    decision = pw.commit()
    before = decision.rule_results
    RuleSetting.objects.filter(code="capacity").update(
        legal_basis_en="Rewritten (synthetic)",
        legal_basis_id="Diubah",
        parameters={"capacity_margin": 9},
    )
    decision.refresh_from_db()
    assert decision.rule_results == before
    capacity = next(e for e in decision.rule_results if e["code"] == "capacity")
    assert capacity["legal_basis_en"] != "Rewritten (synthetic)"
    assert capacity["parameters"] == {"capacity_margin": 0}


def test_a_preview_that_no_longer_holds_is_shown_again(pw):
    verdict = svc.decision_preview(pw.draft(), acting_user=pw.social_worker)
    RuleSetting.objects.filter(code="capacity").update(parameters={"capacity_margin": 10})
    with pytest.raises(svc.PreviewChanged) as changed:
        svc.decision_commit(
            pw.draft(),
            upload=png_upload(),
            fingerprint=verdict.fingerprint(),
            acting_user=pw.social_worker,
        )
    assert changed.value.verdict.refused
    assert not PlacementDecision.objects.exists()


def test_one_active_placement_per_child(pw):
    pw.commit()
    other = make_institution("LKSA Kedua")
    with pytest.raises(ValidationError):
        pw.commit(other)
    assert Placement.objects.active().count() == 1


def test_an_integrity_error_becomes_a_form_error(pw, monkeypatch):
    # The lock is bypassed: the database's constraint has the last word.
    monkeypatch.setattr(svc, "_require_not_placed", lambda group, transfer_from: None)
    pw.commit()
    with pytest.raises(ValidationError) as error, translation.override("en"):
        pw.commit(make_institution("LKSA Kedua"))
    assert "a moment ago" in str(error.value)
    assert Placement.objects.active().count() == 1


class TestOverride:
    def _waiting(self, pw) -> PlacementDecision:
        decision = pw.commit(school_distance_tenths_km=250)
        assert decision.status == DecisionStatus.AWAITING_OVERRIDE
        return decision

    def test_soft_failure_waits_with_a_task_for_the_supervisor(self, pw):
        decision = self._waiting(pw)
        assert decision.placement is None
        task = Task.objects.get(reminder_key=f"placement.override:{decision.uuid}")
        assert task.assignee == pw.supervisor

    def test_the_supervisor_overrides_with_a_reason(self, pw):
        decision = self._waiting(pw)
        settled = svc.decision_override(
            decision,
            reasons={"school_distance": "Sekolah asal tetap, antar jemput tersedia."},
            expected_version=decision.version,
            acting_user=pw.supervisor,
        )
        assert settled.status == DecisionStatus.PLACED and settled.placement.is_active
        assert settled.overrides[0]["code"] == "school_distance"
        assert settled.overrides[0]["by_id"] == pw.supervisor.pk
        assert Task.objects.get(reminder_key=f"placement.override:{decision.uuid}").status == "done"

    def test_a_reason_is_required(self, pw):
        decision = self._waiting(pw)
        with pytest.raises(ValidationError):
            svc.decision_override(
                decision, reasons={}, expected_version=decision.version, acting_user=pw.supervisor
            )
        assert not Placement.objects.exists()

    def test_the_preparer_never_overrides(self, pw):
        decision = self._waiting(pw)
        with pytest.raises(PermissionDenied):
            svc.decision_override(
                decision,
                reasons={"school_distance": "Alasan yang cukup panjang."},
                expected_version=decision.version,
                acting_user=pw.social_worker,
            )

    def test_another_supervisor_not_of_this_case_cannot(self, pw):
        decision = self._waiting(pw)
        other = make_user(Role.SUPERVISOR, username="other-boss")
        with pytest.raises(PermissionDenied):
            svc.decision_override(
                decision,
                reasons={"school_distance": "Alasan yang cukup panjang."},
                expected_version=decision.version,
                acting_user=other,
            )

    def test_a_hard_rule_failing_at_override_time_refuses(self, pw):
        decision = self._waiting(pw)
        pw.lksa.capacity = 0
        pw.lksa.save()
        settled = svc.decision_override(
            decision,
            reasons={"school_distance": "Alasan yang cukup panjang."},
            expected_version=decision.version,
            acting_user=pw.supervisor,
        )
        assert settled.status == DecisionStatus.REFUSED
        assert not Placement.objects.exists()

    def test_decline(self, pw):
        decision = self._waiting(pw)
        settled = svc.decision_decline(
            decision,
            reason="Cari sekolah yang lebih dekat.",
            expected_version=decision.version,
            acting_user=pw.supervisor,
        )
        assert settled.status == DecisionStatus.DECLINED and not Placement.objects.exists()


def test_a_temporary_placement_gets_an_escalation_task_on_its_end_date(pw):
    until = timezone.localdate() + timedelta(days=30)
    decision = pw.commit(temporary_until=until)
    task = Task.objects.get(reminder_key=f"placement.temporary:{decision.placement.uuid}")
    assert task.due_on == until and task.assignee == pw.social_worker
    assert decision.placement.temporary_until == until


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("document_number", ""),
        ("conference_participants", " "),
        ("child_views", ""),
        ("contact_restriction", "nonsense"),
        ("school_distance_tenths_km", 999999),
    ],
)
def test_bad_input_is_a_validation_error(pw, field, value):
    with pytest.raises(ValidationError) as error:
        pw.commit(**{field: value})
    assert error.value.message_dict


def test_a_court_order_restriction_needs_its_reference(pw):
    with pytest.raises(ValidationError) as error:
        pw.commit(contact_restriction="court_order", contact_note="Dibatasi.")
    assert "court_order_reference" in error.value.message_dict


HARD_CASES = {
    "religion": lambda pw: (
        set_child(pw.case, religion="Hindu"),
        make_institution("Pesantren H", kind=InstitutionKind.PESANTREN, nsp_number="7"),
    )[1],
    "capacity": lambda pw: make_institution("Penuh", capacity=0),
    "registration": lambda pw: make_institution("Tanpa TD", registration_number=""),
    "sex": lambda pw: make_institution("Putra", accepts_sex="M"),
}


def _relate(case, user, role: Role, owner) -> None:
    """Give the user the closest relation the role can have to the case."""
    if role == Role.SUPERVISOR:
        case.supervisor = user
        case.save(update_fields=["supervisor"])
        return
    if role in (Role.CASE_MANAGER,):
        case.owner = user
        case.save(update_fields=["owner"])
        return
    with contextlib.suppress(ValidationError, PermissionDenied):
        case_svc.member_add(
            case,
            user=user,
            case_role="uji",
            acting_user=owner,
            data_classes=["identity", "whereabouts", "progress", "financial"],
        )


@pytest.mark.parametrize("role", list(Role))
def test_no_role_gets_past_a_hard_rule(pw, role):
    user = make_user(role, username=f"u-{role.value}")
    _relate(pw.case, user, role, pw.world.owner)
    for rule in sorted(HARD_CASES):
        institution = HARD_CASES[rule](pw)
        try:
            decision = svc.decision_commit(
                pw.draft(institution), upload=png_upload(), fingerprint=None, acting_user=user
            )
        except PermissionDenied:
            decision = None
        if decision is not None:
            assert decision.status == DecisionStatus.REFUSED, rule
            assert rule in [e["code"] for e in decision.rule_results if e["outcome"] == "fail"]
            # Nor may anyone override a refused decision.
            with pytest.raises((PermissionDenied, ValidationError)):
                svc.decision_override(
                    decision,
                    reasons=dict.fromkeys(rules.DEFAULTS, "Alasan yang cukup panjang."),
                    expected_version=decision.version,
                    acting_user=user,
                )
        assert not Placement.objects.filter(institution=institution).exists(), rule
        set_child(pw.case, religion="Islam")
    # The one role that decides got as far as the rules.
    if role == Role.SOCIAL_WORKER:
        assert PlacementDecision.objects.filter(decided_by=user).count() == len(HARD_CASES)


def test_only_a_social_worker_with_whereabouts_on_the_case_decides(pw):
    stranger = make_user(Role.SOCIAL_WORKER, username="dinsos-lain")
    with pytest.raises(PermissionDenied):
        pw.commit(user=stranger)
    with pytest.raises(PermissionDenied):
        pw.commit(user=pw.world.owner)  # the case manager has no MANAGE_PLACEMENT


def test_a_merged_child_is_one_child(pw):
    pw.commit()
    other = open_case(pw.world.owner, name="Rekaman Ganda")
    other.sharing_basis = "legal_obligation"
    other.save(update_fields=["sharing_basis"])
    case_svc.member_add(
        other,
        user=pw.world.psychologist,
        case_role="psikolog",
        acting_user=pw.world.owner,
        data_classes=["identity", "whereabouts", "clinical", "progress"],
    )
    sign_assessments(other, pw.world.psychologist)
    type(other.child).objects.filter(pk=other.child_id).update(merged_into=pw.case.child)
    case_svc.member_add(
        other,
        user=pw.social_worker,
        case_role="ps",
        acting_user=pw.world.owner,
        data_classes=["identity", "whereabouts", "progress"],
    )
    set_child(other, religion="Islam")
    with pytest.raises(ValidationError):
        svc.decision_commit(
            make_draft(other, make_institution("LKSA Ketiga")),
            upload=png_upload(),
            fingerprint=None,
            acting_user=pw.social_worker,
        )


def test_a_bad_agreement_file_is_a_field_error(pw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as error:
        svc.decision_commit(
            pw.draft(),
            upload=SimpleUploadedFile("kesepakatan.pdf", b"not a pdf"),
            fingerprint=None,
            acting_user=pw.social_worker,
        )
    assert "agreement" in error.value.message_dict
    assert not PlacementDecision.objects.exists()
