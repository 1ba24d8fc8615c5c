"""Every write of public releases: policy, validation, one transaction, audit.

Prepare → (another publisher) approve → published, immutable; or reject / withdraw with a
reason. A revision of a period is a new release (the next version), never an edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kawal.core.audit import AuditContext, audit_record
from kawal.core.models import StaleVersion
from kawal.notify.services import notify_users
from kawal.publication import policy
from kawal.publication.models import (
    PeriodKind,
    Release,
    ReleaseImmutable,
    ReleaseStatus,
)
from kawal.publication.snapshot import build_snapshot, fingerprint
from kawal.publication.tables import compute_tables, period_bounds

KIND_WAITING = "publication.release_waiting"
KIND_DECIDED = "publication.release_decided"


def threshold() -> int:
    return max(1, int(getattr(settings, "KAWAL_SUPPRESSION_MIN", 5)))


@dataclass(frozen=True)
class Period:
    kind: str
    start: date

    @property
    def bounds(self) -> tuple[date, date]:
        return period_bounds(self.kind, self.start)


def period_of(kind: str, year: int, quarter: int | None = None) -> Period:
    if kind not in PeriodKind.values:
        raise ValidationError(_("Choose a quarter or a year."), code="kind")
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Choose a year between 2000 and 2100."), code="year")
    if kind == PeriodKind.YEAR:
        return Period(kind, date(year, 1, 1))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(_("Choose a quarter from 1 to 4."), code="quarter")
    return Period(kind, date(year, 3 * (quarter - 1) + 1, 1))


def _overlapping(period: Period) -> Any:
    """Live releases (waiting or published) of the *other* period kind that overlap."""
    first, last = period.bounds
    return Release.objects.filter(
        status__in=[ReleaseStatus.PENDING, ReleaseStatus.PUBLISHED],
        period_start__lte=last,
        period_end__gte=first,
    ).exclude(period_kind=period.kind)


def _serialise_prepares() -> None:
    """One prepare at a time. The overlap check reads rows of *other* periods that no row lock
    covers: two supervisors preparing 2025 and 2025 T2 at the same moment would both find
    nothing and both insert, and a year published beside its quarter gives the other three
    quarters by subtraction. This lock conflicts with itself only (plain reads and the public
    pages go on); SQLite's IMMEDIATE transactions already serialise every write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Release._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _publishers(*, exclude: Any) -> list[Any]:
    users = get_user_model().objects.filter(role__in=policy.publishing_roles(), is_active=True)
    return [user for user in users.exclude(pk=exclude.pk) if policy.publishes(user)]


def release_prepare(
    period: Period, *, acting_user: Any, context: AuditContext | None = None
) -> Release:
    """Compute the figures of a period, suppress them and keep them waiting for approval."""
    if not policy.publishes(acting_user):
        raise PermissionDenied
    first, last = period.bounds
    today = timezone.localdate()
    if last >= today:
        raise ValidationError(
            _("A period can be published only after it has ended."), code="not_ended"
        )
    with transaction.atomic():
        _serialise_prepares()
        if _overlapping(period).exists():
            raise ValidationError(
                _(
                    "Releases never overlap: a year and its quarters exclude each other, "
                    "and this period overlaps one that is published or waiting."
                ),
                code="overlap",
            )
        same = Release.objects.select_for_update().filter(
            period_kind=period.kind, period_start=first
        )
        if same.filter(status=ReleaseStatus.PENDING).exists():
            raise ValidationError(
                _("A release of this period already waits for approval."), code="pending"
            )
        published = list(same.filter(status=ReleaseStatus.PUBLISHED).order_by("number"))
        number = (published[-1].number if published else 0) + 1
        now = timezone.now()
        snapshot = build_snapshot(
            kind=period.kind,
            start=first,
            version=number,
            threshold=threshold(),
            tables=compute_tables(period.kind, first),
            previous=[release.snapshot for release in published],
            data_as_of=now,
        )
        try:
            with transaction.atomic():
                release = Release.objects.create(
                    period_kind=period.kind,
                    period_start=first,
                    period_end=last,
                    number=number,
                    status=ReleaseStatus.PENDING,
                    threshold=snapshot["threshold"],
                    snapshot=snapshot,
                    fingerprint=fingerprint(snapshot),
                    data_as_of=now,
                    prepared_by=acting_user,
                    prepared_at=now,
                )
        except IntegrityError as error:
            raise ValidationError(
                _("A release of this period already waits for approval."), code="pending"
            ) from error
        audit_record(
            "publication.prepared",
            actor=acting_user,
            target=str(release),
            context=context,
            release=str(release.uuid),
            fingerprint=release.fingerprint,
        )
        notify_users(
            users=_publishers(exclude=acting_user),
            kind=KIND_WAITING,
            url=reverse("publication:release", kwargs={"release_uuid": release.uuid}),
            key=f"publication.waiting:{release.uuid}",
        )
    return release


