"""Notifications and the outbox: writing them, and delivering the e-mails.

Writing. ``notify_users`` is called inside the transaction of the change that
causes it: the in-app notifications and the e-mails to send at once are rows
of that transaction, so they exist if and only if the change was committed.

Delivering (``outbox_deliver``, run after each commit and by ``kawal
notify_relay``). Each message goes through three committed steps:

1. claim: one conditional UPDATE moves it from "pending" (due) or from
   "sending" with an expired lease to "sending", with a new lease and claim
   token, and commits;
2. send, with the Message-ID derived from the message's idempotency key;
3. mark "sent", only if the claim is still ours.

A relay killed after 1 leaves a "sending" row: once its lease ends the next
run sends it, with the same Message-ID. A relay killed between 2 and 3 makes
the next run send it again, with the same Message-ID, and the receiver can
drop the copy; that window is as short as one UPDATE. A message committed as
"sent" is never sent again. docs/notifications.md says what "exactly once"
means here.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from kawal.core.audit import AuditContext, audit_record
from kawal.notify.kinds import NotificationKind, kind_for, kinds
from kawal.notify.models import (
    EmailDelivery,
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from kawal.notify.selectors import delivery_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
DEFAULT_LEASE_SECONDS = 300
DIGEST_MAX_LINES = 50


# --- The outbox --------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8, 16, 32 minutes, then hourly.

    Deterministic (no jitter): one relay per installation sends, so there is
    no herd to spread, and the schedule stays predictable for operators.
    """
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


def outbox_lease() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "KAWAL_OUTBOX_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
    )


def _enqueue(*, to: str, subject: str, body: str, key: str) -> OutboxMessage:
    if not key or len(key) > 255:
        raise ValueError("an outbox message needs an idempotency key of at most 255 characters")
    # get_or_create retries the look-up when a concurrent writer inserted the
    # same key first: the first writer's message is the one that is sent.
    message, _created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={"recipient": to, "subject": subject[:200], "body": body},
    )
    return message


def _deliver_after_commit() -> None:
    transaction.on_commit(lambda: outbox_deliver(limit=20))


def outbox_enqueue_email(*, to: str, subject: str, body: str, key: str = "") -> OutboxMessage:
    """Queue an e-mail in the caller's transaction; the same ``key`` twice stores one message.

    Without a key the message is its own logical message (a fresh key), which
    suits one-off mails such as a set-password link.
    """
    message = _enqueue(to=to, subject=subject, body=body, key=key or f"adhoc:{uuid4()}")
    _deliver_after_commit()
    return message


def _fault(point: str) -> None:
    """Test hook: die here as a power cut would (KAWAL_OUTBOX_FAULT=<point>), tests only."""
    if settings.TESTING and os.environ.get("KAWAL_OUTBOX_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _due(now: datetime) -> Q:
    waiting = Q(status=OutboxStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=OutboxStatus.SENDING, claimed_until__lt=now, attempts__lt=MAX_ATTEMPTS)
    return waiting | abandoned


def _claim(message_id: int, lease: timedelta) -> Any:
    now = timezone.now()
    token = uuid4()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id)
        .filter(_due(now))
        .update(
            status=OutboxStatus.SENDING,
            claim_token=token,
            claimed_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return token if claimed else None


def _send(message: OutboxMessage, lease: timedelta) -> None:
    # The transport must give up well before the lease ends, or a second relay
    # could take the message over while the first is still talking to SMTP.
    timeout = lease.total_seconds() / 2
    if settings.EMAIL_TIMEOUT:
        timeout = min(timeout, float(settings.EMAIL_TIMEOUT))
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message.message_id},
        connection=get_connection(timeout=timeout),
    )
    email.send(fail_silently=False)


