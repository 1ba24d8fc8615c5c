"""Every read of public releases. Published releases are public; the rest is for publishers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kawal.publication import policy
from kawal.publication.models import Release, ReleaseStatus, parse_slug


def published() -> QuerySet[Release]:
    return Release.objects.filter(status=ReleaseStatus.PUBLISHED)


def latest_published() -> Release | None:
    """The newest version of the most recent period: one indexed query, one row."""
    return published().order_by("-period_end", "-number").first()


def archive() -> list[tuple[Release, list[Release]]]:
    """Per period, newest first: the latest version and the earlier ones."""
    periods: dict[tuple[str, Any], list[Release]] = {}
    rows = published().only(
        "uuid", "period_kind", "period_start", "period_end", "number", "published_at"
    )
    for release in rows.order_by("-period_end", "period_kind", "-number"):
        periods.setdefault((release.period_kind, release.period_start), []).append(release)
    return [(versions[0], versions[1:]) for versions in periods.values()]


def published_release(slug: str, number: int) -> Release | None:
    parsed = parse_slug(slug)
    if parsed is None:
        return None
    kind, start = parsed
    return published().filter(period_kind=kind, period_start=start, number=number).first()


def latest_of_period(release: Release) -> Release | None:
    return (
        published()
        .filter(period_kind=release.period_kind, period_start=release.period_start)
        .order_by("-number")
        .first()
    )


def releases_for(user: Any) -> QuerySet[Release]:
    """Every release, for publishers only (the waiting and refused ones are internal)."""
    if not policy.publishes(user):
        return Release.objects.none()
    return Release.objects.select_related("prepared_by", "decided_by").order_by(
        "-period_end", "-number", "-id"
    )


def release_for(user: Any, release_uuid: Any) -> Release | None:
    return releases_for(user).filter(uuid=release_uuid).first()


def waiting_for(user: Any) -> int:
    """Releases the user could approve now (not those they prepared)."""
    if not policy.publishes(user):
        return 0
    return Release.objects.filter(status=ReleaseStatus.PENDING).exclude(prepared_by=user).count()
