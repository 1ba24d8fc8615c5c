from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from kawal.notify.models import OutboxMessage, OutboxStatus
from kawal.notify.services import (
    MAX_ATTEMPTS,
    outbox_deliver,
    outbox_enqueue_email,
    retry_delay,
)

pytestmark = pytest.mark.django_db
REFUSED = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_PORT": 9}


def test_rolled_back_change_leaves_no_message():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k1")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_delivery_marks_sent_and_carries_an_id_derived_from_the_key():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k1")
    assert outbox_deliver() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1 and message.claimed_until is None
    message_id = mail.outbox[0].extra_headers["Message-ID"]
    assert message_id == message.message_id
    assert message_id.endswith("@kawal-anak>") and "k1" not in message_id
    # The same key gives the same Message-ID, whatever row or process sends it.
    assert OutboxMessage(idempotency_key="k1").message_id == message_id
    assert OutboxMessage(idempotency_key="k2").message_id != message_id
    assert outbox_deliver() == 0  # never sent twice
    assert len(mail.outbox) == 1


def test_queueing_the_same_logical_message_twice_stores_one():
    first = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="same")
    second = outbox_enqueue_email(to="a@example.invalid", subject="s2", body="b2", key="same")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert OutboxMessage.objects.get().subject == "s"  # the first writer's message
    # Without a key each call is its own message.
    outbox_enqueue_email(to="a@example.invalid", subject="s", body="b")
    outbox_enqueue_email(to="a@example.invalid", subject="s", body="b")
    assert OutboxMessage.objects.count() == 3


def test_the_retry_schedule_doubles_to_a_cap_without_jitter():
    minutes = [retry_delay(attempt) / timedelta(minutes=1) for attempt in range(1, 11)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]


@override_settings(**REFUSED)
def test_failed_delivery_is_kept_and_retried_on_the_schedule():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
    start = timezone.now()
    for attempt in (1, 2, 3):
        with time_machine.travel(start, tick=False):
            assert outbox_deliver() == 0
        message.refresh_from_db()
        assert message.status == OutboxStatus.PENDING
        assert message.attempts == attempt
        assert message.next_attempt_at == start + retry_delay(attempt)
        assert message.last_error == "ConnectionRefusedError"
        with time_machine.travel(message.next_attempt_at - timedelta(seconds=1), tick=False):
            assert outbox_deliver() == 0  # not due yet: nothing tried
        message.refresh_from_db()
        assert message.attempts == attempt
        start = message.next_attempt_at
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        time_machine.travel(start, tick=False),
    ):
        assert outbox_deliver() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 4


@override_settings(**REFUSED)
def test_delivery_gives_up_after_the_last_attempt():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert outbox_deliver() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == MAX_ATTEMPTS and message.next_attempt_at is None
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert outbox_deliver() == 0
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS


def test_a_live_claim_is_left_alone_and_an_expired_one_is_taken_over():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
    now = timezone.now()
    # As a relay leaves it when it dies after claiming: "sending", lease running.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, attempts=1, claimed_until=now + timedelta(minutes=5)
    )
    assert outbox_deliver() == 0
    assert mail.outbox == []
    with time_machine.travel(now + timedelta(minutes=5, seconds=1), tick=False):
        assert outbox_deliver() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message.message_id]


def test_a_message_whose_relays_keep_dying_is_given_up():
    message = outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING,
        attempts=MAX_ATTEMPTS,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    assert outbox_deliver() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.last_error == "lease expired"
    assert mail.outbox == []


def test_delivery_runs_after_the_commit_of_the_change(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_the_fault_hook_does_nothing_outside_test_settings(monkeypatch, settings):
    # Were the hook live here, this very process would be killed.
    monkeypatch.setenv("KAWAL_OUTBOX_FAULT", "after_claim")
    settings.TESTING = False
    outbox_enqueue_email(to="a@example.invalid", subject="s", body="b", key="k")
    assert outbox_deliver() == 1
