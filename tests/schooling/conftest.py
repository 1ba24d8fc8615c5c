"""Schooling tests: the shelter world of tests/shelters (the child stays in a
shelter bed), an institution placement, a liaison of the education office on
the team, and the school-readiness gate opened or closed at will."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kawal.access.catalogue import DataClass, Role
from kawal.accounts.models import User
from kawal.care.models import ReadinessDecision
from kawal.cases import services as case_svc
from kawal.cases.models import Case
from kawal.institutions.models import Institution
from kawal.placement.models import Placement
from kawal.schooling import services as svc
from kawal.schooling.models import Enrolment
from tests.cases.conftest import MARKERS, world
from tests.helpers import agency_for, make_user, sign_in
from tests.shelters.conftest import ShelterWorld, shelter_world

INSTITUTION = "LKSA Penanda Sintetis 4471"
INSTITUTION_ADDRESS = "Jl. Penanda Alamat 88 (sintetis)"
SHELTER = "Rumah Aman Sintetis"
SCHOOL = "SD Negeri 001 Sekolahmarker (sintetis)"
NPSN = "30405060"
CLEARED_DAYS_AGO = 150


@dataclass
class SchoolWorld:
    sw: ShelterWorld
    liaison: User
    institution: Institution
    placement: Placement

    @property
    def case(self) -> Case:
        return self.sw.world.case

    @property
    def owner(self) -> User:
        return self.sw.world.owner

    @property
    def supervisor(self) -> User:
        return self.sw.world.supervisor

    @property
    def psychologist(self) -> User:
        return self.sw.world.psychologist


def clear(
    case: Case, by: User, confirmer: User, *, days_ago: int = CLEARED_DAYS_AGO, confirmed=True
):
    """A "safe to return to school" decision, confirmed ``days_ago`` (test setup:
    the care app's own tests cover how it is taken)."""
    at = timezone.now() - timedelta(days=days_ago)
    return ReadinessDecision.objects.create(
        case=case,
        safe=True,
        period_from=timezone.localdate() - timedelta(days=days_ago + 20),
        period_to=timezone.localdate() - timedelta(days=days_ago + 1),
        decided_by=by,
        decided_at=at,
        confirmed_by=confirmer if confirmed else None,
        confirmed_at=at if confirmed else None,
    )


def revoke(decision: ReadinessDecision, by: User) -> None:
    ReadinessDecision.objects.filter(pk=decision.pk).update(
        revoked_at=timezone.now(), revoked_by=by, revoke_reason="Kembali ke jalan (sintetis)"
    )


def enrolment_input(**overrides: Any) -> svc.EnrolmentInput:
    fields: dict[str, Any] = {
        "school_name": SCHOOL,
        "npsn": NPSN,
        "level": "sd",
        "grade": 4,
        "enrolled_on": timezone.localdate() - timedelta(days=CLEARED_DAYS_AGO - 5),
        "notes": "Seragam dari Dinas Pendidikan (sintetis).",
    }
    fields.update(overrides)
    return svc.EnrolmentInput(**fields)


def enrol(school: SchoolWorld, by: User | None = None, **overrides: Any) -> Enrolment:
    return svc.enrolment_add(
        school.case, enrolment_input(**overrides), acting_user=by or school.liaison
    )


def months_back(count: int) -> date:
    """The first day of the month ``count`` months before this one."""
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def follow_up_input(month: date, school_days: int = 20, days_absent: int = 1, **extra: Any):
    return svc.FollowUpInput(
        month=month,
        school_days=school_days,
        days_absent=days_absent,
        reason=extra.pop("reason", "illness"),
        reason_text=extra.pop("reason_text", ""),
    )


def liaison_on(case: Case, owner: User, classes: list[str] | None = None) -> User:
    """The education office's liaison; the lead adds the whole office to the team."""
    liaison = make_user(Role.SCHOOL_LIAISON, full_name="Liaison Sintetis")
    case_svc.member_add(
        case,
        agency=liaison.agency,
        case_role="Dinas Pendidikan",
        data_classes=classes if classes is not None else ["identity"],
        acting_user=owner,
    )
    return liaison


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def school(shelter_world) -> SchoolWorld:
    sw = shelter_world
    case = sw.world.case
    institution = Institution.objects.create(
        kind="lksa",
        name=INSTITUTION,
        capacity=30,
        address=INSTITUTION_ADDRESS,
    )
    placement = Placement.objects.create(
        case=case,
        child=case.child,
        institution=institution,
        started_on=timezone.localdate() - timedelta(days=200),
        placed_by=sw.world.owner,
    )
    # The lead ticks every class: the liaison's role still reads basic and identity only.
    liaison = liaison_on(case, sw.world.owner, list(DataClass.values))
    return SchoolWorld(sw=sw, liaison=liaison, institution=institution, placement=placement)


@pytest.fixture
def cleared(school) -> SchoolWorld:
    clear(school.case, school.psychologist, school.supervisor)
    return school


def english_client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kawal_language"] = "en"
    sign_in(client, user)
    return client


__all__ = [
    "MARKERS",
    "DataClass",
    "SchoolWorld",
    "agency_for",
    "shelter_world",
    "world",
]
