"""``fengqiao serve --with-worker`` stopped with SIGTERM (systemd, Docker) takes its background worker with it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid``, read from /proc (Linux)."""
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = task / "children"
            if children.exists():
                for child in children.read_text().split():
                    if int(child) not in found:
                        found.add(int(child))
                        frontier.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status  # a zombie has exited; only its parent's wait is missing


@pytest.mark.own_database
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux /proc")
def test_sigterm_stops_the_server_and_its_worker(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "fengqiao", "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fengqiao", "serve", "--with-worker", "--quiet", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so a stray worker cannot hide in ours
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0 and _children(server.pid):
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        tree = _children(server.pid)
        assert tree, "no worker process beside the server"
        time.sleep(1)  # let the worker get past start-up
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
            time.sleep(0.2)
        left = [pid for pid in tree if _alive(pid)]
        assert not left, f"still running after SIGTERM: {left}"
    finally:
        # Whatever the outcome, leave nothing behind: the whole group this test started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
