"""In a real browser over the ASGI server: an instruction reaches two open phone inboxes live, one acknowledges,
and the dispatcher's tracking page shows 1 of 2 without a reload.

pytest-django's ``live_server`` is a threaded WSGI server and cannot hold Server-Sent Events open, so this test runs
the project's ASGI application under uvicorn in a background thread against the same test database.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn

from fengqiao.accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def asgi_server(transactional_db: Any) -> Iterator[SimpleNamespace]:
    from fengqiao.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)


def phone(browser: Any) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    return context.new_page()


def test_an_instruction_reaches_two_open_phones_live_and_tracking_shows_one_of_two(
    asgi_server, tree, page, browser, login
):
    make_user("disp", role=Role.DISPATCHER, node=tree["410105"], full_name="王芳")
    make_user("wa1", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张伟")
    make_user("wa2", role=Role.GRID_WORKER, node=tree["410105001001002"], full_name="刘洋")
    make_user("wb", role=Role.GRID_WORKER, node=tree["410105002001001"], full_name="李娜")

    phones = {}
    for username in ("wa1", "wa2", "wb"):
        tab = phone(browser)
        login(tab, asgi_server, username, "correct-horse-9")
        tab.goto(f"{asgi_server.url}/dispatch/")
        tab.wait_for_selector("#fq-live-status.text-success")  # the EventSource is open
        phones[username] = tab

    # The dispatcher sends an instruction to street A.
    login(page, asgi_server, "disp", "correct-horse-9")
    page.goto(f"{asgi_server.url}/dispatch/send/")
    page.fill("#id_title", "今晚八点前完成防汛隐患排查")
    page.fill("#id_body", "重点查看地下车库和低洼路段。")
    page.check(f"input[name=nodes][value='{tree['410105001'].pk}']")
    sent_at = time.monotonic()
    page.click("#send-instruction")
    page.wait_for_selector("#track-acknowledged:has-text('0 / 2')")

    # Both phones under street A show it without reloading; the phone in street B does not.
    for username in ("wa1", "wa2"):
        card = phones[username].wait_for_selector(
            ".fq-instruction:has-text('今晚八点前完成防汛隐患排查')", timeout=5000
        )
        assert card is not None
        assert phones[username].inner_text("#unread-count") == "1"
    assert time.monotonic() - sent_at < 10
    assert "防汛隐患排查" not in phones["wb"].inner_text("#fq-instructions")

    # One acknowledges from the inbox; the tracking page updates live to 1 of 2.
    phones["wa1"].click(".fq-instruction:has-text('防汛隐患排查') button:has-text('签收')")
    phones["wa1"].wait_for_selector(".fq-instruction .fq-acked")
    page.wait_for_selector("#track-acknowledged:has-text('1 / 2')", timeout=5000)
    assert "刘洋" in page.inner_text("#track-pending")
    assert "张伟" not in page.inner_text("#track-pending")

    for tab in phones.values():
        tab.context.close()
