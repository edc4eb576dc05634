"""Load without loss: reporters, handlers and dashboard readers against the ASGI server for a bounded time,
optionally killing the server, the worker and the database with SIGKILL at random moments, then proving that
every report is all-or-nothing.

Usage (a migrated database with at least the `small` demo; PostgreSQL for the real thing):
    DATABASE_URL=postgres://... .venv/bin/python bench/soak.py [--seconds 60] [--reporters 16] [--kills 3]
        [--seed 7] [--kill-db --pg-ctl-data /path/to/data]

Every report carries an Idempotency-Key and is retried with the same key until the server answers, as a phone
would. ``--kills N`` (``--crash`` is ``--kills 1``) sends N SIGKILLs at random moments of the run (seeded: the seed is
printed), each to the web server (uvicorn's master and workers: the whole process group), the background worker or
both, and restarts them after a short random pause, as systemd would; reporters keep retrying meanwhile. With
``--kill-db`` and ``--pg-ctl-data DIR`` (a local server) a kill may also take the PostgreSQL postmaster and every
backend down, restarting it with pg_ctl (as the ``postgres`` user when run as root). At the end the script checks, in
the database, and prints each check with its count:
  * every report the server accepted exists exactly once, and no key produced two events;
  * every event created during the run (answered or not: an answer may have died with the server) has its `report`
    audit row, its state equals the last transition of its audit trail, and no `report` row lacks its event;
  * the per-grid daily counters (folded stats plus pending deltas, every node up the tree) rose by exactly the
    events reported and registered during the run in each (node, day): each counted once, none lost, none doubled;
  * no request was answered 5xx, except while the database was down or reconnecting (counted apart, like
    connection errors while the server was dead);
  * no deadline warning was recorded twice for the same stage.
It prints latency percentiles per kind of request and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import django
import numpy as np

# After the database comes back, pooled connections fail once each before the pool replaces them: 5xx answers this
# long after a database restart are counted apart from the ones that are defects.
DB_RECONNECT_GRACE_S = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Servers:
    """The web server (uvicorn, N workers) and the background worker, started and killed like systemd would."""

    def __init__(self, port: int, workers: int) -> None:
        self.port = port
        self.workers = workers
        self.procs: dict[str, subprocess.Popen[bytes] | None] = {"web": None, "worker": None}
        self.held: set[str] = set()  # killed on purpose and not restarted yet
        self.unplanned: dict[str, int] = defaultdict(int)  # exits nobody asked for, restarted by the supervisor
        self.env = {**os.environ, "LOG_LEVEL": "WARNING", "FENGQIAO_RATE_LIMITS": "0"}

    def command(self, name: str) -> list[str]:
        if name == "worker":
            return [sys.executable, "-m", "fengqiao", "worker"]
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "fengqiao.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]

    def start(self, *names: str) -> None:
        for name in names:
            self.procs[name] = subprocess.Popen(self.command(name), env=self.env, start_new_session=True)
            self.held.discard(name)

    def kill(self, *names: str) -> None:
        """SIGKILL the whole process group: uvicorn's master and its workers die together, as on a power cut."""
        for name in names:
            self.held.add(name)
            proc = self.procs[name]
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def revive(self) -> None:
        """Restart whatever exited by itself (Restart=always)."""
        for name, proc in self.procs.items():
            if name not in self.held and proc is not None and proc.poll() is not None:
                self.unplanned[name] += 1
                self.start(name)

    def stop(self) -> None:
        self.held.update(self.procs)
        for proc in self.procs.values():
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


