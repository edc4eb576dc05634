"""Benchmark an instruction to a whole city: send, inbox reads, and live push to thousands of open SSE streams.

Usage (the `city` demo loaded into PostgreSQL, dispatch tables migrated):
    DATABASE_URL=postgres://... .venv/bin/python bench/broadcast.py [--clients 5000] [--max-seconds 600]

Measures
1. send → readable: from calling ``send_instruction`` (addressed to the city's root node, i.e. every grid worker)
   until a random worker's inbox query returns it, on another database connection. Repeated ``--sends`` times.
2. inbox query: one worker's inbox page (their memberships, then the 30 newest instructions with their receipts),
   for ``--inbox-samples`` random workers, over a background of ``--background`` instructions to random nodes.
3. live push: ``--clients`` SSE connections (one per distinct worker) to a uvicorn server on loopback; one
   instruction to the city; the time until every connection has received it.
Before that it prints the server's durability settings and the same run's limits (bench/limits.py: disk flushes,
a bare INSERT), so each send is read beside the floor of one commit.
The whole run is bounded by ``--max-seconds`` (an alarm ends it, and the server is always stopped).
Rows it writes (instructions, sessions) are left in the database except the sessions, which are deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import django


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=20)
    parser.add_argument("--inbox-samples", type=int, default=1000)
    parser.add_argument("--background", type=int, default=2000, help="instructions to random nodes first")
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--max-seconds", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("bench ran past --max-seconds")))
    signal.alarm(args.max_seconds)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.clients * 2 + 200:
        sys.exit(f"open files limit {hard} is too low for {args.clients} connections on both ends")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.db import connection

    import limits

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database with the city demo loaded")
    fsync_rate, insert_rate = limits.header(connection)
    rng = random.Random(args.seed)
    setup = Setup(rng)
    print(
        f"database: PostgreSQL {connection.cursor().connection.info.server_version}  nodes: {setup.nodes:,}"
        f"  grid workers: {len(setup.worker_ids):,}  instructions already there: {setup.existing:,}"
    )
    setup.background(args.background)
    send_timings = setup.send_until_readable(args.sends)
    inbox_timings, inbox_rows = setup.inbox_queries(args.inbox_samples)
    print(
        f"send to the whole city → readable in a worker's inbox: p50 {pct(send_timings, 50):.1f} ms"
        f"  max {max(send_timings):.1f} ms  ({len(send_timings)} sends; one commit's floor here:"
        f" {1000 / insert_rate:.2f} ms for a bare INSERT, {1000 / fsync_rate:.2f} ms for a disk flush)"
    )
    print(
        f"inbox query (memberships + 30 newest with receipts): p50 {pct(inbox_timings, 50):.2f} ms"
        f"  p95 {pct(inbox_timings, 95):.2f} ms  max {max(inbox_timings):.2f} ms"
        f"  ({len(inbox_timings)} workers, {statistics.fmean(inbox_rows):.1f} rows each)"
    )
    if args.clients:
        live = setup.live_push(args.clients, args.connect_concurrency, args.max_seconds)
        print(
            f"live push: {live['clients']:,} SSE connections open in {live['connect_s']:.1f} s;"
            f" all received the instruction {live['all_ms']:.0f} ms after the send started"
            f" (p50 {live['p50_ms']:.0f} ms, first {live['first_ms']:.0f} ms; commit took {live['commit_ms']:.1f} ms)"
        )
    print(f"load average at the end: {limits.load_average()}")
    signal.alarm(0)


class Setup:
    def __init__(self, rng: random.Random) -> None:
        from fengqiao.accounts.models import WORKER_ROLES, Membership, User
        from fengqiao.dispatch.models import Instruction
        from fengqiao.grids.models import GridNode

        self.rng = rng
        self.nodes = GridNode.objects.count()
        self.root = GridNode.objects.get(parent__isnull=True)
        sender = User.objects.filter(is_superuser=True).order_by("pk").first()
        if sender is None:
            sys.exit("no superuser to send from: load the demo with `fengqiao demo --scale city`")
        self.sender: User = sender
        self.worker_ids = list(
            Membership.objects.filter(role__in=WORKER_ROLES, active=True).values_list("user_id", flat=True).distinct()
        )
        self.existing = Instruction.objects.count()

    def background(self, count: int) -> None:
        """Instructions to random streets, communities and grids, as weeks of ordinary work would leave."""
        from django.db import transaction

        from fengqiao.dispatch.models import Instruction, InstructionTarget
        from fengqiao.grids.models import GridNode

        have = Instruction.objects.filter(title__startswith="[bench-bg]").count()
        if have >= count:
            return
        nodes = list(GridNode.objects.filter(depth__in=(2, 3, 4)).values_list("pk", "path"))
        t0 = time.perf_counter()
        with transaction.atomic():
            rows = Instruction.objects.bulk_create(
                Instruction(
                    sender=self.sender,
                    sender_name="bench",
                    title=f"[bench-bg] {i}",
                    scope_path="",
                    target_names="",
                )
                for i in range(count - have)
            )
            targets = []
            for row in rows:
                node_id, path = self.rng.choice(nodes)
                targets.append(InstructionTarget(instruction=row, node_id=node_id, path=path, role=""))
            InstructionTarget.objects.bulk_create(targets)
        print(f"background: {count - have:,} instructions to random nodes in {time.perf_counter() - t0:.1f} s")

    def _inbox_sql_check(self) -> Any:
        """Another connection, as another server process would read it."""
        import psycopg
        from django.db import connection

        db = connection.settings_dict
        return psycopg.connect(
            dbname=db["NAME"], user=db["USER"] or None, host=db["HOST"] or None, port=db["PORT"] or None
        )

    def send_until_readable(self, sends: int) -> list[float]:
        from fengqiao.accounts.models import User
        from fengqiao.dispatch import selectors, services

        timings = []
        other = self._inbox_sql_check()
        services.send_instruction(actor=self.sender, title="[bench] 预热", nodes=[self.root])  # warm caches, not timed
        for n in range(sends):
            worker = User.objects.get(pk=self.rng.choice(self.worker_ids))
            sql, params = _inbox_sql(selectors, worker)
            t0 = time.perf_counter()
            instruction = services.send_instruction(
                actor=self.sender, title=f"[bench] 全市指令 {n}", body="bench", nodes=[self.root]
            )
            with other.cursor() as cursor:
                cursor.execute(sql, params)
                ids = [row[0] for row in cursor.fetchall()]
            timings.append((time.perf_counter() - t0) * 1000)
            if instruction.pk not in ids:
                sys.exit(f"instruction {instruction.pk} not readable in worker {worker.pk}'s inbox")
        other.close()
        return timings

    def inbox_queries(self, samples: int) -> tuple[list[float], list[int]]:
        from fengqiao.accounts.models import User
        from fengqiao.dispatch import selectors

        timings, rows = [], []
        for user_id in self.rng.sample(self.worker_ids, min(samples, len(self.worker_ids))):
            t0 = time.perf_counter()
            user = User(pk=user_id)  # what the auth middleware hands over; memberships are read here
            page = list(selectors.inbox(actor=user)[:30])
            timings.append((time.perf_counter() - t0) * 1000)
            rows.append(len(page))
        return timings, rows

    def live_push(self, clients: int, concurrency: int, max_seconds: int) -> dict[str, float]:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.contrib.sessions.models import Session
        from django.utils import timezone
        from django.utils.crypto import get_random_string

        from fengqiao.accounts.models import User
        from fengqiao.dispatch import services

        users = User.objects.filter(pk__in=self.rng.sample(self.worker_ids, clients)).only("pk", "password")
        store = SessionStore()
        expire = timezone.now() + dt.timedelta(hours=2)
        sessions = []
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            key = "bench" + get_random_string(27)
            sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        Session.objects.bulk_create(sessions)
        keys = [s.session_key for s in sessions]
        port = free_port()
        env = {**os.environ, "FENGQIAO_DB_POOL_MAX": os.environ.get("FENGQIAO_DB_POOL_MAX", "16")}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "fengqiao.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--lifespan",
                "off",
                "--backlog",
                "8192",
                "--timeout-keep-alive",
                "600",
            ],
            env=env,
        )
        try:
            _wait_for_port(port, 30)
            box: dict[str, Any] = {}

            def send() -> None:
                box["t0"] = time.perf_counter()
                services.send_instruction(actor=self.sender, title="[bench] 全市实时推送", nodes=[self.root])
                box["commit"] = time.perf_counter()

            result = asyncio.run(_sse_clients(port, keys, settings.SESSION_COOKIE_NAME, concurrency, send, max_seconds))
            t0 = box["t0"]
            received = [(t - t0) * 1000 for t in result["received"]]
            return {
                "clients": len(received),
                "connect_s": result["connect_s"],
                "all_ms": max(received),
                "p50_ms": pct(received, 50),
                "first_ms": min(received),
                "commit_ms": (box["commit"] - t0) * 1000,
            }
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
            Session.objects.filter(session_key__in=keys).delete()


def _inbox_sql(selectors: Any, worker: Any) -> tuple[str, Any]:
    sql, params = selectors.inbox(actor=worker).values_list("id", flat=True)[:30].query.sql_with_params()
    return sql, params


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


async def _sse_clients(
    port: int, keys: list[str], cookie: str, concurrency: int, send: Any, max_seconds: int
) -> dict[str, Any]:
    """Open one SSE stream per session key, wait until all are live, send, and time each stream's receipt.

    A bare asyncio HTTP/1.1 client: 5,000 httpx streams would spend more CPU in the client than the server spends
    delivering, and both share this machine's two cores.
    """
    ready = asyncio.Semaphore(concurrency)
    connected = 0
    all_live = asyncio.Event()
    received: list[float] = []
    writers: list[asyncio.StreamWriter] = []

    async def one(key: str) -> None:
        nonlocal connected
        async with ready:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 16)
            writers.append(writer)
            writer.write(
                (
                    f"GET /dispatch/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    f"Cookie: {cookie}={key}\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            buffer = b""
            while b"event: unread" not in buffer:
                chunk = await reader.read(65536)
                if not chunk:
                    raise RuntimeError(f"stream closed before it was live: {buffer[:300]!r}")
                buffer += chunk
            if b" 200 " not in buffer.split(b"\r\n", 1)[0]:
                raise RuntimeError(f"stream refused: {buffer[:300]!r}")
        connected += 1
        if connected == len(keys):
            all_live.set()
        buffer = b""
        while b"event: instruction" not in buffer:
            chunk = await reader.read(65536)
            if not chunk:
                raise RuntimeError("stream closed before the instruction arrived")
            buffer = buffer[-32:] + chunk
        received.append(time.perf_counter())

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(one(k)) for k in keys]
    deadline = t0 + max_seconds * 0.6
    while not all_live.is_set():
        failed = [t for t in tasks if t.done() and t.exception() is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} streams failed") from failed[0].exception()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"only {connected} of {len(keys)} streams connected")
        await asyncio.sleep(0.1)
    connect_s = time.perf_counter() - t0
    await asyncio.sleep(1.0)  # let the server settle after the connection storm
    thread = threading.Thread(target=send)
    thread.start()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    thread.join()
    for writer in writers:
        writer.close()
    return {"received": received, "connect_s": connect_s}


if __name__ == "__main__":
    main()
