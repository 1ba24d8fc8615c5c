"""Demo data for the return to school (all synthetic).

Runs after the care demo, which clears one child as safe to return to school
(decided by ``psikolog``, confirmed by ``supervisor``) and leaves another
"not yet" decision waiting. Here the education office is put on those cases'
teams through the case services, and:

- the child the care demo cleared today waits on the liaison's list "to enrol";
- two more children were cleared months ago (their decisions are written as
  history, dated back, since the care demo's observation weeks cover only the
  last six weeks) and are back at school with monthly follow-ups recorded by
  ``sekolah`` through the schooling services: one attends well, one's
  attendance fell under the minimum (with the alert task for the case
  manager); last month's follow-up of the first is still missing, so the
  reminder rule asks for it;
- the child whose decision still waits is refused enrolment by the same
  service the page uses (nothing is stored).
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kawal.accounts.models import Agency, User
from kawal.care.models import ReadinessDecision
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus, SharingBasis
from kawal.schooling import services as svc
from kawal.schooling.models import Enrolment

EDUCATION_OFFICE = "Dinas Pendidikan dan Kebudayaan Kota Balikpapan"
CLEARED_MONTHS_AGO = 5
SCHOOLS = (
    ("SD Negeri 012 Balikpapan Selatan (sintetis)", "30401201"),
    ("SMP Negeri 7 Balikpapan (sintetis)", "30401207"),
    ("MI Nurul Huda Manggar (sintetis)", "30401215"),
    ("SD Negeri 005 Balikpapan Timur (sintetis)", "30401233"),
)
# (school days, days absent, main reason) month by month, oldest first.
GOOD = ((19, 1, "illness"), (21, 0, "none"), (20, 2, "family"), (18, 1, "illness"))
FALLING = ((20, 2, "illness"), (21, 3, "transport"), (20, 6, "work"), (19, 7, "work"))


def _months_ago(count: int) -> date:
    month = timezone.localdate().replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _level_and_grade(case: Case) -> tuple[str, int]:
    age = case.child.age_on() or 9
    grade = min(max(age - 6, 1), 12)
    level = "sd" if grade <= 6 else "smp" if grade <= 9 else "sma"
    return level, grade


def _on_team(case: Case, agency: Agency) -> bool:
    """The case lead adds the education office (basic facts and the child's identity)."""
    if CaseMember.objects.filter(case=case, agency=agency, removed_at__isnull=True).exists():
        return True
    owner = case.owner
    if not owner.is_active:
        return False
    if case.sharing_basis == SharingBasis.NONE:
        case = case_svc.case_update(
            case,
            expected_version=case.version,
            changes={"sharing_basis": SharingBasis.LEGAL_OBLIGATION},
            acting_user=owner,
        )
    case_svc.member_add(
        case,
        agency=agency,
        case_role="Dinas Pendidikan (kembali sekolah)",
        data_classes=["identity"],
        acting_user=owner,
    )
    return True


def _cleared_long_ago(case: Case, psychologist: User, supervisor: User) -> None:
    """A confirmed "safe to return" decision, months old (history of the demo)."""
    month = _months_ago(CLEARED_MONTHS_AGO)
    decided = timezone.make_aware(datetime.combine(month - timedelta(days=3), time(10, 0)))
    ReadinessDecision.objects.create(
        case=case,
        safe=True,
        period_from=month - timedelta(days=31),
        period_to=month - timedelta(days=4),
        rationale="Kondisi anak stabil selama empat minggu observasi (sintetis).",
        decided_by=psychologist,
        decided_at=decided,
        confirmed_by=supervisor,
        confirmed_at=decided + timedelta(days=1),
    )


def _candidates(taken: set[int]) -> list[Case]:
    """Open cases with no readiness decision yet, of school age, owned by an active user."""
    cases = (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .exclude(pk__in=taken)
        .filter(readiness_decisions__isnull=True, owner__is_active=True)
        .select_related("child", "owner")
        .order_by("number")
    )
    return [case for case in cases if 7 <= (case.child.age_on() or 0) <= 15][:2]


def _enrol_with_history(
    case: Case,
    liaison: User,
    school: tuple[str, str],
    months: tuple[tuple[int, int, str], ...],
    *,
    last_missing: bool,
) -> int:
    """Enrolled some months ago, each month followed up (last month left out when asked)."""
    level, grade = _level_and_grade(case)
    span = len(months) + int(last_missing)
    start = _months_ago(span)
    enrolment = svc.enrolment_add(
        case,
        svc.EnrolmentInput(
            school_name=school[0],
            npsn=school[1],
            level=level,
            grade=grade,
            enrolled_on=start + timedelta(days=1),
            notes="Seragam dan buku dibantu Dinas Sosial; kelas tambahan membaca (sintetis).",
        ),
        acting_user=liaison,
    )
    made = 1
    for offset, (days, absent, reason) in enumerate(months):
        svc.follow_up_record(
            enrolment,
            svc.FollowUpInput(
                month=_months_ago(span - offset),
                school_days=days,
                days_absent=absent,
                reason=reason,
                reason_text="Dikonfirmasi wali kelas (sintetis)." if absent else "",
            ),
            acting_user=liaison,
        )
        made += 1
    return made


def demo_load_schooling() -> int:
    """Enrolments and monthly follow-ups for the demo; returns how many records were made.

    Idempotent: nothing is added once a demo enrolment exists.
    """
    if Enrolment.objects.exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    liaison = users.get("sekolah")
    psychologist, supervisor = users.get("psikolog"), users.get("supervisor")
    office = Agency.objects.filter(name=EDUCATION_OFFICE, kind="education_office").first()
    if liaison is None or psychologist is None or supervisor is None or office is None:
        return 0
    made = 0
    with transaction.atomic():
        decided = list(
            Case.objects.filter(readiness_decisions__isnull=False)
            .exclude(status=CaseStatus.CLOSED)
            .select_related("owner", "child")
            .distinct()
            .order_by("number")
        )
        # The children of the care demo: one cleared today (to enrol), one waiting.
        for case in decided:
            if not _on_team(case, office):
                continue
            case.refresh_from_db()
            level, grade = _level_and_grade(case)
            if svc.gate_message(svc.school_readiness(case)):
                # Refused until the decision is confirmed, as intended: nothing is stored.
                with contextlib.suppress(ValidationError):
                    svc.enrolment_add(
                        case,
                        svc.EnrolmentInput(
                            school_name=SCHOOLS[3][0],
                            npsn=SCHOOLS[3][1],
                            level=level,
                            grade=grade,
                            enrolled_on=timezone.localdate(),
                        ),
                        acting_user=liaison,
                    )
        taken = {case.pk for case in decided}
        plans = ((SCHOOLS[0], GOOD[:-1], True), (SCHOOLS[1], FALLING, False))
        for case, (school, months, last_missing) in zip(_candidates(taken), plans, strict=False):
            if not _on_team(case, office):
                continue
            case.refresh_from_db()
            _cleared_long_ago(case, psychologist, supervisor)
            made += _enrol_with_history(case, liaison, school, months, last_missing=last_missing)
    return made