class Postgres:
    """A local PostgreSQL server, known by its data directory: SIGKILLed (postmaster and every backend) and restarted
    with pg_ctl and the options it was started with (``postmaster.opts``)."""

    def __init__(self, data: str) -> None:
        self.data = Path(data)
        opts = shlex.split((self.data / "postmaster.opts").read_text().strip())
        self.pg_ctl = str(Path(opts[0]).with_name("pg_ctl"))
        rest = opts[1:]
        if "-D" in rest:  # pg_ctl passes the data directory itself
            i = rest.index("-D")
            del rest[i : i + 2]
        self.options = shlex.join(rest)
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        postmaster = self.pid()
        backends = [pid for pid in _pids() if _parent(pid) == postmaster]
        for pid in (postmaster, *backends):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in (postmaster, *backends)) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        log = self.data / "soak-restart.log"
        command = [*self.as_owner, self.pg_ctl, "-D", str(self.data), "-l", str(log), "-w", "-t", "120", "start"]
        for _attempt in range(10):  # crash recovery; a backend may take a moment to notice its postmaster is gone
            done = subprocess.run([*command, "-o", self.options], capture_output=True, text=True)
            if done.returncode == 0:
                return
            time.sleep(1)
        raise SystemExit(f"PostgreSQL did not restart: {done.stdout}{done.stderr}")


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_plan(rng: random.Random, *, kills: int, seconds: float, kill_db: bool) -> list[tuple[float, str]]:
    """When (seconds into the run) and what to kill: the web server, the worker, both, or with the database."""
    targets = ["web", "worker", "both"] + (["db", "all"] if kill_db else [])
    plan = sorted((rng.uniform(0.1, 0.85) * seconds, rng.choice(targets)) for _ in range(kills))
    if kill_db and plan and not any(target in ("db", "all") for _, target in plan):
        i = rng.randrange(len(plan))
        plan[i] = (plan[i][0], rng.choice(["db", "all"]))
    return plan


async def wait_up(base: str, timeout: float = 300) -> bool:
    """Whether the server answers its health check within ``timeout`` (a loaded 2-core machine needs a minute)."""
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz", timeout=10)).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    return False


COUNTED = {"reported": "reported_at", "registered": "registered_at"}  # counter -> the event's moment it counts


def counter_totals(days: list[dt.date]) -> dict[tuple[str, dt.date, str], float]:
    """The counters of COUNTED for every node and day as the dashboards read them: folded stats plus the deltas still
    pending, each pending delta added to its grid and every node above it (as the fold will)."""
    from fengqiao.metrics.counters import ancestors
    from fengqiao.metrics.models import DailyGridStat, PendingDelta

    totals: dict[tuple[str, dt.date, str], float] = defaultdict(float)
    for path, day, *values in DailyGridStat.objects.filter(day__in=days).values_list("node_path", "day", *COUNTED):
        for name, value in zip(COUNTED, values, strict=True):
            totals[(path, day, name)] += value
    for path, day, *values in PendingDelta.objects.filter(day__in=days).values_list("node_path", "day", *COUNTED):
        for node in ancestors(path):
            for name, value in zip(COUNTED, values, strict=True):
                totals[(node, day, name)] += value
    return totals


