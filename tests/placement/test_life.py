"""Transfers, exits and the selectors the apps above read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kawal.cases.models import Task
from kawal.core.models import StaleVersion
from kawal.families.selectors import ReadinessItem, ReunificationReadiness
from kawal.institutions.models import InstitutionKind
from kawal.placement import selectors as sel
from kawal.placement import services as svc
from kawal.placement.models import DecisionStatus, ExitReason, Placement
from tests.placement.conftest import make_institution, set_child

pytestmark = pytest.mark.django_db


def placed(pw, days_ago: int = 10, **fields) -> Placement:
    start = timezone.localdate() - timedelta(days=days_ago)
    decision = pw.commit(decided_on=start, starts_on=start, document_date=start, **fields)
    assert decision.status == DecisionStatus.PLACED, decision.rule_results
    return decision.placement


@pytest.fixture
def assessed_long_ago(pw):
    # The world's assessments are signed today; move them back so older decisions pass.
    from kawal.assessments.models import Assessment

    Assessment.objects.filter(case=pw.case).update(signed_at=timezone.now() - timedelta(days=60))
    return pw


class TestTransfer:
    def test_transfer_reruns_the_rules_and_chains_the_placements(self, assessed_long_ago):
        pw = assessed_long_ago
        first = placed(pw)
        second_home = make_institution("LKSA Kedua")
        today = timezone.localdate()
        decision = pw.commit(second_home, transfer_from=first, starts_on=today)
        assert decision.status == DecisionStatus.PLACED
        first.refresh_from_db()
        assert first.ended_on == today - timedelta(days=1)
        assert first.exit_reason == ExitReason.TRANSFER
        new = decision.placement
        assert new.previous == first and new.is_active and new.institution == second_home
        assert decision.rule_results[0]["code"] == "religion"

    def test_a_transfer_refused_by_the_rules_keeps_the_child_where_they_are(
        self, assessed_long_ago
    ):
        pw = assessed_long_ago
        first = placed(pw)
        boys = make_institution(
            "Pesantren Putra", kind=InstitutionKind.PESANTREN, nsp_number="1", accepts_sex="M"
        )
        decision = pw.commit(boys, transfer_from=first)
        assert decision.status == DecisionStatus.REFUSED
        first.refresh_from_db()
        assert first.is_active

    def test_the_child_counts_once_at_the_full_institution_they_leave(self, assessed_long_ago):
        pw = assessed_long_ago
        first = placed(pw)
        with pytest.raises(ValidationError):
            pw.commit(pw.lksa, transfer_from=first)  # not to the same institution

    def test_transfer_must_start_after_the_current_placement(self, assessed_long_ago):
        pw = assessed_long_ago
        first = placed(pw, days_ago=0)
        with pytest.raises(ValidationError):
            pw.commit(make_institution("LKSA Kedua"), transfer_from=first)


class TestExit:
    def test_reunification_is_refused_until_the_family_is_ready(self, pw):
        placement = placed(pw, days_ago=0)
        with pytest.raises(ValidationError) as error, translation.override("en"):
            svc.placement_exit(
                placement,
                reason=ExitReason.REUNIFICATION,
                on=timezone.localdate(),
                note="",
                expected_version=placement.version,
                acting_user=pw.social_worker,
            )
        assert "reason" in error.value.message_dict
        assert "Missing" in " ".join(error.value.message_dict["reason"])
        placement.refresh_from_db()
        assert placement.is_active

    def test_reunification_when_ready(self, pw, monkeypatch):
        placement = placed(pw, days_ago=0, temporary_until=timezone.localdate() + timedelta(days=9))
        monkeypatch.setattr(
            svc,
            "reunification_readiness",
            lambda case: ReunificationReadiness(True, [ReadinessItem("x", "x", True, "")]),
        )
        ended = svc.placement_exit(
            placement,
            reason=ExitReason.REUNIFICATION,
            on=timezone.localdate(),
            note="Pulang.",
            expected_version=placement.version,
            acting_user=pw.social_worker,
        )
        assert ended.ended_on == timezone.localdate() and ended.exit_reason == "reunification"
        assert sel.active_placement(pw.case) is None
        task = Task.objects.get(reminder_key=f"placement.temporary:{placement.uuid}")
        assert task.status == "done"

    def test_running_away_needs_the_police_report(self, pw):
        placement = placed(pw, days_ago=0)
        with pytest.raises(ValidationError) as error:
            svc.placement_exit(
                placement,
                reason=ExitReason.RAN_AWAY,
                on=timezone.localdate(),
                note="",
                expected_version=placement.version,
                acting_user=pw.social_worker,
            )
        assert {"police_report_number", "police_report_date"} <= set(error.value.message_dict)
        ended = svc.placement_exit(
            placement,
            reason=ExitReason.RAN_AWAY,
            on=timezone.localdate(),
            note="",
            police_report_number="LP/B/12/2026",
            police_report_date=timezone.localdate(),
            expected_version=placement.version,
            acting_user=pw.social_worker,
        )
        assert ended.exit_police_report_number == "LP/B/12/2026"

    def test_a_police_report_before_the_placement_or_in_the_future_is_refused(
        self, assessed_long_ago
    ):
        pw = assessed_long_ago
        placement = placed(pw, days_ago=5)
        today = timezone.localdate()
        for wrong in (
            date(1, 1, 1),
            placement.started_on - timedelta(days=1),
            today + timedelta(days=1),
        ):
            with pytest.raises(ValidationError) as error:
                svc.placement_exit(
                    placement,
                    reason=ExitReason.RAN_AWAY,
                    on=today,
                    note="",
                    police_report_number="LP/B/12/2026",
                    police_report_date=wrong,
                    expected_version=placement.version,
                    acting_user=pw.social_worker,
                )
            assert set(error.value.message_dict) == {"police_report_date"}, wrong
        ended = svc.placement_exit(
            placement,
            reason=ExitReason.RAN_AWAY,
            on=today,
            note="",
            police_report_number="LP/B/12/2026",
            police_report_date=placement.started_on,
            expected_version=placement.version,
            acting_user=pw.social_worker,
        )
        assert ended.exit_police_report_date == placement.started_on

    def test_turning_18(self, assessed_long_ago):
        pw = assessed_long_ago
        today = timezone.localdate()
        set_child(pw.case, birth_date=today - timedelta(days=17 * 366), age_min=None, age_max=None)
        placement = placed(pw, days_ago=5)
        with pytest.raises(ValidationError) as error:
            svc.placement_exit(
                placement,
                reason=ExitReason.AGE_18,
                on=today,
                note="",
                expected_version=placement.version,
                acting_user=pw.social_worker,
            )
        assert "reason" in error.value.message_dict
        set_child(pw.case, birth_date=today - timedelta(days=18 * 366))
        placement.refresh_from_db()
        ended = svc.placement_exit(
            placement,
            reason=ExitReason.AGE_18,
            on=today,
            note="",
            expected_version=placement.version,
            acting_user=pw.social_worker,
        )
        assert ended.exit_reason == ExitReason.AGE_18

    def test_transfer_is_not_an_exit_and_dates_are_checked(self, pw):
        placement = placed(pw, days_ago=0)
        for reason, on in (
            (ExitReason.TRANSFER, timezone.localdate()),
            (ExitReason.RAN_AWAY, timezone.localdate() + timedelta(days=1)),
            (ExitReason.RAN_AWAY, timezone.localdate() - timedelta(days=1)),
        ):
            with pytest.raises(ValidationError):
                svc.placement_exit(
                    placement,
                    reason=reason,
                    on=on,
                    note="",
                    police_report_number="LP",
                    police_report_date=timezone.localdate(),
                    expected_version=placement.version,
                    acting_user=pw.social_worker,
                )

    def test_stale_version_and_policy(self, pw):
        placement = placed(pw, days_ago=0)
        with pytest.raises(StaleVersion):
            svc.placement_exit(
                placement,
                reason=ExitReason.RAN_AWAY,
                on=timezone.localdate(),
                note="",
                police_report_number="LP",
                police_report_date=timezone.localdate(),
                expected_version=placement.version + 1,
                acting_user=pw.social_worker,
            )
        with pytest.raises(PermissionDenied):
            svc.placement_exit(
                placement,
                reason=ExitReason.RAN_AWAY,
                on=timezone.localdate(),
                note="",
                police_report_number="LP",
                police_report_date=timezone.localdate(),
                expected_version=placement.version,
                acting_user=pw.world.psychologist,
            )


class TestSelectors:
    def test_history_overlap_and_institution(self, assessed_long_ago):
        pw = assessed_long_ago
        first = placed(pw, days_ago=20)
        other = make_institution("LKSA Kedua")
        today = timezone.localdate()
        moved = today - timedelta(days=10)
        second = pw.commit(
            other, transfer_from=first, decided_on=moved, starts_on=moved, document_date=moved
        ).placement
        assert [p.pk for p in sel.placement_history(pw.case)] == [second.pk, first.pk]
        assert sel.active_placement(pw.case) == second
        assert list(sel.placements_of_institution(pw.lksa)) == []
        assert list(sel.placements_of_institution(pw.lksa, active_only=False)) == [first]
        first.refresh_from_db()
        last_day = first.ended_on
        assert set(sel.placements_overlapping(None, last_day, last_day)) == {first}
        assert set(sel.placements_overlapping(None, last_day, last_day + timedelta(days=1))) == {
            first,
            second,
        }
        assert set(sel.placements_overlapping([other.pk], today - timedelta(days=30), today)) == {
            second
        }
        assert sel.placement_by_uuid(second.uuid) == second
        assert sel.placement_by_uuid("not-a-uuid") is None
        assert sel.contact_plan_of(second).frequency == "weekly"
        assert sel.care_needs_of(second) is not None