def outbox_deliver(*, limit: int = 100, lease: timedelta | None = None) -> int:
    """Send due messages; returns how many were sent. Safe to run in several processes.

    Call it outside a transaction: each claim and each "sent" must be
    committed on its own for the guarantees above to hold.
    """
    lease = lease or outbox_lease()
    now = timezone.now()
    # A message whose relays keep dying while holding it is given up on, as
    # one whose sends keep failing is.
    OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_until__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(status=OutboxStatus.FAILED, last_error="lease expired", updated_at=now)
    due = OutboxMessage.objects.filter(_due(now)).order_by("created_at", "id")
    sent = 0
    for message_id in list(due.values_list("id", flat=True)[:limit]):
        token = _claim(message_id, lease)
        if token is None:
            continue  # another relay has it
        _fault("after_claim")
        message = OutboxMessage.objects.get(pk=message_id)
        try:
            _send(message, lease)
        except Exception as exc:  # any transport failure is retried later
            failed_at = timezone.now()
            gave_up = message.attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
                status=OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING,
                next_attempt_at=None if gave_up else failed_at + retry_delay(message.attempts),
                claimed_until=None,
                last_error=type(exc).__name__[:300],
                updated_at=failed_at,
            )
            logger.warning("outbox message %s not delivered: %s", message.uuid, type(exc).__name__)
            continue
        _fault("after_send")
        done_at = timezone.now()
        marked = OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
            status=OutboxStatus.SENT,
            sent_at=done_at,
            claimed_until=None,
            last_error="",
            updated_at=done_at,
        )
        if marked:
            sent += 1
        else:
            # The lease ran out mid-send and another relay took the message
            # over; it sends the same Message-ID, which the receiver drops.
            logger.warning("outbox message %s sent after its lease ended", message.uuid)
    return sent


# --- Notifications -----------------------------------------------------------------


def _check_url(url: str) -> None:
    # A path on this site, behind the sign-in; never another host.
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 300:
        raise ValueError("a notification links to a path on this site")


def _absolute(path: str) -> str:
    return f"{settings.KAWAL_BASE_URL}{path}"


def _email_text(kind: NotificationKind, notification: Notification) -> tuple[str, str]:
    """Subject and body of the e-mail for one notification, in the site's language."""
    with override(settings.LANGUAGE_CODE):
        subject = _("Kawal Anak: %(label)s") % {"label": kind.label}
        lines = [str(kind.text)]
        if notification.case_number:
            lines.append(_("Case number: %(number)s") % {"number": notification.case_number})
        lines += [
            "",
            _("Open it (sign-in needed): %(link)s")
            % {"link": _absolute(reverse("notify:open", args=[notification.uuid]))},
            "",
            _(
                "This e-mail holds no details of any child. Choose which notifications "
                "reach you by e-mail: %(link)s"
            )
            % {"link": _absolute(reverse("notify:preferences"))},
        ]
    return subject, "\n".join(lines)


def notify_users(
    *, users: Iterable[Any], kind: str, url: str, key: str, case_number: str = ""
) -> int:
    """Write one notification per user (once per key) and queue the e-mails due at once.

    Call it inside the transaction of the change that causes it. Inactive
    users are skipped. Returns how many notifications were new.
    """
    spec = kind_for(kind)
    if spec is None:
        raise LookupError(f"unknown notification kind {kind!r}")
    _check_url(url)
    if not key or len(key) > 200:
        raise ValueError("a notification needs a key of at most 200 characters")
    recipients = {
        user.pk: user for user in users if user is not None and user.pk and user.is_active
    }
    if not recipients:
        return 0
    with transaction.atomic():
        taken = set(
            Notification.objects.filter(key=key, recipient_id__in=recipients).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [recipients[pk] for pk in sorted(recipients) if pk not in taken]
        if not fresh:
            return 0
        choices = dict(
            NotificationPreference.objects.filter(user_id__in=[u.pk for u in fresh]).values_list(
                "user_id", "by_kind"
            )
        )
        now = timezone.now()
        rows = []
        for user in fresh:
            delivery = (
                delivery_for(spec, choices.get(user.pk)) if user.email else EmailDelivery.NONE
            )
            rows.append(
                Notification(
                    recipient=user,
                    kind=spec.key,
                    url=url,
                    case_number=case_number[:32],
                    key=key,
                    created_at=now,
                    email=delivery,
                    emailed_at=now if delivery == EmailDelivery.IMMEDIATE else None,
                )
            )
        # A concurrent writer of the same key wins quietly: the unique
        # (recipient, key) keeps one row, and the outbox key one e-mail.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        immediate = [row for row in rows if row.email == EmailDelivery.IMMEDIATE]
        for row in immediate:
            subject, body = _email_text(spec, row)
            _enqueue(
                to=row.recipient.email,
                subject=subject,
                body=body,
                key=f"notification:{row.recipient_id}:{key}",
            )
        if immediate:
            _deliver_after_commit()
    return len(rows)


def _digest_text(rows: list[Notification]) -> tuple[str, str]:
    with override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Kawal Anak: %(count)d notification to look at",
            "Kawal Anak: %(count)d notifications to look at",
            len(rows),
        ) % {"count": len(rows)}
        lines = [_("These need looking at in Kawal Anak (sign-in needed):"), ""]
        for row in rows[:DIGEST_MAX_LINES]:
            spec = kind_for(row.kind)
            label = str(spec.label) if spec else row.kind
            number = f" ({row.case_number})" if row.case_number else ""
            lines.append(f"- {label}{number}: {_absolute(reverse('notify:open', args=[row.uuid]))}")
        if len(rows) > DIGEST_MAX_LINES:
            lines.append(
                _("… and %(count)d more.") % {"count": len(rows) - DIGEST_MAX_LINES},
            )
        lines += [
            "",
            _("All your notifications: %(link)s") % {"link": _absolute(reverse("notify:inbox"))},
            _(
                "This e-mail holds no details of any child. Choose which notifications "
                "reach you by e-mail: %(link)s"
            )
            % {"link": _absolute(reverse("notify:preferences"))},
        ]
    return subject, "\n".join(lines)


