"""ASGI entry point (uvicorn).

Each request goes to the handler its view is written for. The few ``async def`` views (the live inbox stream, which
holds a connection open for hours) run on Django's ASGI handler. Every other request runs Django's WSGI handler in a
thread pool through a2wsgi: Django's ASGI handler runs a sync view through several thread hops and starts a thread
for each request, which under load cost about 2 ms of CPU per request, more than the work of most requests
(docs/decisions/0005-serving-sync-views-over-wsgi-in-asgi.md).
"""

from __future__ import annotations

import asyncio
import functools
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve

django_asgi = get_asgi_application()

from fengqiao.core.checks import refuse_unsafe_keys  # noqa: E402 - needs the apps loaded above

refuse_unsafe_keys()  # production (DEBUG off) never serves on development keys
django_wsgi = WSGIMiddleware(
    get_wsgi_application(),  # type: ignore[arg-type]
    workers=int(os.environ.get("FENGQIAO_THREADS", "8")),
)


@functools.lru_cache(maxsize=4096)
def is_async_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return asyncio.iscoroutinefunction(match.func)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and not is_async_view(scope["path"]):
        await django_wsgi(scope, receive, send)  # type: ignore[arg-type]
    else:
        await django_asgi(scope, receive, send)
