"""Reads from a real PostgreSQL hot standby, against two server processes sharing one session.

`.ci/run` starts a primary and a streaming standby on loopback, loads the demo into ``fengqiao_replica`` and runs
this module alone (``pytest -m replica``) with ``FENGQIAO_REPLICA_TEST_PRIMARY`` / ``_STANDBY`` (database URLs) and
``_STANDBY_DIR`` (the standby's data directory). The ordinary suite leaves it out by its marker: it needs those
servers, which it cannot start inside a test.

How a read's origin is seen: replay on the standby is paused and a node is renamed on the primary; the standby still
has the old name, the primary the new one.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

pytestmark = pytest.mark.replica

PRIMARY = os.environ.get("FENGQIAO_REPLICA_TEST_PRIMARY", "")
STANDBY = os.environ.get("FENGQIAO_REPLICA_TEST_STANDBY", "")
STANDBY_DIR = os.environ.get("FENGQIAO_REPLICA_TEST_STANDBY_DIR", "")
DISTRICT, STREET = "410102", "410102001"  # the demo dispatcher's district and its first street
# The read-back window the servers run with. Long enough that the next page after a write arrives inside it on a
# loaded machine (it is measured from the write's answer to the next page's start), short enough to wait out twice.
STICKY = 5.0
# A server process starts in a few seconds, but in over a minute on a loaded two-core machine (the Django import and
# the grid locator, with two PostgreSQL servers and the test itself on the same cores).
STARTUP_SECONDS = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, **env: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": PRIMARY,
            "DATABASE_REPLICA_URL": STANDBY,
            "FENGQIAO_REPLICA_STICKY_SECONDS": str(STICKY),
            "FENGQIAO_RATE_LIMITS": "0",
            "FENGQIAO_TOTP_REQUIRED_ROLES": "",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "fengqiao.settings",  # not the test suite's settings this process runs under
            **env,
        }
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"fengqiao-{self.port}-", suffix=".log")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "fengqiao.asgi:application", "--host", "127.0.0.1"),
                *("--port", str(self.port), "--log-level", "warning", "--no-access-log"),
            ],
            env=self.env,
            stderr=self.log_file,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not come up in {STARTUP_SECONDS} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        """What the server wrote to its standard error (its log: LOG_LEVEL=WARNING)."""
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a client left a live-push stream open: uvicorn waits for it
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Server, Server]]:
    if not (PRIMARY and STANDBY):
        pytest.fail("FENGQIAO_REPLICA_TEST_PRIMARY and _STANDBY must name the primary and the standby")
    # A tolerates any lag and checks the standby's health rarely; B allows one second of lag and checks often.
    a = Server(FENGQIAO_REPLICA_MAX_LAG_SECONDS="600", FENGQIAO_REPLICA_CHECK_SECONDS="30")
    try:
        b = Server(FENGQIAO_REPLICA_MAX_LAG_SECONDS="1", FENGQIAO_REPLICA_CHECK_SECONDS="0.2")
    except BaseException:
        a.stop()
        raise
    yield a, b
    a.stop()
    b.stop()


@pytest.fixture(scope="module")
def session(servers: tuple[Server, Server]) -> Iterator[httpx.Client]:
    """The demo dispatcher signed in on server A; the same cookies serve on B (one session, two processes)."""
    a, _ = servers
    with httpx.Client(base_url=a.base, timeout=20) as client:
        page = client.get("/login/")
        answer = client.post(
            "/login/",
            data={
                "username": "dispatcher",
                "password": "Fengqiao2026",
                "csrfmiddlewaretoken": page.cookies.get("csrftoken", client.cookies.get("csrftoken", "")),
            },
            headers={"Referer": f"{a.base}/login/"},
        )
        assert answer.status_code == 302, answer.text[:500]
        time.sleep(STICKY + 0.5)  # signing in was a write: let its read-back window pass
        yield client


def _sql(url: str, query: str, *args: object) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query, args).fetchone()
        return row[0] if row else None


def _rename(name: str) -> None:
    """Rename the street on the primary, its commit written to the WAL before this returns.

    The test server commits asynchronously (``synchronous_commit=off``): there the commit record may still sit in
    the WAL buffers, behind ``pg_current_wal_lsn()``, until the WAL writer wakes up (later on a loaded machine), so a
    standby "caught up" to that position can lack the rename. A synchronous commit for this one write puts it there.
    """
    with psycopg.connect(PRIMARY, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = on")
        row = conn.execute("UPDATE grids_gridnode SET name = %s WHERE code = %s RETURNING 1", [name, STREET]).fetchone()
    assert row, STREET


def _street_name(client: httpx.Client, server: Server) -> str:
    answer = client.get(f"{server.base}/grids/{DISTRICT}/map.json")
    assert answer.status_code == 200, answer.text[:300]
    names = [f["properties"].get("name", "") for f in answer.json()["features"]]
    found = [n for n in names if n.startswith("林山寨")]
    assert len(found) == 1, names
    return found[0]


def _caught_up() -> None:
    _sql(STANDBY, "SELECT pg_wal_replay_resume()")
    target = _sql(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 30
    while not _sql(STANDBY, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target):
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.1)


def test_read_pages_come_from_the_standby_and_a_writer_reads_back_from_the_primary(servers, session):
    a, _ = servers
    assert _sql(STANDBY, "SELECT pg_is_in_recovery()") is True
    _rename("林山寨街道")
    _caught_up()
    assert _street_name(session, a) == "林山寨街道"
    _sql(STANDBY, "SELECT pg_wal_replay_pause()")
    try:
        _rename("林山寨街道（新）")
        assert _street_name(session, a) == "林山寨街道"  # from the paused standby
        # Any write marks the writer: their next reads come from the primary for a few seconds.
        page = session.get(f"{a.base}/")
        token = session.cookies.get("csrftoken", "")
        wrote = session.post(
            f"{a.base}/i18n/setlang/",
            data={"language": "zh-hans", "next": "/", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{a.base}/"},
        )
        assert wrote.status_code in (200, 302), (page.status_code, wrote.status_code)
        assert "fq_wrote" in session.cookies
        assert _street_name(session, a) == "林山寨街道（新）"  # from the primary
        time.sleep(STICKY + 0.5)
        assert _street_name(session, a) == "林山寨街道"  # the window has passed: the standby again
    finally:
        _caught_up()
    assert _street_name(session, a) == "林山寨街道（新）"


def test_a_standby_behind_the_allowed_lag_is_not_read(servers, session):
    _, b = servers
    _sql(STANDBY, "SELECT pg_wal_replay_pause()")
    try:
        _rename("林山寨街道（二）")
        time.sleep(1.5)  # B allows one second
        assert _street_name(session, b) == "林山寨街道（二）"  # the same session on the other process: the primary
    finally:
        _caught_up()


def test_pages_keep_being_served_when_the_standby_stops(servers, session):
    a, _ = servers
    _rename("林山寨街道")
    _caught_up()
    assert _street_name(session, a) == "林山寨街道"
    _sql(STANDBY, "SELECT pg_wal_replay_pause()")
    _rename("林山寨街道（三）")
    assert _street_name(session, a) == "林山寨街道"  # A still reads the standby (its health is checked rarely)
    stop = ["pg_ctl", "-D", STANDBY_DIR, "-m", "immediate", "-w", "stop"]
    binary = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if binary:
        stop[0] = str(binary[-1])
    if os.geteuid() == 0:
        stop = ["runuser", "-u", "postgres", "--", *stop]
    subprocess.run(stop, check=True, capture_output=True)
    logged = len(a.log())
    # The page's read fails on the dead standby, is answered again from the primary, and the standby is left alone:
    # the next pages do not try it again. Counted in A's log (one line per failed try), not timed: a stopped server
    # on loopback refuses at once, so a clock would not tell a second try from none, and a loaded machine makes any
    # page slow.
    assert _street_name(session, a) == "林山寨街道（三）"
    assert _street_name(session, a) == "林山寨街道（三）"
    assert _street_name(session, a) == "林山寨街道（三）"
    tried = a.log()[logged:]
    assert tried.count("replica not used") == 1, tried  # one try, then the back-off ...
    assert "replica not used for" in tried, tried  # ... whether a read or a health check met the dead standby
    assert re.match(r"^\d", str(_sql(PRIMARY, "SELECT count(*) FROM grids_gridnode")))