def send_digests(*, day: date) -> int:
    """Queue one digest e-mail per user for ``day``; returns how many were queued.

    A digest takes every digest notification not yet e-mailed and written
    before the end of ``day``; one already read in the inbox needs no e-mail
    and is only marked. Idempotent per user and day: the digest's outbox key
    is ``digest:<user>:<day>``, so a second run the same day queues nothing,
    and what arrives after the day's digest waits for the next one.
    """
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    users = (
        Notification.objects.filter(
            email=EmailDelivery.DIGEST, emailed_at__isnull=True, created_at__lt=end
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    queued = 0
    for user_id in sorted(set(users)):
        key = f"digest:{user_id}:{day.isoformat()}"
        with transaction.atomic():
            if OutboxMessage.objects.filter(idempotency_key=key).exists():
                continue
            rows = list(
                Notification.objects.select_for_update()
                .filter(
                    recipient_id=user_id,
                    email=EmailDelivery.DIGEST,
                    emailed_at__isnull=True,
                    created_at__lt=end,
                )
                .select_related("recipient")
                .order_by("created_at", "id")
            )
            if not rows:
                continue
            now = timezone.now()
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=now)
            unread = [row for row in rows if row.read_at is None]
            recipient = rows[0].recipient
            if unread and recipient.email and recipient.is_active:
                subject, body = _digest_text(unread)
                _enqueue(to=recipient.email, subject=subject, body=body, key=key)
                queued += 1
    if queued:
        _deliver_after_commit()
    return queued


# --- The user's own inbox and choices ----------------------------------------------


def notification_mark_read(notification: Notification, *, acting_user: Any) -> bool:
    """Mark one of the user's own notifications read; returns whether it was unread."""
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    return bool(
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def notifications_mark_all_read(*, acting_user: Any) -> int:
    return Notification.objects.filter(recipient_id=acting_user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_preferences_set(
    *, by_kind: Mapping[str, str], acting_user: Any, context: AuditContext | None = None
) -> NotificationPreference:
    """Store how each kind reaches the user's mailbox; only registered kinds, urgent never off."""
    known = {kind.key: kind for kind in kinds()}
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key, value in by_kind.items():
        spec = known.get(key)
        if spec is None or value not in EmailDelivery.values:
            errors[key] = _("Choose one of the offered options.")
        elif spec.urgent and value == EmailDelivery.NONE:
            errors[key] = _("Urgent notifications always reach you by e-mail.")
        else:
            clean[key] = value
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=acting_user
        )
        before = dict(preference.by_kind)
        preference.by_kind = {**before, **clean}
        preference.save()
        audit_record(
            "notify.preferences_changed",
            actor=acting_user,
            subject_user=acting_user,
            context=context,
            before=before,
            after=preference.by_kind,
        )
    return preference
