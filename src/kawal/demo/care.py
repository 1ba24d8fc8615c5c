"""Demo daily observations and school readiness (all synthetic).

Four children of ``psikolog`` get weeks of daily observations, built through
the care services day by day: one improving, one worsening, one flat (seen
today already) and one with missed days and incidents. The improving child
is decided safe to return to school by the psychologist, on their signed
assessments, and confirmed by ``supervisor``; the flat one has a "not yet"
decision waiting for the supervisor.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

from kawal.accounts.models import User
from kawal.care import services as svc
from kawal.care.models import Indicator, Observation, ObservationScore
from kawal.cases import services as case_svc
from kawal.cases.models import Case, CaseMember, CaseStatus

DAYS = 42
# A child is cleared for school only on assessments that came out low or medium.
CLEARABLE_BANDS = ("low", "medium")
# Days (counted back from yesterday) the fourth child was not seen.
GAPS = {3, 4, 11, 17, 18, 19, 26, 33}
INCIDENTS = {
    9: (
        "running_away",
        time(21, 40),
        "Dicari petugas dan ditemukan di depan gerbang; "
        "diajak bicara tentang rasa rindu pada ibunya (sintetis).",
    ),
    22: (
        "aggression",
        time(15, 10),
        "Dipisahkan dari teman, ditenangkan, lalu konseling singkat (sintetis).",
    ),
}
NOTES = (
    "Anak mulai bercerita tentang sekolah lamanya (catatan klinis sintetis).",
    "Tidur lebih tenang, masih terbangun sekali (catatan klinis sintetis).",
    "Menolak ikut kegiatan kelompok sore ini (catatan klinis sintetis).",
    "Bermain bersama dua anak lain tanpa konflik (catatan klinis sintetis).",
    "",
    "",
)


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _curve(start: float, end: float, rng: random.Random) -> Callable[[float, bool], int]:
    """A score drifting from ``start`` to ``end`` over the weeks (``t`` from 0 to 1);
    scales where 5 is a problem move the other way."""

    def score(t: float, higher_is_better: bool) -> int:
        level = start + (end - start) * t + rng.uniform(-0.6, 0.6)
        return _clamp(level if higher_is_better else 6 - level)

    return score


def _grant_progress(case: Case, user: User) -> None:
    """The demo psychologist records observations, so their team grant includes progress."""
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


def _observe(
    case: Case,
    psychologist: User,
    day: date,
    indicators: list[Indicator],
    score: Callable[[float, bool], int],
    t: float,
    rng: random.Random,
    incident: tuple[str, time, str] | None = None,
) -> None:
    data = svc.ObservationInput(
        observed_on=day,
        scores={i.code: score(t, i.higher_is_better) for i in indicators},
        note=rng.choice(NOTES),
        incidents=[svc.IncidentInput(*incident)] if incident else [],
    )
    today = timezone.localdate()
    observation = svc.observation_record(
        case, data, acting_user=psychologist, as_of=day if day < today else None
    )
    if day < today:
        # Written on the evening of that day, as staff would have: past days
        # are no longer editable.
        written = timezone.make_aware(datetime.combine(day, time(17, rng.randint(0, 59))))
        Observation.objects.filter(pk=observation.pk).update(created_at=written, updated_at=written)


def _candidates(psychologist: User) -> list[Case]:
    opened_before = timezone.localdate() - timedelta(days=DAYS + 2)
    return list(
        Case.objects.filter(
            members__user=psychologist,
            members__removed_at__isnull=True,
            opened_on__lte=opened_before,
            status__in=[*svc.IN_CARE, CaseStatus.REINTEGRATION],
        )
        .exclude(status=CaseStatus.CLOSED)
        .select_related("owner", "supervisor")
        .distinct()
        .order_by("number")
    )


def demo_load_care(*, seed: int = 10) -> int:
    """Observations and readiness decisions for the demo; returns how many records were made.

    Idempotent in two parts: observations once, and the readiness decisions
    once signed assessments exist (run after the assessments demo).
    """
    users = {user.username: user for user in User.objects.filter(is_demo_account=True)}
    psychologist, supervisor = users.get("psikolog"), users.get("supervisor")
    if psychologist is None or supervisor is None:
        return 0
    made = 0
    with transaction.atomic():
        if not Observation.objects.exists():
            made += _observations(psychologist, random.Random(seed))  # noqa: S311 - synthetic
        made += _readiness(psychologist, supervisor)
    return made


def _clearable(case: Case) -> list[Any]:
    """The signed assessments a "safe" decision may rest on: low or medium band only."""
    return [
        summary
        for summary in svc.signed_assessments_of(case)
        if summary.band_code in CLEARABLE_BANDS
    ]


def _by_signed_assessments(cases: list[Case]) -> list[Case]:
    """Cases to clear first: signed assessments, none of them high (the child to
    clear must rest on results that say so); then any signed; then the rest."""

    def rank(case: Case) -> int:
        signed = svc.signed_assessments_of(case)
        if not signed:
            return 2
        return 1 if svc.high_band(signed) else 0

    ranks = {case.pk: rank(case) for case in cases}
    return sorted(cases, key=lambda case: (ranks[case.pk], case.number))


def _observations(psychologist: User, rng: random.Random) -> int:
    cases = _by_signed_assessments(_candidates(psychologist))
    if len(cases) < 4:
        return 0
    improving, worsening, flat, gaps = cases[:4]
    indicators = svc.active_indicators()
    today = timezone.localdate()
    first = today - timedelta(days=DAYS)
    plans = [
        (improving, _curve(2.0, 4.5, rng), set(), {}, False),
        (worsening, _curve(4.0, 1.8, rng), set(), {}, False),
        (flat, _curve(3.0, 3.0, rng), set(), {}, True),
        (gaps, _curve(2.5, 3.2, rng), GAPS, INCIDENTS, False),
    ]
    made = 0
    for case, score, missed, incidents, seen_today in plans:
        _grant_progress(case, psychologist)
        case.refresh_from_db()
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            back = (today - day).days - 1  # 0 = yesterday
            if back in missed:
                continue
            _observe(
                case, psychologist, day, indicators, score, offset / DAYS, rng, incidents.get(back)
            )
            made += 1
        if seen_today:
            _observe(case, psychologist, today, indicators, score, 1.0, rng)
            made += 1
    return made


def _results(summaries: list[Any]) -> str:
    """The named results as the decision's reason states them, e.g. "Risiko rendah"."""
    return "; ".join(
        f"{summary.instrument_name}: {str(summary.band_label).lower()}" for summary in summaries
    )


