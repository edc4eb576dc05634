"""Benchmark the locator on a loaded grid tree, beside the database query it replaces.

Usage (the `city` demo loaded into PostgreSQL):
    DATABASE_URL=postgres://... .venv/bin/python bench/locate.py [--points 300000] [--singles 20000]

Prints build time, single-lookup latency (p50/p95), bulk throughput on one core, the same single lookup done as a
PostgreSQL bounding-box query plus an exact test in Python, and the process's resident memory with the tree loaded.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

import django
import numpy as np


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=300_000, help="points for the bulk lookup")
    parser.add_argument("--singles", type=int, default=20_000, help="single lookups to time")
    parser.add_argument("--db-singles", type=int, default=2_000, help="database lookups to time")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    django.setup()
    import shapely
    from django.db import connection

    from fengqiao.grids.locator import Locator, current_version
    from fengqiao.grids.models import GridNode

    nodes = GridNode.objects.count()
    if nodes == 0:
        sys.exit("no grids loaded: run `fengqiao demo --scale city` first")
    rss_before = rss_mb()
    started = time.perf_counter()
    locator = Locator(current_version())
    build_s = time.perf_counter() - started
    rss_after = rss_mb()

    box = GridNode.objects.filter(parent__isnull=True).values_list("min_lon", "min_lat", "max_lon", "max_lat")[0]
    rng = np.random.default_rng(args.seed)
    lons = rng.uniform(box[0], box[2], args.points)
    lats = rng.uniform(box[1], box[3], args.points)

    # Single lookups, one at a time, as a request handler does them.
    timings = []
    found = 0
    for i in range(args.singles):
        t0 = time.perf_counter()
        hit = locator.locate(float(lons[i]), float(lats[i]), suggest=False)
        timings.append((time.perf_counter() - t0) * 1e6)
        found += hit.node_id is not None

    # Bulk lookups in one call.
    t0 = time.perf_counter()
    ids = locator.locate_many(lons, lats)
    bulk_s = time.perf_counter() - t0

    # The database round trip it replaces: bounding-box index, then the exact test in Python.
    db_timings = []
    sql = (
        "SELECT id, depth, kind, geometry FROM grids_gridnode "
        "WHERE min_lon <= %s AND max_lon >= %s AND min_lat <= %s AND max_lat >= %s"
    )
    with connection.cursor() as cursor:
        for i in range(args.db_singles):
            lon, lat = float(lons[i]), float(lats[i])
            t0 = time.perf_counter()
            cursor.execute(sql, [lon, lon, lat, lat])
            rows = cursor.fetchall()
            point = shapely.Point(lon, lat)
            best = None
            for row_id, depth, kind, geometry in rows:
                shape = shapely.from_geojson(geometry)
                if shape.intersects(point):
                    # Same rule as the locator: dedicated first, then deepest, then the smaller polygon.
                    rank = ((1000 if kind != "ordinary" else 0) + depth, -shape.area)
                    if best is None or rank > best[0]:
                        best = (rank, row_id)
            db_timings.append((time.perf_counter() - t0) * 1e6)
            expected = int(ids[i])
            assert (best[1] if best else -1) == expected, f"database and locator disagree at point {i}"

    single_p50, single_p95 = percentile(timings, 50), percentile(timings, 95)
    db_p50, db_p95 = percentile(db_timings, 50), percentile(db_timings, 95)
    print(
        f"database: {connection.vendor}  nodes: {nodes:,}"
        f"  (leaves {len(locator.leaves):,}, inner {len(locator.inner):,})"
    )
    print(
        f"build: {build_s:.2f} s   memory for the trees: {rss_after - rss_before:.0f} MB"
        f"   process RSS: {rss_after:.0f} MB"
    )
    print(
        f"single lookup: p50 {single_p50:.1f} µs  p95 {single_p95:.1f} µs  mean {statistics.fmean(timings):.1f} µs"
        f"  ({found / args.singles:.1%} inside a grid)"
    )
    print(f"bulk lookup: {args.points:,} points in {bulk_s:.3f} s = {args.points / bulk_s:,.0f} points/s (one call)")
    print(f"database bbox query + exact test: p50 {db_p50:.1f} µs  p95 {db_p95:.1f} µs")
    print(f"speed-up of the in-process locator over the database (p50): {db_p50 / single_p50:.0f}x")


if __name__ == "__main__":
    main()
