"""Take the README's screenshots from a running demo (`make run`), with Debian's Chromium.

.venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [docs/screenshots]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
PASSWORD = "Fengqiao2026"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"]


def login(page, username: str) -> None:
    page.goto(f"{BASE}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        desktop = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 820})
        page = desktop.new_page()
        page.goto(f"{BASE}/login/")
        page.screenshot(path=str(OUT / "login.png"))
        login(page, "dispatcher")
        page.screenshot(path=str(OUT / "home-dispatcher.png"), full_page=True)
        page.goto(f"{BASE}/grids/")
        page.wait_for_selector("#grid-map[data-ready]")
        page.wait_for_timeout(600)
        page.screenshot(path=str(OUT / "grid-map.png"), full_page=True)
        page.goto(f"{BASE}/events/")
        page.screenshot(path=str(OUT / "event-queue.png"), full_page=True)
        first = page.query_selector("#event-queue tbody a")
        if first:
            first.click()
            page.wait_for_load_state()
            page.wait_for_timeout(600)
            page.screenshot(path=str(OUT / "event-detail.png"), full_page=True)
        phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2)
        mobile = phone.new_page()
        login(mobile, "worker")
        mobile.goto(f"{BASE}/events/report/")
        mobile.screenshot(path=str(OUT / "phone-report.png"), full_page=True)
        browser.close()
    print(f"screenshots written to {OUT}/")


if __name__ == "__main__":
    main()
