"""How intake, the queue and the map cost as the events table grows: 0.2 M, 2 M, 10 M events.

Usage (a migrated PostgreSQL database with a demo loaded, durable for real figures; the demo's events are the
pattern the generated ones copy):
    DATABASE_URL=postgres://... .venv/bin/python bench/scale.py [--sizes 200000,2000000,10000000]
        [--svg docs/benchmarks-scale.svg]

For each size, smallest first, the table is topped up to that many events by the server itself (``INSERT ...
SELECT`` from the demo's events over a ``generate_series``, reported over the last 12 months, one in ten still open,
with fresh tracking codes and public ids; untimed, its rate printed), analysed, and then measured:
  * intake: reports through ``core.intake.enter`` one by one (event, audit row, counters delta, one commit each),
    and the same in group-commit batches of 50;
  * the queue: a district dispatcher's first page and colour counts (p50 / p95);
  * the map: ``GET /api/v1/dashboard/map`` for the district through the whole Django stack (p50 / p95).
Prints the server's durability settings and limits (bench/limits.py), a table, and writes an SVG plot of each figure
against the table's size. Generated events carry ``external_id='scale'`` and stay (delete them by hand).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import django
import numpy as np

OPEN_STATES = ("registered", "routed", "signed", "in_progress")


def p95(values: list[float]) -> float:
    return float(np.percentile(np.array(values), 95))


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()
    ms = []
    for _ in range(repeat):
        t = time.perf_counter()
        call()
        ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms), p95(ms)


def svg(sizes: list[int], series: dict[str, list[float]], unit: dict[str, str]) -> str:
    """A small log-log plot, one line per figure, each labelled with its first and last value."""
    width, height, left, bottom = 720, 420, 70, 50
    xs = [float(np.log10(s)) for s in sizes]
    values = [v for line in series.values() for v in line if v > 0]
    lo, hi = float(np.log10(min(values))), float(np.log10(max(values)))
    hi = hi if hi > lo else lo + 1

    def x(v: float) -> float:
        span = (xs[-1] - xs[0]) or 1
        return left + (v - xs[0]) / span * (width - left - 200)

    def y(v: float) -> float:
        return height - bottom - (float(np.log10(v)) - lo) / (hi - lo) * (height - bottom - 20)

    colours = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        'font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 200}" y2="{height - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{height - bottom}" stroke="black"/>',
        f'<text x="{(left + width - 200) / 2}" y="{height - 12}" text-anchor="middle">events in the table (log)</text>',
        f'<text x="16" y="{(height - bottom) / 2}" transform="rotate(-90 16 {(height - bottom) / 2})" '
        'text-anchor="middle">each figure (log)</text>',
    ]
    for size, xv in zip(sizes, xs, strict=True):
        label = f"{size / 1e6:g} M"
        out.append(f'<text x="{x(xv)}" y="{height - bottom + 16}" text-anchor="middle">{label}</text>')
    for k, (name, line) in enumerate(series.items()):
        colour = colours[k % len(colours)]
        points = [(x(xv), y(v)) for xv, v in zip(xs, line, strict=True) if v > 0]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py in points:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        if points:
            px, py = points[-1]
            text = f"{name}: {line[0]:,.0f} → {line[-1]:,.0f} {unit[name]}"
            out.append(f'<text x="{px + 8:.1f}" y="{py + 4:.1f}" fill="{colour}">{text}</text>')
    out.append("</svg>")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200000,2000000,10000000")
    parser.add_argument("--reports", type=int, default=1000, help="reports per intake measurement")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--svg", default="")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    import limits
    from fengqiao.accounts.models import Membership, Role
    from fengqiao.core import intake
    from fengqiao.events import selectors
    from fengqiao.events.models import Category, Event
    from fengqiao.events.workflow import EVENT_FLOW
    from fengqiao.grids.models import GridNode, Level

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only")
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {limits.describe(connection)}")
    print(f"load average: {limits.load_average()}")
    print(
        f"limit: disk flushes {limits.fsync_rate(limits.data_directory(connection)):,.0f}/s;"
        f" bare INSERT {limits.bare_insert_rate(connection):,.0f}/s"
    )
    membership = (
        Membership.objects.filter(role=Role.DISPATCHER, node__level=Level.DISTRICT)
        .select_related("user", "node")
        .first()
    )
    if membership is None:
        raise SystemExit("no district dispatcher: load the demo first")
    dispatcher, district = membership.user, membership.node
    leader = Membership.objects.filter(role=Role.LEADER, node=district).select_related("user").first()
    viewer = leader.user if leader is not None else dispatcher
    category = Category.objects.get(code="0404")
    leaves = list(GridNode.objects.filter(level=Level.MICRO)[:500])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events_event' "
            "AND column_name <> 'id' ORDER BY ordinal_position"
        )
        columns = [name for (name,) in cursor.fetchall()]
    generated = {
        "tracking_code": "'S' || lpad(g::text, 12, '0')",
        "public_id": "left(md5('scale' || g::text), 24)",
        "idempotency_key": "NULL",
        "external_id": "'scale'",
        "reported_at": "now() - (g %% 525600) * interval '1 minute'",
        "state": f"CASE WHEN g %% 10 = 0 THEN '{OPEN_STATES[0]}' ELSE 'closed' END",
        "closed_at": "CASE WHEN g %% 10 = 0 THEN NULL "
        "ELSE now() - (g %% 525600) * interval '1 minute' + interval '2 days' END",
        "due_at": "CASE WHEN g %% 10 = 0 THEN now() + ((g %% 96) - 24) * interval '1 hour' ELSE NULL END",
        "warn_at": "CASE WHEN g %% 10 = 0 THEN now() + ((g %% 96) - 30) * interval '1 hour' ELSE NULL END",
    }
    # The expressions go into a statement with parameters: a modulo is written %%.
    select = ", ".join(generated.get(c, f"e.{c}") for c in columns)

    def top_up(target: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM events_event")
            count, top = cursor.fetchone()
            missing = target - count
            if missing <= 0:
                return
            cursor.execute(
                "SELECT id FROM events_event WHERE external_id NOT IN ('scale', 'bench') ORDER BY id LIMIT 2000"
            )
            pattern = [i for (i,) in cursor.fetchall()]
            t0 = time.perf_counter()
            for start in range(0, missing, 200_000):
                n = min(200_000, missing - start)
                first = top + start + 1
                cursor.execute(
                    f"INSERT INTO events_event ({', '.join(columns)}) SELECT {select} "
                    f"FROM generate_series(%s, %s) AS g JOIN events_event e ON e.id = (%s::bigint[])[1 + g %% %s]",
                    [first, first + n - 1, pattern, len(pattern)],
                )
            seconds = time.perf_counter() - t0
            cursor.execute("ANALYZE events_event")
            print(f"topped up {missing:,} events in {seconds:.0f} s ({missing / seconds:,.0f} rows/s, untimed)")

    serial = int(time.time() * 1000) % 10**9 * 1000

    def reports(n: int) -> list[Event]:
        nonlocal serial
        now = timezone.now()
        out = []
        for i in range(n):
            serial += 1
            grid = leaves[i % len(leaves)]
            out.append(
                Event(
                    tracking_code=f"R{serial:013d}",
                    grid=grid,
                    category=category,
                    source="api",
                    description="规模测试：路灯不亮",
                    external_id="scale",
                    reported_at=now,
                    stage_started_at=now,
                )
            )
        return out

    rows: list[dict[str, float]] = []
    client = Client()
    filters = selectors.QueueFilters(open_only=True)
    for size in sizes:
        top_up(size)
        settings.FENGQIAO_GROUP_COMMIT_MS = 0
        batch = reports(args.reports)
        t0 = time.perf_counter()
        for event in batch:
            intake.enter(event, actor=None, verb="report", workflow=EVENT_FLOW, prefix="R")
        single = args.reports / (time.perf_counter() - t0)
        batch = reports(args.reports)
        t0 = time.perf_counter()
        for start in range(0, len(batch), 50):
            intake._write_batch(
                [
                    intake._Entry(case=e, actor=None, verb="report", workflow=EVENT_FLOW, data={})
                    for e in batch[start : start + 50]
                ]
            )
        batched = args.reports / (time.perf_counter() - t0)
        queue = timed(lambda: list(selectors.event_queue(actor=dispatcher, filters=filters)[:30]), args.repeat)
        colours = timed(lambda: selectors.colour_counts(actor=dispatcher), args.repeat)
        client.force_login(viewer)
        map_ms = timed(lambda: client.get("/api/v1/dashboard/map"), args.repeat)
        rows.append(
            {
                "size": size,
                "single": single,
                "batched": batched,
                "queue50": queue[0],
                "queue95": queue[1],
                "colour50": colours[0],
                "colour95": colours[1],
                "map50": map_ms[0],
                "map95": map_ms[1],
            }
        )
        print(
            f"{size:>11,} events: intake {single:,.0f}/s one by one, {batched:,.0f}/s in batches of 50;"
            f" queue p50 {queue[0]:.1f} ms p95 {queue[1]:.1f} ms; colours p50 {colours[0]:.1f} ms"
            f" p95 {colours[1]:.1f} ms; map p50 {map_ms[0]:.1f} ms p95 {map_ms[1]:.1f} ms"
            f"  (load {limits.load_average()})"
        )
    print()
    print(
        "| events | intake one by one | intake, batches of 50 | queue p50 / p95 | colour counts p50 / p95"
        " | map p50 / p95 |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['size']:,.0f} | {r['single']:,.0f}/s | {r['batched']:,.0f}/s"
            f" | {r['queue50']:.1f} / {r['queue95']:.1f} ms"
            f" | {r['colour50']:.1f} / {r['colour95']:.1f} ms | {r['map50']:.1f} / {r['map95']:.1f} ms |"
        )
    if args.svg and len(rows) > 1:
        series = {
            "intake one by one": [r["single"] for r in rows],
            "intake in batches": [r["batched"] for r in rows],
            "queue p50": [r["queue50"] for r in rows],
            "colour counts p50": [r["colour50"] for r in rows],
            "map p50": [r["map50"] for r in rows],
        }
        unit = {"intake one by one": "/s", "intake in batches": "/s"}
        unit.update({k: "ms" for k in series if k not in unit})
        with open(args.svg, "w", encoding="utf-8") as handle:
            handle.write(svg([int(r["size"]) for r in rows], series, unit))
        print(f"plot written to {args.svg}")


if __name__ == "__main__":
    main()
