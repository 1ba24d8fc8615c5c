"""Reads of notifications: always the signed-in user's own, nobody else's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from kawal.notify.kinds import NotificationKind, kind_for, kinds
from kawal.notify.models import EmailDelivery, Notification, NotificationPreference

INBOX_PAGE_SIZE = 25


def delivery_for(kind: NotificationKind, by_kind: Mapping[str, Any] | None) -> str:
    """How this kind reaches the user's mailbox: their choice, else the default."""
    choice = (by_kind or {}).get(kind.key)
    if choice in EmailDelivery.values and not (kind.urgent and choice == EmailDelivery.NONE):
        return str(choice)
    return EmailDelivery.IMMEDIATE if kind.urgent else EmailDelivery.DIGEST


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def _own(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


@dataclass(frozen=True)
class InboxRow:
    notification: Notification
    kind: NotificationKind | None

    @property
    def label(self) -> str:
        return str(self.kind.label) if self.kind else self.notification.kind

    @property
    def text(self) -> str:
        return str(self.kind.text) if self.kind else ""


def inbox_page(user: Any, page: str | None) -> Page:
    """The user's notifications, newest first, a page at a time, each with its kind."""
    result = Paginator(_own(user).order_by("-created_at", "-id"), INBOX_PAGE_SIZE).get_page(page)
    rows: Any = [InboxRow(row, kind_for(row.kind)) for row in result.object_list]
    result.object_list = rows
    return result


def inbox_row(notification: Notification) -> InboxRow:
    return InboxRow(notification, kind_for(notification.kind))


def notification_for_user(user: Any, notification_uuid: Any) -> Notification:
    """The user's own notification, or 404 for a missing and a foreign one alike."""
    found = _own(user).filter(uuid=notification_uuid).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class PreferenceRow:
    kind: NotificationKind
    delivery: str


def preference_rows(user: Any) -> list[PreferenceRow]:
    by_kind = (
        NotificationPreference.objects.filter(user_id=user.pk)
        .values_list("by_kind", flat=True)
        .first()
    )
    return [PreferenceRow(kind, delivery_for(kind, by_kind)) for kind in kinds()]
