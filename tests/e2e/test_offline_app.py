"""The worker app with the network cut (Playwright's offline mode): a report with a photo and a household visit are
written offline, wait in the outbox ("2 条待发送"), and each arrives exactly once when the network returns; the app
opens offline from the phone's cache, task list included."""

from __future__ import annotations

import random
from typing import Any

from PIL import Image

from fengqiao.core.attachments import attachments_of
from fengqiao.dispatch.models import Visit
from fengqiao.events.models import Event

A = {"longitude": 113.602, "latitude": 34.708}  # inside 甲一网格


def big_photo(path: Any) -> Any:
    """A 3000×2000 camera-sized JPEG with noise, so it does not compress to nothing."""
    rng = random.Random(7)
    image = Image.new("RGB", (3000, 2000), (90, 120, 150))
    pixels = image.load()
    for _ in range(60_000):
        pixels[rng.randrange(3000), rng.randrange(2000)] = (rng.randrange(256), rng.randrange(256), 0)
    image.save(path, "JPEG", quality=95)
    return path


def badge(page: Any) -> Any:
    return page.locator("#fq-outbox-badge")


def test_writes_made_offline_are_queued_and_each_arrives_once_when_the_network_returns(
    live_server, tree, worker_a, browser, login, tmp_path
):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, geolocation=A, permissions=["geolocation"]
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # Online once: the app installs and keeps the worker's pages.
        login(page, live_server, "worker_a", "correct-horse-9")
        page.wait_for_selector("html[data-fq-offline=ready]")

        context.set_offline(True)

        # A report with a photo, offline: the photo is shrunk on the phone and the report waits in the outbox.
        page.goto(f"{live_server.url}/events/report/")
        page.fill("#id_description", "3号楼地下室积水，电梯井有渗水")
        page.set_input_files("#id_photos", str(big_photo(tmp_path / "camera.jpg")))
        page.wait_for_selector("#id_photos[data-fq-shrunk='1']", state="attached")
        page.locator("#report-form button[type=submit]").click()
        page.wait_for_selector("#fq-queued-notice")
        assert "1 条待发送" in badge(page).inner_text()

        # A household visit, offline.
        page.goto(f"{live_server.url}/dispatch/work/")
        page.fill("#id_visit-address", "3号楼2单元301")
        page.fill("#id_visit-note", "独居老人，身体良好，已告知防汛注意事项")
        page.get_by_role("button", name="登记走访").click()
        page.wait_for_selector("#fq-queued-notice")
        assert "2 条待发送" in badge(page).inner_text()
        badge(page).click()
        listed = page.locator("#fq-outbox-list li")
        assert listed.count() == 2
        assert "3号楼地下室积水" in listed.nth(0).inner_text() and "3号楼2单元301" in listed.nth(1).inner_text()

        # The app opens offline from the cache: the worker's home with the task list.
        page.goto(f"{live_server.url}/")
        page.reload()
        assert page.locator("#tasks").is_visible()
        assert "巡查网格" in page.locator("#tasks").inner_text()
        assert "2 条待发送" in badge(page).inner_text()

        assert not Event.objects.exists() and not Visit.objects.exists()

        # Back online: both are sent, in order, and the outbox empties.
        context.set_offline(False)
        page.wait_for_selector("#fq-outbox", state="hidden", timeout=30_000)

        event = Event.objects.get()
        assert event.description == "3号楼地下室积水，电梯井有渗水" and event.reporter == worker_a
        photos = list(attachments_of(event))
        assert len(photos) == 1 and max(photos[0].width, photos[0].height) == 1600
        visit = Visit.objects.get()
        assert visit.address == "3号楼2单元301" and visit.worker == worker_a

        # Sending again (a reload, another online event) changes nothing: each arrived exactly once.
        page.reload()
        page.wait_for_selector("html[data-fq-offline=ready]")
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(500)
        assert Event.objects.count() == 1 and Visit.objects.count() == 1
        assert errors == []
    finally:
        context.close()


KEPT_PAGES = """async () => {
  let n = 0;
  for (const name of await caches.keys()) {
    if (name.startsWith("fq-pages-")) { n += (await (await caches.open(name)).keys()).length; }
  }
  return n;
}"""


def test_signing_out_drops_the_pages_kept_on_the_phone(live_server, tree, worker_a, browser, login):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login(page, live_server, "worker_a", "correct-horse-9")
        page.wait_for_selector("html[data-fq-offline=ready]")
        assert page.evaluate(KEPT_PAGES) >= 3

        with page.expect_navigation():
            page.get_by_role("button", name="退出").click()
        for _ in range(40):
            if page.evaluate(KEPT_PAGES) == 0:
                break
            page.wait_for_timeout(250)
        assert page.evaluate(KEPT_PAGES) == 0

        # Offline now, the worker's home is not on the phone any more: nobody else can open it.
        context.set_offline(True)
        page.goto(f"{live_server.url}/")
        assert "张伟" not in page.content()
    finally:
        context.close()
