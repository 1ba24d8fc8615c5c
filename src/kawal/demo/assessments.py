"""Demo assessments with the two shipped instruments, on a few demo cases (all synthetic).

Built through the assessment services, as staff would fill them in: the
psychologist signs initial biopsychosocial assessments (one of them later
corrected, so the history shows a superseded one), the case manager signs
safety and risk assessments (low, medium and high risk), and one
biopsychosocial assessment is left as a draft for ``psikolog`` to resume.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kawal.accounts.models import User
from kawal.assessments import services as svc
from kawal.assessments.models import (
    BIOPSYCHOSOCIAL_CODE,
    SAFETY_RISK_CODE,
    Assessment,
    Instrument,
    value_key,
)
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus

TEXTS = {
    "riwayat": "Anak berjualan tisu di simpang jalan sejak usia delapan tahun atas suruhan "
    "orang tua (riwayat sintetis).",
    "kekuatan": "Anak ramah, suka menggambar, dan dekat dengan neneknya (sintetis).",
    "rekomendasi": "Konseling individual dua kali seminggu, pemeriksaan kesehatan, dan kelas "
    "pola asuh bagi orang tua (sintetis).",
    "wishes-kata-anak": "\u201cAku mau sekolah lagi, tidak mau jualan di lampu merah.\u201d "
    "(kutipan sintetis)",
    "langkah-pengamanan": "Anak tetap di rumah aman UPTD PPA; kunjungan rumah bersama Ketua RT "
    "sebelum anak pulang (sintetis).",
}


def _answers(instrument: Instrument, level: float, *, skip: int = 0) -> dict[str, str]:
    """Answers whose scores sit at ``level`` (0 = lowest, 1 = highest) of each item's scale.

    The first ``skip`` optional scored items are left open, as "not known".
    """
    answers: dict[str, str] = {}
    skipped = 0
    for index, item in enumerate(instrument.items.prefetch_related("scale__options")):
        if item.scale is None:
            answers[item.code] = TEXTS.get(item.code, "Catatan sintetis.")
            continue
        if not item.required and skipped < skip:
            skipped += 1
            continue
        values = sorted(option.value for option in item.scale.options.all())
        # A little spread between items, so sub-scales differ.
        position = min(
            max(level + (0.15 if index % 3 == 0 else -0.1 if index % 3 == 1 else 0), 0), 1
        )
        chosen = values[round(position * (len(values) - 1))]
        if item.reverse:
            chosen = values[-1] + values[0] - chosen
        answers[item.code] = value_key(chosen)
    return answers


def _fill_and_sign(case: Case, code: str, user: User, level: float, *, skip: int = 0) -> Assessment:
    assessment, _created = svc.assessment_start(case, instrument_code=code, acting_user=user)
    assessment = svc.assessment_save_draft(
        assessment,
        answers=_answers(assessment.instrument, level, skip=skip),
        expected_version=assessment.version,
        acting_user=user,
    )
    return svc.assessment_sign(assessment, expected_version=assessment.version, acting_user=user)


def _reads_progress(case: Case, user: User) -> None:
    """The psychologist on a demo case also follows care progress (their own results).

    Demo cases added the psychologist with identity, whereabouts and clinical
    data; a psychologist writes progress too, so the team grant is widened here
    where it lacks it.
    """
    member = CaseMember.objects.filter(case=case, user=user, removed_at__isnull=True).first()
    if member is None or "progress" in member.data_classes:
        return
    case_svc.member_remove(member, acting_user=case.owner)
    case_svc.member_add(
        case,
        user=user,
        case_role=member.case_role,
        data_classes=sorted({*member.data_classes, "progress"}),
        acting_user=case.owner,
    )


def demo_load_assessments() -> int:
    """Signed and draft assessments on demo cases; returns how many were made (0 if present)."""
    if Assessment.objects.exists():
        return 0
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    psychologist, manager = users.get("psikolog"), users.get("manajer")
    if psychologist is None or manager is None:
        return 0
    cases: dict[str, list[Case]] = {
        status: list(
            Case.objects.filter(
                status=status, owner=manager, members__user=psychologist, members__removed_at=None
            )
            .select_related("owner")
            .order_by("number")[:3]
        )
        for status in (CaseStatus.ASSESSMENT, CaseStatus.INTERVENTION, CaseStatus.REINTEGRATION)
    }
    assessing = cases[CaseStatus.ASSESSMENT]
    in_care = cases[CaseStatus.INTERVENTION] + cases[CaseStatus.REINTEGRATION]
    if len(assessing) < 2 or len(in_care) < 3:
        return 0
    made = 0
    with transaction.atomic():
        for case in [*assessing, *in_care]:
            _reads_progress(case, psychologist)
        # Initial biopsychosocial assessments by the psychologist: high, medium and low need.
        first = _fill_and_sign(assessing[0], BIOPSYCHOSOCIAL_CODE, psychologist, 0.85)
        _fill_and_sign(in_care[0], BIOPSYCHOSOCIAL_CODE, psychologist, 0.5, skip=1)
        _fill_and_sign(in_care[1], BIOPSYCHOSOCIAL_CODE, psychologist, 0.2)
        made += 3
        # A correction: one answer was recorded wrongly; the first stays in the history.
        correction, _created = svc.assessment_correct(first, acting_user=psychologist)
        answers = dict(correction.answers)
        answers["psy-marah"] = "1"
        answers["rekomendasi"] = TEXTS["rekomendasi"] + " Koreksi: perilaku agresif jarang."
        correction = svc.assessment_save_draft(
            correction,
            answers=answers,
            expected_version=correction.version,
            acting_user=psychologist,
        )
        svc.assessment_sign(
            correction, expected_version=correction.version, acting_user=psychologist
        )
        made += 1
        # Safety and risk assessments by the case manager: unsafe, medium and low risk.
        _fill_and_sign(in_care[0], SAFETY_RISK_CODE, manager, 0.9)
        _fill_and_sign(in_care[1], SAFETY_RISK_CODE, manager, 0.45, skip=1)
        _fill_and_sign(in_care[2], SAFETY_RISK_CODE, manager, 0.1)
        _fill_and_sign(assessing[0], SAFETY_RISK_CODE, psychologist, 0.6)
        made += 4
        # A draft in progress, for the psychologist to resume from the home page.
        draft, _created = svc.assessment_start(
            assessing[1], instrument_code=BIOPSYCHOSOCIAL_CODE, acting_user=psychologist
        )
        partial: dict[str, Any] = dict(list(_answers(draft.instrument, 0.6).items())[:7])
        svc.assessment_save_draft(
            draft, answers=partial, expected_version=draft.version, acting_user=psychologist
        )
        made += 1
    return made
