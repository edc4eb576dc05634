"""In a real browser: a micro-grid with no events shows "该网格暂无数据" where its charts would be, never a blank
canvas, and a period with nothing in it says so beside the period."""

from __future__ import annotations

from tests.factories import make_user
from tests.metrics.conftest import _catalogue  # noqa: F401

MICRO = "410105001001001001"


def test_a_micro_grid_with_no_data_shows_an_empty_state_instead_of_blank_charts(page, live_server, login, tree):
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/?node={MICRO}")
    page.wait_for_selector(f"#fq-onemap[data-ready='1'][data-node='{MICRO}']")
    for chart in ("fq-trend", "fq-categories"):
        note = page.locator(f".fq-empty[data-for='{chart}']")
        assert note.is_visible()
        assert note.inner_text().strip() == "该网格暂无数据"
    assert "暂无数据" in page.locator("#fq-period-label").inner_text()


def test_the_big_screen_of_a_micro_grid_shows_the_empty_state_too(page, live_server, login, tree):
    make_user("leader", role="leader", node=tree["410105"], full_name="刘局")
    login(page, live_server, "leader", "correct-horse-9")
    page.goto(f"{live_server.url}/dashboard/bigscreen/?node={MICRO}")
    page.wait_for_selector(f"#fq-onemap[data-ready='1'][data-node='{MICRO}']")
    for chart in ("fq-trend", "fq-categories", "fq-ranking"):
        assert page.locator(f".fq-empty[data-for='{chart}']").inner_text().strip() == "该网格暂无数据"
