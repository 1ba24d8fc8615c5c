"""Every write to the institution registry: policy, validation, one transaction, audit.

Only Dinas Sosial's social workers (``MANAGE_INSTITUTIONS``) write here. The
registry is configuration, not case content, so each write leaves a core
``AuditEvent`` naming the fields changed (never their values: a bank account
number does not belong in the audit trail) rather than a case timeline event.
Updates are versioned: an editor who loaded an older version gets
``StaleVersion`` and nothing is written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import AgencyKind, Capability
from kawal.access.policy import may
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.institutions.models import (
    FAMILY_KINDS,
    Inspection,
    Institution,
    InstitutionKind,
    InstitutionStatus,
    RegistrationAlert,
    Religion,
)

# What the registry form edits; status and suspension have their own services.
FIELDS = (
    "kind",
    "name",
    "agency",
    "registration_number",
    "registration_start",
    "registration_end",
    "accreditation_grade",
    "accreditation_date",
    "nsp_number",
    "religion",
    "accepts_sex",
    "age_min",
    "age_max",
    "capacity",
    "address",
    "kelurahan",
    "contact_name",
    "contact_phone",
    "bank_name",
    "bank_account_number",
    "bank_account_holder",
)
# LKS registration (tanda daftar, Permensos 5/2024) is required of these kinds.
REGISTERED_KINDS = frozenset(
    {InstitutionKind.LKSA, InstitutionKind.GOVERNMENT_PANTI, InstitutionKind.UPTD_SHELTER}
)
# Children's homes take children: anyone 18 or over is an adult (UU 35/2014 Pasal 1).
MAX_AGE = 18
MAX_CAPACITY = 2000
# An inspection or registration date this far back is a typing error.
EARLIEST = date(1990, 1, 1)
MAX_REASON = 2000


def _require_manager(actor: Any) -> None:
    if not may(actor, Capability.MANAGE_INSTITUTIONS):
        raise PermissionDenied


def _target(institution: Institution) -> str:
    return f"institutions.Institution:{institution.pk}"


def _clean_text(value: Any) -> str:
    return str(value or "").strip()


def validate(data: dict[str, Any], instance: Institution | None = None) -> dict[str, Any]:
    """The registry's rules on one institution; returns the cleaned values or raises.

    Registration may be left empty (the registry then shows it as missing and
    the placement rules refuse the institution), but what is typed must be
    coherent.
    """
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    values = {name: data.get(name) for name in FIELDS}
    others = Institution.objects.all()
    if instance is not None and instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    for name in (
        "name",
        "registration_number",
        "nsp_number",
        "address",
        "contact_name",
        "contact_phone",
        "bank_name",
        "bank_account_number",
        "bank_account_holder",
        "religion",
        "accepts_sex",
        "accreditation_grade",
    ):
        values[name] = _clean_text(values[name])
    kind = values["kind"]
    if kind not in InstitutionKind.values:
        error("kind", _("Choose the kind of institution."))
    if not values["name"]:
        error("name", _("Enter the institution's name."))
    elif others.filter(name__iexact=values["name"]).exists():
        error("name", _("Another institution already has this name."))

    capacity = values["capacity"]
    if capacity is None or capacity < 1:
        error("capacity", _("The capacity must be at least 1."))
    elif capacity > MAX_CAPACITY:
        error("capacity", _("The capacity looks too large; check the number."))
    low, high = values["age_min"], values["age_max"]
    if low is None:
        values["age_min"] = low = 0
    if high is None:
        values["age_max"] = high = 17
    if high > MAX_AGE:
        error("age_max", _("The oldest age may be at most 18: the registry is for children."))
    if low > high:
        error("age_max", _("The oldest age must not be below the youngest."))

    start, end = values["registration_start"], values["registration_end"]
    if start is not None and end is not None and start > end:
        error("registration_end", _("The registration must end after it starts."))
    for name in ("registration_start", "accreditation_date"):
        day = values[name]
        if day is not None and day < EARLIEST:
            error(name, _("Check the date: it is too far in the past."))
    if values["accreditation_date"] is not None and values["accreditation_date"] > (
        timezone.localdate()
    ):
        error("accreditation_date", _("The accreditation date cannot be in the future."))

    if kind in FAMILY_KINDS:
        registration = (
            values["registration_number"] or start or end or values["accreditation_grade"]
        )
        if registration:
            error(
                "registration_number",
                _("Foster families and kinship carers have no LKS registration; leave it empty."),
            )
        if values["nsp_number"]:
            error("nsp_number", _("Only a pesantren has an NSP."))
    elif kind == InstitutionKind.PESANTREN:
        # PMA 30/2020: a pesantren is an Islamic institution; its NSP replaces the tanda daftar.
        if not values["religion"]:
            values["religion"] = Religion.ISLAM
        elif values["religion"] != Religion.ISLAM:
            error("religion", _("A pesantren is an Islamic boarding school: choose Islam."))
    elif kind in REGISTERED_KINDS and values["nsp_number"]:
        error("nsp_number", _("Only a pesantren has an NSP."))
    if values["religion"] and values["religion"] not in Religion.values:
        error("religion", _("Choose a religion from the list."))

    agency = values["agency"]
    if agency is not None:
        if agency.kind != AgencyKind.CHILD_CARE_INSTITUTION:
            error("agency", _("Choose an agency of the kind child care institution."))
        elif others.filter(agency=agency).exists():
            error("agency", _("This agency already belongs to another institution."))
    if errors:
        raise ValidationError(errors)
    return values


def _changed(institution: Institution, values: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in values.items() if getattr(institution, name) != value)


def _lock(institution: Institution, expected_version: int) -> Institution:
    current = Institution.objects.select_for_update().get(pk=institution.pk)
    if current.version != expected_version:
        raise StaleVersion(current)
    return current


def institution_create(
    actor: Any, data: dict[str, Any], *, context: AuditContext | None = None
) -> Institution:
    _require_manager(actor)
    values = validate(data)
    try:
        with transaction.atomic():
            institution = Institution.objects.create(**values)
            audit_record(
                "institution.created",
                actor=actor,
                context=context,
                target=_target(institution),
                institution_kind=institution.kind,
            )
    except IntegrityError as exc:
        # Two editors registering the same name (or agency) at once: the loser is told so.
        raise ValidationError(
            {"name": [_("Another institution already has this name or agency.")]}
        ) from exc
    return institution


def institution_update(
    actor: Any,
    institution: Institution,
    data: dict[str, Any],
    *,
    expected_version: int,
    context: AuditContext | None = None,
) -> Institution:
    _require_manager(actor)
    values = validate(data, institution)
    try:
        with transaction.atomic():
            current = _lock(institution, expected_version)
            changed = _changed(current, values)
            if not changed:
                return current
            old_end = current.registration_end
            for name in changed:
                setattr(current, name, values[name])
            current.version += 1
            current.save()
            if old_end != current.registration_end:
                # A renewed (or corrected) registration: the alerts of the old end are moot.
                _supersede_alerts(current, keep_end=current.registration_end)
            audit_record(
                "institution.changed",
                actor=actor,
                context=context,
                target=_target(current),
                fields=changed,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"name": [_("Another institution already has this name or agency.")]}
        ) from exc
    return current


def institution_suspend(
    actor: Any,
    institution: Institution,
    reason: str,
    *,
    expected_version: int,
    context: AuditContext | None = None,
) -> Institution:
    """Stop new placements in an institution (the children already there are not moved)."""
    _require_manager(actor)
    reason = _clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the institution is suspended.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("Keep the reason under 2000 characters.")]})
    with transaction.atomic():
        current = _lock(institution, expected_version)
        if current.status == InstitutionStatus.SUSPENDED:
            raise ValidationError({"reason": [_("This institution is already suspended.")]})
        current.status = InstitutionStatus.SUSPENDED
        current.suspended_reason = reason
        current.suspended_at = timezone.now()
        current.version += 1
        current.save()
        audit_record("institution.suspended", actor=actor, context=context, target=_target(current))
    return current


def institution_reactivate(
    actor: Any,
    institution: Institution,
    *,
    expected_version: int,
    context: AuditContext | None = None,
) -> Institution:
    _require_manager(actor)
    with transaction.atomic():
        current = _lock(institution, expected_version)
        if current.status != InstitutionStatus.SUSPENDED:
            raise ValidationError(_("This institution is not suspended."))
        previous_reason = current.suspended_reason
        current.status = InstitutionStatus.ACTIVE
        current.suspended_reason = ""
        current.suspended_at = None
        current.version += 1
        current.save()
        # The reason leaves the record; the audit trail keeps that there was one.
        audit_record(
            "institution.reactivated",
            actor=actor,
            context=context,
            target=_target(current),
            had_reason=bool(previous_reason),
        )
    return current


def inspection_add(
    actor: Any,
    institution: Institution,
    *,
    inspected_on: date | None,
    findings: str,
    context: AuditContext | None = None,
) -> Inspection:
    _require_manager(actor)
    findings = _clean_text(findings)
    errors: dict[str, list[str]] = {}
    if inspected_on is None:
        errors["inspected_on"] = [_("Enter the day of the inspection.")]
    elif inspected_on > timezone.localdate():
        errors["inspected_on"] = [_("An inspection cannot be in the future.")]
    elif inspected_on < EARLIEST:
        errors["inspected_on"] = [_("Check the date: it is too far in the past.")]
    if not findings:
        errors["findings"] = [_("Write what the inspection found.")]
    if errors or inspected_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            institution=institution,
            inspected_on=inspected_on,
            findings=findings,
            recorded_by=actor,
        )
        audit_record(
            "institution.inspection_added",
            actor=actor,
            context=context,
            target=_target(institution),
            inspection=str(inspection.uuid),
        )
    return inspection


# --- Registration alerts -------------------------------------------------------------


def _supersede_alerts(institution: Institution, *, keep_end: date | None) -> int:
    """Close the open alerts of any other registration end (the system did it, not a user)."""
    rows = RegistrationAlert.objects.filter(institution=institution, done_at__isnull=True)
    if keep_end is not None:
        rows = rows.exclude(registration_end=keep_end)
    return rows.update(done_at=timezone.now(), superseded=True)


def alert_due(threshold: int, end: date) -> date:
    if threshold == RegistrationAlert.EXPIRED:
        return end + timedelta(days=1)
    return end - timedelta(days=threshold)


def alert_done(
    actor: Any, alert: RegistrationAlert, *, context: AuditContext | None = None
) -> bool:
    """Mark an alert as dealt with; False if someone already did."""
    _require_manager(actor)
    with transaction.atomic():
        current = RegistrationAlert.objects.select_for_update().get(pk=alert.pk)
        if current.done_at is not None:
            return False
        current.done_at = timezone.now()
        current.done_by = actor
        current.save(update_fields=["done_at", "done_by"])
        audit_record(
            "institution.alert_done",
            actor=actor,
            context=context,
            target=_target(current.institution),
            threshold=current.threshold,
        )
    return True
