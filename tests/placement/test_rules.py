"""Each placement rule with passing and failing examples."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kawal.assessments.models import Instrument
from kawal.cases import services as case_svc
from kawal.cases.models import CaseStatus, SharingBasis
from kawal.institutions.models import InstitutionKind, InstitutionStatus, Religion
from kawal.people.models import PersonRelation
from kawal.placement import rules
from kawal.placement.models import Placement, RuleSetting
from kawal.placement.services import facts_of
from tests.cases.conftest import open_case
from tests.placement.conftest import make_institution, set_child

pytestmark = pytest.mark.django_db


def result(pw, code: str, institution=None, **draft_fields):
    facts = facts_of(pw.draft(institution, **draft_fields), viewer=pw.social_worker)
    return {r.code: r for r in rules.evaluate(facts)}[code]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Islam", Religion.ISLAM),
        ("  muslim ", Religion.ISLAM),
        ("Agama: ISLAM", Religion.ISLAM),
        ("Kristen", Religion.PROTESTANT),
        ("Kristen Protestan", Religion.PROTESTANT),
        ("protestan", Religion.PROTESTANT),
        ("Katolik", Religion.CATHOLIC),
        ("Kristen Katholik", Religion.CATHOLIC),
        ("Hindu", Religion.HINDU),
        ("Budha", Religion.BUDDHIST),
        ("Buddha", Religion.BUDDHIST),
        ("Konghucu", Religion.CONFUCIAN),
        ("Khonghucu", Religion.CONFUCIAN),
        ("Penghayat Kepercayaan", Religion.BELIEF),
        ("", ""),
        ("tidak tahu", ""),
        ("islam kristen", ""),
    ],
)
def test_religion_is_normalised_tolerantly(text, expected):
    assert rules.normalise_religion(text) == expected


class TestReligion:
    def test_non_religious_institution_passes_and_asks_how_religion_is_respected(self, pw):
        outcome = result(pw, "religion")
        assert outcome.outcome == rules.PASS
        with override("en"):
            assert "37(4)" in outcome.message

    def test_same_religion_passes(self, pw):
        pesantren = make_institution(
            "Pesantren Uji", kind=InstitutionKind.PESANTREN, nsp_number="5101"
        )
        assert result(pw, "religion", pesantren).outcome == rules.PASS

    def test_pesantren_refuses_a_christian_child(self, pw):
        set_child(pw.case, religion="Kristen")
        pesantren = make_institution(
            "Pesantren Uji", kind=InstitutionKind.PESANTREN, nsp_number="5101"
        )
        outcome = result(pw, "religion", pesantren)
        assert outcome.outcome == rules.FAIL and outcome.hard
        with override("en"):
            assert "Article 37(3)" in outcome.legal_basis
        with override("id"):
            assert "Pasal 37 ayat (3)" in outcome.legal_basis

    def test_church_lksa_refuses_a_muslim_child(self, pw):
        church = make_institution("LKSA Gereja", religion=Religion.PROTESTANT)
        assert result(pw, "religion", church).outcome == rules.FAIL

    def test_unknown_religion_fails_at_a_religion_based_institution(self, pw):
        set_child(pw.case, religion="")
        church = make_institution("LKSA Gereja", religion=Religion.PROTESTANT)
        assert result(pw, "religion", church).outcome == rules.FAIL


class TestRegistration:
    def test_valid_registration_passes(self, pw):
        assert result(pw, "registration").outcome == rules.PASS

    def test_expired_registration_fails(self, pw):
        today = timezone.localdate()
        old = make_institution(
            "LKSA Kedaluwarsa",
            registration_start=today - timedelta(days=800),
            registration_end=today - timedelta(days=1),
        )
        outcome = result(pw, "registration", old)
        assert outcome.outcome == rules.FAIL
        with override("en"):
            assert "expired" in outcome.message and "5/2024" in outcome.legal_basis

    def test_missing_registration_fails(self, pw):
        none = make_institution("LKSA Tanpa", registration_number="", registration_end=None)
        assert result(pw, "registration", none).outcome == rules.FAIL

    def test_pesantren_needs_its_nsp(self, pw):
        without = make_institution("Pesantren Tanpa NSP", kind=InstitutionKind.PESANTREN)
        assert result(pw, "registration", without).outcome == rules.FAIL
        with_nsp = make_institution(
            "Pesantren NSP", kind=InstitutionKind.PESANTREN, nsp_number="51"
        )
        assert result(pw, "registration", with_nsp).outcome == rules.PASS

    def test_family_based_care_needs_none(self, pw):
        foster = make_institution(
            "Keluarga Asuh",
            kind=InstitutionKind.FOSTER_FAMILY,
            registration_number="",
            registration_end=None,
        )
        assert result(pw, "registration", foster).outcome == rules.PASS


def test_suspended_institution_fails(pw):
    assert result(pw, "suspended").outcome == rules.PASS
    suspended = make_institution(
        "LKSA Beku", status=InstitutionStatus.SUSPENDED, suspended_reason="Temuan inspeksi"
    )
    outcome = result(pw, "suspended", suspended)
    assert outcome.outcome == rules.FAIL
    with override("en"):
        assert "Temuan inspeksi" in outcome.message


class TestCapacity:
    def _fill(self, institution, count, pw):
        for number in range(count):
            other = open_case(pw.world.owner, name=f"Anak Penghuni {number}")
            Placement.objects.create(
                case=other,
                child=other.child,
                institution=institution,
                started_on=timezone.localdate(),
                placed_by=pw.social_worker,
            )

    def test_room_left_passes_and_full_fails(self, pw):
        small = make_institution("LKSA Kecil", capacity=2)
        self._fill(small, 1, pw)
        assert result(pw, "capacity", small).outcome == rules.PASS
        self._fill(small, 1, pw)
        assert result(pw, "capacity", small).outcome == rules.FAIL

    def test_margin_keeps_places_free(self, pw):
        small = make_institution("LKSA Kecil", capacity=2)
        self._fill(small, 1, pw)
        RuleSetting.objects.filter(code="capacity").update(parameters={"capacity_margin": 1})
        outcome = result(pw, "capacity", small)
        assert outcome.outcome == rules.FAIL
        assert outcome.parameters["capacity_margin"] == 1


class TestSexAndAge:
    def test_sex(self, pw):
        girls = make_institution("Putri", accepts_sex="F")
        boys = make_institution("Putra", accepts_sex="M")
        assert result(pw, "sex", girls).outcome == rules.PASS
        assert result(pw, "sex", boys).outcome == rules.FAIL
        set_child(pw.case, sex="")
        assert result(pw, "sex", girls).outcome == rules.FAIL
        assert result(pw, "sex").outcome == rules.PASS

    def test_exact_age(self, pw):
        today = timezone.localdate()
        set_child(pw.case, birth_date=date(today.year - 14, 1, 1), age_min=None, age_max=None)
        assert (
            result(pw, "age", make_institution("Remaja", age_min=12, age_max=17)).outcome
            == rules.PASS
        )
        assert (
            result(pw, "age", make_institution("Kecil", age_min=0, age_max=12)).outcome
            == rules.FAIL
        )

    def test_estimated_age_passes_when_the_range_overlaps(self, pw):
        # The world's child is estimated 9-10.
        assert (
            result(pw, "age", make_institution("Dari 10", age_min=10, age_max=17)).outcome
            == rules.PASS
        )
        assert (
            result(pw, "age", make_institution("Dari 11", age_min=11, age_max=17)).outcome
            == rules.FAIL
        )

    def test_unknown_age_fails(self, pw):
        set_child(pw.case, birth_date=None, age_min=None, age_max=None)
        assert result(pw, "age").outcome == rules.FAIL


class TestAssessment:
    def test_signed_before_the_decision_passes(self, pw):
        assert result(pw, "assessment").outcome == rules.PASS

    def test_signed_after_the_decision_day_fails(self, pw):
        outcome = result(pw, "assessment", decided_on=timezone.localdate() - timedelta(days=1))
        assert outcome.outcome == rules.FAIL

    def test_missing_fails(self, pw):
        other = open_case(pw.world.owner, name="Anak Belum Dinilai")
        outcome = rules.evaluate(facts_of(replace(pw.draft(), case=other), viewer=pw.social_worker))
        by_code = {r.code: r for r in outcome}
        assert by_code["assessment"].outcome == rules.FAIL
        missing = by_code["assessment"]
        safety = Instrument.objects.filter(code="safety-risk").latest("version_number")
        with override("en"):
            assert safety.name_en in missing.message and "safety-risk" not in missing.message
        with override("id"):
            assert safety.name_id in missing.message
        # The message says where to record what is missing.
        assert missing.fix_url == reverse("assessments:case", args=[other.uuid])
        assert missing.as_json()["fix_url"] == missing.fix_url


class TestLastResort:
    def test_all_three_reasons_pass(self, pw):
        assert result(pw, "last_resort").outcome == rules.PASS

    @pytest.mark.parametrize(
        "missing", ["last_resort_parents", "last_resort_kinship", "last_resort_foster"]
    )
    def test_each_missing_reason_fails(self, pw, missing):
        outcome = result(pw, "last_resort", **{missing: "  "})
        assert outcome.outcome == rules.FAIL and outcome.hard

    def test_family_based_care_needs_no_reasons(self, pw):
        kin = make_institution("Kerabat", kind=InstitutionKind.KINSHIP_CARER)
        assert result(pw, "last_resort", kin, last_resort_parents="").outcome == rules.PASS


class TestSiblings:
    def _sibling(self, pw, name="Kakak Sintetis", *, visible=True):
        other = open_case(pw.world.owner, name=name)
        PersonRelation.objects.create(child=pw.case.child, relative=other.child, relation="sibling")
        if visible:
            _member(pw, other)
        return other

    def test_no_siblings_pass(self, pw):
        assert result(pw, "siblings").outcome == rules.PASS

    def test_sibling_placed_elsewhere_needs_override(self, pw):
        sibling = self._sibling(pw)
        elsewhere = make_institution("LKSA Lain")
        Placement.objects.create(
            case=sibling,
            child=sibling.child,
            institution=elsewhere,
            started_on=timezone.localdate(),
            placed_by=pw.social_worker,
        )
        outcome = result(pw, "siblings")
        assert outcome.outcome == rules.NEEDS_OVERRIDE and not outcome.hard
        assert result(pw, "siblings", elsewhere).outcome == rules.PASS

    def test_sibling_on_an_open_case_not_placed_needs_override(self, pw):
        sibling = self._sibling(pw)
        assert result(pw, "siblings").outcome == rules.NEEDS_OVERRIDE
        sibling.status = CaseStatus.CLOSED
        sibling.save(update_fields=["status"])
        assert result(pw, "siblings").outcome == rules.PASS

    def test_sibling_recorded_the_other_way_round_counts(self, pw):
        other = open_case(pw.world.owner, name="Adik Sintetis")
        PersonRelation.objects.create(child=other.child, relative=pw.case.child, relation="sibling")
        _member(pw, other)
        assert result(pw, "siblings").outcome == rules.NEEDS_OVERRIDE

    def test_a_sibling_on_a_case_the_decider_cannot_see_changes_nothing(self, pw):
        """Previewing one institution after another must not reveal a hidden sibling."""
        elsewhere = make_institution("LKSA Lain")

        def preview() -> list:
            shown = []
            for institution in (pw.lksa, elsewhere):
                verdict = rules.verdict(facts_of(pw.draft(institution), viewer=pw.social_worker))
                # Outcomes of every rule, the sibling rule's words, the fingerprint.
                # (The capacity rule's count of placed children is the
                # institution's occupancy, not a fact about the child.)
                with override("en"):
                    shown.append([(r.code, r.outcome) for r in verdict.results])
                    shown.append([r.message for r in verdict.results if r.code == "siblings"])
                shown.append(verdict.fingerprint())
            return shown

        before = preview()
        hidden = self._sibling(pw, visible=False)
        assert preview() == before  # on an open case, not placed
        Placement.objects.create(
            case=hidden,
            child=hidden.child,
            institution=elsewhere,
            started_on=timezone.localdate(),
            placed_by=pw.world.owner,
        )
        assert preview() == before  # placed at one of the two institutions
        # The case's owner sees the sibling's case: for them the rule speaks.
        facts = facts_of(pw.draft(), viewer=pw.world.owner)
        by_code = {r.code: r for r in rules.evaluate(facts)}
        assert by_code["siblings"].outcome == rules.NEEDS_OVERRIDE
        with override("en"):
            assert "LKSA Lain" not in by_code["siblings"].message


def _member(pw, case) -> None:
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=pw.world.owner,
    )
    case_svc.member_add(
        case,
        user=pw.social_worker,
        case_role="pekerja sosial",
        data_classes=["identity", "whereabouts"],
        acting_user=pw.world.owner,
    )


def test_school_distance(pw):
    assert result(pw, "school_distance", school_distance_tenths_km=100).outcome == rules.PASS
    assert (
        result(pw, "school_distance", school_distance_tenths_km=101).outcome == rules.NEEDS_OVERRIDE
    )
    assert result(pw, "school_distance", school_distance_tenths_km=None).outcome == rules.PASS
    RuleSetting.objects.filter(code="school_distance").update(parameters={"max_km": 20})
    assert result(pw, "school_distance", school_distance_tenths_km=150).outcome == rules.PASS


def test_contact_plan(pw):
    assert result(pw, "contact_plan").outcome == rules.PASS
    assert result(pw, "contact_plan", contact_frequency="").outcome == rules.NEEDS_OVERRIDE
    assert result(pw, "contact_plan", contact_supervision="").outcome == rules.NEEDS_OVERRIDE
    assert result(pw, "contact_plan", contact_frequency="none").outcome == rules.NEEDS_OVERRIDE
    assert (
        result(
            pw, "contact_plan", contact_frequency="none", contact_restriction="court_order"
        ).outcome
        == rules.PASS
    )


def test_a_soft_rule_switched_off_passes_but_a_hard_rule_cannot_be(pw):
    RuleSetting.objects.filter(code__in=["contact_plan", "religion"]).update(active=False)
    set_child(pw.case, religion="Kristen")
    church_less = make_institution("Pesantren", kind=InstitutionKind.PESANTREN, nsp_number="9")
    assert result(pw, "contact_plan", contact_frequency="").outcome == rules.PASS
    assert result(pw, "religion", church_less).outcome == rules.FAIL


def test_legal_text_and_parameters_come_from_the_console_rows(pw):
    RuleSetting.objects.filter(code="suspended").update(legal_basis_en="Edited basis (synthetic)")
    with override("en"):
        assert result(pw, "suspended").legal_basis == "Edited basis (synthetic)"


def test_every_rule_is_seeded_and_known():
    assert set(RuleSetting.objects.values_list("code", flat=True)) == set(rules.DEFAULTS)
    assert [code for code, _rule in rules.RULES] == list(rules.DEFAULTS)


class TestWalkThroughFixes:
    def test_the_religion_note_once_written_is_said_to_be_recorded(self, pw):
        with override("en"):
            assert "record how" in result(pw, "religion").message
            written = result(pw, "religion", religion_respect="Diantar ke gereja tiap Minggu.")
            assert "is recorded" in written.message and "record how" not in written.message

    def test_an_unrecorded_religion_links_to_the_child_page(self, pw):
        set_child(pw.case, religion="")
        church = make_institution("LKSA Gereja", religion=Religion.PROTESTANT)
        outcome = result(pw, "religion", church)
        assert outcome.fix_url == reverse("cases:child_edit", args=[pw.case.uuid])
        shown = rules.shown(outcome.as_json())
        with override("en"):
            assert rules.shown(outcome.as_json())["fix_label"] == "Record the child's religion"
        assert shown["fix_url"] == outcome.fix_url
        assert result(pw, "religion").fix_url == ""

    def test_dates_and_numbers_in_messages_follow_the_language(self, pw):
        end = timezone.localdate() + timedelta(days=400)
        outcome = result(pw, "registration")
        far = result(pw, "school_distance", school_distance_tenths_km=30)
        with override("id"):
            assert end.strftime("%d/%m/%Y") in outcome.message
            assert "3,0 km" in far.message
        with override("en"):
            assert "3.0 km" in far.message
