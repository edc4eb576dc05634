"""In a real browser: with a tile source configured the one map draws tiles under its regions, follows zoom and
drill-down with them, and still works when every tile fails to load."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.dashboard.conftest import district_events  # noqa: F401
from tests.e2e.test_dashboard import click_region, wait_for
from tests.factories import make_user
from tests.metrics.conftest import _catalogue, fold, litter, make_event  # noqa: F401

# Predicates are passed as functions: Playwright evaluates a bare expression with eval, which the CSP forbids.
# A tile that needs no server: an SVG data URL naming its own z/x/y (data: is already in the policy's img-src).
SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'>"
    "<rect width='256' height='256' fill='rgb(240,236,220)' stroke='gray'/>"
    "<text x='8' y='20'>{z}/{x}/{y}</text></svg>"
)
DATA_TILES = "data:image/svg+xml," + quote(SVG, safe="{}/'=<>:,()")

TILE_STATE = """() => {
  const m = document.getElementById('fq-map');
  const imgs = [...m.querySelectorAll('.fq-maptiles img')];
  return {zoom: Number(m.dataset.tileZoom), count: imgs.length,
          loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
          missing: imgs.filter(i => i.classList.contains('fq-missing')).length,
          first: m.firstElementChild.className, regions: m.dataset.regions};
}"""


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"], full_name="刘局")


def open_map(page, live_server, login) -> None:
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for(page, "410105")


def test_tiles_are_drawn_under_the_regions_and_follow_zoom_and_drill_down(
    page,
    live_server,
    login,
    settings,
    leader,
    district_events,  # noqa: F811
):
    settings.FENGQIAO_MAP_TILES = [DATA_TILES]
    settings.FENGQIAO_MAP_TILES_ATTRIBUTION = "© 测试瓦片"
    open_map(page, live_server, login)
    page.wait_for_function("() => document.querySelectorAll('.fq-maptiles img').length > 0")
    page.wait_for_function("() => [...document.querySelectorAll('.fq-maptiles img')].every(i => i.complete)")
    district = page.evaluate(TILE_STATE)
    assert district["regions"] == "2"  # the regions are still drawn
    assert district["first"] == "fq-maptiles"  # the tile layer lies beneath ECharts' canvas
    assert district["count"] == district["loaded"] > 0 and district["missing"] == 0
    assert page.locator(".fq-maptiles-attribution").inner_text() == "© 测试瓦片"

    page.locator("#fq-map").scroll_into_view_if_needed()  # below the figures and the tier panel
    box = page.locator("#fq-map canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(12):  # ECharts zooms about 1.1× a notch: past one tile zoom level
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(60)
    page.wait_for_function(f"() => Number(document.getElementById('fq-map').dataset.tileZoom) > {district['zoom']}")
    zoomed = page.evaluate(TILE_STATE)["zoom"]

    page.evaluate("window.fqOneMap.drill('410105001')")  # after zooming, the street may be off the canvas
    wait_for(page, "410105001")
    # The street is drawn afresh to fit the map (as large as the district was), and the tiles follow.
    page.wait_for_function(f"() => Number(document.getElementById('fq-map').dataset.tileZoom) < {zoomed}")
    street = page.evaluate(TILE_STATE)
    assert street["regions"] == "1" and street["count"] > 0 and street["zoom"] >= district["zoom"]


def test_the_map_still_works_when_no_tile_loads(page, live_server, login, settings, leader, district_events):  # noqa: F811
    settings.FENGQIAO_MAP_TILES = ["/no-such-tiles/{z}/{x}/{y}.png"]
    open_map(page, live_server, login)
    page.wait_for_function(
        "() => { const i = [...document.querySelectorAll('.fq-maptiles img')];"
        " return i.length > 0 && i.every(x => x.classList.contains('fq-missing')); }"
    )
    assert page.get_attribute("#fq-map", "data-regions") == "2"
    click_region(page, "410105001")
    wait_for(page, "410105001")
    assert page.get_attribute("#fq-map", "data-regions") == "1"
