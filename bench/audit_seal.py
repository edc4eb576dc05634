"""Benchmark sealing the audit trail into its hash chain, and verifying it.

Usage (a throw-away SQLite database under a temporary folder unless DATABASE_URL is set):
    .venv/bin/python bench/audit_seal.py [--rows 100000] [--crypto sm|aes]

Measures
1. record(): the writer's cost per row (one INSERT each, in transactions of 100), before and after the chain exists.
2. seal: rows/s for sealing the whole backlog in batches of ``--batch`` (what the periodic job does after a pause).
3. verify: rows/s for walking the whole chain.
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


if __name__ == "__main__":
    main()
