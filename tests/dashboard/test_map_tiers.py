"""四事分办 on the one map and in the rankings: the selected node's tier shares against the 70/30 targets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from fengqiao.grids.models import GridNode, Level
from fengqiao.grids.services import NodeData, save_nodes
from tests.factories import make_user

API = "/api/v1/dashboard/map"
RANKING = "/metrics/ranking/"


@pytest.fixture(autouse=True)
def _midmonth():
    """Mid-month at midday: on the 1st the map shows last month, where these events are not."""
    with time_machine.travel(dt.datetime(2026, 3, 17, 4, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"], full_name="刘局")


@pytest.fixture
def closed_by_tier(tree, make_event, fold, settings):
    """Street A: 8 of 10 closed in the village (met); street B: 1 of 4 (not met). Plus open events, counted nowhere."""
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.70
    settings.FENGQIAO_TIER_TARGET_TOWNSHIP = 0.30
    now = timezone.now()
    closed_at = now - dt.timedelta(hours=1)
    a = ["grid"] * 6 + ["community"] * 2 + ["street", "county"]
    b = ["community", "street", "county", "county"]
    for grid, tiers in (("410105001001001", a), ("410105002001001", b)):
        for tier in tiers:
            make_event(grid, hours_ago=3, state="closed", closed_at=closed_at, tier=tier)
    make_event("410105002001001", hours_ago=2, tier="grid")  # still open
    fold()


def test_the_map_gives_the_selected_node_its_tier_shares_and_verdicts(client, leader, closed_by_tier):
    client.force_login(leader)
    tiers = client.get(API).json()["node"]["tiers"]
    assert tiers["closed"] == 14
    assert {s["key"]: s["count"] for s in tiers["segments"]} == {"grid": 6, "community": 3, "street": 2, "county": 3}
    village, township = tiers["village"], tiers["township"]
    assert (village["count"], village["of"], village["target"]) == (9, 14, 0.7)
    assert village["share"] == pytest.approx(9 / 14) and village["met"] is False and village["verdict"] == "未达标"
    assert (township["count"], township["of"]) == (2, 5) and township["met"] is True
    assert tiers["target_text"] == "村内化解 ≥70%，出村事件中乡镇化解 ≥30%"


@pytest.mark.parametrize(("code", "village", "met"), [("410105001", (8, 10), True), ("410105002", (1, 4), False)])
def test_any_node_selected_gets_its_own_shares(client, leader, closed_by_tier, code, village, met):
    client.force_login(leader)
    data = client.get(API, {"node": code}).json()
    tiers = data["node"]["tiers"]
    assert (tiers["village"]["count"], tiers["village"]["of"]) == village
    assert tiers["village"]["met"] is met
    # The children table offers the village share as a figure too (村内化解率), and the map can be coloured by it.
    assert "village_rate" in {c["key"] for c in data["figure_choices"]}
    grid = client.get(API, {"node": "410105002001001"}).json()
    assert grid["node"]["tiers"]["village"]["count"] == 1


def test_a_node_with_nothing_closed_has_no_verdict(client, leader, tree):
    client.force_login(leader)
    tiers = client.get(API).json()["node"]["tiers"]
    assert tiers["closed"] == 0 and tiers["village"]["share"] is None
    assert tiers["village"]["met"] is None and tiers["village"]["verdict"] == "暂无数据"


def test_the_map_page_has_the_tier_panel(client, leader):
    client.force_login(leader)
    page = client.get("/dashboard/").content.decode()
    assert 'id="fq-tiers"' in page and "四事分办" in page


def test_another_districts_tier_shares_answer_like_a_missing_node(client, tree, closed_by_tier):
    save_nodes(actor=None, items=[NodeData("410106", "管城区", Level.DISTRICT, "4101")])
    other = make_user("other_leader", role="leader", node=GridNode.objects.get(code="410106"))
    client.force_login(other)
    for code in ("410105", "410105001", "410105002001001"):
        refused = client.get(API, {"node": code})
        missing = client.get(API, {"node": "410199"})
        assert refused.status_code == missing.status_code == 404
        assert refused.content == missing.content
        assert client.get(RANKING, {"node": code}).status_code == 404
    # Its own district's shares say nothing of the other district's closed events.
    assert client.get(API).json()["node"]["tiers"]["closed"] == 0


def test_a_street_worker_one_role_too_low_cannot_open_the_ranking(client, tree, closed_by_tier):
    worker = make_user("gridleader", role="grid_leader", node=tree["410105001001"])
    client.force_login(worker)
    assert client.get(RANKING, {"node": "410105001001"}).status_code == 403


def _order(page: str) -> list[str]:
    body = page.split("下级单位排名", 1)[1]
    return re.findall(r'<tr data-code="(\d+)"', body)


def test_the_ranking_shows_the_village_share_with_its_target_and_sorts_by_it(client, leader, tree, closed_by_tier):
    client.force_login(leader)
    page = client.get(RANKING, {"node": "410105"}).content.decode()
    assert "村内化解率" in page and "目标 ≥70%" in page
    assert "村内化解 ≥70%，出村事件中乡镇化解 ≥30%" in page
    cells = dict(re.findall(r'<tr data-code="(\d+)">.*?data-k="village">(.*?)</td>', page, re.S))
    assert "80%" in cells["410105001"] and "达标" in cells["410105001"] and "未达标" not in cells["410105001"]
    assert "25%" in cells["410105002"] and "未达标" in cells["410105002"]
    by_village = client.get(RANKING, {"node": "410105", "sort": "village"}).content.decode()
    assert _order(by_village) == ["410105001", "410105002"]
    assert 'aria-sort="descending"><a href="?node=410105&amp;period=month&amp;sort=village"' in by_village


def test_sorting_by_village_share_puts_the_higher_share_first_whatever_the_score(leader, tree, closed_by_tier):
    from fengqiao.metrics import selectors

    period = selectors.shown_period("month")
    units = selectors.children_ranking(actor=leader, node=tree["410105"], period=period)
    # Make street B rank first by score: the village order must not follow it.
    units.sort(key=lambda u: u.code != "410105002")
    assert [u.code for u in selectors.by_village_share(units)] == ["410105001", "410105002"]
    # Within street A only 甲一网格 closed anything: the grids with no share come after it, not before.
    grids = selectors.children_ranking(actor=leader, node=tree["410105001001"], period=period)
    assert selectors.by_village_share(list(reversed(grids)))[0].code == "410105001001001"