def close_connections() -> None:
    """Close this process's connections, pooled ones too: a restarted database leaves them all broken."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reporters", type=int, default=16)
    parser.add_argument("--handlers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--crash", action="store_true", help="kill once (the same as --kills 1)")
    parser.add_argument("--kills", type=int, default=None, help="SIGKILLs at random moments (default 1 with --crash)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill plan (default: random, printed)")
    parser.add_argument("--max-pause", type=float, default=2.0, help="longest pause before a restart, seconds")
    parser.add_argument("--kill-db", action="store_true", help="kills may also take PostgreSQL down (--pg-ctl-data)")
    parser.add_argument("--pg-ctl-data", help="the local PostgreSQL server's data directory, for --kill-db")
    args = parser.parse_args()
    kills = args.kills if args.kills is not None else (1 if args.crash else 0)
    if args.kill_db and not args.pg_ctl_data:
        parser.error("--kill-db needs --pg-ctl-data DIR (the local server's data directory)")
    if args.kill_db and kills < 1:
        parser.error("--kill-db needs at least one kill (--kills N)")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    rng = random.Random(seed)
    plan = kill_plan(rng, kills=kills, seconds=args.seconds, kill_db=args.kill_db)
    database = Postgres(args.pg_ctl_data) if args.kill_db else None

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    import httpx
    from django.db.models import Count
    from django.utils import timezone

    from fengqiao.accounts.models import Membership, Role
    from fengqiao.core.models import Action
    from fengqiao.events.models import ApiClient, Event
    from fengqiao.grids.models import GridNode, Level
    from fengqiao.metrics.counters import ancestors, day_of

    points = list(
        GridNode.objects.filter(level__in=[Level.GRID, Level.MICRO]).values_list("centroid_lon", "centroid_lat")[:2000]
    )
    if not points:
        sys.exit("no grids: run `fengqiao demo --scale small` first")
    dispatcher = Membership.objects.filter(role=Role.DISPATCHER).select_related("user").first()
    if dispatcher is None:
        sys.exit("no dispatcher in the demo data")
    client_row = ApiClient.objects.filter(name="soak").first() or ApiClient(name="soak")
    client_row.set_key("soak-key")
    client_row.save()
    dispatcher.user.set_password("soak-password-1")
    dispatcher.user.save()
    run_id = uuid.uuid4().hex[:8]
    started_ids = set(Event.objects.values_list("id", flat=True))
    started_at = timezone.now()
    first_day = timezone.localdate(started_at) - dt.timedelta(days=1)
    counters_before = counter_totals([first_day + dt.timedelta(days=i) for i in range(3)])
    close_connections()  # the database may be killed under these connections

    print(f"soak: seed {seed}; kills planned: " + (", ".join(f"{t:.1f}s {w}" for t, w in plan) or "none"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    servers = Servers(port, args.workers)
    servers.start("web", "worker")
    accepted: dict[str, str] = {}  # idempotency key -> tracking code
    latencies: dict[str, list[float]] = defaultdict(list)
    answers_5xx: list[tuple[float, str]] = []  # (monotonic time, kind)
    db_down: list[list[float]] = []  # [killed, back + grace] in monotonic time
    refused: dict[int, int] = defaultdict(int)
    connection_errors = 0
    deadline = 0.0
    begin = 0.0
    done_kills: list[str] = []
    restarts: list[bool] = []  # serving again after each kill

    async def timed(kind: str, coro: object) -> httpx.Response | None:
        nonlocal connection_errors
        t0 = time.perf_counter()
        try:
            response = await coro  # type: ignore[misc]
        except httpx.HTTPError:
            connection_errors += 1
            await asyncio.sleep(0.2)
            return None
        latencies[kind].append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 500:
            answers_5xx.append((time.monotonic(), kind))
        elif response.status_code >= 400:
            refused[response.status_code] += 1
        return response

    async def reporter(n: int) -> None:
        rng = random.Random(n)
        async with httpx.AsyncClient(timeout=20) as http:
            while time.monotonic() < deadline:
                key = f"soak-{run_id}-{n}-{uuid.uuid4().hex[:10]}"
                lon, lat = rng.choice(points)
                body = {"description": f"压测上报 {key}", "category": "0404", "lon": lon, "lat": lat}
                while time.monotonic() < deadline + 60:  # a phone retries until it gets an answer
                    response = await timed(
                        "report",
                        http.post(
                            f"{base}/api/v1/events",
                            json=body,
                            headers={"X-API-Key": "soak-key", "Idempotency-Key": key},
                        ),
                    )
                    if response is not None and response.status_code == 201:
                        accepted[key] = response.json()["tracking_code"]
                        break
                    if response is not None and response.status_code < 500:
                        break
                    if response is not None:  # 5xx: back off a little, as a phone would
                        await asyncio.sleep(0.2)

    async def handler(n: int) -> None:
        async with httpx.AsyncClient(timeout=20, base_url=base) as http:
            while time.monotonic() < deadline:
                try:
                    page = await http.get("/login/")
                    await http.post(
                        "/login/",
                        data={
                            "username": dispatcher.user.username,
                            "password": "soak-password-1",
                            "csrfmiddlewaretoken": page.cookies.get("csrftoken", http.cookies.get("csrftoken", "")),
                        },
                        headers={"Referer": f"{base}/login/"},
                    )
                except httpx.HTTPError:
                    await asyncio.sleep(0.5)
                    continue
                while time.monotonic() < deadline:
                    response = await timed(
                        "queue", http.get("/api/v1/events", params={"state": "reported", "limit": 5})
                    )
                    if response is None or response.status_code != 200:
                        await asyncio.sleep(0.2)
                        break
                    for row in response.json():
                        csrf = http.cookies.get("csrftoken") or ""
                        await timed(
                            "act",
                            http.post(
                                f"/api/v1/events/{row['tracking_code']}/actions/register",
                                json={"category": "0404"},
                                headers={"X-CSRFToken": csrf, "Referer": f"{base}/"},
                            ),
                        )

    async def reader(n: int) -> None:
        async with httpx.AsyncClient(timeout=20, base_url=base) as http:
            while time.monotonic() < deadline:
                await timed("read", http.get("/open311/v2/requests.json", params={"status": "open"}))
                await asyncio.sleep(0.05)

    async def supervise() -> None:
        while not all_done.is_set():
            servers.revive()
            await asyncio.sleep(0.5)

    async def chaos() -> None:
        for i, (at, target) in enumerate(plan, 1):
            await asyncio.sleep(max(0.0, begin + at - time.monotonic()))
            names = {"web": ("web",), "worker": ("worker",), "db": (), "both": ("web", "worker")}.get(
                target, ("web", "worker")
            )
            t = time.monotonic() - begin
            if names:
                servers.kill(*names)
            if database is not None and target in ("db", "all"):
                # The outage starts when the kill is sent, not when the server is seen gone: a request that fails while
                # the postmaster dies is answered before the kill call returns.
                db_down.append([time.monotonic(), float("inf")])
                await asyncio.to_thread(database.kill)
            pause = rng.uniform(0.2, args.max_pause)
            what = {"web": "web server", "worker": "worker", "both": "web server and worker", "db": "PostgreSQL"}
            print(
                f"  kill {i}/{len(plan)} at t={t:.1f}s: {what.get(target, 'web server, worker and PostgreSQL')}"
                f" (SIGKILL); restart after {pause:.1f}s"
            )
            done_kills.append(target)
            await asyncio.sleep(pause)
            if database is not None and target in ("db", "all"):
                await asyncio.to_thread(database.start)
                db_down[-1][1] = time.monotonic() + DB_RECONNECT_GRACE_S
            if names:
                servers.start(*names)
            up = await wait_up(base)
            restarts.append(up)
            print(f"    {'serving again' if up else 'NOT serving'} at t={time.monotonic() - begin:.1f}s")

    all_done = asyncio.Event()

    async def load() -> None:
        await asyncio.gather(
            *(reporter(i) for i in range(args.reporters)),
            *(handler(i) for i in range(args.handlers)),
            *(reader(i) for i in range(args.readers)),
            chaos(),
        )
        all_done.set()

    async def run() -> None:
        nonlocal deadline, begin
        if not await wait_up(base):
            raise SystemExit("server did not come up")
        begin = time.monotonic()
        deadline = begin + args.seconds
        await asyncio.gather(load(), supervise())

    try:
        asyncio.run(run())
    finally:
        servers.stop()

    # The checks, straight from the database.
    close_connections()
    checks: list[tuple[str, int, int]] = []  # (what, how many were checked, how many failed)

    def check(what: str, checked: int, failed: int) -> None:
        checks.append((what, checked, failed))

    new_events = Event.objects.exclude(id__in=started_ids)
    ids = list(new_events.values_list("id", "state"))
    codes = list(accepted.values())
    found = dict(new_events.filter(tracking_code__in=codes).values_list("tracking_code", "id"))
    check("accepted reports present (answered 201)", len(codes), sum(1 for c in codes if c not in found))
    keyed = new_events.filter(description__startswith="压测上报 soak-")
    dupes = keyed.values("description").annotate(n=Count("id")).filter(n__gt=1).count()
    check("idempotency keys with exactly one event", keyed.values("description").distinct().count(), dupes)
    last: dict[str, tuple[str, str]] = {}
    reports: set[str] = set()
    for object_id, verb, to_state in (
        Action.objects.filter(workflow="event", object_id__in=[str(i) for i, _ in ids])
        .order_by("at", "id")
        .values_list("object_id", "verb", "to_state")
    ):
        last[object_id] = (verb, to_state)
        if verb == "report":
            reports.add(object_id)
    check(
        "events created in the run with their `report` audit row", len(ids), sum(str(i) not in reports for i, _ in ids)
    )
    check(
        "events whose state equals their audit trail's last transition",
        len(ids),
        sum(last.get(str(i), ("", ""))[1] != state for i, state in ids),
    )
    report_rows = list(
        Action.objects.filter(workflow="event", verb="report", at__gte=started_at).values_list("object_id", flat=True)
    )
    existing = {str(i) for i in Event.objects.filter(id__in=report_rows).values_list("id", flat=True)}
    check(
        "`report` audit rows of the run with their event", len(report_rows), sum(r not in existing for r in report_rows)
    )

    # Counted exactly once: every (node, day) counter rose by exactly the events of the run that count there.
    ended_at = timezone.now()
    days = sorted(
        {first_day + dt.timedelta(days=i) for i in range((timezone.localdate(ended_at) - first_day).days + 1)}
    )
    counters_after = counter_totals(days)
    expected: dict[tuple[str, dt.date, str], float] = defaultdict(float)
    counted_events: dict[str, int] = {}
    for name, moment in COUNTED.items():
        rows = (
            new_events.values_list("grid_path", moment)
            if name == "reported"
            else Event.objects.filter(**{f"{moment}__gte": started_at}).values_list("grid_path", moment)
        )
        counted_events[name] = 0
        for path, at in rows:
            if at is None or not path:
                continue
            counted_events[name] += 1
            for node in ancestors(path):
                expected[(node, day_of(at), name)] += 1
    for name in COUNTED:
        buckets = {k for k in (*expected, *counters_after, *counters_before) if k[2] == name}
        wrong = [k for k in buckets if counters_after.get(k, 0) - counters_before.get(k, 0) != expected.get(k, 0)]
        check(
            f"(node, day) buckets whose `{name}` counter rose by exactly the run's events"
            f" ({counted_events[name]:,} events)",
            len(buckets),
            len(wrong),
        )
        if wrong:
            for k in sorted(wrong)[:3]:
                print(
                    f"    {k}: rose {counters_after.get(k, 0) - counters_before.get(k, 0):g},"
                    f" events {expected.get(k, 0):g}"
                )

    check("restarts serving again within 300 s", len(restarts), restarts.count(False))

    def while_db_down(at: float) -> bool:
        return any(start <= at <= end for start, end in db_down)

    excused = sum(while_db_down(at) for at, _ in answers_5xx)
    blamed: dict[str, int] = defaultdict(int)
    for at, kind in answers_5xx:
        if not while_db_down(at):
            blamed[kind] += 1
    answered = sum(len(v) for v in latencies.values())
    check("requests answered without 5xx (outside database outages)", answered - excused, sum(blamed.values()))
    for at, kind in answers_5xx:
        if not while_db_down(at):
            outages = ", ".join(f"{a - begin:.2f}–{b - begin:.2f}s" for a, b in db_down) or "none"
            print(f"    5xx outside an outage: {kind} at t={at - begin:.2f}s (outages: {outages})")
    try:
        from fengqiao.dispatch.models import Notification  # the notifications centre, when installed

        warnings = Notification.objects.filter(kind__in=["deadline_orange", "deadline_red"])
        doubled = (
            warnings.values("recipient_id", "kind", "url", "title").annotate(n=Count("id")).filter(n__gt=1).count()
        )
        check("deadline warnings delivered once", warnings.count(), doubled)
    except (ImportError, Exception) as exc:
        print(f"  (deadline-warning check skipped: {exc})")

    print(
        f"soak: {args.seconds:.0f} s, {args.reporters} reporters, {args.handlers} handlers, {args.readers} readers,"
        f" {args.workers} server workers, {len(done_kills)} kills (seed {seed})"
    )
    print(
        f"  accepted reports: {len(accepted):,} ({len(accepted) / args.seconds:,.0f}/s); events created: {len(ids):,}"
        f" (answer lost to a kill: {len(ids) - len(found):,})"
    )
    print(
        f"  refused (4xx) by status: {dict(refused)}; connection errors while down: {connection_errors};"
        f" 5xx while the database was down or reconnecting: {excused};"
        f" unplanned exits restarted: {dict(servers.unplanned)}"
    )
    for kind, values in sorted(latencies.items()):
        arr = np.array(values)
        print(
            f"  {kind:<7} n={len(arr):>6}  p50 {np.percentile(arr, 50):7.1f} ms  p95 {np.percentile(arr, 95):7.1f} ms"
            f"  p99 {np.percentile(arr, 99):7.1f} ms"
        )
    for what, checked, failed in checks:
        print(f"  check {'ok  ' if not failed else 'FAIL'} {what}: {checked:,} checked, {failed:,} failed")
    if any(failed for _, _, failed in checks):
        print("FAILED")
        sys.exit(1)
    print("all checks passed: every report with its audit row and its counters, or none of them; nothing doubled")


if __name__ == "__main__":
    main()
