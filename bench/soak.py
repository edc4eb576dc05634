"""Load without loss: reporters, handlers and dashboard readers against the ASGI server for a bounded time,
optionally killing the server and the worker with SIGKILL half-way, then proving nothing accepted was lost.

Usage (a migrated database with at least the `small` demo; PostgreSQL for the real thing):
    DATABASE_URL=postgres://... .venv/bin/python bench/soak.py [--seconds 60] [--reporters 16] [--crash]

Every report carries an Idempotency-Key and is retried with the same key until the server answers, as a phone
would. At the end the script checks, in the database:
  * every report the server accepted exists exactly once, and no key produced two events;
  * every event's state equals the last transition in its audit trail, and each has its `report` row;
  * no request was answered 5xx (connection errors while the server was dead are counted apart);
  * no deadline warning was recorded twice for the same stage.
It prints latency percentiles per kind of request and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict

import django
import numpy as np


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Servers:
    """The web server (uvicorn, N workers) and the background worker, started and killed like systemd would."""

    def __init__(self, port: int, workers: int) -> None:
        self.port = port
        self.workers = workers
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "LOG_LEVEL": "WARNING", "FENGQIAO_RATE_LIMITS": "0"}

    def start(self) -> None:
        self.web = subprocess.Popen(
            [
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
            ],
            env=self.env,
            start_new_session=True,
        )
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "fengqiao", "worker"], env=self.env, start_new_session=True
        )

    def kill(self) -> None:
        for proc in (self.web, self.worker):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop(self) -> None:
        for proc in (self.web, self.worker):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


async def wait_up(base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reporters", type=int, default=16)
    parser.add_argument("--handlers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--crash", action="store_true", help="SIGKILL server and worker half-way, then restart them")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    import httpx
    from django.db.models import Count

    from fengqiao.accounts.models import Membership, Role
    from fengqiao.core.models import Action
    from fengqiao.events.models import ApiClient, Event
    from fengqiao.grids.models import GridNode, Level

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

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    servers = Servers(port, args.workers)
    servers.start()
    accepted: dict[str, str] = {}  # idempotency key -> tracking code
    latencies: dict[str, list[float]] = defaultdict(list)
    status_5xx: dict[str, int] = defaultdict(int)
    refused: dict[int, int] = defaultdict(int)
    connection_errors = 0
    deadline = 0.0
    crash_at = 0.0
    crashed = False

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
            status_5xx[kind] += 1
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
                while time.monotonic() < deadline + 30:  # a phone retries until it gets an answer
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
                        break
                    for row in response.json():
                        csrf = http.cookies.get("csrftoken", "")
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

    async def chaos() -> None:
        nonlocal crashed
        if not args.crash:
            return
        await asyncio.sleep(max(0.0, crash_at - time.monotonic()))
        servers.kill()
        crashed = True
        print(f"  killed server and worker with SIGKILL at t={args.seconds / 2:.0f}s; restarting")
        servers.start()
        await wait_up(base)

    async def run() -> None:
        nonlocal deadline, crash_at
        await wait_up(base)
        deadline = time.monotonic() + args.seconds
        crash_at = time.monotonic() + args.seconds / 2
        await asyncio.gather(
            *(reporter(i) for i in range(args.reporters)),
            *(handler(i) for i in range(args.handlers)),
            *(reader(i) for i in range(args.readers)),
            chaos(),
        )

    try:
        asyncio.run(run())
    finally:
        servers.stop()

    # The checks, straight from the database.
    problems: list[str] = []
    new_events = Event.objects.exclude(id__in=started_ids)
    codes = list(accepted.values())
    found = dict(new_events.filter(tracking_code__in=codes).values_list("tracking_code", "id"))
    missing = [c for c in codes if c not in found]
    if missing:
        problems.append(f"{len(missing)} accepted reports are missing, e.g. {missing[:3]}")
    dupes = (
        new_events.filter(description__startswith="压测上报 soak-")
        .values("description")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if dupes:
        problems.append(f"{dupes} idempotency keys produced more than one event")
    ids = list(new_events.values_list("id", "state"))
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
    half_done = [i for i, state in ids if last.get(str(i), ("", ""))[1] != state]
    if half_done:
        problems.append(f"{len(half_done)} events whose state differs from their audit trail")
    no_report = [i for i, _ in ids if str(i) not in reports]
    if no_report:
        problems.append(f"{len(no_report)} events without their report row")
    if sum(status_5xx.values()):
        problems.append(f"5xx answers: {dict(status_5xx)}")
    try:
        from fengqiao.dispatch.models import Notification  # the notifications centre, when installed

        doubled = (
            Notification.objects.filter(kind__in=["deadline_orange", "deadline_red"])
            .values("recipient_id", "kind", "url", "title")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        if doubled:
            problems.append(f"{doubled} deadline warnings were delivered twice")
    except (ImportError, Exception) as exc:
        print(f"  (deadline-warning check skipped: {exc})")

    print(
        f"soak: {args.seconds:.0f} s, {args.reporters} reporters, {args.handlers} handlers, {args.readers} readers,"
        f" {args.workers} server workers{', crash half-way' if crashed else ''}"
    )
    print(
        f"  accepted reports: {len(accepted):,} ({len(accepted) / args.seconds:,.0f}/s); events created: {len(ids):,}"
    )
    print(f"  refused (4xx) by status: {dict(refused)}; connection errors while down: {connection_errors}")
    for kind, values in sorted(latencies.items()):
        arr = np.array(values)
        print(
            f"  {kind:<7} n={len(arr):>6}  p50 {np.percentile(arr, 50):7.1f} ms  p95 {np.percentile(arr, 95):7.1f} ms"
            f"  p99 {np.percentile(arr, 99):7.1f} ms"
        )
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("all checks passed: nothing accepted was lost, nothing doubled, no half-done transition, no 5xx")


if __name__ == "__main__":
    main()
