"""Two writers on the demo's SQLite file wait for each other instead of failing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Each thread reads, pauses while the other reads too, then writes: with
# deferred transactions neither can upgrade its read lock and SQLite refuses
# one at once ("database is locked"), whatever the busy timeout.
SCRIPT = textwrap.dedent(
    """
    import threading, time
    import django
    django.setup()
    from django.db import connection, connections, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (n integer)")
    barrier = threading.Barrier(2, timeout=5)
    errors = []

    def writer(n):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM t")
                    try:
                        barrier.wait(timeout=0.5)
                    except threading.BrokenBarrierError:
                        pass
                    cursor.execute("INSERT INTO t VALUES (%s)", [n])
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        print("rows", cursor.fetchone()[0], "errors", errors)
    """
)


def test_two_concurrent_writers_both_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAWAL_")}
    env.update(
        KAWAL_ENV="demo",
        DJANGO_SETTINGS_MODULE="kawal.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'writers.sqlite3'}",
        KAWAL_PRIVATE_MEDIA_ROOT=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "rows 2 errors []"
