"""The monthly payment cycle for 10,000 placed children across 200 institutions.

Builds, in a dedicated PostgreSQL database, 200 LKSA with 50 children each
(a case, a child, an active placement, a daily meals commitment and, for a
tenth of them, a monthly education commitment too), and a month of roster
presence (about 90 % of days present, a few children leaving mid-month), all
with ``bulk_create``. Then it times, through the app's own service:

1. the month's computation for every institution (``cycles_compute_month``),
2. a re-run of the same month, which must write nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_funding_bench \\
        .venv/bin/python bench/funding/cycle.py
    .venv/bin/python bench/funding/cycle.py --database-url postgres://... --reset

The database is created (and migrated) when missing and reused when it
already holds the data; ``--reset`` drops it first. The computed cycles are
deleted before each timing, so each run times a first computation. It
reports numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kawal_funding_bench"


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


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("KAWAL_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kawal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build(institutions: int, per_institution: int, month: date, seed: int) -> None:
    from kawal.access.catalogue import AgencyKind, Role
    from kawal.accounts.models import Agency, User
    from kawal.cases.models import Case
    from kawal.funding import calc
    from kawal.funding.models import Budget, Commitment, Programme
    from kawal.institutions.models import Institution, InstitutionKind
    from kawal.monitoring.models import Presence
    from kawal.people.models import Person
    from kawal.placement.models import Placement

    rng = random.Random(seed)
    agency, _ = Agency.objects.get_or_create(
        name="Dinas Sosial Bench (sintetis)", defaults={"kind": AgencyKind.DINAS_SOSIAL}
    )
    worker, _ = User.objects.get_or_create(
        username="bench-dinsos",
        defaults={"full_name": "Bench (sintetis)", "role": Role.SOCIAL_WORKER, "agency": agency},
    )
    homes = Institution.objects.bulk_create(
        [
            Institution(
                kind=InstitutionKind.LKSA,
                name=f"LKSA Bench {i:03d} (sintetis)",
                capacity=per_institution + 10,
                registration_number=f"LKS-B-{i:03d}",
                registration_start=date(2020, 1, 1),
                registration_end=date(2099, 1, 1),
                bank_name="Bank Bench (sintetis)",
                bank_account_number=f"99{i:08d}",
                bank_account_holder=f"Yayasan Bench {i:03d}",
            )
            for i in range(institutions)
        ]
    )
    total = institutions * per_institution
    people = Person.objects.bulk_create(
        [
            Person(full_name=f"Anak Bench {n:05d} (sintetis)", sex=rng.choice("FM"))
            for n in range(total)
        ],
        batch_size=2000,
    )
    start = month - timedelta(days=60)
    cases = Case.objects.bulk_create(
        [
            Case(
                number=f"BENCH/{n:05d}",
                child=person,
                opened_on=start,
                intake_channel="outreach",
                risk_level="medium",
                owner=worker,
            )
            for n, person in enumerate(people)
        ],
        batch_size=2000,
    )
    placements = []
    leaving = {}
    for n, case in enumerate(cases):
        ended = None
        if rng.random() < 0.03:
            ended = month + timedelta(days=rng.randrange(0, 27))
        placement = Placement(
            case=case,
            child_id=case.child_id,
            institution=homes[n // per_institution],
            started_on=start,
            ended_on=ended,
            placed_by=worker,
        )
        placements.append(placement)
        if ended:
            leaving[n] = ended
    placements = Placement.objects.bulk_create(placements, batch_size=2000)
    meals = Programme.objects.get(code="permakanan")
    school = Programme.objects.get(code="pendidikan")
    budgets = {
        p.code: Budget.objects.get_or_create(
            fiscal_year=month.year, programme=p, defaults={"amount": 10**13}
        )[0]
        for p in (meals, school)
    }
    end_of_year = date(month.year, 12, 31)
    first = max(start, date(month.year, 1, 1))
    commitments = []
    for n, placement in enumerate(placements):
        last = placement.ended_on or end_of_year
        commitments.append(
            Commitment(
                case_id=placement.case_id,
                placement=placement,
                child_id=placement.child_id,
                budget=budgets["permakanan"],
                programme=meals,
                rate_kind="daily",
                rate=35_000,
                starts_on=first,
                ends_on=last,
                committed_amount=calc.committed_amount("daily", 35_000, first, last),
                committed_by=worker,
            )
        )
        if n % 10 == 0:
            commitments.append(
                Commitment(
                    case_id=placement.case_id,
                    placement=placement,
                    child_id=placement.child_id,
                    budget=budgets["pendidikan"],
                    programme=school,
                    rate_kind="monthly",
                    rate=450_000,
                    starts_on=first,
                    ends_on=last,
                    committed_amount=calc.committed_amount("monthly", 450_000, first, last),
                    committed_by=worker,
                )
            )
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    days = [month + timedelta(days=d) for d in range(calc.days_in_month(month))]
    batch = []
    for placement in placements:
        for day in days:
            if placement.ended_on and day > placement.ended_on:
                break
            batch.append(
                Presence(
                    placement=placement,
                    day=day,
                    present=rng.random() < 0.9,
                    recorded_by=worker,
                )
            )
            if len(batch) >= 20_000:
                Presence.objects.bulk_create(batch)
                batch = []
    Presence.objects.bulk_create(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--institutions", type=int, default=200)
    parser.add_argument("--children", type=int, default=50, help="per institution")
    parser.add_argument("--month", default="2026-03", help="YYYY-MM")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("the bench runs on PostgreSQL: give --database-url postgres://...")
    month = date.fromisoformat(args.month + "-01")
    _ensure_database(args.database_url, args.reset)
    _setup_django(args.database_url)

    from django.db import connection

    from kawal.accounts.models import User
    from kawal.funding import services as svc
    from kawal.funding.models import Commitment, Cycle, Entitlement
    from kawal.monitoring.models import Presence
    from kawal.placement.models import Placement

    wanted = args.institutions * args.children
    if Placement.objects.count() != wanted:
        if Placement.objects.exists():
            sys.exit("the database holds other data: run with --reset")
        began = time.perf_counter()
        _build(args.institutions, args.children, month, args.seed)
        print(f"built {wanted:,} placed children in {time.perf_counter() - began:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    Entitlement.objects.all().delete()
    Cycle.objects.all().delete()
    worker = User.objects.get(username="bench-dinsos")

    began = time.perf_counter()
    first = svc.cycles_compute_month(month, acting_user=worker)
    compute = time.perf_counter() - began
    began = time.perf_counter()
    again = svc.cycles_compute_month(month, acting_user=worker)
    rerun = time.perf_counter() - began

    rows = sum(r.written for r in first)
    total = sum(Entitlement.objects.values_list("amount", flat=True))
    print(f"python {platform.python_version()} · {platform.machine()} · {os.cpu_count()} cpu")
    print(
        f"data: {args.institutions} institutions, {wanted:,} placed children, "
        f"{Commitment.objects.count():,} commitments, {Presence.objects.count():,} roster days"
    )
    print(f"month {month:%Y-%m}: {len(first)} cycles, {rows:,} ledger rows, Rp {total:,}")
    print(f"compute: {compute:.2f} s (limit 10 s) {'OK' if compute < 10 else 'TOO SLOW'}")
    print(
        f"re-run:  {rerun:.2f} s, {sum(r.written for r in again)} rows written "
        f"{'(no-op)' if not any(r.written or r.removed for r in again) else '(NOT a no-op)'}"
    )


if __name__ == "__main__":
    main()
