"""Receiving public reports: abuse controls, photo cleaning, tracking."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.access.catalogue import Capability
from kawal.access.policy import may
from kawal.core import ratelimit
from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.core.net import address_bucket
from kawal.core.uploads import clean_upload, store_private
from kawal.identity.normalise import generic_nickname, normalise_name, phonetic_key
from kawal.outreach.models import Activity
from kawal.regions import bounds
from kawal.regions.models import Region
from kawal.reports.models import POINT_FRESH_FOR, Report, ReportChannel, ReportStatus

logger = logging.getLogger(__name__)


class TooManyReports(Exception):
    """This address sent too many reports within the hour."""


# What is counted, and how many per hour: sending reports, and looking up codes.
RATE_PURPOSES = {"report": "KAWAL_REPORT_RATE_PER_HOUR", "track": "KAWAL_TRACK_RATE_PER_HOUR"}


def rate_check(address: str, purpose: str = "report") -> None:
    """Count one submission for this address (an IPv6 /64); refuse past the hourly limit."""
    limit = getattr(settings, RATE_PURPOSES[purpose])
    try:
        count = ratelimit.hit(f"reports:{purpose}", address_bucket(address), window=3600)
    except ratelimit.CounterUnavailable:
        # A report about a child at risk matters more than the limit: with the
        # cache down, accept it (the counter logged the outage).
        return
    if count > limit:
        raise TooManyReports


@dataclass
class PublicReport:
    seen: list[str]
    children_count: int
    youngest_age: int | None
    oldest_age: int | None
    seen_at: datetime
    kelurahan: Region
    landmark: str
    description: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    child_names: str = ""
    photo: UploadedFile | None = field(default=None)


MAX_NAMED_CHILDREN = 10


def split_names(text: str) -> list[str]:
    """The names in a "names, if known" field: one per line or separated by commas."""
    return [name.strip() for name in re.split(r"[\n,;]+", text) if name.strip()]


def child_name_keys(text: str) -> list[str]:
    """Phonetic keys of the named children, leaving out names that tell no child apart.

    "Dede" or "Adek" is what any youngest child is called; two reports that
    both say "Dede" do not name the same child.
    """
    keys = set()
    for name in split_names(text):
        tokens = [token for token in normalise_name(name).tokens if not generic_nickname(token)]
        key = " ".join(sorted(phonetic_key(token) for token in tokens))
        if key:
            keys.add(key)
    return sorted(keys)


def _validate(data: PublicReport, *, received_at: datetime | None = None) -> None:
    """Check a report; ``received_at`` is when a report being corrected came in."""
    errors: dict[str, str] = {}
    if not data.seen or any(item not in Activity.values for item in data.seen):
        errors["seen"] = _("Choose what you saw.")
    if not 1 <= data.children_count <= 30:
        errors["children_count"] = _("Give a number of children from 1 to 30.")
    ages = [age for age in (data.youngest_age, data.oldest_age) if age is not None]
    if any(not 0 <= age <= 17 for age in ages):
        errors["youngest_age"] = _("Rough ages of children are 0 to 17.")
    elif len(ages) == 2 and ages[0] > ages[1]:
        errors["oldest_age"] = _("The oldest cannot be younger than the youngest.")
    now = timezone.now()
    if data.seen_at > now + timedelta(minutes=10):
        errors["seen_at"] = _("That time is in the future.")
    elif data.seen_at < (received_at or now) - timedelta(days=90):
        errors["seen_at"] = _("Reports are for the last 90 days; for older events call SAPA 129.")
    if len(split_names(data.child_names)) > MAX_NAMED_CHILDREN or len(data.child_names) > 1000:
        errors["child_names"] = _("Name at most 10 children, one per line.")
    if data.kelurahan.level != "kelurahan":
        errors["kelurahan"] = _("Choose a kelurahan.")
    if not data.landmark.strip():
        errors["landmark"] = _("Name a landmark near the place, e.g. a junction or a shop.")
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _("The map point is incomplete.")
    elif (
        data.latitude is not None
        and data.longitude is not None
        and not bounds.inside(data.latitude, data.longitude)
    ):
        errors["latitude"] = _("The map point is outside Balikpapan.")
    if errors:
        raise ValidationError(errors)


def _sighting_point(data: PublicReport) -> tuple[Decimal | None, Decimal | None]:
    if data.latitude is None or data.longitude is None:
        return None, None
    if data.seen_at < timezone.now() - POINT_FRESH_FOR:
        return None, None
    step = Decimal("0.0001")  # about 11 m: a junction, not a doorway
    return data.latitude.quantize(step), data.longitude.quantize(step)


def _sighting(data: PublicReport) -> dict[str, Any]:
    """What a report says about the sighting, cleaned: the part staff may correct."""
    return {
        "seen": sorted(set(data.seen)),
        "children_count": data.children_count,
        "youngest_age": data.youngest_age,
        "oldest_age": data.oldest_age,
        "seen_at": data.seen_at,
        "kelurahan": data.kelurahan,
        "landmark": data.landmark.strip()[:200],
        "description": data.description.strip()[:2000],
        "child_names": "\n".join(split_names(data.child_names)),
        "child_keys": child_name_keys(data.child_names),
    }


def _create(data: PublicReport, *, channel: str, **extra: Any) -> Report:
    """A new report from validated details, whichever way it came in."""
    latitude, longitude = _sighting_point(data)
    return Report.objects.create(
        channel=channel,
        **_sighting(data),
        latitude=latitude,
        longitude=longitude,
        reporter_name=data.reporter_name.strip()[:120],
        reporter_phone=data.reporter_phone.strip()[:30],
        **extra,
    )


def report_receive(data: PublicReport, *, context: AuditContext | None = None) -> Report:
    """Store a report from the public form and return it (its tracking code)."""
    _validate(data)
    photo_name = ""
    if data.photo is not None:
        max_bytes = settings.KAWAL_REPORT_PHOTO_MAX_MB * 1024 * 1024
        clean = clean_upload(data.photo, max_bytes=max_bytes)
        if not clean.content_type.startswith("image/"):
            raise ValidationError({"photo": _("Send a photo (JPEG or PNG).")})
        # Re-encoded from pixels by clean_upload: no EXIF, no GPS.
        photo_name = store_private(clean, root=settings.KAWAL_PRIVATE_MEDIA_ROOT / "reports")
    with transaction.atomic():
        report = _create(data, channel=ReportChannel.PUBLIC_WEB, photo=photo_name)
        # The trail says a report came in; it names no reporter and no address.
        audit_record(
            "reports.received",
            target=f"report:{report.uuid}",
            context=AuditContext(via="public"),
        )
    return report


def report_take_in(
    data: PublicReport, *, channel: str, acting_user: Any, context: AuditContext | None = None
) -> Report:
    """Record a report that came in by phone, walk-in, SAPA 129, an RT head, a school…"""
    if not may(acting_user, Capability.TAKE_REPORT):
        raise PermissionDenied
    if channel not in ReportChannel.values or channel == ReportChannel.PUBLIC_WEB:
        raise ValidationError({"channel": _("Choose how the report came in.")})
    _validate(data)
    with transaction.atomic():
        report = _create(data, channel=channel, taken_by=acting_user)
        audit_record(
            "reports.taken_in", actor=acting_user, target=f"report:{report.uuid}", context=context
        )
    return report


def report_status(code: str) -> str | None:
    """The status of a report by its tracking code, and nothing else."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 10:
        return None
    formatted = f"{cleaned[:5]}-{cleaned[5:]}"
    report = (
        Report.objects.filter(tracking_code=formatted)
        .select_related("duplicate_of")
        .only("status", "duplicate_of__status")
        .first()
    )
    if report is None:
        return None
    # A merged report shows how the sighting it repeats is going; merges
    # re-point earlier repeats, so there is never more than one step.
    shown = report.duplicate_of or report
    return str(ReportStatus(shown.status).label)