def _locked(release: Release, expected_version: int) -> Release:
    current = Release.objects.select_for_update().get(pk=release.pk)
    if current.status == ReleaseStatus.PUBLISHED:
        raise ReleaseImmutable("published releases are immutable")
    if current.version != expected_version:
        raise StaleVersion(current)
    if current.status != ReleaseStatus.PENDING:
        raise ValidationError(_("This release no longer waits for approval."), code="decided")
    return current


def _tell_preparer(release: Release) -> None:
    notify_users(
        users=[release.prepared_by],
        kind=KIND_DECIDED,
        url=reverse("publication:release", kwargs={"release_uuid": release.uuid}),
        key=f"publication.decided:{release.uuid}",
    )


def release_approve(
    release: Release,
    *,
    expected_version: int,
    fingerprint_seen: str,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Release:
    """Publish what the approver saw: the fingerprint of the snapshot shown must match."""
    if not policy.publishes(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        current = _locked(release, expected_version)
        if policy.is_preparer(acting_user, current):
            raise PermissionDenied(_("Another supervisor approves what you prepared."))
        if fingerprint_seen != current.fingerprint:
            raise ValidationError(
                _("The figures changed since you opened them: look at them again."),
                code="fingerprint",
            )
        now = timezone.now()
        current.status = ReleaseStatus.PUBLISHED
        current.decided_by = acting_user
        current.decided_at = now
        current.published_at = now
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "published_at",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            "publication.published",
            actor=acting_user,
            target=str(current),
            context=context,
            release=str(current.uuid),
            fingerprint=current.fingerprint,
        )
        _tell_preparer(current)
    return current


def _close(
    release: Release,
    *,
    status: str,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None,
) -> Release:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")}, code="reason")
    if len(reason) > 1000:
        raise ValidationError({"reason": _("At most 1000 characters.")}, code="reason")
    with transaction.atomic():
        current = _locked(release, expected_version)
        allowed = (
            policy.may_decide(acting_user, current)
            if status == ReleaseStatus.REJECTED
            else policy.may_withdraw(acting_user, current)
        )
        if not allowed:
            raise PermissionDenied
        current.status = status
        current.decided_by = acting_user
        current.decided_at = timezone.now()
        current.decision_reason = reason
        current.version += 1
        current.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "version",
                "updated_at",
            ]
        )
        audit_record(
            f"publication.{status}",
            actor=acting_user,
            target=str(current),
            context=context,
            release=str(current.uuid),
        )
        if status == ReleaseStatus.REJECTED:
            _tell_preparer(current)
    return current


def release_reject(
    release: Release,
    *,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Release:
    """Another publisher refuses a waiting release; nothing is published."""
    return _close(
        release,
        status=ReleaseStatus.REJECTED,
        reason=reason,
        expected_version=expected_version,
        acting_user=acting_user,
        context=context,
    )


def release_withdraw(
    release: Release,
    *,
    reason: str,
    expected_version: int,
    acting_user: Any,
    context: AuditContext | None = None,
) -> Release:
    """The preparer takes back a waiting release (e.g. late data arrived)."""
    return _close(
        release,
        status=ReleaseStatus.WITHDRAWN,
        reason=reason,
        expected_version=expected_version,
        acting_user=acting_user,
        context=context,
    )
