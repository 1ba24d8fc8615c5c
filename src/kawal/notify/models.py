"""The outbox, the in-app notifications and each user's choice of e-mail.

An outbox message is written in the same transaction as the change it
announces, so it exists if and only if that change was committed. Its
``idempotency_key`` names the logical message: queueing it twice stores one
row, and the e-mail's Message-ID is derived from the key, so a message sent
again after a crash carries the same Message-ID and a receiver can drop the
copy (docs/notifications.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kawal.access.catalogue import DataClass, classified
from kawal.core.models import TimestampedModel, UUIDModel

MESSAGE_ID_NAMESPACE = uuid.UUID("6f1d8f2e-4b0a-5c3e-9a57-0c8d6b1e2f40")
MESSAGE_ID_DOMAIN = "kawal-anak"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed (gave up)")


class OutboxMessage(UUIDModel, TimestampedModel):
    channel = models.CharField(_("channel"), max_length=16, default="email")
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, unique=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A relay that claims a message owns it until the lease ends; a relay that
    # died holding it leaves it to the next run once the lease has expired.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(
                fields=["claimed_until"],
                condition=Q(status="sending"),
                name="notify_outbox_leases",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def message_id(self) -> str:
        """The same key always gives the same Message-ID, whichever relay sends it."""
        return f"<{uuid.uuid5(MESSAGE_ID_NAMESPACE, self.idempotency_key)}@{MESSAGE_ID_DOMAIN}>"


class EmailDelivery(models.TextChoices):
    NONE = "none", _("inbox only")
    IMMEDIATE = "immediate", _("e-mail at once")
    DIGEST = "digest", _("in the daily digest")


class Notification(UUIDModel):
    """One thing one user should look at; the text comes from its kind."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    url = models.CharField(_("link"), max_length=300)
    case_number = classified(
        models.CharField(_("case number"), max_length=32, blank=True), DataClass.BASIC
    )
    key = models.CharField(_("key"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # How it reaches the recipient's mailbox, fixed when it is written, and
    # when it went into the outbox (at once, or with the day's digest).
    email = models.CharField(
        _("e-mail"), max_length=16, choices=EmailDelivery.choices, default=EmailDelivery.NONE
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox"),
            # The header's badge counts these on every page.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread"
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(email="digest", emailed_at__isnull=True),
                name="notify_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(TimestampedModel):
    """Which kinds a user gets by e-mail, and how; a kind left out keeps its default.

    The default: urgent kinds are e-mailed at once, every other kind goes into
    the daily digest. ``by_kind`` maps a kind's key to an ``EmailDelivery``
    value; one row per user keeps the look-up on every notification to one
    query however many kinds there are.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    by_kind = models.JSONField(_("e-mail per kind"), default=dict, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)
