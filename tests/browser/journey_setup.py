"""The world of the placement-to-school journey, built through the project's services.

Transactional browser tests flush the database, the data migrations' rows
included (instruments, programmes, rule settings, indicators): they are loaded
again here, the way the other browser tests do.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.utils import timezone

from kawal.access.catalogue import AgencyKind, DataClass, Role
from kawal.accounts.models import User
from kawal.assessments.models import BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE, Instrument
from kawal.care import services as care_svc
from kawal.care.models import Indicator, ReadinessDecision
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseForm, SharingBasis
from kawal.funding import services as funding_svc
from kawal.funding.models import Budget, Programme
from kawal.institutions import services as institution_svc
from kawal.institutions.models import Institution, InstitutionKind, Religion
from kawal.regions.models import Region
from tests.assessments.builders import complete_answers, fill_and_sign
from tests.cases.conftest import other_agency
from tests.helpers import make_user

CHILD = "Siti Journey Sintetis binti Contoh"
CHURCH_LKSA = "LKSA Kasih Gereja Sintetis"
LKSA = "LKSA Harapan Bunda Journey Sintetis"
LKSA_ADDRESS = "Jl. Panti Rahasia 17, Gunung Samarinda (sintetis)"


def _migration(name: str) -> Any:
    return importlib.import_module(f"kawal.{name}")


def load_shipped_data() -> None:
    """The rows the data migrations ship, gone after an earlier transactional test."""
    if not Instrument.objects.filter(code=SAFETY_RISK_CODE).exists():
        _migration("assessments.migrations.0002_shipped_instruments").load(apps, None)
    if not Indicator.objects.exists():
        _migration("care.migrations.0002_indicators").load(apps, None)
    # Both create only what is missing.
    _migration("funding.migrations.0002_programmes").load(apps, None)
    _migration("placement.migrations.0003_seed_rule_settings").seed(apps, None)


@dataclass
class Journey:
    case: Case
    owner: User
    supervisor: User
    psychologist: User
    worker: User
    finance: User
    staff: User
    liaison: User
    church_lksa: Institution
    lksa: Institution
    budget: Budget


def _institution(worker: User, **values: object) -> Institution:
    today = timezone.localdate()
    data: dict[str, object] = {
        "kind": InstitutionKind.LKSA,
        "registration_number": "TD-460/077/DINSOS (sintetis)",
        "registration_start": today - timedelta(days=300),
        "registration_end": today + timedelta(days=700),
        "capacity": 20,
        "age_min": 6,
        "age_max": 17,
        "contact_name": "Pengurus Sintetis",
        "contact_phone": "0811-0000-0000",
    }
    data.update(values)
    return institution_svc.institution_create(worker, data)


def build() -> Journey:
    load_shipped_data()
    today = timezone.localdate()
    owner = make_user(Role.CASE_MANAGER, username="kj-manajer", full_name="Rina Sintetis")
    supervisor = make_user(Role.SUPERVISOR, username="kj-supervisor", full_name="Hendra Sintetis")
    psychologist = make_user(Role.PSYCHOLOGIST, username="kj-psikolog", full_name="Dewi Sintetis")
    worker = make_user(Role.SOCIAL_WORKER, username="kj-dinsos", full_name="Maya Sintetis")
    finance = make_user(Role.FINANCE_OFFICER, username="kj-keuangan", full_name="Bambang Sintetis")
    liaison = make_user(Role.SCHOOL_LIAISON, username="kj-sekolah", full_name="Yusuf Sintetis")
    lksa_agency = other_agency(AgencyKind.CHILD_CARE_INSTITUTION)
    staff = make_user(
        Role.INSTITUTION_STAFF, username="kj-lksa", full_name="Ratna Sintetis", agency=lksa_agency
    )

    # Opened ten days ago: the school-readiness period (7 days at least) lies inside it.
    case = case_svc.case_open(
        case_svc.NewCase(
            child={
                "full_name": CHILD,
                "sex": "F",
                "age_min": 9,
                "age_max": 10,
                "religion": "Islam",
                "kelurahan": Region.objects.get(code="64.71.06.1004"),
                "street": "Jl. Sintetis 1",
            },
            intake_channel="outreach",
            risk_level="medium",
            forms=[CaseForm.FORCED_SELLING],
            supervisor=supervisor,
            opened_on=today - timedelta(days=10),
        ),
        acting_user=owner,
    )
    case = case_svc.case_update(
        case,
        expected_version=case.version,
        changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        user=psychologist,
        case_role="Psikolog pendamping",
        data_classes=["identity", "whereabouts", "clinical", "progress"],
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        user=worker,
        case_role="Pekerja sosial Dinas Sosial",
        data_classes=["identity", "whereabouts", "financial", "progress"],
        acting_user=owner,
    )
    case_svc.member_add(
        case,
        agency=liaison.agency,
        case_role="Dinas Pendidikan",
        data_classes=[DataClass.IDENTITY],
        acting_user=owner,
    )
    for code in (BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE):
        instrument = Instrument.objects.get(code=code, status="published")
        fill_and_sign(case, psychologist, code, complete_answers(instrument))

    church = _institution(
        worker,
        name=CHURCH_LKSA,
        religion=Religion.PROTESTANT,
        address="Jl. Gereja 3 (sintetis)",
    )
    lksa = _institution(
        worker,
        name=LKSA,
        agency=lksa_agency,
        address=LKSA_ADDRESS,
        bank_name="Bank Kaltimtara (sintetis)",
        bank_account_number="0011223344",
        bank_account_holder="Yayasan Harapan Bunda (sintetis)",
    )
    budget = funding_svc.budget_set(
        fiscal_year=today.year,
        programme=Programme.objects.get(code="permakanan"),
        amount=100_000_000,
        acting_user=finance,
    )
    case.refresh_from_db()
    return Journey(
        case=case,
        owner=owner,
        supervisor=supervisor,
        psychologist=psychologist,
        worker=worker,
        finance=finance,
        staff=staff,
        liaison=liaison,
        church_lksa=church,
        lksa=lksa,
        budget=budget,
    )


def clear_for_school(journey: Journey) -> ReadinessDecision:
    """A week of care observed, the psychologist decides "safe", the supervisor confirms."""
    today = timezone.localdate()
    case = journey.case
    scores = {indicator.code: 4 for indicator in care_svc.active_indicators()}
    for back in (3, 2, 1):
        care_svc.observation_record(
            case,
            care_svc.ObservationInput(observed_on=today - timedelta(days=back), scores=scores),
            acting_user=journey.psychologist,
        )
    signed = care_svc.signed_assessments_of(case)
    period_from: date = today - timedelta(days=7)
    decision = care_svc.readiness_decide(
        case,
        safe=True,
        assessment_uuids=[str(summary.uuid) for summary in signed],
        period_from=period_from,
        period_to=today - timedelta(days=1),
        rationale="Stabil selama sepekan pengamatan; siap kembali sekolah (sintetis).",
        against_reason=(
            "Risiko tinggi sudah ditangani dengan rencana keselamatan (sintetis)."
            if care_svc.high_band(signed)
            else ""
        ),
        acting_user=journey.psychologist,
    )
    return care_svc.readiness_confirm(decision, acting_user=journey.supervisor)
