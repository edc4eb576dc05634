"""Benchmark write bursts on a durable PostgreSQL: acknowledgement storms, patrol GPS batches, IoT alarms.

Usage (the `city` demo loaded into PostgreSQL; run it against a server with its durability defaults; the server it
starts refuses development keys, so set SECRET_KEY and FENGQIAO_DATA_KEYS, the same ones the data was written with):
    DATABASE_URL=postgres://... .venv/bin/python bench/burst.py [--workers-limit N] [--concurrency 64]
        [--server-workers 2] [--gps-seconds 15] [--iot-seconds 15] [--max-seconds 1800]

Prints the server's durability settings and the physical limits measured in the same run:
- the disk's fsync rate (8 kB write + fdatasync in a loop, on the filesystem of the database's data directory when it
  is on this machine, else in the temporary directory);
- a bare single-row autocommit INSERT rate through Django's connection (one connection, one commit per row);
- the request rate of a trivial view (``GET /healthz``) on the same uvicorn server with the same client.
Then three bursts, each beside its target and its limit:
1. acks: one instruction to the whole city (``send_instruction`` to the root node), then every grid worker (or
   ``--workers-limit`` of them) posts ``POST /api/v1/dispatch/instructions/{pk}/ack`` over HTTP from many concurrent
   connections, each with its own signed-in session. The sessions are written in bulk beforehand, untimed (signing
   217,000 workers in through the password form is not what is measured). Afterwards the database is checked: every
   worker's receipt exists exactly once and is acknowledged.
2. GPS: patrols started (untimed) for ``--gps-patrols`` workers, then batches of ``MAX_POINTS_PER_CALL`` points posted
   to ``POST /api/v1/dispatch/patrols/{pk}/points`` (each with its own Idempotency-Key) for ``--gps-seconds``.
3. IoT: ``--iot-devices`` bench devices registered (untimed), then alarms signed with each device's secret (HMAC over
   timestamp, nonce and body; a fresh nonce each) posted to ``/events/iot/{code}/`` for ``--iot-seconds``.
Rate limits stay on: every device stays under its 120 alarms a minute, every worker under the API's limit.
Rows it writes (the instruction and receipts, patrols and points, devices and events) are left in the database; the
bench sessions are deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import django

TARGETS = {"acks": 5000.0, "acks_all_s": 60.0, "gps": 50_000.0, "iot": 2000.0}
CSRF = "benchburstcsrf0123456789abcdefgh"  # a CSRF secret (32 characters) sent as both cookie and header


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value <= target
    return "met" if met else "not met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers-limit", type=int, default=0, help="acknowledge with only this many workers")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent HTTP connections of the client")
    parser.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--probe-seconds", type=float, default=3.0, help="length of each limit measurement")
    parser.add_argument("--gps-patrols", type=int, default=500)
    parser.add_argument("--gps-seconds", type=float, default=15.0)
    parser.add_argument("--iot-devices", type=int, default=2000)
    parser.add_argument("--iot-seconds", type=float, default=15.0)
    parser.add_argument("--skip", default="", help="comma-separated bursts to leave out: acks,gps,iot")
    parser.add_argument("--max-seconds", type=int, default=1800)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("bench ran past --max-seconds")))
    signal.alarm(args.max_seconds)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    django.setup()
    from django.db import connection

    import limits

    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database with the city demo loaded")
    rng = random.Random(args.seed)
    fsync_rate, insert_rate = limits.header(connection, args.probe_seconds)

    bench = Bench(rng, args)
    port = free_port()
    server = start_server(port, args.server_workers)
    results: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        wait_for_port(port, 300)
        print(f"server: uvicorn, {args.server_workers} workers, answering after {time.perf_counter() - t0:.0f} s")
        health = asyncio.run(timed_requests(port, args.concurrency, args.probe_seconds, lambda i: health_request()))
        health_rate = health["ok"] / health["seconds"]
        print(f"limit: GET /healthz, same server and client: {health_rate:,.0f} requests/s ({health['failed']} failed)")
        if "acks" not in skip:
            results["acks"] = bench.acks(port)
        if "gps" not in skip:
            results["gps"] = bench.gps(port)
        if "iot" not in skip:
            results["iot"] = bench.iot(port)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        bench.cleanup()
    signal.alarm(0)

    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print("| measure | result | its limit, same run | target | met? |")
    print("| --- | --- | --- | --- | --- |")
    if "acks" in results:
        a = results["acks"]
        projected = 217_000 / a["rate"] if a["rate"] else float("inf")
        print(
            f"| acks over HTTP ({a['n']:,} workers, {args.concurrency} connections) | {a['rate']:,.0f}/s"
            f" (p50 {a['p50']:.0f} ms, p95 {a['p95']:.0f} ms) | /healthz {health_rate:,.0f}/s; bare INSERT"
            f" {insert_rate:,.0f}/s; fsync {fsync_rate:,.0f}/s | >= 5,000/s | {verdict(a['rate'], TARGETS['acks'])} |"
        )
        print(
            f"| all 217,000 recorded ({'measured' if a['n'] >= 217_000 else 'projected at that rate'})"
            f" | {a['all_s'] if a['n'] >= 217_000 else projected:,.0f} s | — | < 60 s |"
            f" {verdict(a['all_s'] if a['n'] >= 217_000 else projected, TARGETS['acks_all_s'], False)} |"
        )
    if "gps" in results:
        g = results["gps"]
        print(
            f"| GPS points in batches of {g['batch']} | {g['rate']:,.0f} points/s ({g['requests']:,.0f} batches/s)"
            f" | /healthz {health_rate:,.0f} requests/s | >= 50,000/s | {verdict(g['rate'], TARGETS['gps'])} |"
        )
    if "iot" in results:
        i = results["iot"]
        print(
            f"| IoT alarms ({i['devices']:,} devices) | {i['rate']:,.0f}/s (p50 {i['p50']:.0f} ms)"
            f" | /healthz {health_rate:,.0f}/s; bare INSERT {insert_rate:,.0f}/s | >= 2,000/s"
            f" | {verdict(i['rate'], TARGETS['iot'])} |"
        )


# --- the server and the client ---------------------------------------------------------------------------------------


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOG_LEVEL": "WARNING", "FENGQIAO_LOCATOR_CHECK_SECONDS": "30"}
    return subprocess.Popen(
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
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
            "--backlog",
            "4096",
        ],
        env=env,
    )


def wait_for_port(port: int, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not start")


# A request: (method, path, headers, body); the expected status decides success.
Request = tuple[str, str, dict[str, str], bytes, int]


def health_request() -> Request:
    return ("GET", "/healthz", {}, b"", 200)


async def timed_requests(
    port: int, concurrency: int, seconds: float, make: Callable[[int], Request | None], count: int | None = None
) -> dict[str, Any]:
    """Send requests from ``concurrency`` connections, for ``seconds`` or until ``make`` returns None (or ``count``
    requests were made); aiohttp keeps the client's own CPU low, since it shares the machine with the server."""
    import aiohttp

    ok = failed = 0
    statuses: Counter[int] = Counter()
    samples: list[str] = []
    latencies: list[float] = []
    counter = 0
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok, failed, counter
        while time.perf_counter() < deadline and (count is None or counter < count):
            request = make(counter)
            counter += 1
            if request is None:
                return
            method, path, headers, body, expected = request
            started = time.perf_counter()
            try:
                async with session.request(
                    method, f"http://127.0.0.1:{port}{path}", headers=headers, data=body or None
                ) as response:
                    text = await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError):
                failed += 1
                statuses[0] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
            if status == expected:
                ok += 1
            else:
                failed += 1
                if len(samples) < 3:
                    samples.append(f"{status} {text[:200]!r}")

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as s:
        await asyncio.gather(*(worker(s) for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    if samples:
        print(f"  refused: {dict(statuses)}; e.g. " + " | ".join(samples))
    return {"ok": ok, "failed": failed, "seconds": elapsed, "latencies": latencies, "statuses": statuses}


# --- the bursts ------------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, rng: random.Random, args: argparse.Namespace) -> None:
        from fengqiao.accounts.models import WORKER_ROLES, Membership, User
        from fengqiao.grids.models import GridNode

        self.rng = rng
        self.args = args
        self.root = GridNode.objects.get(parent__isnull=True)
        sender = User.objects.filter(is_superuser=True).order_by("pk").first()
        if sender is None:
            sys.exit("no superuser to send from: load the demo with `fengqiao demo --scale city`")
        self.sender = sender
        t0 = time.perf_counter()
        self.worker_ids = sorted(
            set(Membership.objects.filter(role__in=WORKER_ROLES, active=True).values_list("user_id", flat=True))
        )
        self.worker_ids = [w for w in self.worker_ids if w != sender.pk]
        print(f"grid workers: {len(self.worker_ids):,} (listed in {time.perf_counter() - t0:.1f} s)")
        self.session_keys: dict[int, str] = {}
        self.device_ids: list[int] = []

    def sessions(self, user_ids: list[int]) -> dict[int, str]:
        """A signed-in session per worker, written in bulk (untimed): what a phone holds after signing in once."""
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.contrib.sessions.models import Session
        from django.utils import timezone
        from django.utils.crypto import get_random_string

        from fengqiao.accounts.models import User
        from fengqiao.accounts.security import SIGNED_IN_AT

        wanted = [u for u in user_ids if u not in self.session_keys]
        store = SessionStore()
        expire = timezone.now() + dt.timedelta(hours=2)
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            rows = []
            for user in User.objects.filter(pk__in=chunk).only("pk", "password"):
                data = {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                    SIGNED_IN_AT: time.time(),
                }
                key = "burst" + get_random_string(27)
                rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
                self.session_keys[user.pk] = key
            Session.objects.bulk_create(rows)
        return {u: self.session_keys[u] for u in user_ids}

    def _headers(self, user_id: int) -> dict[str, str]:
        from django.conf import settings

        session = f"{settings.SESSION_COOKIE_NAME}={self.session_keys[user_id]}"
        return {
            "Cookie": f"{session}; {settings.CSRF_COOKIE_NAME}={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def acks(self, port: int) -> dict[str, Any]:
        from fengqiao.dispatch import services
        from fengqiao.dispatch.models import Receipt

        limit = self.args.workers_limit or len(self.worker_ids)
        workers = self.worker_ids if limit >= len(self.worker_ids) else sorted(self.rng.sample(self.worker_ids, limit))
        t0 = time.perf_counter()
        self.sessions(workers)
        print(f"acks: {len(workers):,} sessions written in bulk in {time.perf_counter() - t0:.1f} s (untimed)")
        headers = [self._headers(w) for w in workers]
        self.rng.shuffle(headers)

        # Warm-up, untimed: the first send and each server process's first requests load the city's tree.
        warm = services.send_instruction(
            actor=self.sender, title="[bench] 预热", body="bench", nodes=[self.root], requires_ack=True
        )
        chosen = set(workers)
        pool = self.rng.sample(self.worker_ids, min(400, len(self.worker_ids)))
        spare = [w for w in pool if w not in chosen][:200]
        self.sessions(spare)
        warm_headers = [self._headers(w) for w in spare]
        warm_path = f"/api/v1/dispatch/instructions/{warm.pk}/ack"
        asyncio.run(
            timed_requests(port, 8, 120, lambda i: ("POST", warm_path, warm_headers[i], b"", 200), len(warm_headers))
        )

        t0 = time.perf_counter()
        instruction = services.send_instruction(
            actor=self.sender, title="[bench] 全市签收压测", body="bench", nodes=[self.root], requires_ack=True
        )
        sent = time.perf_counter()
        path = f"/api/v1/dispatch/instructions/{instruction.pk}/ack"

        def make(i: int) -> Request | None:
            return ("POST", path, headers[i], b"", 200) if i < len(headers) else None

        result = asyncio.run(timed_requests(port, self.args.concurrency, self.args.max_seconds, make, len(headers)))
        all_s = time.perf_counter() - t0
        rate = result["ok"] / (time.perf_counter() - sent)
        # Verify in the database: every worker's receipt exactly once, acknowledged, and nobody else's.
        rows = list(Receipt.objects.filter(instruction=instruction).values_list("user_id", "acknowledged_at"))
        by_user = Counter(user for user, _at in rows)
        duplicates = [u for u, n in by_user.items() if n > 1]
        missing = set(workers) - set(by_user)
        unacknowledged = [u for u, at in rows if at is None]
        extra = set(by_user) - set(workers)
        checked = not duplicates and not missing and not unacknowledged and not extra and result["failed"] == 0
        print(
            f"acks: instruction {instruction.pk} sent in {(sent - t0) * 1000:.0f} ms; {result['ok']:,} acknowledged"
            f" ({result['failed']} refused) in {all_s:.1f} s = {rate:,.0f}/s"
            f"  p50 {pct(result['latencies'], 50):.0f} ms  p95 {pct(result['latencies'], 95):.0f} ms"
        )
        print(
            f"acks: database check: {len(rows):,} receipts, {len(duplicates)} duplicated, {len(missing)} missing,"
            f" {len(unacknowledged)} not acknowledged, {len(extra)} for others: {'OK' if checked else 'FAILED'}"
        )
        if not checked:
            raise SystemExit("acknowledgements were lost or duplicated")
        return {
            "n": len(workers),
            "rate": rate,
            "all_s": all_s,
            "p50": pct(result["latencies"], 50),
            "p95": pct(result["latencies"], 95),
        }

    def gps(self, port: int) -> dict[str, Any]:
        from fengqiao.accounts.models import User
        from fengqiao.dispatch import selectors, services
        from fengqiao.dispatch.models import Patrol, PatrolPoint

        batch = services.MAX_POINTS_PER_CALL
        candidates = self.rng.sample(self.worker_ids, min(len(self.worker_ids), self.args.gps_patrols * 2))
        t0 = time.perf_counter()
        patrols: list[tuple[int, int, float, float]] = []
        for user in User.objects.filter(pk__in=candidates):
            if len(patrols) >= self.args.gps_patrols:
                break
            if selectors.worker_grid(user) is None:
                continue
            patrol = selectors.open_patrol(actor=user) or services.start_patrol(actor=user)
            grid = patrol.grid
            lon = grid.centroid_lon or 113.65
            lat = grid.centroid_lat or 34.75
            patrols.append((user.pk, patrol.pk, lon, lat))
        self.sessions([p[0] for p in patrols])
        print(f"gps: {len(patrols):,} patrols started and their sessions written in {time.perf_counter() - t0:.1f} s")
        headers = {p[0]: self._headers(p[0]) for p in patrols}
        # Round robin over more patrols than connections: two batches of one patrol never queue on its row lock.
        concurrency = min(self.args.concurrency, len(patrols))
        step = 0.00001

        def make(i: int) -> Request:
            user, patrol, lon, lat = patrols[i % len(patrols)]
            points = [
                {"lon": round(lon + step * (i % 97 + k), 7), "lat": round(lat + step * k, 7), "accuracy": 8.0}
                for k in range(batch)
            ]
            body = json.dumps({"points": points}).encode()
            return (
                "POST",
                f"/api/v1/dispatch/patrols/{patrol}/points",
                {**headers[user], "Idempotency-Key": f"burst-{i}-{secrets.token_hex(6)}"},
                body,
                200,
            )

        asyncio.run(timed_requests(port, 8, 120, make, 32))  # warm-up, untimed
        before = PatrolPoint.objects.filter(patrol_id__in=[p[1] for p in patrols]).count()
        result = asyncio.run(timed_requests(port, concurrency, self.args.gps_seconds, make))
        after = PatrolPoint.objects.filter(patrol_id__in=[p[1] for p in patrols]).count()
        stored = after - before
        counted = sum(Patrol.objects.filter(pk__in=[p[1] for p in patrols]).values_list("points_count", flat=True))
        rate = result["ok"] * batch / result["seconds"]
        print(
            f"gps: {result['ok']:,} batches of {batch} ({result['failed']} refused) in {result['seconds']:.1f} s"
            f" = {rate:,.0f} points/s  p50 {pct(result['latencies'], 50):.0f} ms;"
            f" database: {stored:,} new points stored, {result['ok'] * batch:,} sent"
            f" ({'OK' if stored == result['ok'] * batch else 'MISMATCH'}), points_count total {counted:,}"
        )
        return {"rate": rate, "requests": result["ok"] / result["seconds"], "batch": batch}

    def iot(self, port: int) -> dict[str, Any]:
        from fengqiao.events.models import Category, Device, Event, Source
        from fengqiao.grids.models import GridNode, Level

        t0 = time.perf_counter()
        category = Category.objects.get(code="0301")
        grids = list(GridNode.objects.filter(level=Level.GRID).only("pk", "path", "centroid_lon", "centroid_lat")[:500])
        run_tag = secrets.token_hex(3)
        devices = []
        for n in range(self.args.iot_devices):
            grid = grids[n % len(grids)]
            devices.append(
                Device(
                    code=f"BURST-{run_tag}-{n:05d}",
                    name=f"压测烟感 {n}",
                    category=category,
                    secret=secrets.token_hex(16),
                    grid=grid,
                    grid_path=grid.path,
                    lon=grid.centroid_lon,
                    lat=grid.centroid_lat,
                    address="压测安装位置",
                )
            )
        Device.objects.bulk_create(devices, batch_size=1000)
        secrets_by_code = {d.code: str(d.secret) for d in devices}
        codes = list(secrets_by_code)
        print(f"iot: {len(codes):,} bench devices registered in {time.perf_counter() - t0:.1f} s (untimed)")

        def make(i: int) -> Request:
            code = codes[i % len(codes)]
            body = json.dumps({"alarm": "烟雾浓度超标", "id": f"burst-{run_tag}-{i}"}).encode()
            stamp = str(int(time.time()))
            nonce = secrets.token_urlsafe(18)
            signature = hmac.new(secrets_by_code[code].encode(), f"{stamp}.{nonce}.".encode() + body, hashlib.sha256)
            headers = {
                "Content-Type": "application/json",
                "X-Fengqiao-Timestamp": stamp,
                "X-Fengqiao-Nonce": nonce,
                "X-Fengqiao-Signature": f"sha256={signature.hexdigest()}",
            }
            return ("POST", f"/events/iot/{code}/", headers, body, 201)

        asyncio.run(timed_requests(port, 8, 120, lambda i: make(len(codes) * 100 + i), 64))  # warm-up, untimed
        before = Event.objects.filter(source=Source.IOT).count()
        # At most 100 alarms per device in the burst: under the webhook's limit of 120 a minute per device.
        result = asyncio.run(timed_requests(port, self.args.concurrency, self.args.iot_seconds, make, len(codes) * 100))
        stored = Event.objects.filter(source=Source.IOT).count() - before
        rate = result["ok"] / result["seconds"]
        print(
            f"iot: {result['ok']:,} alarms accepted ({result['failed']} refused) in {result['seconds']:.1f} s"
            f" = {rate:,.0f}/s  p50 {pct(result['latencies'], 50):.0f} ms  p95 {pct(result['latencies'], 95):.0f} ms;"
            f" database: {stored:,} new IoT events ({'OK' if stored == result['ok'] else 'MISMATCH'})"
        )
        return {"rate": rate, "devices": len(codes), "p50": pct(result["latencies"], 50)}

    def cleanup(self) -> None:
        from django.contrib.sessions.models import Session

        keys = list(self.session_keys.values())
        for start in range(0, len(keys), 10_000):
            Session.objects.filter(session_key__in=keys[start : start + 10_000]).delete()


if __name__ == "__main__":
    main()
