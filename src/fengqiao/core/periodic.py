"""Periodic jobs (deadline warnings, roll-ups): apps register them, ``fengqiao worker`` runs them on a timer.

Jobs must be safe to run twice and from two workers at once (they claim rows with conditional UPDATEs), so a crash
or a second worker never sends a warning twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    func: Callable[[], Any]
    last_run: float = 0.0


JOBS: dict[str, Job] = {}


def register(name: str, every_seconds: float, func: Callable[[], Any]) -> None:
    JOBS[name] = Job(name, every_seconds, func)


def run_due(now: float | None = None) -> list[str]:
    """Run every job whose interval has passed; returns the names run."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in JOBS.values():
        if now - job.last_run >= job.every_seconds:
            job.last_run = now
            close_old_connections()
            try:
                result = job.func()
                log.info("periodic job %s: %s", job.name, result)
            except Exception:
                log.exception("periodic job %s failed", job.name)
            finally:
                close_old_connections()
            ran.append(job.name)
    return ran


def loop(stop: threading.Event, tick: float = 5.0) -> None:
    while not stop.is_set():
        run_due()
        stop.wait(tick)
