from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kawal.core.audit import AuditContext
from kawal.regions.boundaries import boundaries_import, boundaries_read


class Command(BaseCommand):
    help = (
        "Store kelurahan boundaries from a GeoJSON FeatureCollection whose feature properties "
        "carry the Kemendagri code. Checks every feature first: all or nothing; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--code-property",
            default=None,
            help="Feature property holding the code (default: code, kode, kdepum, ...)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = boundaries_import(
                boundaries_read(path),
                code_property=options["code_property"],
                context=AuditContext.command("import_boundaries"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} problem(s); nothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Done: {result.updated} updated, {result.unchanged} unchanged.")
        )
