"""``fengqiao serve``: the ASGI server (uvicorn), optionally with the background worker beside it."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

import uvicorn
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.core.checks import refuse_unsafe_keys


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM as an exception, so the ``finally`` that stops the worker runs.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again under the handler it found; under the
    default action the process would die right there, leaving the worker running (systemd and Docker stop services
    with SIGTERM). A requested stop is a clean exit.
    """
    raise SystemExit(0)


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:  # a task that ignores the request to stop
        worker.kill()
        worker.wait()


class Command(BaseCommand):
    help = "Serve the web UI and API over ASGI (uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="server processes (production: one per core)")
        parser.add_argument("--with-worker", action="store_true", help="also run the background task worker")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_unsafe_keys()  # production (DEBUG off) never serves on development keys
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if not options["quiet"]:
            call_command("demo", "--logins")
            self.stdout.write(f"\n  枫桥 fengqiao → http://{options['host']}:{options['port']}/\n")
        worker = None
        signal.signal(signal.SIGTERM, _stop)
        try:
            if options["with_worker"]:
                worker = subprocess.Popen([sys.executable, "-m", "fengqiao", "worker"])
            uvicorn.run(
                "fengqiao.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                log_level="info",
                proxy_headers=True,
                lifespan="off",
            )
        finally:
            if worker is not None:
                _stop_worker(worker)
