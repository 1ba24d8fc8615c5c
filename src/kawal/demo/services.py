"""Loading the synthetic demo data; refuses to touch a production database."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kawal.accounts.models import Agency, User
from kawal.core.audit import AuditContext, audit_record
from kawal.demo.data import ACCOUNTS, AGENCIES


@dataclass(frozen=True)
class DemoSummary:
    agencies: int
    accounts: int


def demo_refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "Demo data is never loaded with production settings (KAWAL_ENV=production)."
        )


def demo_load(*, password: str) -> DemoSummary:
    """Create or refresh the demo agencies and one account per role. Idempotent."""
    demo_refuse_in_production()
    with transaction.atomic():
        agencies: dict[str, Agency] = {}
        for spec in AGENCIES:
            agency, _created = Agency.objects.update_or_create(
                name=spec.name,
                defaults={
                    "short_name": spec.short_name,
                    "kind": spec.kind,
                    "region_id": spec.region,
                    "is_active": True,
                },
            )
            agencies[spec.key] = agency
        hashed = make_password(password)
        for account in ACCOUNTS:
            user, _created = User.objects.update_or_create(
                username=account.username,
                defaults={
                    "full_name": account.full_name,
                    "email": f"{account.username}@demo.kawal-anak.invalid",
                    "role": account.role,
                    "agency": agencies[account.agency],
                    "is_active": True,
                    "is_demo_account": True,
                },
            )
            # The demo password is shorter than the rules demand on purpose:
            # it is typed by hand in training sessions and only ever works here.
            # Hashed once for all accounts: Argon2 is slow by design, and
            # every demo account shares this one password anyway.
            user.password = hashed
            user.save(update_fields=["password"])
        audit_record(
            "demo.loaded",
            context=AuditContext.command("demo"),
            agencies=len(agencies),
            accounts=len(ACCOUNTS),
        )
    return DemoSummary(agencies=len(agencies), accounts=len(ACCOUNTS))
