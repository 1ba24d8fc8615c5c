"""Who may prepare, approve and withdraw public releases. No role literal here.

- **Prepare** a release for a period: ``PUBLISH_FIGURES`` (supervisors).
- **Approve** or **reject** a waiting release: ``PUBLISH_FIGURES``, and never the user who
  prepared it (four eyes).
- **Withdraw** a waiting release: the user who prepared it.
- Everyone, signed in or not, reads what is published; nobody changes it.
"""

from __future__ import annotations

from typing import Any

from kawal.access.catalogue import ROLES, Capability
from kawal.access.policy import may
from kawal.publication.models import Release, ReleaseStatus


def publishes(user: Any) -> bool:
    return may(user, Capability.PUBLISH_FIGURES)


def is_preparer(user: Any, release: Release) -> bool:
    return getattr(user, "pk", None) is not None and release.prepared_by_id == user.pk


def may_decide(user: Any, release: Release) -> bool:
    """Approve or reject: another publisher than the one who prepared it."""
    return (
        publishes(user)
        and release.status == ReleaseStatus.PENDING
        and not is_preparer(user, release)
    )


def may_withdraw(user: Any, release: Release) -> bool:
    return (
        publishes(user) and release.status == ReleaseStatus.PENDING and is_preparer(user, release)
    )


def publishing_roles() -> list[str]:
    return [
        role.value
        for role, spec in ROLES.items()
        if Capability.PUBLISH_FIGURES in spec.capabilities
    ]
