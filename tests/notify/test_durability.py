"""The relay is killed (SIGKILL, a power cut) between steps; the next run loses and repeats nothing.

The relay runs as ``python -m kawal notify_relay`` in its own process, with a
file e-mail backend, against the test database: on PostgreSQL the test
database itself, on SQLite (whose test database lives in this process's
memory) a file copy of it that every relay run of the test shares. The kill
comes from the relay's fault hook (``KAWAL_OUTBOX_FAULT``, honoured only with
test settings), so it happens exactly at the step named.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from kawal.notify.models import OutboxMessage, OutboxStatus
from tests.helpers import run_kawal

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


class Relay:
    """Runs the relay against the shared database and reads back what it left."""

    def __init__(self, tmp_path: Path) -> None:
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.sqlite_file: Path | None = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            self.sqlite_file = tmp_path / "shared.sqlite3"
            copy = sqlite3.connect(self.sqlite_file)
            connection.connection.backup(copy)
            copy.close()
            url = f"sqlite:///{self.sqlite_file}"
        else:
            db = connection.settings_dict
            auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
            # A Unix socket's directory goes in the host part percent-encoded.
            host = quote(db["HOST"] or "localhost", safe="")
            url = f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
        self.env = {
            **os.environ,
            "KAWAL_ENV": "test",
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "tests.notify.relay_settings",
            "KAWAL_TEST_MAIL_DIR": str(self.mail_dir),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }

    def run(self, fault: str = "") -> int:
        env = dict(self.env)
        if fault:
            env["KAWAL_OUTBOX_FAULT"] = fault
        result = run_kawal("notify_relay", env=env)
        if not fault:
            assert result.returncode == 0, result.stderr
        return result.returncode

    def message_ids(self) -> list[str]:
        """The Message-ID of every e-mail the file backend wrote, in order."""
        ids = []
        for path in sorted(self.mail_dir.iterdir()):
            for line in path.read_text().splitlines():
                if line.startswith("Message-ID: "):
                    ids.append(line.removeprefix("Message-ID: "))
        return ids

    def _sql(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.sqlite_file is None:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return list(cursor.fetchall()) if cursor.description else []
        with sqlite3.connect(self.sqlite_file) as db:
            return list(db.execute(sql, params).fetchall())

    def state(self) -> tuple[str, int]:
        [(status, attempts)] = self._sql("SELECT status, attempts FROM notify_outboxmessage")
        return status, attempts

    def lease_runs_out(self) -> None:
        """Time passes beyond the lease (moved, not waited for)."""
        past = timezone.now() - timedelta(seconds=1)
        # Django keeps SQLite datetimes as naive UTC text.
        value = past.replace(tzinfo=None).isoformat(sep=" ") if self.sqlite_file else past
        self._sql("UPDATE notify_outboxmessage SET claimed_until = ?", (value,))


def _committed_message() -> OutboxMessage:
    # Committed with the change it announces; the after-commit delivery of
    # the process that wrote it never ran (that process died too).
    return OutboxMessage.objects.create(
        idempotency_key="notification:1:durability",
        recipient="boss@example.invalid",
        subject="Kawal Anak: durability",
        body="synthetic",
    )


@pytest.fixture
def relay(tmp_path) -> Callable[[], Relay]:
    return lambda: Relay(tmp_path)


def test_killed_after_claim_before_send_is_sent_exactly_once_by_the_next_run(relay):
    message = _committed_message()
    shared = relay()
    assert shared.run(fault="after_claim") == -signal.SIGKILL
    assert shared.message_ids() == []  # nothing went out
    assert shared.state() == (OutboxStatus.SENDING, 1)  # the claim was committed
    shared.run()
    assert shared.message_ids() == []  # a live claim is not taken over
    shared.lease_runs_out()
    shared.run()
    assert shared.message_ids() == [message.message_id]
    assert shared.state() == (OutboxStatus.SENT, 2)
    # A committed "sent" is never sent again: tests/notify/test_outbox.py, in process.


def test_killed_after_send_before_marking_resends_with_the_same_message_id(relay):
    """The one window left: the receiver sees the same Message-ID twice and keeps one."""
    message = _committed_message()
    shared = relay()
    assert shared.run(fault="after_send") == -signal.SIGKILL
    assert shared.message_ids() == [message.message_id]
    assert shared.state() == (OutboxStatus.SENDING, 1)
    shared.lease_runs_out()
    shared.run()
    assert shared.message_ids() == [message.message_id, message.message_id]
    assert shared.state() == (OutboxStatus.SENT, 2)
