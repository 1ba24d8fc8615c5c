"""The access policy: the one place that answers "may this user ...?".

For now it answers from the role catalogue alone ("may this role ever do X");
case-level relationship rules join here when case files exist, so that every
page, list and export keeps asking the same functions.

Unknown means deny: an inactive user, a user without a role, a role missing
from the catalogue, or an anonymous visitor may do nothing.
"""

from __future__ import annotations

from typing import Protocol

from kawal.access.catalogue import Action, Capability, DataClass, RoleSpec, role_spec


class Actor(Protocol):
    """What the policy needs to know about a user; keeps this module free of domain apps."""

    @property
    def is_authenticated(self) -> bool: ...

    is_active: bool
    role: str


def actor_spec(user: object) -> RoleSpec | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    return role_spec(getattr(user, "role", None))


def may(user: object, capability: Capability) -> bool:
    spec = actor_spec(user)
    return spec is not None and capability in spec.capabilities


def may_access_class(user: object, action: Action, data_class: DataClass) -> bool:
    """Whether the user's role may ever read or write a class of case data."""
    spec = actor_spec(user)
    if spec is None:
        return False
    allowed = spec.write if action == Action.WRITE else spec.read
    return data_class in allowed


def reads_cases(user: object) -> bool:
    """Whether the role sees case files at all (the basic facts of related cases)."""
    return may_access_class(user, Action.READ, DataClass.BASIC)


def reads_identity(user: object) -> bool:
    """Whether the role may ever see who a child is (names, NIK, home)."""
    return may_access_class(user, Action.READ, DataClass.IDENTITY)


def capabilities_of(user: object) -> list[Capability]:
    """The user's capabilities in catalogue order, for the home page and navigation."""
    spec = actor_spec(user)
    if spec is None:
        return []
    return [capability for capability in Capability if capability in spec.capabilities]


def readable_classes_of(user: object) -> list[DataClass]:
    spec = actor_spec(user)
    if spec is None:
        return []
    return [data_class for data_class in DataClass if data_class in spec.read]
