"""Queueing and delivering outgoing messages.

A message is queued in the caller's transaction, so it exists if and only if
the change it announces was committed. Delivery happens after commit and again
from ``kawal notify_relay`` for anything that failed or was interrupted;
delivery is at-least-once and each message carries its UUID as Message-ID so a
receiver can drop duplicates.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from kawal.notify.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def outbox_enqueue_email(*, to: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage.objects.create(recipient=to, subject=subject[:200], body=body)
    transaction.on_commit(lambda: outbox_deliver(limit=20))
    return message


def _send(message: OutboxMessage) -> None:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<{message.uuid}@kawal-anak>"},
    )
    email.send(fail_silently=False)


def outbox_deliver(*, limit: int = 100) -> int:
    """Send due messages; returns how many were sent. Safe to run concurrently."""
    now = timezone.now()
    sent = 0
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exclude(next_attempt_at__gt=now)
    for message_id in list(due.order_by("created_at").values_list("id", flat=True)[:limit]):
        with transaction.atomic():
            locked = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(id=message_id, status=OutboxStatus.PENDING)
                .first()
            )
            if locked is None:
                continue
            locked.attempts += 1
            try:
                _send(locked)
            except Exception as exc:  # any transport failure is retried later
                locked.last_error = f"{type(exc).__name__}"[:300]
                if locked.attempts >= MAX_ATTEMPTS:
                    locked.status = OutboxStatus.FAILED
                else:
                    locked.next_attempt_at = now + timedelta(minutes=2**locked.attempts)
                logger.warning(
                    "outbox message %s not delivered: %s", locked.uuid, type(exc).__name__
                )
            else:
                locked.status = OutboxStatus.SENT
                locked.sent_at = timezone.now()
                locked.last_error = ""
                sent += 1
            locked.save()
    return sent
