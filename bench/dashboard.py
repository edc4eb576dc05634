"""Benchmark the one map and the ranking on a big database, and the roll-up's cost per new event.

Usage (the `city` demo loaded with millions of events; PostgreSQL):
    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--rebuild] [--repeat 60] [--events 2000]

1. ``--rebuild`` (or an empty stats table) times ``fengqiao metrics rebuild`` over all events.
2. Times the map JSON (``GET /api/v1/dashboard/map``) through the full Django stack for the city (as a platform
   administrator), a district and a community (as their leaders), and the ranking API for a district's streets and
   the city's districts: p50 / p95 over ``--repeat`` calls after warm-up.
3. Creates ``--events`` events one by one (each a normal ``save()`` in its own transaction) with and without the
   metrics receivers, then folds them: the difference per save and the fold time per event. The bench events
   (``external_id='bench-metrics'``) are deleted again and their deletion folded, so the counters are unchanged.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import django
import numpy as np


def p(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def timed(call: Callable[[], object], repeat: int, warm: int = 3) -> tuple[float, float]:
    for _ in range(warm):
        call()
    ms = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms), p(ms, 95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)

    from django.db import connection
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
    from django.test import Client
    from django.utils import timezone

    from fengqiao.accounts.models import Membership, Role, User
    from fengqiao.events.models import Category, Event
    from fengqiao.grids.models import GridNode, Level
    from fengqiao.metrics import services
    from fengqiao.metrics.models import DailyGridStat

    print(f"database: {connection.vendor}, events: {Event.objects.count():,}")
    if args.rebuild or not DailyGridStat.objects.exists():
        t = time.perf_counter()
        result = services.rebuild(say=lambda s: None)
        print(f"rebuild: {result['objects']:,} events -> {result['rows']:,} rows in {time.perf_counter() - t:.1f} s")
    print(f"stat rows: {DailyGridStat.objects.count():,}")
    services.fold_pending()

    def user(name: str, node: GridNode | None) -> User:
        u, _ = User.objects.get_or_create(username=name, defaults={"is_superuser": node is None})
        if node is not None:
            Membership.objects.get_or_create(user=u, node=node, role=Role.LEADER)
        return u

    city = GridNode.objects.get(parent__isnull=True)
    district = GridNode.objects.filter(level=Level.DISTRICT).order_by("code").first()
    assert district is not None
    community = (
        GridNode.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).order_by("code")[7:8].get()
    )
    cases = [
        ("city", user("bench-metrics-admin", None), city),
        ("district", user("bench-metrics-district", district), district),
        ("community", user("bench-metrics-community", community), community),
    ]
    from fengqiao.metrics.selectors import warm_open_figures

    # What `fengqiao worker` does every 10 s: the city's and districts' open figures computed into the shared cache.
    t = time.perf_counter()
    warmed = warm_open_figures()
    print(f"worker warm-up of open figures: {warmed} nodes in {(time.perf_counter() - t) * 1000:.0f} ms")
    results = []
    for label, actor, node in cases:
        client = Client()
        client.force_login(actor)
        for period in ("month", "year"):
            url = f"/api/v1/dashboard/map?node={node.code}&period={period}"
            response = client.get(url)
            assert response.status_code == 200, response.content[:200]
            size = len(response.content)
            p50, p95 = timed(lambda c=client, u=url: c.get(u), args.repeat)
            results.append((f"map JSON, {label} ({node.name}, {period})", p50, p95, size))
    for label, actor, node in [cases[1], cases[0]]:
        client = Client()
        client.force_login(actor)
        for period in ("month", "year"):
            url = f"/api/v1/metrics/ranking?node={node.code}&period={period}"
            assert client.get(url).status_code == 200
            p50, p95 = timed(lambda c=client, u=url: c.get(u), args.repeat)
            results.append((f"ranking, children of the {label} ({period})", p50, p95, 0))
    print("| measure | p50 | p95 | JSON size |\n| --- | --- | --- | --- |")
    for name, p50, p95, size in results:
        print(
            f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {size / 1024:.0f} KiB |"
            if size
            else f"| {name} | {p50:.1f} ms | {p95:.1f} ms | — |"
        )

    # Roll-up cost per new event.
    grids = list(GridNode.objects.filter(level=Level.GRID).values_list("id", flat=True)[:500])
    category = Category.objects.filter(parent__isnull=False).first()

    def create(n: int, tag: str) -> float:
        t = time.perf_counter()
        for i in range(n):
            Event.objects.create(
                tracking_code=f"BM{tag}{i:07d}",
                grid_id=grids[i % len(grids)],
                category=category,
                source="patrol",
                description="压测事件",
                external_id="bench-metrics",
                reported_at=timezone.now(),
            )
        return (time.perf_counter() - t) * 1000 / n

    uid = "metrics-events.event"
    receivers = [
        (pre_save, services.before_save, "pre"),
        (post_save, services.after_save, "post"),
        (pre_delete, services.before_delete, "pre-delete"),
        (post_delete, services.after_delete, "delete"),
    ]
    for signal, receiver, suffix in receivers:
        signal.disconnect(
            receiver,
            sender=Event,
            dispatch_uid=f"{uid}-{suffix}",
        )
    plain = create(args.events, "P")
    Event.objects.filter(external_id="bench-metrics").delete()
    for signal, receiver, suffix in receivers:
        signal.connect(
            receiver,
            sender=Event,
            dispatch_uid=f"{uid}-{suffix}",
        )
    counted = create(args.events, "C")
    t = time.perf_counter()
    folded = services.fold_pending()
    fold_ms = (time.perf_counter() - t) * 1000
    print(
        f"\nsave without metrics: {plain:.2f} ms/event; with metrics (pending delta): {counted:.2f} ms/event "
        f"(+{counted - plain:.2f} ms)"
    )
    print(f"fold: {folded:,} deltas in {fold_ms:.0f} ms = {fold_ms / args.events:.2f} ms per new event")
    for e in Event.objects.filter(external_id="bench-metrics"):
        e.delete()
    services.fold_pending()
    print("bench events removed and their deletion folded")
    # Raw deletes: the users own nothing else, and a full delete would visit apps not migrated on this database.
    Membership.objects.filter(user__username__startswith="bench-metrics-")._raw_delete(Membership.objects.db)
    User.objects.filter(username__startswith="bench-metrics-")._raw_delete(User.objects.db)


if __name__ == "__main__":
    main()
