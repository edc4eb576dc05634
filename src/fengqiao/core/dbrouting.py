"""Reads from a streaming replica: which reads may go there, and when they must not.

With ``DATABASE_REPLICA_URL`` set, a PostgreSQL hot standby is the ``replica`` database. Only the pages named in
``FENGQIAO_REPLICA_VIEWS`` (the one map, rankings, queues, figures, exports: read-heavy pages where a second or two of
delay is harmless) read from it, and only when all of these hold:

* the request is a GET or HEAD;
* the caller has not written anything in the last ``FENGQIAO_REPLICA_STICKY_SECONDS`` (a signed cookie set by any
  write request, so a user's own writes are read back from the primary whichever server process answers);
* no transaction is open on the primary (a read inside a write transaction must see that transaction);
* the replica answered the last health check, in recovery and no more than ``FENGQIAO_REPLICA_MAX_LAG_SECONDS``
  behind the primary.

Everything else reads from and writes to the primary. When the replica fails during a page, the page is answered
again from the primary and the replica is left alone for a while; so it is when a health check cannot reach it:
reads keep being served if it stops, and only one page per back-off period pays for trying it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
STICKY_COOKIE = "fq_wrote"
_SALT = "fengqiao.dbrouting.sticky"
UNREACHABLE = "unreachable"

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("fengqiao_replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside go to the replica (when it is healthy and no write transaction is open)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class _Health:
    """The replica's last known state, per server process: checked at most every few seconds, never per query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked = 0.0
        self._usable = False
        self._down_until = 0.0

    def reset(self) -> None:
        with self._lock:
            self._checked, self._usable, self._down_until = 0.0, False, 0.0

    def mark_down(self, reason: str) -> None:
        """The replica failed a read: leave it alone for the back-off period."""
        with self._lock:
            self._usable = False
            self._down_until = time.monotonic() + float(settings.FENGQIAO_REPLICA_BACKOFF_SECONDS)
            self._checked = self._down_until
        log.warning("replica not used for %ss: %s", settings.FENGQIAO_REPLICA_BACKOFF_SECONDS, reason)

    def usable(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._down_until:
                return False
            if now - self._checked < float(settings.FENGQIAO_REPLICA_CHECK_SECONDS):
                return self._usable
            self._checked = now
        usable, why = replica_state()
        if why.startswith(UNREACHABLE):
            self.mark_down(why)  # as after a failed read: a stopped standby is not tried again on the next check
            return False
        with self._lock:
            self._usable = usable
        if not usable:
            log.warning("replica not used: %s", why)
        return usable


health = _Health()


def replica_state() -> tuple[bool, str]:
    """Whether the replica may serve reads now, and why not: it must answer, be a standby, and have replayed the
    primary's WAL or be no more than the allowed lag behind it."""
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)",
                [primary_lsn],
            )
            in_recovery, caught_up, replay_age = cursor.fetchone()
    except DatabaseError as exc:
        _close(REPLICA)
        return False, f"{UNREACHABLE} ({exc.__class__.__name__})"
    if not in_recovery:
        return False, "not a standby"
    if caught_up:
        return True, ""
    if float(replay_age) > float(settings.FENGQIAO_REPLICA_MAX_LAG_SECONDS):
        return False, f"behind the primary by {float(replay_age):.1f} s"
    return True, ""


def _close(alias: str) -> None:
    with suppress(DatabaseError):
        connections[alias].close()


class ReplicaRouter:
    """Django's database router: writes and migrations on the primary, the allowed reads on the replica."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _replica_reads.get() or connections[PRIMARY].in_atomic_block:
            return None
        return REPLICA if health.usable() else None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: every object lives in both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def wrote_recently(request: HttpRequest) -> bool:
    """Whether the caller wrote in the last few seconds: a missing, forged or expired mark says no."""
    mark = request.get_signed_cookie(
        STICKY_COOKIE, default=None, salt=_SALT, max_age=dt.timedelta(seconds=settings.FENGQIAO_REPLICA_STICKY_SECONDS)
    )
    return mark is not None


class ReplicaReadsMiddleware:
    """Runs the named read pages with replica reads allowed; marks writers so they read their writes back.

    Last in MIDDLEWARE: its ``process_view`` calls the view itself so that a page whose replica read fails can be
    answered again from the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.views = frozenset(settings.FENGQIAO_REPLICA_VIEWS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and configured():
            response.set_signed_cookie(
                STICKY_COOKIE,
                "1",
                salt=_SALT,
                max_age=int(settings.FENGQIAO_REPLICA_STICKY_SECONDS) + 1,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (
            not configured()
            or request.method not in ("GET", "HEAD")
            or match is None
            or match.view_name not in self.views
            or wrote_recently(request)
        ):
            return None
        try:
            with replica_reads():
                return view(request, *args, **kwargs)
        except DatabaseError as exc:
            if not _replica_failed():
                raise
            health.mark_down(f"{exc.__class__.__name__} during {match.view_name}")
            _close(REPLICA)
        return view(request, *args, **kwargs)  # the same read page, from the primary


def _replica_failed() -> bool:
    """Whether the replica connection is the one that broke (its wrapper says so after a failed query)."""
    wrapper = connections[REPLICA]
    return bool(wrapper.errors_occurred)
