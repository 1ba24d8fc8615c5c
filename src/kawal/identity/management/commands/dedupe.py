"""kawal dedupe: scan the registry for possible duplicate children."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kawal.identity import dedupe
from kawal.identity.matching import min_labels


class Command(BaseCommand):
    help = (
        "Compare children changed since the last run (or all, with --full) and put possible "
        "duplicates in the review queue. Interrupt at any time; the next run resumes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Scan everyone, from the start.")
        parser.add_argument("--fit", action="store_true", help="Re-estimate the model (EM).")
        parser.add_argument(
            "--reindex", action="store_true", help="Rebuild the matching index first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = dedupe.run(
                full=options["full"],
                refit=options["fit"],
                reindex_first=options["reindex"],
                progress=self._progress,
            )
        except KeyboardInterrupt:
            self.stdout.write("\nInterrupted; run `kawal dedupe` again to resume.")
            sys.exit(130)
        if result.resumed_from:
            self.stdout.write(f"Resumed after {result.resumed_from} pairs.")
        if result.rescored:
            self.stdout.write("Comparison changed since the last scan: every child compared again.")
        if options["reindex"]:
            self.stdout.write(f"Indexed {result.reindexed} children.")
        elif result.reindexed:
            self.stdout.write(f"Matching index rebuilt for {result.reindexed} children (new keys).")
        if result.fitted:
            self.stdout.write(self._fitted(result))
        if result.no_repeats:
            self.stdout.write(
                self.style.WARNING(
                    "Model not re-estimated: the registry holds too few children recorded "
                    "twice to learn from, and the weights would be learnt from brothers and "
                    f"sisters. The model in use stays (version {result.model_version}); "
                    f"reviewers' decisions are used from {min_labels()} on."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.records} children, {result.compared} pairs compared, "
                f"{result.raised} put in the review queue."
            )
        )

    def _fitted(self, result: dedupe.DedupeResult) -> str:
        """What the fit used and how reviewers' decisions moved the weights."""
        if not result.labels:
            needed = min_labels()
            return (
                f"Model re-estimated from the registry (version {result.model_version}); "
                f"reviewers' decisions are used from {needed} on."
            )
        lines = [
            f"Model re-estimated from the registry and {result.labels} reviewers' decisions "
            f"(version {result.model_version}). Weights the decisions moved (bits):"
        ]
        for name, level, before, after in result.changes:
            lines.append(f"  {name} {level}: {before:+.2f} -> {after:+.2f} ({after - before:+.2f})")
        if not result.changes:
            lines.append("  none by 0.1 bits or more")
        return "\n".join(lines)

    def _progress(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        if self.stdout.isatty():
            end = "\n" if done >= total else ""
            self.stdout.write(f"\r{stage} [{bar}] {done}/{total}", ending=end)
        elif done >= total or done % max(1, total // 10) < max(1, total // 100):
            self.stdout.write(f"{stage} [{bar}] {done}/{total}")
        sys.stdout.flush()
