"""The Server-Sent Events stream: new instructions, notifications, unread counts and receipts, live.

Each event that adds to the inbox carries ``id: <instruction id>.<notification id>`` (the highest of each the client
has been sent), so a browser that reconnects sends ``Last-Event-ID`` and gets what it missed. Heartbeat comments every
``HEARTBEAT`` seconds keep proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections

from fengqiao.dispatch import pubsub, selectors
from fengqiao.dispatch.models import Notification

HEARTBEAT = 15.0
PING: dict[str, Any] = {"t": "ping"}
REPLAY_LIMIT = 100


@dataclass
class Cursor:
    instruction: int = 0
    notification: int = 0

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        head, _dot, tail = text.strip().partition(".")
        try:
            return cls(max(0, int(head or 0)), max(0, int(tail or 0)))
        except ValueError:
            return None

    def __str__(self) -> str:
        return f"{self.instruction}.{self.notification}"


def _released(func: Any) -> Any:
    """Run ``func`` in the request's thread, then hand its database connection back to the pool.

    A stream lives for hours; holding a connection for it would cap open streams at the pool size.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            for conn in connections.all(initialized_only=True):
                if not conn.in_atomic_block:
                    conn.close()

    return sync_to_async(call)


def frame(event: str, data: dict[str, Any], event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _instruction_frame(message: dict[str, Any], unread: int, position: Cursor) -> str:
    """Encode the instruction once per message (a city-wide one goes to thousands of streams), add the count."""
    body = message.get("_json")
    if body is None:
        body = message["_json"] = json.dumps(message["event"], ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'id: {position}\nevent: instruction\ndata: {body},"unread":{unread}}}\n\n'


def current_cursor(user: Any) -> Cursor:
    """The newest instruction and notification this user can see: where a freshly loaded page starts."""
    last_i = selectors.inbox(actor=user).values_list("id", flat=True).first() or 0
    last_n = Notification.objects.filter(recipient=user).order_by("-id").values_list("id", flat=True).first() or 0
    return Cursor(last_i, last_n)


def _replay(user: Any, cursor: Cursor) -> list[tuple[str, dict[str, Any], int, int]]:
    missed_i = list(selectors.inbox(actor=user).filter(id__gt=cursor.instruction).order_by("id")[:REPLAY_LIMIT])
    missed_n = list(
        Notification.objects.filter(recipient=user, id__gt=cursor.notification).order_by("id")[:REPLAY_LIMIT]
    )
    out: list[tuple[str, dict[str, Any], int, int]] = []
    out += [("instruction", selectors.instruction_event(i), i.pk, 0) for i in missed_i]
    out += [("notification", selectors.notification_event(n), 0, n.pk) for n in missed_n]
    return out


def _snapshot(user: Any, cursor: Cursor | None) -> tuple[list[tuple[str, dict[str, Any], int, int]], int, Cursor]:
    """What happens at connect, in one thread hop: missed events, the unread count, the starting cursor."""
    start = cursor or current_cursor(user)
    replay = _replay(user, start) if cursor is not None else []
    return replay, selectors.unread_count(actor=user), start


async def events(user: Any, cursor: Cursor | None, *, heartbeat: float = HEARTBEAT) -> AsyncIterator[str]:
    """The stream for one signed-in user; ``cursor`` is where the client was (None: start from now)."""
    keys = await _released(lambda: pubsub.reach_keys(selectors.memberships_of(user)))()
    await pubsub.ensure_listener()
    loop = asyncio.get_running_loop()
    client = pubsub.Client(user_id=user.pk, keys=keys, loop=loop)
    # A timer (not asyncio.wait_for, which costs a task per wait) drops a ping into the queue when idle.
    timer = loop.call_later(heartbeat, client.deliver, PING)
    pubsub.hub.subscribe(client)  # before reading the backlog, so nothing falls between the two
    try:
        replay, unread, position = await _released(_snapshot)(user, cursor)
        yield "retry: 2000\n\n"
        for kind, data, i_id, n_id in replay:
            position.instruction = max(position.instruction, i_id)
            position.notification = max(position.notification, n_id)
            yield frame(kind, data, str(position))
        yield frame("unread", {"unread": unread})
        while True:
            message = await client.queue.get()
            mtype = message.get("t")
            if mtype == "ping":
                timer = loop.call_later(heartbeat, client.deliver, PING)
                yield ": ping\n\n"
            elif mtype == "i":
                if int(message["id"]) <= position.instruction:
                    continue  # already sent from the backlog
                position.instruction = int(message["id"])
                unread += 1
                yield _instruction_frame(message, unread, position)
            elif mtype == "n":
                if int(message.get("id", 0)) <= position.notification:
                    continue
                fresh = await _released(_fresh_notifications)(user, position.notification)
                for note in fresh:
                    position.notification = max(position.notification, note.pk)
                    unread += 1
                    yield frame("notification", {**selectors.notification_event(note), "unread": unread}, str(position))
            elif mtype == "r":
                unread = await _released(selectors.unread_count)(actor=user)
                yield frame("unread", {"unread": unread})
            elif mtype == "k":
                yield frame("receipt", {"instruction": message.get("instruction")})
    finally:
        timer.cancel()
        pubsub.hub.unsubscribe(client)


def _fresh_notifications(user: Any, after: int) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, id__gt=after).order_by("id")[:REPLAY_LIMIT])
