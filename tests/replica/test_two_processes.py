"""Two server processes on different ports behind one address serve one session and share live push.

Run with the replica tests (``pytest -m replica tests/replica``, started by `.ci/run`) because it needs PostgreSQL:
``FENGQIAO_REPLICA_TEST_PRIMARY`` names a database holding the demo. Both processes use that database only (no
standby): sessions live in the database, and live push goes from the sending process to every other one through
PostgreSQL ``NOTIFY``. The "one address" is a round-robin TCP proxy inside this test, one backend per connection
in turn, as nginx's ``upstream`` does without ``ip_hash``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.replica.test_streaming_replica import PRIMARY, Server

pytestmark = pytest.mark.replica

PASSWORD = "Fengqiao2026"


class RoundRobinProxy:
    """One loopback address in front of several backends: each new connection goes to the next backend."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.served = [0] * len(ports)
        self._next = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = int(self._server.sockets[0].getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        index = self._next
        self._next = (self._next + 1) % len(self.ports)
        self.served[index] += 1
        try:
            backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", self.ports[index])
        except OSError:
            client_writer.close()
            return

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while chunk := await reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                    writer.close()

        await asyncio.gather(pipe(client_reader, backend_writer), pipe(backend_reader, client_writer))

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def backends() -> Iterator[tuple[Server, Server, RoundRobinProxy]]:
    if not PRIMARY:
        pytest.fail("FENGQIAO_REPLICA_TEST_PRIMARY must name a PostgreSQL database holding the demo")
    a = Server(DATABASE_REPLICA_URL="")
    try:
        b = Server(DATABASE_REPLICA_URL="")
    except BaseException:
        a.stop()
        raise
    proxy = RoundRobinProxy([a.port, b.port])
    yield a, b, proxy
    proxy.close()
    a.stop()
    b.stop()


def _one_request_per_connection(base: str) -> httpx.Client:
    """A client that opens a new connection for every request, so the proxy alternates backends between them."""
    return httpx.Client(base_url=base, timeout=20, limits=httpx.Limits(max_keepalive_connections=0))


def _sign_in(proxy: RoundRobinProxy, username: str) -> dict[str, str]:
    """Sign in through the one address; the form comes from one backend and is posted to the other."""
    before = list(proxy.served)
    with _one_request_per_connection(proxy.base) as client:
        page = client.get("/login/")
        assert page.status_code == 200
        answer = client.post(
            "/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{proxy.base}/login/"},
        )
        assert answer.status_code == 302, answer.text[:500]
        cookies = {name: client.cookies[name] for name in ("sessionid", "csrftoken")}
    # The form was served by one process and the sign-in by the other.
    assert [now - then for now, then in zip(proxy.served, before, strict=True)] == [1, 1]
    return cookies


def _grid_of(username: str) -> str:
    """A grid the demo user works in (read straight from the database)."""
    with psycopg.connect(PRIMARY, autocommit=True) as conn:
        row = conn.execute(
            "SELECT n.code FROM accounts_user u JOIN accounts_membership m ON m.user_id = u.id"
            " JOIN grids_gridnode n ON n.id = m.node_id WHERE u.username = %s ORDER BY n.code LIMIT 1",
            [username],
        ).fetchone()
    assert row, f"{username} has no grid in the demo"
    return str(row[0])


def _stream_status(server: Server, cookies: dict[str, str]) -> int:
    with (
        httpx.Client(base_url=server.base, timeout=10, cookies=cookies) as client,
        client.stream("GET", "/dispatch/stream/", headers={"Accept": "text/event-stream"}) as response,
    ):
        return response.status_code


class Stream:
    """An open live-push stream: its lines are read in a thread so the test can send while it listens."""

    def __init__(self, server: Server, cookies: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.status = 0
        self._live = threading.Event()
        self._changed = threading.Condition()
        self._client = httpx.Client(base_url=server.base, cookies=cookies, timeout=httpx.Timeout(10, read=None))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self._live.wait(20), f"the stream did not start: {self.status} {self.lines[:5]}"

    def _read(self) -> None:
        with (
            contextlib.suppress(httpx.HTTPError),
            self._client.stream("GET", "/dispatch/stream/", headers={"Accept": "text/event-stream"}) as response,
        ):
            self.status = response.status_code
            for line in response.iter_lines():
                with self._changed:
                    self.lines.append(line)
                    self._changed.notify_all()
                if line == "event: unread":  # the snapshot is sent: the process has subscribed this stream
                    self._live.set()

    def wait_for(self, text: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        with self._changed:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self) -> None:
        self._client.close()


def test_a_forged_or_signed_out_cookie_opens_no_stream_on_either_process(backends):
    a, b, proxy = backends
    forged = {"sessionid": secrets.token_hex(16), "csrftoken": secrets.token_hex(16)}
    assert _stream_status(a, forged) == 401
    assert _stream_status(b, forged) == 401
    worker = _sign_in(proxy, "worker")
    assert _stream_status(b, worker) == 200
    with _one_request_per_connection(proxy.base) as client:
        client.cookies.update(worker)
        out = client.post("/logout/", data={"csrfmiddlewaretoken": worker["csrftoken"]})
        assert out.status_code in (200, 302), out.status_code
    # The cookie of a session that ended, on both processes: the database no longer knows it.
    assert _stream_status(a, worker) == 401
    assert _stream_status(b, worker) == 401


def test_one_session_on_both_processes_and_an_instruction_sent_on_one_is_pushed_on_the_other(backends):
    a, b, proxy = backends
    dispatcher = _sign_in(proxy, "dispatcher")
    worker = _sign_in(proxy, "worker")
    other = _sign_in(proxy, "worker2")  # another street: the instruction is not theirs
    for server in (a, b):
        with httpx.Client(base_url=server.base, timeout=20, cookies=dispatcher) as client:
            answer = client.get("/api/v1/dispatch/unread")
            assert answer.status_code == 200, (server.port, answer.text[:300])
        with httpx.Client(base_url=server.base, timeout=20) as client:
            assert client.get("/api/v1/dispatch/unread").status_code == 401

    on_b = Stream(b, worker)
    elsewhere = Stream(a, other)
    try:
        assert on_b.status == 200
        title = f"两进程推送 {secrets.token_hex(4)}"
        with httpx.Client(base_url=a.base, timeout=20, cookies=dispatcher) as client:
            sent = client.post(
                "/api/v1/dispatch/instructions",
                json={"title": title, "body": "同一会话，两个进程。", "nodes": [_grid_of("worker")]},
                headers={"X-CSRFToken": dispatcher["csrftoken"], "Referer": f"{a.base}/"},
            )
            assert sent.status_code == 201, sent.text[:500]
        # Sent on A, committed, NOTIFY'd; B's listening connection hands it to the worker's open stream. Well under a
        # second on an idle machine; the limit leaves room for a loaded two-core CI machine.
        assert on_b.wait_for(title, 10), on_b.lines[-10:]
        assert any(line == "event: instruction" for line in on_b.lines)
        assert not elsewhere.wait_for(title, 1), elsewhere.lines[-10:]
    finally:
        on_b.close()
        elsewhere.close()