def report_take(
    report: Report,
    *,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """The triage team starts handling a report; the reporter's status says so."""
    return _set_status(report, ReportStatus.IN_PROGRESS, "", expected_version, acting_user, context)


def report_close(
    report: Report,
    *,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """Close a report as handled, with the reason (e.g. no child found, case opened)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is closed.")})
    return _set_status(report, ReportStatus.HANDLED, reason, expected_version, acting_user, context)


def report_case_opened(report: Report, *, acting_user: Any) -> None:
    """A case was opened from the report (inside the case's transaction): it is being handled."""
    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.status == ReportStatus.HANDLED:
        raise ValidationError(_("This report was closed in the meantime; check it again."))
    if current.status == ReportStatus.RECEIVED:
        current.status = ReportStatus.IN_PROGRESS
        current.handled_by = acting_user
        # A colleague holding the report open must see that it changed.
        current.version += 1
        current.save(update_fields=["status", "handled_by", "version", "updated_at"])
    audit_record("reports.case_opened", actor=acting_user, target=f"report:{report.uuid}")


def report_correct(
    report: Report,
    data: PublicReport,
    *,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """Correct what an open report says; the trail records which fields changed."""
    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    # The 90-day window counts from when the report came in, not from today.
    _validate(data, received_at=report.created_at)
    with transaction.atomic():
        current = _open_for_update(report, expected_version)
        # Never the reporter, the channel, the photo or the device's point.
        new = _sighting(data)
        changed = sorted(name for name, value in new.items() if getattr(current, name) != value)
        for name, value in new.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        # Field names only: old and new texts may name children.
        audit_record(
            "reports.corrected",
            actor=acting_user,
            target=f"report:{current.uuid}",
            context=context,
            fields=changed,
        )
    return current


def report_reopen(
    report: Report,
    *,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """Undo a close or a merge made by mistake: the report is being handled again."""
    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is reopened.")})
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.status != ReportStatus.HANDLED:
            raise ValidationError(_("Only a closed report can be reopened."))
        was_merged_into = current.duplicate_of
        was_closed_because = current.closed_reason
        current.status = ReportStatus.IN_PROGRESS
        current.duplicate_of = None
        current.merged_first_into = None
        current.closed_at = None
        current.closed_reason = ""
        current.handled_by = acting_user
        current.version += 1
        current.save()
        # Repeats merged into this report, carried on when it was merged, come back.
        Report.objects.filter(merged_first_into=current, duplicate_of__isnull=False).exclude(
            duplicate_of=current
        ).update(duplicate_of=current, version=F("version") + 1)
        # What the close said stays in the trail: the report itself no longer says it.
        audit_record(
            "reports.reopened",
            actor=acting_user,
            target=f"report:{current.uuid}",
            context=context,
            reason=reason.strip()[:500],
            closed_reason=was_closed_because[:500],
            was_merged_into=f"report:{was_merged_into.uuid}" if was_merged_into else "",
        )
    return current


def _open_for_update(report: Report, expected_version: int) -> Report:
    """The report locked for a triage write: still this version and not closed yet.

    Call inside a transaction.
    """
    current = Report.objects.select_for_update().get(pk=report.pk)
    if current.version != expected_version:
        raise StaleVersion(current)
    if current.status == ReportStatus.HANDLED:
        raise ValidationError(_("This report is already closed."))
    return current


def _set_status(
    report: Report,
    status: str,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    with transaction.atomic():
        current = _open_for_update(report, expected_version)
        current.status = status
        current.handled_by = acting_user
        if status == ReportStatus.HANDLED:
            current.closed_reason = reason.strip()[:2000]
            current.closed_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(
            f"reports.{status}",
            actor=acting_user,
            target=f"report:{current.uuid}",
            context=context,
        )
    return current


def report_assign(
    report: Report,
    *,
    operation: Any,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """Send an outreach operation to look; the report is then being handled."""
    from kawal.outreach.services import operations_visible_to
    from kawal.reports.selectors import operations_to_assign

    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    if not operations_visible_to(acting_user).filter(pk=operation.pk).exists():
        raise PermissionDenied
    if not operations_to_assign(acting_user).filter(pk=operation.pk).exists():
        raise ValidationError(_("Choose a planned operation, or one held in the last days."))
    with transaction.atomic():
        current = _open_for_update(report, expected_version)
        current.operation = operation
        current.status = ReportStatus.IN_PROGRESS
        current.handled_by = acting_user
        current.version += 1
        current.save()
        audit_record(
            "reports.assigned",
            actor=acting_user,
            target=f"report:{current.uuid}",
            context=context,
            operation=f"operation:{operation.uuid}",
        )
    return current


def report_merge(
    report: Report,
    *,
    into: Report,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Report:
    """Close a report as the same sighting as another; the other one carries on."""
    if not may(acting_user, Capability.TRIAGE_REPORTS):
        raise PermissionDenied
    if into.pk == report.pk:
        raise ValidationError(_("Choose another report."))
    with transaction.atomic():
        locked = Report.objects.select_for_update().in_bulk(sorted({report.pk, into.pk}))
        current, target = locked[report.pk], locked[into.pk]
        if current.version != expected_version:
            raise StaleVersion(current)
        if current.status == ReportStatus.HANDLED or target.status == ReportStatus.HANDLED:
            raise ValidationError(_("Only open reports can be merged."))
        current.duplicate_of = target
        current.merged_first_into = target
        current.status = ReportStatus.HANDLED
        current.closed_reason = _("Same sighting as report %(code)s.") % {
            "code": target.tracking_code
        }
        current.closed_at = timezone.now()
        current.handled_by = acting_user
        current.version += 1
        current.save()
        # Reports merged into this one follow it too: every repeat points at
        # the report that carries on, so a tracking code never walks a chain.
        Report.objects.filter(duplicate_of=current).update(
            duplicate_of=target, version=F("version") + 1
        )
        audit_record(
            "reports.merged",
            actor=acting_user,
            target=f"report:{current.uuid}",
            context=context,
            into=f"report:{target.uuid}",
        )
    return current
