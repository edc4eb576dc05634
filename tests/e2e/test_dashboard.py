"""In a real browser: a district leader opens the one map, sees the streets coloured, drills into a street and a
community by clicking the map, and every figure shown equals the figures counted straight from the events."""

from __future__ import annotations

from tests.dashboard.conftest import direct_figures, district_events  # noqa: F401
from tests.factories import make_user
from tests.metrics.conftest import _catalogue, fold, litter, make_event  # noqa: F401

KEYS = ("reported", "closed", "open", "orange", "red")


def shown(page, code: str) -> dict[str, int]:
    row = page.locator(f"#fq-children tr[data-code='{code}']")
    return {k: int(row.locator(f"td[data-k='{k}']").inner_text().replace(",", "")) for k in KEYS}


def wait_for(page, code: str) -> None:
    page.wait_for_selector(f"#fq-onemap[data-ready='1'][data-node='{code}']")


def click_region(page, code: str) -> None:
    # The map sits below the figures and the tier panel: bring it on screen first, as a user would scroll to it.
    page.locator("#fq-map").scroll_into_view_if_needed()
    x, y = page.evaluate(f"window.fqOneMap.pixelOf('{code}')")
    box = page.locator("#fq-map canvas").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_a_district_leader_drills_down_the_map_and_sees_true_figures(page, live_server, login, tree, district_events):  # noqa: F811
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for(page, "410105")
    assert page.get_attribute("#fq-map", "data-regions") == "2"  # the district's two streets, coloured
    colours = page.evaluate(
        "window.fqOneMap.charts['fq-map'].getModel().getSeriesByIndex(0).getData().mapArray("
        "function (i) { return this.getItemVisual(i, 'style').fill; })"
    )
    assert len(set(colours)) == 2  # 甲街道 has 2 red events, 乙街道 none: different colours
    for code in ("410105001", "410105002"):
        assert shown(page, code) == {k: direct_figures(tree[code].path)[k] for k in KEYS}

    click_region(page, "410105001")
    wait_for(page, "410105001")
    assert "/dashboard/?node=410105001" in page.url
    assert page.get_attribute("#fq-map", "data-regions") == "1"
    assert shown(page, "410105001001") == {k: direct_figures(tree["410105001001"].path)[k] for k in KEYS}

    click_region(page, "410105001001")
    wait_for(page, "410105001001")
    assert page.get_attribute("#fq-map", "data-regions") == "3"  # two grids and the school's dedicated grid
    for code in ("410105001001001", "410105001001002", "410105001001Z01"):
        assert shown(page, code) == {k: direct_figures(tree[code].path)[k] for k in KEYS}
    kpi_red = page.locator("#fq-kpis [data-k='red'] .value").inner_text()
    assert int(kpi_red) == direct_figures(tree["410105001001"].path)["red"]


def test_a_figure_links_to_the_events_queue_behind_it(page, live_server, login, tree, district_events):  # noqa: F811
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/")
    wait_for(page, "410105")
    page.locator("#fq-children tr[data-code='410105001'] td[data-k='red'] a").click()
    page.wait_for_url("**/events/?grid=410105001&colour=red&open_only=on")
    assert page.locator("text=甲").first.is_visible()
