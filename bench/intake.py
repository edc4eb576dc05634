"""Benchmark event intake through the HTTP API, beside the raw insert rate, and the dispatcher queue's latency.

Usage (a demo city loaded; PostgreSQL or SQLite):
    DATABASE_URL=postgres://... .venv/bin/python bench/intake.py [--seconds 20] [--concurrency 32] [--workers 2]
        [--queue-events 200000]

1. Starts uvicorn with N workers on 127.0.0.1 (the same ``fengqiao.asgi`` application as ``fengqiao serve``), posts
   events for a bounded time from an asyncio client (aiohttp) with an API key (each request: authenticate, validate,
   locate, save, audit row, metrics delta), and reports accepted events per second.
   Then times the category suggester on its own (it runs when the verifier opens the event, not at intake).
2. Inserts the same rows straight through the ORM (no HTTP, no locate) for the raw rate.
3. Tops the database up to ``--queue-events`` open events and times the dispatcher's first queue page and colour
   counts for a district dispatcher (p50/p95 over repeated calls).
Bench rows carry ``external_id='bench'`` and are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

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

    port = free_port()
    # Rate limits off: this measures capacity, not the per-client limit (FENGQIAO_RATE_API).
    env = {**os.environ, "FENGQIAO_LOCATOR_CHECK_SECONDS": "30", "LOG_LEVEL": "WARNING", "FENGQIAO_RATE_LIMITS": "0"}
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

    serial = int(time.time())

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

    t0 = time.perf_counter()
    for row in bench_rows(args.raw_rows):
        with transaction.atomic():  # the event and its metrics delta commit together, as on the API path
            row.save()
    raw_single = args.raw_rows / (time.perf_counter() - t0)

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

    print(f"database: {connection.vendor}   server workers: {args.workers}   client concurrency: {args.concurrency}")
    print(
        f"HTTP intake: {ok} accepted, {failed} failed in {args.seconds:.0f} s = {rate:,.0f} events/s"
        f"  (latency p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms)"
    )
    print(
        f"category suggestion (jieba + scikit-learn, in process): p50 {percentile(suggest_ms, 50):.2f} ms"
        f"  p95 {percentile(suggest_ms, 95):.2f} ms"
    )
    print(f"raw ORM insert (one transaction per event with its delta, no HTTP, no locate): {raw_single:,.0f} rows/s")
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

        from fengqiao.core.models import Action

        event_type = ContentType.objects.get_for_model(Event).pk
        ids = list(Event.objects.filter(external_id="bench").values_list("id", flat=True))
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                marks = ",".join(["%s"] * len(chunk))
                # The audit trail is append-only for the application; the bench removes its own rows with SQL.
                strs = [str(i) for i in chunk]
                cursor.execute(
                    f"DELETE FROM {Action._meta.db_table} WHERE content_type_id = %s AND object_id IN ({marks})",
                    [event_type, *strs],
                )
                cursor.execute(
                    f"DELETE FROM core_attachment WHERE content_type_id = %s AND object_id IN ({marks})",
                    [event_type, *strs],
                )
                cursor.execute(f"DELETE FROM events_event WHERE id IN ({marks})", chunk)
        print(f"removed {len(ids):,} bench events")


if __name__ == "__main__":
    main()
