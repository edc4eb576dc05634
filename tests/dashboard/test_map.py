"""The one map's JSON and pages: figures per child, scoped to the viewer, linking to the lists behind them."""

from __future__ import annotations

import pytest

from fengqiao.grids.models import Level
from fengqiao.grids.services import NodeData, save_nodes
from tests.dashboard.conftest import direct_figures
from tests.factories import make_user

API = "/api/v1/dashboard/map"


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"], full_name="刘局")


@pytest.fixture
def other_district(tree):
    save_nodes(
        actor=None,
        items=[NodeData("410106", "管城区", Level.DISTRICT, "4101")],
    )


def test_the_map_of_a_district_shows_its_streets_with_figures_equal_to_the_events(
    client, tree, leader, district_events
):
    client.force_login(leader)
    data = client.get(API).json()
    assert data["node"]["code"] == "410105"
    streets = {c["code"]: c for c in data["children"]}
    assert set(streets) == {"410105001", "410105002"}
    for code, child in streets.items():
        expected = direct_figures(tree[code].path)
        assert {k: child["figures"][k] for k in expected} == expected


def test_the_district_totals_equal_the_events_of_the_whole_district(client, tree, leader, district_events):
    client.force_login(leader)
    figures = client.get(API).json()["node"]["figures"]
    expected = direct_figures(tree["410105"].path)
    assert {k: figures[k] for k in expected} == expected


def test_a_district_leader_cannot_read_another_districts_map(client, tree, other_district):
    other = make_user("other_leader", role="leader", node=tree["410105"].__class__.objects.get(code="410106"))
    client.force_login(other)
    # Refused exactly like a node that does not exist, so no one learns which codes are there.
    assert client.get(API, {"node": "410105"}).status_code == 404
    assert client.get(API, {"node": "410105001"}).status_code == 404
    assert client.get("/dashboard/", {"node": "410105"}).status_code == 404


def test_a_leader_sees_only_their_own_district_by_default(client, tree, other_district, leader, district_events):
    client.force_login(leader)
    data = client.get(API, {"node": "4101"})
    assert data.status_code == 404
    assert client.get(API).json()["node"]["code"] == "410105"


def test_every_figure_of_a_child_links_to_the_filtered_events_queue(client, leader, district_events):
    client.force_login(leader)
    child = client.get(API).json()["children"][0]
    assert child["links"]["red"] == f"/events/?grid={child['code']}&colour=red&open_only=on"
    assert child["links"]["open"] == f"/events/?grid={child['code']}&open_only=on"


def test_a_community_shows_open_events_as_points_with_their_colour(client, leader, district_events):
    client.force_login(leader)
    points = client.get(API, {"node": "410105001001"}).json()["points"]
    assert points["mode"] == "events"
    colours = sorted(p["colour"] for p in points["items"])
    assert colours == ["green", "green", "orange", "red", "red"]


def test_above_the_community_open_events_are_aggregated_per_child(client, leader, district_events):
    client.force_login(leader)
    points = client.get(API).json()["points"]
    assert points["mode"] == "aggregated"
    assert {p["code"]: p["value"][2] for p in points["items"]} == {"410105001": 5, "410105002": 1}


def test_an_unknown_period_is_refused(client, leader):
    client.force_login(leader)
    assert client.get(API, {"period": "decade"}).status_code == 422


def test_the_map_page_and_big_screen_render_for_a_leader(client, leader):
    client.force_login(leader)
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "fq-onemap" in page.content.decode()
    big = client.get("/dashboard/bigscreen/")
    assert big.status_code == 200 and "fq-big" in big.content.decode()


def test_the_live_feed_lists_the_newest_events_of_the_node(client, leader, district_events):
    client.force_login(leader)
    html = client.get("/dashboard/feed/", {"node": "410105002"}).content.decode()
    assert html.count("fq-feed-item") == 2


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    assert client.get("/dashboard/").status_code == 302
    assert client.get(API).status_code == 401
