"""The physical limits a durable benchmark prints beside its figures, measured in the same run.

* the server's durability settings (a figure measured with ``fsync=off`` is not a deployment's figure);
* the disk's flush rate: 8 kB written and ``fdatasync``-ed in a loop on the database's filesystem (one commit of a
  single-row transaction costs at least one such flush);
* a bare single-row autocommit INSERT through Django's own connection (the database's floor for one commit);
* a trivial view's request rate (``GET /healthz``) on the same server with the same client (the HTTP stack's floor).

Imported by the scripts next to it (``python bench/intake.py`` puts ``bench/`` on the path).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from typing import Any

DURABILITY = ("fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "commit_delay")


def durability(connection: Any) -> dict[str, str]:
    """The server's durability settings (PostgreSQL), or SQLite's journal mode and synchronous level."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            out = {}
            for name in DURABILITY:
                cursor.execute(f"SHOW {name}")
                out[name] = str(cursor.fetchone()[0])
            cursor.execute("SELECT version()")
            out["server"] = str(cursor.fetchone()[0]).split(" on ")[0]
            return out
        cursor.execute("PRAGMA journal_mode")
        journal = str(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous")
        return {"journal_mode": journal, "synchronous": str(cursor.fetchone()[0]), "server": "SQLite"}


def data_directory(connection: Any) -> str:
    """Where the database writes, when it is on this machine and readable; else the current directory."""
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW data_directory")
                path = str(cursor.fetchone()[0])
            if os.access(path, os.W_OK):
                return path
        except Exception:  # not a superuser: the setting is hidden
            pass
        return os.getcwd()
    name = str(connection.settings_dict["NAME"])
    return os.path.dirname(os.path.abspath(name)) or os.getcwd()


def fsync_rate(directory: str, seconds: float = 2.0) -> float:
    """Flushes per second of an 8 kB write + fdatasync on ``directory``'s filesystem."""
    block = os.urandom(8192)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="fq-fsync-") as handle:
        fd = handle.fileno()
        n = 0
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            n += 1
        return n / (time.perf_counter() - start)


def bare_insert_rate(connection: Any, seconds: float = 2.0) -> float:
    """Single-row autocommit INSERTs per second into a one-column table, through Django's connection."""
    table = "fq_bench_bare_insert"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (v integer)")
        try:
            n = 0
            deadline = time.perf_counter() + seconds
            start = time.perf_counter()
            while time.perf_counter() < deadline:
                cursor.execute(f"INSERT INTO {table} (v) VALUES (%s)", [n])
                n += 1
            return n / (time.perf_counter() - start)
        finally:
            cursor.execute(f"DROP TABLE {table}")


async def _get_loop(url: str, seconds: float, concurrency: int) -> int:
    import aiohttp

    ok = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok
        while time.perf_counter() < deadline:
            async with session.get(url) as response:
                await response.read()
                ok += response.status == 200

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return ok


def request_rate(base_url: str, seconds: float = 5.0, concurrency: int = 32) -> float:
    """``GET /healthz`` answered per second: the server and client's floor for any request."""
    return asyncio.run(_get_loop(f"{base_url}/healthz", seconds, concurrency)) / seconds


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def describe(connection: Any) -> str:
    settings = durability(connection)
    return "  ".join(f"{key}={value}" for key, value in settings.items())


def header(connection: Any, seconds: float = 2.0) -> tuple[float, float]:
    """Print the server's durability settings, the machine's load and the database's two limits (disk flushes and a
    bare INSERT, each measured for ``seconds``); return (fsync/s, INSERT/s) to print each figure beside."""
    print(f"database: {describe(connection)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()}")
    where = data_directory(connection)
    fsyncs = fsync_rate(where, seconds)
    print(f"limit: disk fsync (8 kB write + fdatasync, in {where}): {fsyncs:,.0f}/s")
    inserts = bare_insert_rate(connection, seconds)
    print(f"limit: bare single-row autocommit INSERT through Django's connection: {inserts:,.0f}/s")
    return fsyncs, inserts


def ratio(value: float, limit: float) -> str:
    return f"{value / limit:.0%} of it" if limit else "-"
