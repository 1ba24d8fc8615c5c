"""The dashboards with 100,000 cases: every role's page, and each figure against its raw SQL.

Builds, in a dedicated PostgreSQL database, 100,000 cases opened over the
three years before today (the rows ``kawal.demo.history`` makes for the demo,
at scale, with ``bulk_create``): children across Balikpapan's kelurahan,
forms, reports and outreach finds, assessment notes, shelter stays,
placements, enrolments, closings, repeat cases and overdue tasks; 50 case
managers and 5 supervisors, psychologists on a twentieth of the cases,
20 shelters with 200 beds, 50 institutions and a year's budget lines.
Then, for every role that sees a dashboard (and the city scope where the role
has it), it times:

- the whole request (``GET /angka/`` through the test client, signed in),
- the dashboard selector alone (``kawal.figures.selectors.dashboard``),
- each figure's selector and the raw SQL of its main query, run with the same
  parameters on the same connection (the ratio says what the Python costs).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawal_figures_bench \\
        .venv/bin/python bench/figures/dashboards.py
    .venv/bin/python bench/figures/dashboards.py --database-url postgres://... --reset

The database is created (and migrated) when missing and reused when it
already holds the data; ``--reset`` drops it first. Each time is the median
of ``--runs`` runs after one warm-up. It reports numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))
sys.path.insert(0, str(HERE.parents[1]))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kawal_figures_bench"
LIMIT_MS = 500


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


def _user(username: str, role: Any, agency: Any) -> Any:
    from kawal.accounts.models import User

    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"full_name": f"{username} (sintetis)", "role": role, "agency": agency},
    )
    return user


def _agency(name: str, kind: str) -> Any:
    from kawal.accounts.models import Agency

    agency, _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    return agency


def _build(count: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kawal.access.catalogue import AgencyKind, Role
    from kawal.cases.models import Case, CaseMember
    from kawal.demo.history import Actors, history_rows, save_history
    from kawal.funding.models import Budget, Programme
    from kawal.institutions.models import Institution, InstitutionKind
    from kawal.regions.models import Region
    from kawal.shelters.models import Bed, Room, Shelter, Stay

    rng = random.Random(seed)
    dp3akb = _agency("DP3AKB Bench (sintetis)", AgencyKind.DP3AKB)
    uptd = _agency("UPTD PPA Bench (sintetis)", AgencyKind.UPTD_PPA)
    dinsos = _agency("Dinas Sosial Bench (sintetis)", AgencyKind.DINAS_SOSIAL)
    psychology = _agency("Psikologi Bench (sintetis)", AgencyKind.PSYCHOLOGY)
    owners = [_user(f"bench-manajer-{n:02d}", Role.CASE_MANAGER, dp3akb) for n in range(50)]
    supervisors = [_user(f"bench-supervisor-{n}", Role.SUPERVISOR, dp3akb) for n in range(5)]
    psychologist = _user("bench-psikolog", Role.PSYCHOLOGIST, psychology)
    staff = _user("bench-uptd", Role.SHELTER_STAFF, uptd)
    worker = _user("bench-dinsos", Role.SOCIAL_WORKER, dinsos)
    _user("bench-keuangan", Role.FINANCE_OFFICER, dinsos)
    _user("bench-dpo", Role.DATA_PROTECTION_OFFICER, dp3akb)
    shelters = Shelter.objects.bulk_create(
        [Shelter(agency=uptd, name=f"Rumah Aman Bench {n:02d}") for n in range(20)]
    )
    rooms = Room.objects.bulk_create(
        [Room(shelter=s, name=f"Kamar {n}") for s in shelters for n in range(2)]
    )
    beds = Bed.objects.bulk_create(
        [Bed(room=room, label=f"Tempat tidur {n}") for room in rooms for n in range(5)]
    )
    institutions = Institution.objects.bulk_create(
        [
            Institution(
                kind=InstitutionKind.LKSA,
                name=f"LKSA Bench {n:02d} (sintetis)",
                capacity=40,
                registration_number=f"LKS-B-{n:02d}",
                registration_start=date(2020, 1, 1),
                registration_end=date(2099, 1, 1),
            )
            for n in range(50)
        ]
    )
    kelurahan = list(Region.objects.filter(level="kelurahan", code__startswith="64.71."))
    today = timezone.localdate()
    serial = iter(range(1, 10**7))
    with transaction.atomic():
        rows = history_rows(
            count,
            start=today - timedelta(days=3 * 365),
            end=today - timedelta(days=1),
            actors=Actors(
                owners=owners,
                supervisors=supervisors,
                staff=worker,
                beds=beds,
                institutions=institutions,
                kelurahan=kelurahan,
            ),
            rng=rng,
            numbers=lambda year: f"BENCH/{year}/{next(serial):06d}",
        )
        save_history(rows, operations={})
        cases = list(Case.objects.values_list("pk", "child_id", "status"))
        CaseMember.objects.bulk_create(
            [
                CaseMember(
                    case_id=pk,
                    user=psychologist,
                    case_role="Psikolog (sintetis)",
                    data_classes=["identity", "whereabouts", "clinical", "progress"],
                    added_by=owners[0],
                )
                for pk, _child, _status in cases[::20]
            ],
            batch_size=5000,
        )
        # The shelter staff's agency is on the cases staying now.
        open_cases = [(pk, child) for pk, child, status in cases if status != "closed"]
        staying = open_cases[: len(beds) - 20]
        now = timezone.now()
        Stay.objects.bulk_create(
            [
                Stay(
                    case_id=pk,
                    child_id=child,
                    bed=bed,
                    admitted_at=now - timedelta(days=rng.randint(1, 60)),
                    began_at=now - timedelta(days=61),
                    arrived_from="outreach",
                    brought_by="Bench (sintetis)",
                    admitted_by=staff,
                    reason="Bench (sintetis)",
                )
                for (pk, child), bed in zip(staying, beds, strict=False)
            ]
        )
        CaseMember.objects.bulk_create(
            [
                CaseMember(
                    case_id=pk,
                    agency=uptd,
                    case_role="Rumah aman (sintetis)",
                    data_classes=["identity", "whereabouts"],
                    added_by=owners[0],
                )
                for pk, _child in staying
            ]
        )
        for n, code in enumerate(["permakanan", "pendidikan"]):
            programme, _ = Programme.objects.get_or_create(
                code=f"bench-{code}",
                defaults={"name_id": code.title(), "account_code": f"5.1.02.{n:02d}", "order": n},
            )
            Budget.objects.get_or_create(
                fiscal_year=today.year, programme=programme, defaults={"amount": 10**10}
            )


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: plans, caches, translations
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def _raw(queryset: Any) -> Callable[[], Any]:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()

    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument(
        "--jit",
        action="store_true",
        help="keep PostgreSQL's JIT on (the default server setting); off by default, "
        "as docs/statistics.md asks for the web app's connections",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("the bench runs on PostgreSQL: give --database-url postgres://...")
    _ensure_database(args.database_url, args.reset)
    _setup_django(args.database_url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from tests.helpers import sign_in

    from kawal.accounts.models import User
    from kawal.cases.models import Case
    from kawal.figures import policy
    from kawal.figures import selectors as sel
    from kawal.figures.forms import FigureFilterForm

    if Case.objects.count() < args.cases:
        if Case.objects.exists():
            sys.exit("the database holds other data: run with --reset")
        began = time.perf_counter()
        _build(args.cases, args.seed)
        print(f"built {Case.objects.count():,} cases in {time.perf_counter() - began:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    settings.ALLOWED_HOSTS = ["*"]
    if not args.jit:
        # JIT compiles each dashboard query for ~0.4 s because the scoping
        # rule's subplans inflate the cost estimate (docs/statistics.md).
        # Every new connection (a request may open one) gets the setting.
        from django.db.backends.signals import connection_created

        def _no_jit(sender: Any, connection: Any, **kwargs: Any) -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")

        connection_created.connect(_no_jit, weak=False)
        connection.close()
    today = timezone.localdate()
    print(f"python {platform.python_version()} · {platform.machine()} · {os.cpu_count()} cpu")
    print(f"data: {Case.objects.count():,} cases, opened over three years before {today}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        print(f"jit: {cursor.fetchone()[0]}; load average: {os.getloadavg()}")
    print()
    header = (
        f"{'user / scope':34} {'figure':20} {'selector ms':>11} {'raw SQL ms':>10} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    users = [
        "bench-manajer-00",
        "bench-supervisor-0",
        "bench-psikolog",
        "bench-uptd",
        "bench-dinsos",
        "bench-keuangan",
        "bench-dpo",
    ]
    for username in users:
        user = User.objects.get(username=username)
        for scope in policy.scopes_of(user):
            form = FigureFilterForm({"scope": scope}, user=user, today=today)
            assert form.is_valid(), form.errors
            filters = form.criteria()
            label = f"{username} / {scope}"
            client = Client()
            sign_in(client, user)
            url = f"/angka/?scope={scope}"
            request_ms = _median_ms(lambda c=client, u=url: c.get(u), args.runs)
            selector_ms = _median_ms(
                lambda u=user, f=filters: sel.dashboard(u, f, today), args.runs
            )
            worst = max(worst, request_ms)
            verdict = "OK" if request_ms < LIMIT_MS else "TOO SLOW"
            print(f"{label:34} {'whole request':20} {request_ms:11.0f} {'':>10} {'':>6} {verdict}")
            print(f"{'':34} {'dashboard selector':20} {selector_ms:11.0f}")
            facts_of = sel.case_facts(user, filters)
            ids = [fact.pk for fact in facts_of]
            unseen = [fact.pk for fact in facts_of if not fact.seen]
            cases = len(ids)
            figures: list[tuple[str, Callable[[], Any], Any]] = [
                (
                    f"case figures ({cases:,})",
                    lambda u=user, f=filters: sel.case_figures(u, f),
                    sel.facts_query(user, filters),
                ),
                (
                    "forms",
                    lambda fs=facts_of: sel._forms(fs),
                    sel.forms_query(ids, unseen),
                ),
                (
                    "tasks and triage",
                    lambda u=user, f=filters: sel.work_now(u, f, today),
                    None,
                ),
            ]
            if policy.sees_shelters(user):
                figures.append(
                    ("shelter beds", lambda u=user, f=filters: sel.shelter_occupancy(u, f), None)
                )
            if policy.sees_capacity(user):
                figures.append(
                    ("placed vs capacity", lambda u=user: sel.placement_capacity(u), None)
                )
            if policy.sees_budget(user):
                figures.append(("budget use", lambda u=user: sel.budget_use(u, today.year), None))
            for name, selector, main_query in figures:
                ms = _median_ms(selector, args.runs)
                if main_query is not None and ids:
                    raw_ms = _median_ms(_raw(main_query), args.runs)
                    ratio = f"{ms / raw_ms:6.1f}" if raw_ms else ""
                    print(f"{'':34} {name:20} {ms:11.0f} {raw_ms:10.0f} {ratio}")
                else:
                    print(f"{'':34} {name:20} {ms:11.0f}")
    print()
    print(f"slowest whole request: {worst:.0f} ms (limit {LIMIT_MS} ms)")
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
