"""``fengqiao worker``: runs queued background tasks (django-tasks' database backend) and the periodic jobs."""

from __future__ import annotations

import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core import periodic
from fengqiao.core.checks import refuse_unsafe_keys


class Command(BaseCommand):
    help = "Run background tasks from the database queue, and periodic jobs (deadline warnings ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run the periodic jobs once and queued tasks, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_unsafe_keys()  # production (DEBUG off) never works on development keys
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if options["once"]:
            ran = periodic.run_due(now=float("inf"))
            self.stdout.write(f"periodic jobs run: {', '.join(ran) or 'none'}")
            call_command("db_worker", "--batch")
            return
        stop = threading.Event()
        thread = threading.Thread(target=periodic.loop, args=(stop,), name="periodic", daemon=True)
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()
