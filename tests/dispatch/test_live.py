"""Live push: the hub wakes only addressees, the SSE stream replays what a reconnecting client missed."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from asgiref.sync import async_to_sync
from django.db import connection

from fengqiao.dispatch import pubsub, selectors, services
from fengqiao.dispatch.stream import Cursor, events


@pytest.fixture(autouse=True)
def _local_pubsub(settings):
    settings.FENGQIAO_DISPATCH_PUBSUB = "local"


def frames(chunks):
    """Parse SSE chunks into (id, event, data) tuples, skipping comments and retry lines."""
    out = []
    for chunk in chunks:
        fields = dict(line.split(": ", 1) for line in chunk.strip().splitlines() if ": " in line and line[0] != ":")
        if "event" in fields:
            out.append((fields.get("id"), fields["event"], json.loads(fields["data"])))
    return out


def first_chunks(user, cursor, count):
    async def run():
        stream = events(user, cursor, heartbeat=0.05)
        chunks = []
        try:
            while len(chunks) < count:
                chunks.append(await asyncio.wait_for(stream.__anext__(), 5))
        finally:
            await stream.aclose()
        return chunks

    return async_to_sync(run)()


def send(actor, node, title="防汛巡查"):
    return services.send_instruction(actor=actor, title=title, nodes=[node])


def test_reach_keys_cover_every_ancestor_with_and_without_the_role():
    keys = pubsub.reach_keys([("4101/410105/", "grid_worker")])
    assert keys == {("4101/", ""), ("4101/", "grid_worker"), ("4101/410105/", ""), ("4101/410105/", "grid_worker")}


def test_the_hub_wakes_only_the_addressees_of_an_instruction(tree, dispatcher, worker_a, worker_b):
    loop = asyncio.new_event_loop()
    try:
        a = pubsub.Client(worker_a.pk, pubsub.reach_keys(selectors.memberships_of(worker_a)), loop)
        b = pubsub.Client(worker_b.pk, pubsub.reach_keys(selectors.memberships_of(worker_b)), loop)
        hub = pubsub.Hub()
        hub.subscribe(a)
        hub.subscribe(b)
        instruction = send(dispatcher, tree["410105001"])
        assert hub.recipients(selectors.instruction_message(instruction.pk)) == {a}
        hub.unsubscribe(a)
        hub.unsubscribe(b)
        assert len(hub) == 0
    finally:
        loop.close()


def test_a_reconnecting_client_gets_the_instructions_it_missed(tree, dispatcher, worker_a):
    seen = send(dispatcher, tree["410105001"], "第一条")
    missed = send(dispatcher, tree["410105001"], "第二条")
    parsed = frames(first_chunks(worker_a, Cursor.parse(f"{seen.pk}.0"), 3))
    assert parsed[0][:2] == (f"{missed.pk}.0", "instruction")
    assert parsed[0][2]["title"] == "第二条"
    assert parsed[1][1] == "unread" and parsed[1][2]["unread"] == 2


def test_a_client_without_a_cursor_starts_from_now(tree, dispatcher, worker_a):
    send(dispatcher, tree["410105001"])
    parsed = frames(first_chunks(worker_a, None, 2))
    assert [p[1] for p in parsed] == ["unread"]


def test_an_open_stream_receives_a_new_instruction_with_the_unread_count(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree["410105001"])
    message = selectors.instruction_message(instruction.pk)

    async def run():
        stream = events(worker_a, Cursor(instruction.pk, 0), heartbeat=5)
        try:
            opening = [await stream.__anext__(), await stream.__anext__()]
            pubsub.hub.dispatch({**message, "id": instruction.pk + 1})  # as if a newer one had just committed
            return opening, await asyncio.wait_for(stream.__anext__(), 2)
        finally:
            await stream.aclose()

    opening, pushed = async_to_sync(run)()
    assert frames(opening)[0][2] == {"unread": 1}
    ((event_id, kind, data),) = frames([pushed])
    assert (event_id, kind, data["unread"]) == (f"{instruction.pk + 1}.0", "instruction", 2)


def test_the_stream_sends_heartbeat_comments_when_idle(tree, worker_a):
    chunks = first_chunks(worker_a, None, 3)
    assert chunks[2] == ": ping\n\n"


def test_the_stream_needs_a_signed_in_user(client, db):
    assert client.get("/dispatch/stream/").status_code in (302, 401)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY needs PostgreSQL")
def test_postgres_notify_reaches_the_listening_hub(tree, settings):
    settings.FENGQIAO_DISPATCH_PUBSUB = "postgres"
    got = []

    async def run():
        loop = asyncio.get_running_loop()
        client = pubsub.Client(7, frozenset({("4101/", "")}), loop)
        pubsub.hub.subscribe(client)
        try:
            await pubsub.ensure_listener()
            from asgiref.sync import sync_to_async

            await sync_to_async(pubsub.publish)({"t": "i", "id": 1, "sender": 0, "targets": [["4101/", ""]]})
            got.append(await asyncio.wait_for(client.queue.get(), 5))
        finally:
            pubsub.hub.unsubscribe(client)
            for task, _ready in list(pubsub._listeners.values()):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            pubsub._listeners.clear()

    asyncio.run(run())
    assert got[0]["id"] == 1
