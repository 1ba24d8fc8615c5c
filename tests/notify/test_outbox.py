from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kawal.notify.models import OutboxMessage, OutboxStatus
from kawal.notify.services import outbox_deliver, outbox_enqueue_email

pytestmark = pytest.mark.django_db


def test_rolled_back_change_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue_email(to="a@example.invalid", subject="s", body="b")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_delivery_marks_sent_and_carries_an_id():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b")
    assert outbox_deliver() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{message.uuid}@kawal-anak>"
    assert outbox_deliver() == 0  # never sent twice


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=9)
def test_failed_delivery_is_kept_and_retried_later():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b")
    assert outbox_deliver() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert outbox_deliver() == 0  # not due yet
    message.refresh_from_db()
    assert message.attempts == 1
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False),
    ):
        assert outbox_deliver() == 1
