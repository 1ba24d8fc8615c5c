from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kawal.access.catalogue import AgencyKind, Role
from kawal.accounts.models import Agency
from kawal.accounts.services import set_password_url, user_create
from kawal.core.audit import AuditContext


class Command(BaseCommand):
    help = (
        "Create a system administrator (and their agency if new) and print a "
        "set-password link. Used once on a new installation; later accounts are "
        "created in the configuration console."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--agency", required=True, help="Agency name (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        context = AuditContext.command("create_admin")
        try:
            with transaction.atomic():
                agency, _created = Agency.objects.get_or_create(
                    name=options["agency"], defaults={"kind": AgencyKind.OTHER}
                )
                user = user_create(
                    username=options["username"],
                    full_name=options["full_name"],
                    email=options["email"],
                    agency=agency,
                    role=Role.SYSTEM_ADMIN,
                    acting_user=None,
                    context=context,
                    send_link=False,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"System administrator {user.username} created."))
        self.stdout.write("Open this link within three days to set the password:")
        self.stdout.write(set_password_url(user))
