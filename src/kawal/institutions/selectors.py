"""Reads of the institution registry, for this app's pages and for the apps above it.

The registry holds no child data: an institution's address is whereabouts and
its bank account financial only because they tell where placed children sleep
and where their care money goes. Pages ask ``shows_address`` and
``shows_bank`` before rendering either; the placement, monitoring and funding
apps use ``institution_of_staff``, ``institution_choices``,
``institution_by_uuid`` and ``registration_state``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kawal.access.catalogue import Action, Capability, DataClass
from kawal.access.policy import may, may_access_class
from kawal.cases.selectors import parse_uuid
from kawal.institutions.models import (
    FAMILY_KINDS,
    Inspection,
    Institution,
    InstitutionKind,
    InstitutionStatus,
    RegistrationAlert,
)

DEFAULT_ALERT_DAYS = (60, 30, 7)


def alert_days() -> tuple[int, ...]:
    """The days before registration_end at which Dinas Sosial is reminded, largest first."""
    raw = getattr(settings, "KAWAL_REGISTRATION_ALERT_DAYS", DEFAULT_ALERT_DAYS)
    days = sorted({int(day) for day in raw if int(day) > 0}, reverse=True)
    return tuple(days) or DEFAULT_ALERT_DAYS


# --- Public selectors for the other apps -------------------------------------------


def institution_of_staff(user: Any) -> Institution | None:
    """The institution an active institution-staff account works for, or None."""
    # The capability, not the role's name: the catalogue alone says who cares
    # for placed children (and denies inactive or anonymous users).
    if not may(user, Capability.CARE_FOR_PLACED):
        return None
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return None
    return Institution.objects.filter(agency_id=agency_id, agency__is_active=True).first()


def institution_choices() -> QuerySet[Institution]:
    """Every institution by name, suspended ones too, so rules can refuse them with a reason."""
    return Institution.objects.select_related("kelurahan").order_by("name")


def institution_by_uuid(raw: Any) -> Institution | None:
    """The institution a form or link names by UUID; a malformed id is a miss."""
    key = parse_uuid(raw)
    if key is None:
        return None
    return Institution.objects.filter(uuid=key).first()


@dataclass(frozen=True)
class RegistrationState:
    valid: bool
    label: str
    days_left: int | None
    expired: bool
    missing: bool
    # True when registration_end is within the largest alert threshold.
    expiring: bool = False
    # Foster families and kinship carers need no registration of their own.
    not_required: bool = False

    @property
    def key(self) -> str:
        """A stable word for styling and tests: missing, expired, expiring, valid ..."""
        if self.missing:
            return "missing"
        if self.expired:
            return "expired"
        if self.not_required:
            return "not-required"
        if self.expiring:
            return "expiring"
        return "valid" if self.valid else "pending"


def _short(day: date) -> str:
    """A date as the rest of the pages show it, in the active language."""
    return date_format(day, "SHORT_DATE_FORMAT")


def registration_state(institution: Institution, today: date) -> RegistrationState:
    """Whether the institution's registration (or pesantren NSP) covers ``today``, as a label."""
    if institution.kind in FAMILY_KINDS:
        return RegistrationState(
            valid=True,
            label=_("No registration needed"),
            days_left=None,
            expired=False,
            missing=False,
            not_required=True,
        )
    if institution.kind == InstitutionKind.PESANTREN:
        if institution.nsp_number:
            return RegistrationState(
                valid=True,
                label=_("NSP %(number)s") % {"number": institution.nsp_number},
                days_left=None,
                expired=False,
                missing=False,
            )
        return RegistrationState(
            valid=False, label=_("NSP missing"), days_left=None, expired=False, missing=True
        )
    start, end = institution.registration_start, institution.registration_end
    if not institution.registration_number or start is None or end is None or start > end:
        return RegistrationState(
            valid=False,
            label=_("Registration missing"),
            days_left=None,
            expired=False,
            missing=True,
        )
    days_left = (end - today).days
    if days_left < 0:
        return RegistrationState(
            valid=False,
            label=_("Registration expired on %(day)s") % {"day": _short(end)},
            days_left=days_left,
            expired=True,
            missing=False,
        )
    if start > today:
        return RegistrationState(
            valid=False,
            label=_("Registration starts on %(day)s")
            % {"day": date_format(start, "SHORT_DATE_FORMAT")},
            days_left=days_left,
            expired=False,
            missing=False,
        )
    if days_left <= max(alert_days()):
        label = ngettext(
            "Valid, expires in %(days)d day",
            "Valid, expires in %(days)d days",
            days_left,
        ) % {"days": days_left}
        return RegistrationState(
            valid=True,
            label=label,
            days_left=days_left,
            expired=False,
            missing=False,
            expiring=True,
        )
    return RegistrationState(
        valid=True,
        label=_("Valid until %(day)s") % {"day": _short(end)},
        days_left=days_left,
        expired=False,
        missing=False,
    )


