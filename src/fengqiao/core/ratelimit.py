"""Rate limits for public intake, login and the API, counted in the database so they hold across processes.

A fixed window per key: one upsert (``INSERT … ON CONFLICT … DO UPDATE … RETURNING``) per request, which both SQLite
and PostgreSQL run atomically. django-ratelimit was not used because it needs memcached or Redis, and the embedded
default runs with no server at all.
"""

from __future__ import annotations

import functools
import ipaddress
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import CoreErrorCode, DomainError, error_response


class RateLimited(DomainError):
    status = 429


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/m"`` → (20, 60); units s, m, h, d."""
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit.strip()[:1] or "m"]
    return int(count), seconds


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "FENGQIAO_CLIENT_IP_HEADER", "") or "REMOTE_ADDR"
    value = request.META.get(header) or request.META.get("REMOTE_ADDR") or "unknown"
    return str(value).split(",")[0].strip()[:64]


def client_address(request: HttpRequest) -> str | None:
    """The client's address when it is one, else None: for columns that store addresses (django-axes on PostgreSQL
    keeps them as ``inet``, which refuses "unknown", e.g. for ``Client.login()``'s bare request)."""
    value = client_ip(request)
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return value


def hit(key: str, rate: str) -> bool:
    """Count one request for ``key``; False when it goes over ``rate``."""
    if not settings.FENGQIAO_RATE_LIMITS:
        return True
    limit, period = parse_rate(rate)
    bucket = int(time.time() // period)
    table = "core_ratecounter"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, bucket, count, expires) VALUES (%s, %s, 1, %s) "
            f"ON CONFLICT (key, bucket) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key[:200], bucket, (bucket + 1) * period],
        )
        (count,) = cursor.fetchone()
    return int(count) <= limit


def check(request: HttpRequest, group: str, rate: str, key: str | None = None) -> None:
    """Raise RateLimited when this client (or ``key``) has gone over ``rate`` for ``group``."""
    if not hit(f"{group}:{key or client_ip(request)}", rate):
        raise RateLimited(_("请求过于频繁，请稍后再试。"), code=CoreErrorCode.RATE_LIMITED)


def _refused(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    if "json" in request.headers.get("Accept", "") or request.content_type == "application/json":
        return error_response(exc.code, exc.message, status=exc.status)
    return render(request, "429.html", {"message": exc.message}, status=429)


def limit(group: str, rate_setting: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[..., Any]:
    """Decorate a view: over the limit it answers 429 with a page (or JSON for JSON clients)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    check(request, group, getattr(settings, rate_setting))
                except RateLimited as exc:
                    return _refused(request, exc)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def check_lookup(request: HttpRequest) -> None:
    """Count one look-up of a case by its code (an event's or a dispute's), per signed-in user, once per request.

    Signed-in users are limited like the public tracking pages (``FENGQIAO_RATE_LOOKUP``, its own counter), so a
    worker's account cannot be used to walk through codes; anonymous callers are counted by address.
    """
    if getattr(request, "_fengqiao_lookup_counted", False):
        return
    request._fengqiao_lookup_counted = True  # type: ignore[attr-defined]
    user: Caller = getattr(request, "user", None)
    key = f"user:{user.pk}" if signed_in(user) else None
    check(request, "lookup", settings.FENGQIAO_RATE_LOOKUP, key=key)


def check_search(request: HttpRequest) -> None:
    """Count a page's search box (``?q=``, which finds cases by code) as one look-up; browsing without it is not."""
    if request.GET.get("q"):
        check_lookup(request)


def answers_429(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a page whose view may raise :class:`RateLimited` (through :func:`check_lookup`): answer 429."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RateLimited as exc:
            return _refused(request, exc)

    return wrapper


def prune() -> int:
    """Forget counters of buckets that have ended (a periodic job)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_ratecounter WHERE expires < %s", [int(time.time())])
        return cursor.rowcount or 0
