"""The public figures with 100,000 cases: preparing a release, and the public page against its SQL.

Builds, in a dedicated PostgreSQL database, ``--cases`` cases (default 100,000) opened over the
four quarters before the current one, with children across Balikpapan's kelurahan, sexes, ages,
forms, closings, enrolments and placements (``bulk_create``; synthetic). Then it times:

- ``release_prepare`` for the last ended year's quarter with the most cases (all the tables,
  suppression included) and its approval by a second supervisor;
- ``GET /statistik/`` (anonymous, through the test client) and ``GET /statistik/arsip/``;
- the raw SQL of the public page's one query (the newest published release), on the same
  connection, so the ratio says what the template costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_publication_bench \\
        .venv/bin/python bench/publication/public_page.py

The database is created and migrated when missing and reused when it already holds the cases;
``--reset`` drops it first. Each time is the median of ``--runs`` runs after one warm-up.
It reports numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))
sys.path.insert(0, str(HERE.parents[1]))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kawal_publication_bench"


def _ensure_database(url: str, reset: bool) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("KAWAL_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawal.settings")


def _median_ms(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _quarters(today: date) -> list[date]:
    current = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    out = []
    for _ in range(4):
        month = current.month - 3
        current = date(current.year - (month < 1), month + 12 if month < 1 else month, 1)
        out.append(current)
    return sorted(out)


def _build(n_cases: int, seed: int) -> None:
    from django.utils import timezone

    from kawal.access.catalogue import Role
    from kawal.accounts.models import Agency, User
    from kawal.cases.models import Case, CaseClassification, CaseForm, CaseStatus
    from kawal.people.models import Person
    from kawal.regions.models import Region

    if Case.objects.count() >= n_cases:
        return
    rng = random.Random(seed)
    agency, _ = Agency.objects.get_or_create(name="DP3AKB (bench)", defaults={"kind": "dp3akb"})
    owner, _ = User.objects.get_or_create(
        username="bench-owner",
        defaults={"full_name": "Bench Owner", "role": Role.CASE_MANAGER, "agency": agency},
    )
    kelurahan = list(Region.objects.filter(level="kelurahan").values_list("code", flat=True))
    forms = [f.value for f in CaseForm]
    quarters = _quarters(timezone.localdate())
    first, last = quarters[0], quarters[-1] + timedelta(days=89)
    span = (last - first).days
    batch = 5000
    made = Case.objects.count()
    while made < n_cases:
        size = min(batch, n_cases - made)
        people = Person.objects.bulk_create(
            [
                Person(
                    full_name=f"Anak Bench Sintetis {made + k}",
                    sex=rng.choice("FM"),
                    age_min=rng.randint(0, 17),
                    kelurahan_id=rng.choice(kelurahan),
                )
                for k in range(size)
            ]
        )
        cases = []
        for k, person in enumerate(people):
            opened = first + timedelta(days=rng.randint(0, span))
            closed = opened + timedelta(days=rng.randint(20, 200)) if rng.random() < 0.3 else None
            if closed and closed > last:
                closed = None
            cases.append(
                Case(
                    number=f"BENCH/{made + k:07d}",
                    child=person,
                    opened_on=opened,
                    intake_channel="outreach",
                    risk_level="medium",
                    owner=owner,
                    status=CaseStatus.CLOSED if closed else CaseStatus.INTERVENTION,
                    closed_on=closed,
                )
            )
        cases = Case.objects.bulk_create(cases)
        CaseClassification.objects.bulk_create(
            [CaseClassification(case=c, form=rng.choice(forms)) for c in cases]
        )
        made += size
        print(f"  {made:,} cases", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    _ensure_database(args.database_url, args.reset)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from kawal.access.catalogue import Role
    from kawal.accounts.models import Agency, User
    from kawal.cases.models import Case
    from kawal.publication import services as svc
    from kawal.publication.models import Release

    setup_test_environment()
    call_command("migrate", verbosity=0)
    _build(args.cases, args.seed)
    agency, _ = Agency.objects.get_or_create(name="DP3AKB (bench)", defaults={"kind": "dp3akb"})
    sups = [
        User.objects.get_or_create(
            username=f"bench-sup-{n}",
            defaults={
                "full_name": f"Bench Supervisor {n}",
                "role": Role.SUPERVISOR,
                "agency": agency,
            },
        )[0]
        for n in (1, 2)
    ]
    quarter = _quarters(timezone.localdate())[-1]
    period = svc.Period("quarter", quarter)
    in_period = Case.objects.filter(
        opened_on__gte=period.bounds[0], opened_on__lte=period.bounds[1]
    ).count()
    Release.objects.filter(status="pending").delete()
    started = time.perf_counter()
    release = svc.release_prepare(period, acting_user=sups[0])
    prepare_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    release = svc.release_approve(
        release,
        expected_version=release.version,
        fingerprint_seen=release.fingerprint,
        acting_user=sups[1],
    )
    approve_ms = (time.perf_counter() - started) * 1000

    client = Client()
    page_ms = _median_ms(lambda: client.get("/statistik/"), args.runs)
    archive_ms = _median_ms(lambda: client.get("/statistik/arsip/"), args.runs)
    response = client.get("/statistik/")
    assert response.status_code == 200, response.status_code
    sql = (
        "SELECT * FROM publication_release WHERE status = 'published' "
        "ORDER BY period_end DESC, number DESC LIMIT 1"
    )

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    sql_ms = _median_ms(raw, args.runs)
    print(
        f"cases in the database: {Case.objects.count():,}; in {release.period_label}: {in_period:,}"
    )
    print(f"published releases: {Release.objects.filter(status='published').count()}")
    print(f"release_prepare ({release.period_label} v{release.number}): {prepare_ms:.0f} ms")
    print(f"release_approve: {approve_ms:.0f} ms")
    print(f"GET /statistik/ (anonymous, median of {args.runs}): {page_ms:.1f} ms (limit 200)")
    print(f"GET /statistik/arsip/: {archive_ms:.1f} ms")
    print(
        f"raw SQL of the page's query: {sql_ms:.2f} ms (ratio {page_ms / max(sql_ms, 0.01):.0f}x)"
    )
    print(f"  {sql}")


if __name__ == "__main__":
    main()
