"""The daily rule reminding Dinas Sosial of LKS registrations running out.

Run by ``kawal run_reminders`` through the case file's reminder registry. Unlike the
case rules it makes ``RegistrationAlert`` rows, not case tasks: a registration
concerns no case.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kawal.cases.extensions import ReminderRule
from kawal.institutions.models import FAMILY_KINDS, Institution, InstitutionKind
from kawal.institutions.models import RegistrationAlert as Alert
from kawal.institutions.selectors import alert_days
from kawal.institutions.services import alert_due

RULE_KEY = "institutions.registration_expiry"


def reached_threshold(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The most urgent threshold reached ``days_left`` before the end, EXPIRED after it."""
    if days_left < 0:
        return Alert.EXPIRED
    reached = [day for day in thresholds if days_left <= day]
    return min(reached) if reached else None


def registration_alerts(today: date, lead_days: int | None = None) -> int:
    """Create the alerts due today; returns how many were new.

    Only the most urgent threshold reached is created: an institution entered
    seven days before its end gets the 7-day alert, not three at once. The
    alerts of earlier thresholds for the same end are then closed as
    replaced, so the list shows one line per institution. Suspended
    institutions are reminded too: a renewal is what lets them be reactivated.
    """
    thresholds = alert_days()
    institutions = (
        Institution.objects.exclude(kind__in=[*FAMILY_KINDS, InstitutionKind.PESANTREN])
        .exclude(registration_end__isnull=True)
        .exclude(registration_number="")
        .only("pk", "registration_end")
        .order_by("pk")
    )
    made = 0
    for institution in institutions:
        end = institution.registration_end
        if end is None:  # excluded above; keeps the type checker content
            continue
        threshold = reached_threshold((end - today).days, thresholds)
        if threshold is None:
            continue
        with transaction.atomic():
            alert, created = Alert.objects.get_or_create(
                institution=institution,
                threshold=threshold,
                registration_end=end,
                defaults={"due_on": alert_due(threshold, end)},
            )
            if created:
                made += 1
                earlier = Alert.objects.filter(
                    institution=institution, registration_end=end, done_at__isnull=True
                ).exclude(pk=alert.pk)
                if threshold == Alert.EXPIRED:
                    earlier.update(done_at=alert.created_at, superseded=True)
                else:
                    earlier.filter(threshold__gt=threshold).exclude(threshold=Alert.EXPIRED).update(
                        done_at=alert.created_at, superseded=True
                    )
    return made


RULE = ReminderRule(
    key=RULE_KEY,
    label=_("LKS registrations running out"),
    run=registration_alerts,
)
