"""Every page each demo role can reach, on a phone (390×844) and a desktop (1366×900), as a real browser sees it.

The demo city is loaded into a scratch database and served by ``fengqiao serve``, exactly as ``make run`` does. For
each role the test signs in, follows every link its menu and home page offer (and a case page of each kind it can
open), and fails, listing every finding at once, on a page that answers an error, scrolls sideways on the phone,
shows a broken image, logs a console error, or shows an identifier or English word the Chinese interface should not.
The screenshots land in ``docs/screenshots/pages/`` (``FENGQIAO_SCREENSHOTS`` names another folder).
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("FENGQIAO_SCREENSHOTS", ROOT / "docs" / "screenshots" / "pages"))
PASSWORD = "Fengqiao2026"
ROLES = [
    "leader",
    "dispatcher",
    "handler",
    "mediator",
    "gridleader",
    "worker",
    "parttime",
    "informant",
    "sysadmin",
    "secadmin",
    "auditor",
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Links that end a session, download files or leave the pages people read.
SKIP = re.compile(
    r"^/(logout|admin/|api/|open311/|files/|i18n/|jsi18n/|static/|media/|metrics|sw\.js|manifest)|"
    r"\.(pdf|docx|xlsx|csv|geojson|json)$|/export|/download|/stream"
)
# Words the interface may show in Latin letters: names of standards, formats and brands, and units.
ALLOWED_WORDS = {
    # standards, formats and brands
    "API", "Open311", "GeoJSON", "JSON", "QR", "PDF", "Excel", "CSV", "IoT", "TOTP", "SM2", "SM3", "SM4", "GCJ", "WGS",
    "JPEG", "PNG", "WebP", "HEIC", "OpenStreetMap", "Leaflet", "ECharts", "App", "PWA", "Android", "iPhone", "ICP",
    # the language switch, the product's name, units
    "English", "Fengqiao", "km", "GB", "MB", "KB",
}  # fmt: skip
# Case codes: events, disputes, petitions, supervision orders (DD…) and stability assessments (WP…).
CODE = re.compile(r"\b[A-Z]{1,2}\d{6}-[0-9A-Z]{6}\b")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.]{2,}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: Any) -> Any:
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DEBUG": "1",
        "FENGQIAO_TOTP_REQUIRED_ROLES": "",
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
    }
    run = [sys.executable, "-m", "fengqiao"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*run, "demo", "--scale", "small"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen([*run, "serve", "--port", str(port), "--quiet"], env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    with sqlite3.connect(db) as connection:
        grid = connection.execute("SELECT code FROM grids_gridnode ORDER BY level DESC, code LIMIT 1").fetchone()[0]
        community = connection.execute(
            "SELECT code FROM grids_gridnode WHERE level = 4 ORDER BY code LIMIT 1"
        ).fetchone()
    url_public = [f"/events/r/{grid}/", f"/disputes/apply/{(community or (grid,))[0]}/"]
    yield url, url_public
    server.terminate()
    server.wait(timeout=20)


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav a[href], main a[href], .navbar a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        parsed = urlparse(href)
        if parsed.netloc and f"{parsed.scheme}://{parsed.netloc}" != base:
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if SKIP.search(parsed.path):
            continue
        if path not in found:
            found.append(path)
    return found


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"


def _untranslated(text: str) -> list[str]:
    text = CODE.sub(" ", text)
    return sorted({w.strip(".") for w in WORD.findall(text) if w.strip(".") not in ALLOWED_WORDS})


def _check(page: Any, url: str, path: str, size: str, role: str, problems: list[str]) -> bool:
    """Open one page and note what is wrong with it; False where it did not open."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(f"{url}{path}", wait_until="load")
    page.wait_for_timeout(300)
    where = f"{role} {size} {path}"
    if response is None or response.status >= 400:
        problems.append(f"{where}: answers {response.status if response else 'nothing'}")
        return False
    if size == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            problems.append(f"{where}: scrolls sideways by {overflow}px")
    broken = page.eval_on_selector_all(
        "img", "els => els.filter(i => i.complete && i.naturalWidth === 0).map(i => i.getAttribute('src'))"
    )
    if broken:
        problems.append(f"{where}: broken images {broken}")
    words = _untranslated(page.inner_text("body"))
    if words:
        problems.append(f"{where}: untranslated {words[:12]}")
    if errors:
        problems.append(f"{where}: console errors {errors[:3]}")
    target = OUT / role / f"{_slug(path)}-{size}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), type="jpeg", quality=55, full_page=False)
    return True


CASE_PAGE = re.compile(r"^/(events|disputes|dispatch)/(?:i/)?([A-Z]\d{6}-[0-9A-Z]{6}|\d+)/$")


def _case_pages(page: Any, url: str, found: dict[str, str]) -> None:
    """Note the first case page of each kind the open page links to (an event, a dispute, an instruction)."""
    for href in _links(page, url):
        kind = CASE_PAGE.match(href.split("?")[0])
        if kind and kind[1] not in found:
            found[kind[1]] = href.split("?")[0]


def test_every_page_of_every_role_on_a_phone_and_a_desktop(browser: Any, demo_server: Any) -> None:
    url, public = demo_server
    problems: list[str] = []
    visited = 0
    for role in ROLES:
        pages: list[str] = []  # found on the phone, where the menu is the same links folded away
        for size, viewport in SIZES.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            context.set_default_timeout(20_000)
            page = context.new_page()
            _sign_in(page, url, role)
            if not pages:
                menu = ["/", *[p for p in _links(page, url) if p != "/"]]
                cases: dict[str, str] = {}
                for path in menu:
                    if _check(page, url, path, size, role, problems):
                        _case_pages(page, url, cases)
                    visited += 1
                pages = menu + [p for p in cases.values() if p not in menu]
                for path in pages[len(menu) :]:
                    _check(page, url, path, size, role, problems)
                    visited += 1
            else:
                for path in pages:
                    _check(page, url, path, size, role, problems)
                    visited += 1
            context.close()
    for path in ["/login/", "/events/track/", "/disputes/track/", *public]:
        for size, viewport in SIZES.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport)
            _check(context.new_page(), url, path, size, "public", problems)
            context.close()
    assert visited > 2 * len(ROLES)
    assert not problems, f"{len(problems)} findings on {visited} pages:\n" + "\n".join(problems)
