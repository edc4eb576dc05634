"""What each index on the events table costs a write, on the server given (PostgreSQL; durable for real figures).

Usage (a migrated database with some events, e.g. the `small` demo):
    DATABASE_URL=postgres://... .venv/bin/python bench/index_cost.py [--rows 20000] [--per-commit 100]

Copies the events table's columns into a scratch table with no index at all, then inserts the same ``--rows`` rows
(real events, repeated, with their unique codes made unique) with one INSERT ... SELECT (the server's own cost,
best of three):
  * with no index (the heap alone),
  * with each index of today's table alone, to price it (µs per row above the heap),
  * with all of today's indexes, and with the 32 the table had before they were pruned (docs/decisions/0180);
then from the client, ``--per-commit`` rows a transaction and one row a transaction (a report's own commit), with
today's set and the old one.
"""

from __future__ import annotations

import argparse
import os
import time

import django

# The table before its indexes were pruned (Django's implicit `_like` and single-column twins included).
OLD = [
    "(id)",
    "UNIQUE (tracking_code)",
    "(tracking_code varchar_pattern_ops)",
    "UNIQUE (public_id)",
    "(public_id varchar_pattern_ops)",
    "UNIQUE (idempotency_key)",
    "(idempotency_key varchar_pattern_ops)",
    "(grid_id)",
    "(grid_path)",
    "(grid_path varchar_pattern_ops)",
    "(grid_path, state)",
    "(state)",
    "(state varchar_pattern_ops)",
    "(state, due_at)",
    "(due_at)",
    "(due_at) WHERE due_at IS NOT NULL",
    "(category_id)",
    "(category_id, state, reported_at)",
    "(lead_department_id)",
    "(lead_department_id, state)",
    "(owner_node_id)",
    "(owner_node_id, state)",
    "(reporter_id)",
    "(reporter_phone_index)",
    "(reporter_phone_index varchar_pattern_ops)",
    "(reported_at)",
    "(on_the_spot)",
    "(acceptance_worker_id)",
    "(first_receiver_id)",
    "(first_receiver_node_id)",
    "(merged_into_id)",
    "(grid_path varchar_pattern_ops) INCLUDE (due_at, warn_at, category_id) WHERE state IN "
    "('reported','registered','routed','signed','in_progress','handled','verified')",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--per-commit", type=int, default=100)
    parser.add_argument("--single", type=int, default=2_000, help="rows for the one-row-per-commit comparison")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.db import connection

    import limits

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: SQLite's write path is another story")
    print(f"database: {limits.describe(connection)}")
    print(f"load average: {limits.load_average()}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events_event' ORDER BY indexname")
        today = [
            (name, ("UNIQUE " if "UNIQUE INDEX" in definition else "") + definition.split(" USING btree ", 1)[1])
            for name, definition in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events_event' "
            "ORDER BY ordinal_position"
        )
        columns = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"SELECT {', '.join(columns)} FROM events_event ORDER BY id LIMIT 5000")
        sample = cursor.fetchall()
    if not sample:
        raise SystemExit("no events: load the demo first")
    unique = {columns.index(name) for name in ("id", "tracking_code", "public_id", "idempotency_key")}

    def rows(n: int, offset: int) -> list[tuple[object, ...]]:
        out = []
        for i in range(n):
            row = list(sample[i % len(sample)])
            for k in unique:
                row[k] = offset + i if columns[k] == "id" else f"X{offset + i:012d}"
            out.append(tuple(row))
        return out

    marks = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO fq_bench_events ({', '.join(columns)}) VALUES ({marks})"
    serial = 0

    def timed(definitions: list[str], n: int, per_commit: int) -> float:
        """Seconds to insert n rows with these index definitions, per_commit rows per transaction."""
        nonlocal serial
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS fq_bench_events")
            cursor.execute("CREATE TABLE fq_bench_events (LIKE events_event INCLUDING DEFAULTS)")
            for k, definition in enumerate(definitions):
                unique_kw = "UNIQUE " if definition.startswith("UNIQUE ") else ""
                body = definition.removeprefix("UNIQUE ")
                cursor.execute(f"CREATE {unique_kw}INDEX fq_bench_i{k} ON fq_bench_events USING btree {body}")
        if per_commit == 0:  # the server's own cost: one INSERT ... SELECT of every row, one commit
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"INSERT INTO fq_bench_events SELECT * FROM fq_bench_source LIMIT {n}")
                cursor.execute("COMMIT")
            return time.perf_counter() - start
        batch = rows(n, serial)
        serial += n
        start = time.perf_counter()
        for at in range(0, n, per_commit):
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.executemany(insert, batch[at : at + per_commit])
                cursor.execute("COMMIT")
        return time.perf_counter() - start

    n = args.rows
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS fq_bench_source")
        cursor.execute("CREATE TABLE fq_bench_source (LIKE events_event INCLUDING DEFAULTS)")
        cursor.executemany(insert.replace("fq_bench_events", "fq_bench_source"), rows(n, 10**9))
    serial = 0

    def best(definitions: list[str], per_commit: int, tries: int = 3) -> float:
        return min(timed(definitions, n, per_commit) for _ in range(tries))  # the least disturbed of a few tries

    heap = best([], 0)
    print(f"heap alone, one INSERT ... SELECT of {n:,} rows: {n / heap:,.0f} rows/s ({heap / n * 1e6:.1f} µs a row)")
    print(f"{'index (today)':<48} µs a row above the heap (best of 3)")
    for name, body in today:
        print(f"{name:<48} {(best([body], 0) - heap) / n * 1e6:>6.1f}")
    now_all = best([body for _, body in today], 0)
    old_all = best(OLD, 0)
    print(f"all {len(today)} indexes of today: {n / now_all:,.0f} rows/s ({now_all / n * 1e6:.1f} µs a row)")
    print(f"the {len(OLD)} of before: {n / old_all:,.0f} rows/s ({old_all / n * 1e6:.1f} µs a row)")
    per = args.per_commit
    now_app, old_app = timed([b for _, b in today], n, per), timed(OLD, n, per)
    print(f"{per} rows a commit from the client: today's {n / now_app:,.0f} rows/s, before {n / old_app:,.0f} rows/s")
    single = args.single
    now_one = timed([body for _, body in today], single, 1)
    old_one = timed(OLD, single, 1)
    print(
        f"one row a commit, today's {len(today)}: {single / now_one:,.0f} rows/s;"
        f" before, {len(OLD)}: {single / old_one:,.0f} rows/s"
    )
    print(f"limit: bare single-row INSERT {limits.bare_insert_rate(connection):,.0f}/s")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE fq_bench_events")
        cursor.execute("DROP TABLE fq_bench_source")


if __name__ == "__main__":
    main()
