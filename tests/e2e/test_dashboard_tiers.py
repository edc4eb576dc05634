"""In a real browser: the one map shows the tier shares (四事分办) against the 70/30 target for any node selected,
each share with its count, and whether each target is met in words, not colour alone; on a phone as on a desktop."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from fengqiao.metrics.selectors import shown_period
from tests.factories import make_user
from tests.metrics.conftest import _catalogue, fold, litter, make_event  # noqa: F401


@pytest.fixture
def closed_by_tier(tree, make_event, fold, settings):  # noqa: F811
    """Street A: 8 of 10 closed in the village (met); street B: 1 of 4 (not met); in the period the map shows."""
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.70
    settings.FENGQIAO_TIER_TARGET_TOWNSHIP = 0.30
    period = shown_period("month")
    now = timezone.now()
    closed_at = (
        timezone.make_aware(dt.datetime.combine(period.end, dt.time(12)))
        if period.previous
        else now - dt.timedelta(minutes=5)
    )
    hours_ago = (now - closed_at).total_seconds() / 3600 + 1
    a = ["grid"] * 6 + ["community"] * 2 + ["street", "county"]
    b = ["community", "street", "county", "county"]
    for grid, tiers in (("410105001001001", a), ("410105002001001", b)):
        for tier in tiers:
            make_event(grid, hours_ago=hours_ago, state="closed", closed_at=closed_at, tier=tier)
    fold()


def wait_for(page, code: str) -> None:
    page.wait_for_selector(f"#fq-onemap[data-ready='1'][data-node='{code}']")


def verdict(page, key: str) -> tuple[str, str]:
    box = page.locator(f"#fq-tiers-body .fq-tier-verdict[data-k='{key}']")
    return box.get_attribute("data-met") or "", box.inner_text()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_one_map_shows_the_tier_shares_against_the_target_for_any_node(
    page, live_server, login, tree, closed_by_tier, width
):
    page.set_viewport_size({"width": width, "height": 900})
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for(page, "410105")
    panel = page.locator("#fq-tiers")
    assert panel.is_visible()
    assert "村内化解 ≥70%，出村事件中乡镇化解 ≥30%" in page.locator("#fq-tiers-target").inner_text()
    legend = page.locator("#fq-tiers-body .fq-tier-legend").inner_text()
    assert "网格 42.9%" in legend and "6 件" in legend and "区县 21.4%" in legend  # 6 and 3 of 14
    met, words = verdict(page, "village")
    assert met == "0" and "64.3%" in words and "9/14 件" in words and "未达标" in words
    met, words = verdict(page, "township")
    assert met == "1" and "40.0%" in words and "达标" in words
    # The bar: one segment per tier with events, widths in proportion, and the 70% target marked.
    assert page.locator("#fq-tiers-body .fq-tierbar .fq-tier").count() == 4
    assert page.locator("#fq-tiers-body .fq-tier-target").get_attribute("style") == "left:70.00%"
    bar = page.locator("#fq-tiers-body .fq-tierbar").bounding_box()
    assert bar["width"] <= width  # inside the screen at 390 px as at 1280 px
    grid = page.locator("#fq-tiers-body .fq-tier-grid").first.bounding_box()
    assert abs(grid["width"] / bar["width"] - 6 / 14) < 0.02

    # Another node selected: its own shares, and this time the village target is met.
    page.locator("#fq-children .fq-drill[data-code='410105001']").click()
    wait_for(page, "410105001")
    met, words = verdict(page, "village")
    assert met == "1" and "80.0%" in words and "8/10 件" in words and "达标" in words and "未达标" not in words
    page.goto(f"{live_server.url}/dashboard/?node=410105002")
    wait_for(page, "410105002")
    met, words = verdict(page, "village")
    assert met == "0" and "25.0%" in words and "未达标" in words


def test_a_node_with_nothing_closed_says_so(page, live_server, login, tree):
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/?node=410105001")
    wait_for(page, "410105001")
    assert "暂无办结事件" in page.locator("#fq-tiers-empty").inner_text()
    assert page.locator("#fq-tiers-body .fq-tierbar").count() == 0


@pytest.mark.parametrize("width,height", [(1920, 1080), (390, 844)])
def test_the_big_screen_shows_the_tier_shares(page, live_server, login, tree, closed_by_tier, width, height):
    """The command screen carries the same 四事分办 panel as the map: below the map and inside the one screen on a
    wall display (1920×1080, no scrolling); in the single column on a phone, with nothing wider than the phone."""
    page.set_viewport_size({"width": width, "height": height})
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/bigscreen/?node=410105")
    wait_for(page, "410105")
    met, words = verdict(page, "village")
    assert met == "0" and "64.3%" in words and "9/14 件" in words and "未达标" in words
    assert "网格 42.9%" in page.locator("#fq-tiers-body .fq-tier-legend").inner_text()
    assert "村内化解 ≥70%" in page.locator("#fq-tiers-target").inner_text()
    panel = page.locator("#fq-tiers").bounding_box()
    screen = page.locator("#fq-map").bounding_box()
    assert panel["y"] >= screen["y"] + screen["height"]  # below the map, not over it
    content = page.evaluate(
        "(() => { const b = document.getElementById('fq-tiers'); return b.scrollHeight - b.clientHeight; })()"
    )
    assert content <= 1  # nothing in the panel is cut off
    # Every figure tile stays in the strip above the panels, however many there are.
    strip = page.locator("#fq-kpis").bounding_box()
    tiles = page.locator("#fq-kpis .fq-kpi")
    assert tiles.count() >= 8
    for i in range(tiles.count()):
        tile = tiles.nth(i).bounding_box()
        assert tile["y"] + tile["height"] <= strip["y"] + strip["height"] + 1, tiles.nth(i).inner_text()
    if width >= 1280:
        assert panel["y"] + panel["height"] <= height  # on the one screen
    else:
        sideways = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert sideways <= 1
    if os.environ.get("FENGQIAO_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["FENGQIAO_SCREENSHOTS"], f"bigscreen-tiers-{width}.png"), full_page=True
        )
