"""Benchmark sealing the audit trail into its hash chain, and verifying it.

Usage (a throw-away SQLite database under a temporary folder unless DATABASE_URL is set):
    .venv/bin/python bench/audit_seal.py [--rows 100000] [--crypto sm|aes]

Measures
1. record(): the writer's cost per row (one INSERT each, in transactions of 100), before and after the chain exists.
2. seal: rows/s for sealing the whole backlog in batches of ``--batch`` (what the periodic job does after a pause).
3. verify: rows/s for walking the whole chain.
4. the limits beside them, measured in the same run: hashing alone (the chain's CPU floor), and one UPDATE per row
   in a transaction against a scratch table (the database's floor for writing one hash per row).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--crypto", choices=["sm", "aes"], default="sm")
    args = parser.parse_args()

    os.environ["FENGQIAO_CRYPTO"] = args.crypto
    if not os.environ.get("DATABASE_URL"):
        os.environ["FENGQIAO_VAR_DIR"] = tempfile.mkdtemp(prefix="fengqiao-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fengqiao.core import audit, auditchain
    from fengqiao.core.models import Action
    from fengqiao.grids.models import GridNode, Level

    call_command("migrate", verbosity=0)
    target, _ = GridNode.objects.get_or_create(code="BENCH", defaults={"name": "bench", "level": Level.CITY})
    auditchain.seal()  # rows written by migrations, so the figures below are for the bench rows alone

    start = time.perf_counter()
    done = 0
    while done < args.rows:
        with transaction.atomic():
            for _ in range(min(100, args.rows - done)):
                audit.record(
                    actor=None, verb="bench", target=target, note="路口垃圾堆积", data={"n": done, "tags": ["a", "b"]}
                )
                done += 1
    write_s = time.perf_counter() - start
    print(
        f"{connection.vendor}, {args.crypto}: record() {args.rows:,} rows in {write_s:.1f} s "
        f"({args.rows / write_s:,.0f} rows/s)"
    )

    start = time.perf_counter()
    sealed = auditchain.seal(batch=args.batch)
    seal_s = time.perf_counter() - start
    print(f"seal: {sealed:,} rows in {seal_s:.1f} s ({sealed / seal_s:,.0f} rows/s), batch {args.batch}")

    start = time.perf_counter()
    report = auditchain.verify()
    verify_s = time.perf_counter() - start
    assert report.ok, report.broken
    print(f"verify: {report.checked:,} rows in {verify_s:.1f} s ({report.checked / verify_s:,.0f} rows/s)")
    print(f"head {report.head_seq}:{report.head_hash}; total rows {Action.objects.count():,}")

    # Limits. Hashing alone: the same canonical rows and chain, no database.
    rows = list(Action.objects.order_by("seq").values_list(*auditchain.SEALED_FIELDS)[: args.rows])
    start = time.perf_counter()
    prev = ""
    for values in rows:
        prev = auditchain.link_hash(prev, values)
    hash_s = time.perf_counter() - start
    print(f"limit, hashing alone: {len(rows):,} rows in {hash_s:.2f} s ({len(rows) / hash_s:,.0f} rows/s)")
    # The database: one UPDATE per row, in batches of --batch per transaction, on a scratch copy of (id, hash): an
    # ordinary table, so its writes go through the same log as the audit trail's.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_hashes")
        cursor.execute("CREATE TABLE bench_hashes AS SELECT id, row_hash FROM core_action")
        cursor.execute("CREATE UNIQUE INDEX bench_hashes_id ON bench_hashes (id)")
        ids = [r[0] for r in Action.objects.order_by("seq").values_list("id")[: args.rows]]
    start = time.perf_counter()
    for first in range(0, len(ids), args.batch):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE bench_hashes SET row_hash = %s WHERE id = %s",
                [(prev, pk) for pk in ids[first : first + args.batch]],
            )
    update_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_hashes")
    print(f"limit, one UPDATE per row: {len(ids):,} rows in {update_s:.1f} s ({len(ids) / update_s:,.0f} rows/s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('fsync'), current_setting('synchronous_commit')")
            fsync, sync_commit = cursor.fetchone()
        print(f"server: fsync={fsync}, synchronous_commit={sync_commit}")


if __name__ == "__main__":
    main()