def _mood_change(case: Case) -> float:
    """How much the mood score moved from the first week observed to the last."""
    values = list(
        ObservationScore.objects.filter(observation__case=case, indicator__code="mood")
        .order_by("observation__observed_on")
        .values_list("value", flat=True)
    )
    if len(values) < 14:
        return 0.0
    return sum(values[-7:]) / 7 - sum(values[:7]) / 7


def _readiness(psychologist: User, supervisor: User) -> int:
    """The improving child cleared for school; the flattest one "not yet", awaiting confirmation.

    Each decision is made once per case, so running the demo again after the
    assessments demo adds the clearance that needed signed assessments.
    """
    observed = list(
        Case.objects.filter(observations__isnull=False)
        .select_related("owner", "supervisor")
        .distinct()
        .order_by("number")
    )
    if len(observed) < 2:
        return 0
    changes = {case.pk: _mood_change(case) for case in observed}
    improving = max(observed, key=lambda case: changes[case.pk])
    flat = min(
        (case for case in observed if case.pk != improving.pk),
        key=lambda case: abs(changes[case.pk]),
    )
    today = timezone.localdate()
    period = (today - timedelta(days=28), today - timedelta(days=1))
    made = 0
    # The demo speaks Indonesian: the results named in the reason read as the
    # decision's own snapshot of them does.
    with override("id"):
        made += _clear(improving, supervisor, psychologist, period)
    if not flat.readiness_decisions.exists():
        svc.readiness_decide(
            flat,
            safe=False,
            assessment_uuids=[],
            period_from=period[0],
            period_to=period[1],
            rationale="Belum ada perubahan berarti; observasi dilanjutkan dua minggu (sintetis).",
            acting_user=psychologist,
        )
        made += 1
    return made


def _clear(improving: Case, supervisor: User, psychologist: User, period: tuple[date, date]) -> int:
    """The improving child decided safe on low or medium results only, and confirmed."""
    signed = _clearable(improving)
    if (
        signed
        and not svc.high_band(svc.signed_assessments_of(improving))
        and improving.supervisor_id == supervisor.pk
        and not improving.readiness_decisions.exists()
    ):
        decision = svc.readiness_decide(
            improving,
            safe=True,
            assessment_uuids=[str(summary.uuid) for summary in signed],
            period_from=period[0],
            period_to=period[1],
            rationale=(
                "Suasana hati, tidur dan kontak sosial membaik stabil selama empat minggu; "
                f"hasil asesmen: {_results(signed)}. Aman kembali bersekolah (sintetis)."
            ),
            acting_user=psychologist,
        )
        svc.readiness_confirm(decision, acting_user=supervisor)
        return 1
    return 0
