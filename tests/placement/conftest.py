"""A case whose child is assessed and a Dinas Sosial social worker on its team, and institutions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import Agency, User
from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from kawal.cases import services as case_svc
from kawal.cases.models import Case
from kawal.institutions.models import Institution, InstitutionKind
from kawal.people.models import Person
from kawal.placement import services as svc
from kawal.placement.models import PlacementDecision
from tests.assessments.builders import complete_answers, fill_and_sign
from tests.cases.conftest import World, open_case, png_upload, world  # noqa: F401
from tests.helpers import make_user


def sign_assessments(case: Case, psychologist: User) -> None:
    for code in (BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE):
        instrument = Instrument.objects.filter(code=code, status="published").first()
        assert instrument is not None, code
        fill_and_sign(case, psychologist, code, complete_answers(instrument))


def make_institution(name: str = "LKSA Uji (sintetis)", **fields: Any) -> Institution:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "kind": InstitutionKind.LKSA,
        "registration_number": "TD-001/2026",
        "registration_start": today - timedelta(days=300),
        "registration_end": today + timedelta(days=400),
        "capacity": 10,
        "age_min": 0,
        "age_max": 17,
        "address": "Jl. Alamat Rahasia 7 (sintetis)",
    }
    values.update(fields)
    return Institution.objects.create(name=name, **values)


def set_child(case: Case, **fields: Any) -> Person:
    Person.objects.filter(pk=case.child_id).update(**fields)
    case.child.refresh_from_db()
    return case.child


@dataclass
class PlacementWorld:
    world: World
    social_worker: User
    lksa: Institution

    @property
    def case(self) -> Case:
        return self.world.case

    @property
    def supervisor(self) -> User:
        return self.world.supervisor

    def draft(self, institution: Institution | None = None, **fields: Any) -> svc.DecisionDraft:
        return make_draft(self.case, institution or self.lksa, **fields)

    def commit(
        self, institution: Institution | None = None, *, user: User | None = None, **fields: Any
    ) -> PlacementDecision:
        return svc.decision_commit(
            self.draft(institution, **fields),
            upload=png_upload(),
            fingerprint=None,
            acting_user=user or self.social_worker,
        )


def make_draft(case: Case, institution: Institution, **fields: Any) -> svc.DecisionDraft:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "case": case,
        "institution": institution,
        "decided_on": today,
        "starts_on": today,
        "document_number": "SK-DINSOS/001/2026",
        "document_date": today,
        "conference_participants": "Manajer kasus, psikolog, Dinas Sosial (sintetis)",
        "child_views": "Anak ingin tinggal dekat sekolahnya (sintetis).",
        "last_resort_parents": "Orang tua belum mampu mengasuh walau dengan dukungan.",
        "last_resort_kinship": "Tidak ada kerabat sampai derajat ketiga yang bersedia.",
        "last_resort_foster": "Belum ada orang tua asuh yang siap di kota ini.",
        "contact_frequency": "weekly",
        "contact_supervision": "supervised",
        "school_distance_tenths_km": 25,
        "agreement_signed_on": today,
    }
    values.update(fields)
    return svc.DecisionDraft(**values)


def social_worker_on(case: Case, owner: User, username: str = "dinsos") -> User:
    user = make_user(Role.SOCIAL_WORKER, username=username)
    case_svc.member_add(
        case,
        user=user,
        case_role="pekerja sosial",
        data_classes=["identity", "whereabouts", "progress", "financial"],
        acting_user=owner,
    )
    return user


@pytest.fixture
def pw(world) -> PlacementWorld:  # noqa: F811
    set_child(world.case, religion="Islam")
    sign_assessments(world.case, world.psychologist)
    social_worker = social_worker_on(world.case, world.owner)
    return PlacementWorld(world=world, social_worker=social_worker, lksa=make_institution())


def old_day(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def institution_agency(name: str) -> Agency:
    return Agency.objects.create(name=name, kind="child_care_institution")
