"""Demo placement decisions and placements (synthetic).

Runs after ``demo_load_institutions``; looks the institutions up by name and
does nothing if they are missing. Every decision goes through the placement
services as the demo social worker (``dinsos``) would take it, and the
override through the demo supervisor, so the demo walks through the rules:

- children placed with LKSA Harapan Bunda (where the ``lksa`` account works),
  one of them on a temporary placement with its escalation task;
- LKSA Tunas Harapan filled to its capacity of two;
- a Christian child refused by Pondok Pesantren Nurul Ilmi (religion rule,
  UU 23/2002 Pasal 37(3)) and then placed with Harapan Bunda;
- a decision refused for Panti Asuhan Kasih Ibu's expired registration;
- a decision waiting for the supervisor's override (siblings separated);
- a child who went home (reunification) ten days ago, when the family's
  readiness allows it.

The placements began about a hundred days ago, so that monitoring and
funding have months to show. The assessments a decision needs are signed
through the assessment services and then dated back to before the decision:
the one place where the demo writes history directly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import User
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    AssessmentStatus,
)
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus
from kawal.demo.assessments import _fill_and_sign
from kawal.families.selectors import reunification_readiness
from kawal.institutions.models import Institution
from kawal.people.models import PersonRelation
from kawal.placement import rules
from kawal.placement import services as svc
from kawal.placement.models import ExitReason, Placement, PlacementDecision

BUNDA = "LKSA Harapan Bunda (sintetis)"
TUNAS = "LKSA Tunas Harapan (sintetis)"
NURUL_ILMI = "Pondok Pesantren Nurul Ilmi (sintetis)"
KASIH_IBU = "Panti Asuhan Kasih Ibu (sintetis)"
PELITA = "LKSA Pelita Kasih (sintetis)"
SENTRA = "Sentra Kemensos Budi Luhur Banjarbaru (sintetis)"
FOSTER = "Keluarga Asuh Bpk. Darmawan (sintetis)"
KINSHIP = "Pengasuhan Kerabat Ibu Sulastri (sintetis)"

STARTED_DAYS_AGO = 100
TEAM_CLASSES = ["identity", "whereabouts", "progress", "financial"]


def _fits(case: Case, institution: Institution, on: date) -> bool:
    low, high = rules.child_age_range(case.child, on)
    if low is None or high is None or low < institution.age_min or high > institution.age_max:
        return False
    return not institution.accepts_sex or case.child.sex == institution.accepts_sex


def _on_team(case: Case, user: User, classes: list[str], role: str) -> None:
    member = CaseMember.objects.filter(case=case, user=user, removed_at__isnull=True).first()
    if member is not None and set(classes) <= set(member.data_classes):
        return
    if member is not None:
        case_svc.member_remove(member, acting_user=case.owner)
        classes = sorted({*classes, *member.data_classes})
    case_svc.member_add(
        case, user=user, case_role=role, data_classes=classes, acting_user=case.owner
    )


def _religion(case: Case, religion: str) -> None:
    child = case.child
    case_svc.child_update(
        case,
        expected_version=child.version,
        changes={"religion": religion},
        aliases=None,
        acting_user=case.owner,
    )
    case.child.refresh_from_db()


def _assessed(case: Case, psychologist: User, before: date) -> None:
    """Both assessments signed, dated a few days before ``before``."""
    _on_team(case, psychologist, ["identity", "whereabouts", "clinical", "progress"], "Psikolog")
    made = []
    for code in (BIOPSYCHOSOCIAL_CODE, SAFETY_RISK_CODE):
        made.append(_fill_and_sign(case, code, psychologist, 0.3).pk)
    signed = timezone.now() - timedelta(days=(timezone.localdate() - before).days + 5)
    Assessment.objects.filter(pk__in=made, status=AssessmentStatus.SIGNED).update(signed_at=signed)


def _draft(case: Case, institution: Institution, on: date, **extra: Any) -> svc.DecisionDraft:
    number = PlacementDecision.objects.count() + 1
    values: dict[str, Any] = {
        "case": case,
        "institution": institution,
        "decided_on": on,
        "starts_on": on,
        "document_number": f"460/{number:03d}/DINSOS-BPN/{on.year} (sintetis)",
        "document_date": on,
        "conference_participants": (
            "Manajer kasus DP3AKB; psikolog UPTD PPA; pekerja sosial Dinas Sosial; "
            "Unit PPA Polresta (sintetis)"
        ),
        "child_views": "Anak setuju tinggal di lembaga asal tetap bisa sekolah (sintetis).",
        "last_resort_parents": (
            "Orang tua masih menyuruh anak berjualan; program pola asuh belum selesai (sintetis)."
        ),
        "last_resort_kinship": "Kerabat sampai derajat ketiga tidak sanggup mengasuh (sintetis).",
        "last_resort_foster": "Belum ada orang tua asuh terlatih yang tersedia (sintetis).",
        "religion_respect": "Anak diantar ke tempat ibadahnya setiap pekan (sintetis).",
        "contact_frequency": "weekly",
        "contact_supervision": "supervised",
        "contact_note": "Kunjungan orang tua didampingi pengasuh (sintetis).",
        "care_allergies": "",
        "care_health_needs": "",
        "school_distance_tenths_km": 30,
        "agreement_signed_on": on,
    }
    values.update(extra)
    return svc.DecisionDraft(**values)


def _agreement() -> Any:
    from kawal.demo.families import _png_scan

    return _png_scan()


def _decide(draft: svc.DecisionDraft, worker: User) -> PlacementDecision:
    return svc.decision_commit(draft, upload=_agreement(), fingerprint=None, acting_user=worker)


def demo_load_placement() -> int:
    """Create the demo decisions and placements unless they exist; returns how many decisions."""
    if PlacementDecision.objects.exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    worker, supervisor = users.get("dinsos"), users.get("supervisor")
    psychologist = users.get("psikolog")
    homes = {inst.name: inst for inst in Institution.objects.all()}
    if worker is None or supervisor is None or psychologist is None or BUNDA not in homes:
        return 0
    today = timezone.localdate()
    start = today - timedelta(days=STARTED_DAYS_AGO)
    bunda = homes[BUNDA]
    cases = list(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(supervisor=supervisor, owner__is_active=True)
        .select_related("child", "owner")
        .order_by("number")
    )
    cases = [c for c in cases if not Placement.objects.active().filter(child=c.child).exists()]
    ready = next((c for c in cases if reunification_readiness(c).ready), None)
    taken: set[int] = {ready.pk} if ready is not None else set()

    def pick(institution: Institution, count: int) -> list[Case]:
        found = []
        for case in cases:
            if case.pk in taken or not _fits(case, institution, start):
                continue
            found.append(case)
            taken.add(case.pk)
            if len(found) == count:
                break
        return found

    made = 0
    try:
        with transaction.atomic():
            made = _load(homes, bunda, worker, supervisor, psychologist, start, today, pick, ready)
    except (ValidationError, PermissionDenied):
        # Demo data this loader did not expect (``kawal demo --cases 5``): leave no half.
        return 0
    return made


def _prepare(case: Case, worker: User, psychologist: User, start: date, religion: str) -> None:
    _on_team(case, worker, TEAM_CLASSES, "Pekerja sosial Dinas Sosial")
    _religion(case, religion)
    _assessed(case, psychologist, start)


def _load(
    homes: dict[str, Institution],
    bunda: Institution,
    worker: User,
    supervisor: User,
    psychologist: User,
    start: date,
    today: date,
    pick: Any,
    ready: Case | None,
) -> int:
    made = 0
    # Children placed with LKSA Harapan Bunda; the last one on a temporary placement.
    for index, case in enumerate(pick(bunda, 3)):
        _prepare(case, worker, psychologist, start, "Islam")
        extra: dict[str, Any] = {}
        if index == 2:
            # A temporary placement started recently, ending in three weeks.
            recent = today - timedelta(days=7)
            extra = {
                "decided_on": recent,
                "starts_on": recent,
                "document_date": recent,
                "agreement_signed_on": recent,
                "temporary_until": today + timedelta(days=21),
            }
        if index == 0:
            extra["care_allergies"] = "Alergi udang (sintetis)"
            extra["care_health_needs"] = "Asma ringan; inhaler di tas (sintetis)"
        _decide(_draft(case, bunda, extra.pop("decided_on", start), **extra), worker)
        made += 1
    # The small LKSA Tunas Harapan, full.
    if TUNAS in homes:
        for case in pick(homes[TUNAS], homes[TUNAS].capacity):
            _prepare(case, worker, psychologist, start, "Islam")
            _decide(_draft(case, homes[TUNAS], start), worker)
            made += 1
    # A Christian boy refused by the pesantren, then placed with Harapan Bunda.
    if NURUL_ILMI in homes:
        for case in pick(homes[NURUL_ILMI], 1):
            _prepare(case, worker, psychologist, start, "Kristen Protestan")
            _decide(_draft(case, homes[NURUL_ILMI], start), worker)
            made += 1
            if _fits(case, bunda, start):
                _decide(_draft(case, bunda, start), worker)
                made += 1
    # Refused for the expired registration.
    if KASIH_IBU in homes:
        for case in pick(homes[KASIH_IBU], 1):
            _prepare(case, worker, psychologist, today, "Islam")
            _decide(_draft(case, homes[KASIH_IBU], today), worker)
            made += 1
    # Waiting for the supervisor's override: a sibling is placed at Harapan Bunda.
    elsewhere = next((homes[name] for name in (SENTRA, FOSTER) if name in homes), None)
    if elsewhere is not None:
        sibling = Placement.objects.active().filter(institution=bunda).order_by("pk").first()
        for case in pick(elsewhere, 1):
            _prepare(case, worker, psychologist, today, "Islam")
            if sibling is not None:
                PersonRelation.objects.get_or_create(
                    child=case.child, relative=sibling.child, defaults={"relation": "sibling"}
                )
            _decide(_draft(case, elsewhere, today), worker)
            made += 1
    # A child who went home ten days ago, the family being ready.
    home = next(
        (
            homes[name]
            for name in (BUNDA, KINSHIP, FOSTER)
            if name in homes and ready is not None and _fits(ready, homes[name], start)
        ),
        None,
    )
    if ready is not None and home is not None:
        _prepare(ready, worker, psychologist, start, "Islam")
        decision = _decide(_draft(ready, home, start), worker)
        made += 1
        placement = decision.placement
        if placement is not None:
            svc.placement_exit(
                placement,
                reason=ExitReason.REUNIFICATION,
                on=today - timedelta(days=10),
                note="Kembali ke orang tua setelah program pola asuh selesai (sintetis).",
                expected_version=placement.version,
                acting_user=worker,
            )
    return made
