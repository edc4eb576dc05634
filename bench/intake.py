"""Benchmark event intake through the HTTP API, beside the raw insert rate, and the dispatcher queue's latency.

Usage (a demo city loaded; PostgreSQL or SQLite):
    DATABASE_URL=postgres://... .venv/bin/python bench/intake.py [--seconds 20] [--concurrency 32] [--workers 2]
        [--queue-events 200000]

1. Starts uvicorn with N workers on 127.0.0.1 (the same ``fengqiao.asgi`` application as ``fengqiao serve``), posts
   events for a bounded time from an asyncio client (aiohttp) with an API key (each request: authenticate, validate,
   locate, save, audit row, metrics delta), and reports accepted events per second.
   Then times the category suggester on its own (it runs when the verifier opens the event, not at intake).
2. Inserts the same rows straight through the intake path without HTTP or locate, one report per transaction (the
   event, its audit row and its metrics delta), then in group-commit batches, for the raw rates.
Before that it prints the server's durability settings and the same run's physical limits (bench/limits.py): the
disk's flush rate, a bare single-row INSERT, and the same server's rate for a trivial view with the same client.
3. Tops the database up to ``--queue-events`` open events and times the dispatcher's first queue page and colour
   counts for a district dispatcher (p50/p95 over repeated calls).
Bench rows carry ``external_id='bench'`` and are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time

import django
import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


async def post_events(
    url: str, key: str, points: list[tuple[float, float]], seconds: float, concurrency: int
) -> tuple[int, int, list[float]]:
    """Post reports for ``seconds`` from ``concurrency`` connections; aiohttp keeps the generator's own cost low
    (about 0.2 ms of CPU a request, against 1.5 ms with httpx), since it shares the machine with the server."""
    import aiohttp

    ok = failed = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok, failed, counter
        while time.perf_counter() < deadline:
            counter += 1
            lon, lat = points[counter % len(points)]
            body = {
                "description": f"压测事件 {counter}：路灯不亮",
                "category": "0404",
                "lon": lon,
                "lat": lat,
                "external_id": "bench",
            }
            t0 = time.perf_counter()
            try:
                async with session.post(url, json=body, headers={"X-API-Key": key}) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError:
                failed += 1
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            if status == 201:
                ok += 1
            else:
                failed += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return ok, failed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--raw-rows", type=int, default=5000)
    parser.add_argument("--queue-events", type=int, default=200_000)
    parser.add_argument("--queue-runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--group-commit-ms", type=float, default=None, help="the server's group-commit window (default: settings)"
    )
    parser.add_argument("--batch", type=int, default=50, help="reports per batch for the raw batched rate")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    import limits
    from fengqiao.accounts.models import Membership, Role
    from fengqiao.events import selectors
    from fengqiao.events.models import ApiClient, Category, Event
    from fengqiao.grids.models import GridNode, Level

    leaves = list(
        GridNode.objects.filter(level=Level.MICRO).values_list("id", "path", "centroid_lon", "centroid_lat")[:5000]
    )
    if not leaves:
        sys.exit("no grids loaded: run `fengqiao demo --scale small` (or larger) first")
    points = [(lon, lat) for _, _, lon, lat in leaves]
    client = ApiClient.objects.filter(name="bench").first() or ApiClient(name="bench")
    client.set_key("bench-key")
    client.save()

    durability = limits.describe(connection)
    print(f"database: {durability}")
    print(f"load average before: {limits.load_average()}")
    fsync_per_s = limits.fsync_rate(limits.data_directory(connection))
    bare_per_s = limits.bare_insert_rate(connection)
    port = free_port()
    # Rate limits off: this measures capacity, not the per-client limit (FENGQIAO_RATE_API).
    env = {**os.environ, "FENGQIAO_LOCATOR_CHECK_SECONDS": "30", "LOG_LEVEL": "WARNING", "FENGQIAO_RATE_LIMITS": "0"}
    if args.group_commit_ms is not None:
        env["FENGQIAO_GROUP_COMMIT_MS"] = str(args.group_commit_ms)
    window_ms = args.group_commit_ms if args.group_commit_ms is not None else settings.FENGQIAO_GROUP_COMMIT_MS
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
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
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # Warm up every worker's locator before timing.
        asyncio.run(post_events(f"http://127.0.0.1:{port}/api/v1/events", "bench-key", points, 3, args.workers * 2))
        ok, failed, latencies = asyncio.run(
            post_events(f"http://127.0.0.1:{port}/api/v1/events", "bench-key", points, args.seconds, args.concurrency)
        )
        load_during = limits.load_average()
        healthz_per_s = limits.request_rate(f"http://127.0.0.1:{port}", seconds=5, concurrency=args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=20)
    rate = ok / args.seconds

    # The category suggestion shown to the verifier (computed when the event page opens, not at intake).
    from fengqiao.events import suggest

    texts = [
        f"压测事件 {i}：小区门口路灯不亮，晚上很黑" if i % 2 else f"楼道里电动车充电 {i}，有火灾隐患"
        for i in range(2000)
    ]
    suggest.suggest(texts[0])  # load the model
    suggest_ms: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        suggest.suggest(text)
        suggest_ms.append((time.perf_counter() - t0) * 1000)

    category = Category.objects.get(code="0404")
    grid_ids = [g for g, _, _, _ in leaves]
    paths = {g: p for g, p, _, _ in leaves}

    serial = secrets.randbelow(10**12) * 10  # fresh codes every run, whatever earlier runs left behind

    def bench_rows(n: int, state: str = "reported") -> list[Event]:
        now = timezone.now()
        rows = []
        nonlocal serial
        for i in range(n):
            serial += 1
            g = grid_ids[i % len(grid_ids)]
            lon, lat = points[i % len(points)]
            rows.append(
                Event(
                    tracking_code=f"B{serial:013d}",
                    grid_id=g,
                    grid_path=paths[g],
                    category=category,
                    source="api",
                    description="压测事件：路灯不亮",
                    lon=lon,
                    lat=lat,
                    state=state,
                    external_id="bench",
                    reported_at=now,
                    stage_started_at=now,
                    due_at=now + timezone.timedelta(hours=(i % 96) - 24),
                    warn_at=now + timezone.timedelta(hours=(i % 96) - 30),
                )
            )
        return rows

    from fengqiao.core import intake
    from fengqiao.events.workflow import EVENT_FLOW

    # One report per transaction: the event, its audit row and its metrics delta, as intake.enter writes them.
    settings.FENGQIAO_GROUP_COMMIT_MS = 0
    t0 = time.perf_counter()
    for row in bench_rows(args.raw_rows):
        intake.enter(row, actor=None, verb="report", workflow=EVENT_FLOW, prefix="B")
    raw_single = args.raw_rows / (time.perf_counter() - t0)
    # The same rows in group-commit batches (what one server process's leader writes for its followers).
    rows = bench_rows(args.raw_rows)
    t0 = time.perf_counter()
    for start in range(0, len(rows), args.batch):
        intake._write_batch(
            [
                intake._Entry(case=row, actor=None, verb="report", workflow=EVENT_FLOW, data={})
                for row in rows[start : start + args.batch]
            ]
        )
    raw_batched = args.raw_rows / (time.perf_counter() - t0)

    existing_open = Event.objects.filter(
        state__in=["reported", "registered", "routed", "signed", "in_progress"]
    ).count()
    missing = max(0, args.queue_events - existing_open)
    t0 = time.perf_counter()
    for start in range(0, missing, 10_000):
        with transaction.atomic():
            Event.objects.bulk_create(bench_rows(min(10_000, missing - start), state="registered"), batch_size=2000)
    fill_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_event")

    membership = (
        Membership.objects.filter(role=Role.DISPATCHER, node__level=Level.DISTRICT).select_related("user").first()
    )
    queue_ms: list[float] = []
    count_ms: list[float] = []
    if membership is not None:
        actor = membership.user
        filters = selectors.QueueFilters(open_only=True)
        for _ in range(args.queue_runs):
            t0 = time.perf_counter()
            list(selectors.event_queue(actor=actor, filters=filters)[:30])
            queue_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            selectors.colour_counts(actor=actor)
            count_ms.append((time.perf_counter() - t0) * 1000)
    open_now = Event.objects.filter(state__in=["reported", "registered"]).count()

    print(
        f"server workers: {args.workers}   client concurrency: {args.concurrency}   group commit: {window_ms:g} ms"
        f"   load average during: {load_during}"
    )
    print(f"limit: disk flushes (8 kB write + fdatasync): {fsync_per_s:,.0f}/s")
    print(f"limit: bare single-row autocommit INSERT through Django: {bare_per_s:,.0f}/s")
    print(f"limit: GET /healthz on the same server and client: {healthz_per_s:,.0f} requests/s")
    print(
        f"HTTP intake: {ok} accepted, {failed} failed in {args.seconds:.0f} s = {rate:,.0f} events/s"
        f"  (latency p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms)"
        f"  = {limits.ratio(rate, healthz_per_s)} the trivial view's rate"
    )
    print(
        f"category suggestion (jieba + scikit-learn, in process): p50 {percentile(suggest_ms, 50):.2f} ms"
        f"  p95 {percentile(suggest_ms, 95):.2f} ms"
    )
    print(
        f"raw intake, one report per transaction (event + audit row + delta, no HTTP, no locate): {raw_single:,.0f}/s"
        f"  = {limits.ratio(raw_single, bare_per_s)} the bare INSERT rate"
    )
    print(
        f"raw intake, group-commit batches of {args.batch}: {raw_batched:,.0f}/s"
        f" = {raw_batched / fsync_per_s:.1f}x the flush rate"
    )
    print(f"queue fill: {missing:,} open events bulk-inserted in {fill_s:.1f} s; open events now {open_now:,}")
    if queue_ms:
        print(
            f"dispatcher queue (district, first page): p50 {percentile(queue_ms, 50):.1f} ms"
            f"  p95 {percentile(queue_ms, 95):.1f} ms"
            f"  mean {statistics.fmean(queue_ms):.1f} ms"
        )
        print(f"colour counts (district): p50 {percentile(count_ms, 50):.1f} ms  p95 {percentile(count_ms, 95):.1f} ms")
    else:
        print("no district dispatcher found: queue latency not measured")
    if not args.keep:
        from django.contrib.contenttypes.models import ContentType

        event_type = ContentType.objects.get_for_model(Event).pk
        ids = list(Event.objects.filter(external_id="bench").values_list("id", flat=True))
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                marks = ",".join(["%s"] * len(chunk))
                # The audit trail is append-only (a trigger refuses deletes on PostgreSQL): its bench rows stay.
                strs = [str(i) for i in chunk]
                cursor.execute(
                    f"DELETE FROM core_attachment WHERE content_type_id = %s AND object_id IN ({marks})",
                    [event_type, *strs],
                )
                cursor.execute(f"DELETE FROM events_event WHERE id IN ({marks})", chunk)
        print(f"removed {len(ids):,} bench events")


if __name__ == "__main__":
    main()
