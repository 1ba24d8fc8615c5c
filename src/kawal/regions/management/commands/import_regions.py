from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kawal.core.audit import AuditContext
from kawal.regions.services import regions_import, regions_read_csv


class Command(BaseCommand):
    help = (
        "Load regions from a CSV file with the columns code, name, level, parent "
        "(and optionally postal_code). Validates codes and hierarchy; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Legal source of the codes")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = regions_read_csv(path)
            self.stdout.write(f"Checking {len(rows)} rows from {path} ...")
            result = regions_import(
                rows,
                context=AuditContext.command("import_regions"),
                source=options["source"],
                progress=self._progress,
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"{len(exc.messages)} problem(s); nothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % max(1, total // 50) == 0:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            end = "\n" if done == total else ""
            stream = self.stdout if self.stdout.isatty() else None
            if stream is not None:
                stream.write(f"\r[{bar}] {done}/{total}", ending=end)
            elif done == total or done % max(1, total // 10) == 0:
                self.stdout.write(f"{done}/{total}")
        sys.stdout.flush()
