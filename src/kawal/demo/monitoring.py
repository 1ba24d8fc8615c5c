"""Demo data for placement monitoring (synthetic).

Runs after the placement demo, on whatever placements it made: the roster of
the last three months for each child placed with an institution that has a
staff account (a few absences, today left for the demo user to tap), two
incidents reported by the staff, a review done with the next one coming due
(and its reminder task), a monitoring visit, and the first after-care
follow-up of a child who went home. Reviews, visits, incidents and
follow-ups go through the same services the users use; only the roster's
history, older than the few days staff may still mark, is written directly.
Idempotent: it adds nothing once monitoring data exists. Without placements
it does nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kawal.access.catalogue import Role
from kawal.accounts.models import User
from kawal.monitoring import reminders
from kawal.monitoring import services as svc
from kawal.monitoring.models import (
    AfterCareFollowUp,
    IncidentKind,
    InSchool,
    MonitoringVisit,
    Presence,
    ReviewOutcome,
)
from kawal.placement.models import ExitReason, Placement

HISTORY_DAYS = 90

INCIDENTS = (
    (
        IncidentKind.ILLNESS,
        "Demam dan batuk sejak sore (sintetis).",
        "Diberi obat penurun panas, dibawa ke puskesmas esok paginya (sintetis).",
    ),
    (
        IncidentKind.CONFLICT,
        "Bertengkar dengan teman sekamar soal barang pribadi (sintetis).",
        "Dipisahkan, dibicarakan bersama pengasuh, kamar ditukar (sintetis).",
    ),
)


def _staff_of(placement: Placement) -> User | None:
    agency_id = placement.institution.agency_id
    if agency_id is None:
        return None
    return (
        User.objects.filter(role=Role.INSTITUTION_STAFF, agency_id=agency_id, is_active=True)
        .order_by("pk")
        .first()
    )


def _absent(day: Any, placement: Placement) -> bool:
    # A few scattered absences, the same on every run.
    return (day.toordinal() + placement.pk * 7) % 19 == 0


def _roster(placement: Placement, staff: User, today: Any) -> int:
    start = max(placement.started_on, today - timedelta(days=HISTORY_DAYS))
    end = min(placement.ended_on or today, today - timedelta(days=1))
    rows = []
    day = start
    while day <= end:
        rows.append(
            Presence(
                placement=placement,
                day=day,
                present=not _absent(day, placement),
                recorded_by=staff,
            )
        )
        day += timedelta(days=1)
    Presence.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _try(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """A record the demo's accounts may not make (not on the team, dates out of range): skipped."""
    try:
        return fn(*args, **kwargs)
    except (PermissionDenied, ValidationError):
        return None


def demo_load_monitoring() -> int:
    """Add the monitoring demo; returns how many records it made (0 when it ran before)."""
    if Presence.objects.exists() or MonitoringVisit.objects.exists():
        return 0
    placements = list(
        Placement.objects.select_related("institution", "case", "placed_by", "ended_by").order_by(
            "started_on", "pk"
        )
    )
    if not placements:
        return 0
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        active = [p for p in placements if p.is_active and p.started_on <= today]
        incidents = list(INCIDENTS)
        for placement in active:
            staff = _staff_of(placement)
            if staff is None:
                continue
            made += _roster(placement, staff, today)
            if incidents:
                kind, what, action = incidents.pop(0)
                moment = timezone.make_aware(
                    datetime.combine(
                        max(placement.started_on, today - timedelta(days=12)), time(19, 30)
                    )
                )
                made += bool(
                    _try(
                        svc.incident_record,
                        placement,
                        svc.NewIncident(moment, kind, what, action),
                        acting_user=staff,
                    )
                )
        if active:
            first = active[0]
            worker = first.placed_by
            reviewed = max(first.started_on, today - timedelta(days=20))
            made += bool(
                _try(
                    svc.review_record,
                    first,
                    reviewed_on=reviewed,
                    outcome=ReviewOutcome.CONTINUE,
                    notes="Anak betah, sekolah berjalan; lanjutkan penempatan (sintetis).",
                    # Comes due within the reminder's lead days: the task shows on dinsos' list.
                    next_review_on=today + timedelta(days=10),
                    acting_user=worker,
                )
            )
            visited = active[-1]
            made += bool(
                _try(
                    svc.visit_record,
                    visited,
                    visited_on=max(visited.started_on, today - timedelta(days=5)),
                    visitors="Maya Sari, pekerja sosial Dinas Sosial (sintetis)",
                    findings="Kamar bersih, anak makan teratur, mengikuti sekolah (sintetis).",
                    child_seen_alone=True,
                    concerns="",
                    acting_user=visited.placed_by,
                )
            )
        went_home = [
            p
            for p in placements
            if p.ended_on is not None and p.exit_reason == ExitReason.REUNIFICATION
        ]
        for placement in went_home[:1]:
            month = (placement.ended_on or today) + timedelta(days=30)
            follow_up = _try(
                svc.follow_up_record,
                placement,
                milestone=1 if month <= today else None,
                followed_up_on=min(month, today),
                wellbeing="Tinggal bersama ibu, sehat dan ceria (sintetis).",
                in_school=InSchool.YES,
                risk_signs="",
                notes="Ibu mengikuti kelas parenting (sintetis).",
                acting_user=placement.ended_by or placement.placed_by,
            )
            made += int(isinstance(follow_up, AfterCareFollowUp))
        made += reminders.review_due(today) + reminders.aftercare_due(today)
    return made
