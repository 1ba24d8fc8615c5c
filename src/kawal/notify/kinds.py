"""What a notification can be about: a registry the apps above ``notify`` fill.

``notify`` sits below every domain app and imports none of them. An app that
announces something registers its kind in its ``AppConfig.ready()``; the
inbox, the e-mails and the preferences page list what is registered.

A kind's ``text`` is the whole message a recipient reads, in the inbox and in
the e-mail. It says what kind of thing needs looking at, never which child,
family, address, shelter, institution or school: the link behind the sign-in
says where.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str | Promise
    text: str | Promise
    # Urgent kinds are e-mailed at once by default and cannot be switched off
    # (only moved into the digest): they are alerts somebody must act on.
    urgent: bool = False


_KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> None:
    if not kind.key or len(kind.key) > 64:
        raise ValueError("a notification kind needs a key of at most 64 characters")
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"notification kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind


def kinds() -> list[NotificationKind]:
    """Every registered kind, urgent ones first, then by key (a stable order for pages)."""
    return sorted(_KINDS.values(), key=lambda kind: (not kind.urgent, kind.key))


def kind_for(key: str) -> NotificationKind | None:
    return _KINDS.get(key)
