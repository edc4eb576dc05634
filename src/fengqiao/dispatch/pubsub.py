"""Live push plumbing: one in-process hub per server process, fed by PostgreSQL LISTEN/NOTIFY (or directly on SQLite).

Services call :func:`publish` after commit with a small JSON message. On PostgreSQL that becomes
``NOTIFY fengqiao_dispatch`` and every server process's single listening connection hands it to its :data:`hub`;
elsewhere the message goes straight to this process's hub. The hub keeps its SSE clients indexed by the
(ancestor path, role) keys they can be reached by, so waking the addressees of an instruction to a whole city is a
dictionary lookup and one batched callback per event loop, never a query per client.

Messages (``t`` is the type):
    {"t": "i", "id": 12, "targets": [[path, role], ...], "sender": 3, "event": {...}}  a new instruction
    {"t": "n", "users": [4, 5], "id": 40}                                               new notifications
    {"t": "r", "users": [4]}                                                            read state changed
    {"t": "k", "users": [3], "instruction": 12}                                         a receipt for a sender
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from fengqiao.core.scoping import ancestor_paths

log = logging.getLogger(__name__)

CHANNEL = "fengqiao_dispatch"
NOTIFY_LIMIT = 7900  # PostgreSQL's payload limit is 8000 bytes

Key = tuple[str, str]


def reach_keys(memberships: Iterable[tuple[str, str]]) -> frozenset[Key]:
    """Every (target path, target role) an instruction may carry and still reach someone with these memberships."""
    keys: set[Key] = set()
    for path, role in memberships:
        for ancestor in ancestor_paths(path):
            keys.add((ancestor, ""))
            keys.add((ancestor, role))
    return frozenset(keys)


@dataclass(eq=False)
class Client:
    """One open SSE connection."""

    user_id: int
    keys: frozenset[Key]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)

    def deliver(self, message: dict[str, Any]) -> None:
        self.queue.put_nowait(message)


class Hub:
    """This process's registry of SSE clients."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[Key, set[Client]] = defaultdict(set)
        self._by_user: dict[int, set[Client]] = defaultdict(set)
        self.delivered = 0

    def subscribe(self, client: Client) -> None:
        with self._lock:
            for key in client.keys:
                self._by_key[key].add(client)
            self._by_user[client.user_id].add(client)

    def unsubscribe(self, client: Client) -> None:
        with self._lock:
            for key in client.keys:
                bucket = self._by_key.get(key)
                if bucket is not None:
                    bucket.discard(client)
                    if not bucket:
                        del self._by_key[key]
            users = self._by_user.get(client.user_id)
            if users is not None:
                users.discard(client)
                if not users:
                    del self._by_user[client.user_id]

    def __len__(self) -> int:
        with self._lock:
            return sum(len(c) for c in self._by_user.values())

    def recipients(self, message: dict[str, Any]) -> set[Client]:
        with self._lock:
            if message.get("t") == "i":
                found: set[Client] = set()
                for path, role in message.get("targets", []):
                    found |= self._by_key.get((path, role), set())
                sender = message.get("sender")
                return {c for c in found if c.user_id != sender}
            found = set()
            for user_id in message.get("users", []):
                found |= self._by_user.get(int(user_id), set())
            return found

    def dispatch(self, message: dict[str, Any]) -> int:
        """Hand ``message`` to every client it concerns: one callback per event loop, whatever thread we are in."""
        clients = self.recipients(message)
        by_loop: dict[asyncio.AbstractEventLoop, list[Client]] = defaultdict(list)
        for client in clients:
            by_loop[client.loop].append(client)
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for loop, group in by_loop.items():
            if loop is running:
                _deliver_all(group, message)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_deliver_all, group, message)
        self.delivered += len(clients)
        return len(clients)


def _deliver_all(clients: list[Client], message: dict[str, Any]) -> None:
    for client in clients:
        client.deliver(message)


hub = Hub()


def backend() -> str:
    """``postgres`` (LISTEN/NOTIFY between processes) or ``local`` (this process only)."""
    configured = getattr(settings, "FENGQIAO_DISPATCH_PUBSUB", "")
    if configured:
        return str(configured)
    return "postgres" if connection.vendor == "postgresql" else "local"


def publish(message: dict[str, Any]) -> None:
    """Send ``message`` to every server process (call after commit)."""
    if backend() != "postgres":
        hub.dispatch(message)
        return
    with connection.cursor() as cursor:
        for payload in _payloads(message):
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])


def _payloads(message: dict[str, Any]) -> list[str]:
    """Fit under NOTIFY's limit: an instruction goes by reference, a long list of users in several parts."""
    payload = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    if len(payload.encode()) <= NOTIFY_LIMIT:
        return [payload]
    if message.get("t") == "i":
        return [json.dumps({"t": "i", "id": message["id"], "ref": True})]
    users = list(message.get("users", []))
    if len(users) < 2:
        raise ValueError("dispatch message too large for NOTIFY")
    half = len(users) // 2
    return _payloads({**message, "users": users[:half]}) + _payloads({**message, "users": users[half:]})


def publish_on_commit(message: dict[str, Any]) -> None:
    """Send ``message`` once the current transaction commits, and never if it rolls back. On PostgreSQL the NOTIFY
    goes inside the writer's own transaction, which PostgreSQL delivers at commit and drops on rollback (a savepoint
    rolled back drops its own): the same promise as an on-commit hook without a durable commit of its own."""
    if backend() == "postgres" and connection.in_atomic_block:
        publish(message)
    else:
        transaction.on_commit(lambda: publish(message))


# --- the PostgreSQL listener: one connection per server process ---------------------------------------------------

_listener_lock = threading.Lock()
_listeners: dict[asyncio.AbstractEventLoop, tuple[asyncio.Task[None], asyncio.Event]] = {}


async def ensure_listener(timeout: float = 5.0) -> None:
    """Start this event loop's LISTEN task once and wait until it listens (PostgreSQL only)."""
    if backend() != "postgres":
        return
    loop = asyncio.get_running_loop()
    with _listener_lock:
        entry = _listeners.get(loop)
        if entry is None or entry[0].done():
            ready = asyncio.Event()
            entry = (loop.create_task(_listen(ready)), ready)
            _listeners[loop] = entry
    try:
        await asyncio.wait_for(entry[1].wait(), timeout)
    except TimeoutError:
        log.warning("dispatch: LISTEN not ready after %.0f s; live push may lag", timeout)


def _conninfo() -> dict[str, Any]:
    db = connection.settings_dict
    params: dict[str, Any] = {"dbname": db["NAME"], "autocommit": True}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if db.get(key):
            params[name] = db[key]
    return params


async def _listen(ready: asyncio.Event) -> None:
    import psycopg

    params = _conninfo()
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(**params)
            async with conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                ready.set()
                async for note in conn.notifies():
                    try:
                        message = json.loads(note.payload)
                    except ValueError:
                        log.warning("dispatch: unreadable notification %r", note.payload[:200])
                        continue
                    if message.get("ref"):
                        message = await _resolve(message)
                    hub.dispatch(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dispatch: LISTEN connection lost; reconnecting")
            await asyncio.sleep(1.0)


async def _resolve(message: dict[str, Any]) -> dict[str, Any]:
    from asgiref.sync import sync_to_async

    from fengqiao.dispatch.selectors import instruction_message

    return await sync_to_async(instruction_message)(int(message["id"]))