# --- Who sees what of the registry --------------------------------------------------


def manages_registry(user: Any) -> bool:
    return may(user, Capability.MANAGE_INSTITUTIONS)


def reads_registry(user: Any) -> bool:
    """Social workers keep the registry; finance officers read it for the bank accounts."""
    return manages_registry(user) or may(user, Capability.RECORD_PAYMENT)


def shows_address(user: Any) -> bool:
    return may_access_class(user, Action.READ, DataClass.WHEREABOUTS)


def shows_bank(user: Any) -> bool:
    return may_access_class(user, Action.READ, DataClass.FINANCIAL)


def registry_for(user: Any) -> QuerySet[Institution]:
    """The institutions a user may open: all for the registry's readers, their own for staff."""
    if reads_registry(user):
        return Institution.objects.select_related("kelurahan", "agency")
    own = institution_of_staff(user)
    if own is not None:
        return Institution.objects.select_related("kelurahan", "agency").filter(pk=own.pk)
    return Institution.objects.none()


def registry_list(
    user: Any, *, kind: str = "", status: str = "", query: str = ""
) -> QuerySet[Institution]:
    rows = registry_for(user)
    if kind in InstitutionKind.values:
        rows = rows.filter(kind=kind)
    if status in InstitutionStatus.values:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(name__icontains=query)
    return rows.order_by("name")


def institution_for(user: Any, raw_uuid: Any) -> Institution | None:
    """One institution the user may open, named by UUID; None when absent or not theirs."""
    key = parse_uuid(raw_uuid)
    if key is None:
        return None
    return registry_for(user).filter(uuid=key).first()


def inspections_of(institution: Institution) -> QuerySet[Inspection]:
    return institution.inspections.select_related("recorded_by").order_by("-inspected_on", "-id")


# --- Registration alerts ------------------------------------------------------------


def open_alerts(user: Any) -> QuerySet[RegistrationAlert]:
    """The alerts not yet dealt with, for those who keep the registry; none for others."""
    if not manages_registry(user):
        return RegistrationAlert.objects.none()
    return (
        RegistrationAlert.objects.filter(done_at__isnull=True)
        .select_related("institution")
        .order_by("due_on", "id")
    )


def recent_done_alerts(user: Any, limit: int = 20) -> QuerySet[RegistrationAlert]:
    if not manages_registry(user):
        return RegistrationAlert.objects.none()
    return (
        RegistrationAlert.objects.filter(done_at__isnull=False)
        .select_related("institution", "done_by")
        .order_by("-done_at", "-id")[:limit]
    )


def alert_for(user: Any, raw_uuid: Any) -> RegistrationAlert | None:
    key = parse_uuid(raw_uuid)
    if key is None or not manages_registry(user):
        return None
    return RegistrationAlert.objects.select_related("institution").filter(uuid=key).first()


def alerts_of(institution: Institution) -> QuerySet[RegistrationAlert]:
    return institution.registration_alerts.filter(done_at__isnull=True).order_by("due_on")
