"""How long the triage queue takes to build as open reports pile up.

Creates synthetic reports in a throwaway database (SQLite file by default, or
``--database-url`` for PostgreSQL), a share of them naming children and many
at the same few hotspots, then times ``triage_queue`` (the whole queue with
its urgency: under 6, night, same place, same child) warm, several times.

    .venv/bin/python bench/reports/triage.py --open 200 --open 1000 --open 3000

It reports numbers; it is not a test. All data is synthetic.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

FIRST = ["Budi", "Siti", "Rizky", "Dewi", "Agus", "Rani", "Bayu", "Putri", "Dimas", "Wulan"]
LAST = ["Sintesa", "Contoh", "Rekaan", "Sampel", ""]
PLACES = [
    "Simpang Rapak",
    "Pasar Klandasan",
    "Taman Bekapai",
    "Pelabuhan Semayang",
    "Lampu merah Gunung Malang",
    "Depan masjid agung",
    "Terminal Batu Ampar",
    "Pantai Kemala",
]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["KAWAL_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def load(open_count: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kawal.regions.models import Region
    from kawal.reports.models import Report, ReportStatus
    from kawal.reports.services import child_name_keys

    rng = random.Random(seed)  # synthetic data, not security
    kelurahan = list(Region.objects.filter(level="kelurahan"))
    now = timezone.now()
    rows = []
    # As many closed reports in the 60-day window as open ones.
    for index in range(open_count * 2):
        names = ""
        if rng.random() < 0.3:
            names = f"{rng.choice(FIRST)} {rng.choice(LAST)}".strip()
        rows.append(
            Report(
                channel="public_web",
                seen=["tissues"],
                children_count=rng.randint(1, 3),
                youngest_age=rng.choice([4, 6, 8, 10, None]),
                seen_at=now - timedelta(hours=rng.randint(1, 24 * 55)),
                kelurahan=rng.choice(kelurahan),
                landmark=f"{rng.choice(PLACES)} (sintetis {rng.randint(1, 3)})",
                child_names=names,
                child_keys=child_name_keys(names),
                status=ReportStatus.RECEIVED if index < open_count else ReportStatus.HANDLED,
            )
        )
    with transaction.atomic():
        Report.objects.all().delete()
        Report.objects.bulk_create(rows, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--open", type=int, action="append", help="open reports (repeatable)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = args.open or [200, 1000]
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'triage.sqlite3'}"
    setup_django(url)
    from kawal.access.catalogue import Role
    from kawal.accounts.models import Agency, User
    from kawal.reports.selectors import triage_queue

    agency, _ = Agency.objects.get_or_create(name="Bench DP3AKB (synthetic)", kind="dp3akb")
    user, _ = User.objects.get_or_create(
        username="bench-triage", defaults={"role": Role.CASE_MANAGER, "agency": agency}
    )
    print(f"database: {url.split('@')[-1]}")
    print(f"{'open':>6} {'in window':>9} {'median ms':>10} {'max ms':>8} {'same child':>10}")
    for size in sizes:
        load(size, seed=size)
        triage_queue(user)  # warm
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            rows = triage_queue(user)
            times.append((time.perf_counter() - start) * 1000)
        same = sum("same_child" in row.reasons for row in rows)
        print(
            f"{size:>6} {size * 2:>9} {statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{same:>10}"
        )


if __name__ == "__main__":
    main()
