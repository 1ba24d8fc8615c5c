from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kawal.notify.services import outbox_deliver


class Command(BaseCommand):
    help = "Deliver queued outgoing messages; with --loop keep doing so every few seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            sent = outbox_deliver()
            if sent:
                self.stdout.write(f"{sent} message(s) sent")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
