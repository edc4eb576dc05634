"""Browser fixtures: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Every test collected under ``tests/e2e/`` is marked ``e2e`` (``pytest -m "not e2e"`` skips them). The tests use
pytest-django's ``live_server`` and the ``page`` and ``login`` fixtures here; the browser is never downloaded by
Playwright (no ``playwright install``): it is the distribution's Chromium, ``/usr/bin/chromium`` unless
``FENGQIAO_CHROMIUM`` names another.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable from the tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("FENGQIAO_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest's hook sees the whole session's items, so mark only the ones that live in this folder.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        # Browser tests are part of the suite: a missing browser is a broken setup, not a reason to skip.
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set FENGQIAO_CHROMIUM)")
    playwright = sync_playwright().start()
    try:
        # The browser's own words (file pickers, validation bubbles) in Chinese, as a Chinese user's phone shows them.
        env = {**os.environ, "LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"}
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS, env=env)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab in its own context (no cookies shared between tests): Chinese locale, a desktop window."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def _password_only_sign_in(settings: Any) -> None:
    """Browser tests of other features sign in with a password; the second factor has its own tests."""
    settings.FENGQIAO_TOTP_REQUIRED_ROLES = []


@pytest.fixture
def login() -> Callable[[Any, Any, str, str], None]:
    """``login(page, live_server, username, password)``: sign in through the login form and wait for the next page."""

    def sign_in(page: Any, live_server: Any, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()

    return sign_in
