"""Optional map tiles: off by default, the map JSON shifted to GCJ-02 only for GCJ-02 tiles, the tile hosts allowed by
the content security policy only when tiles are configured."""

from __future__ import annotations

import html
import json
import runpy

import pytest

import fengqiao.settings
from fengqiao.dashboard.tiles import check_tile_settings, tile_origins, tile_templates
from fengqiao.grids.coords import transform_geometry, wgs84_to_gcj02
from tests.factories import make_user

API = "/api/v1/dashboard/map"
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
TIANDITU = "https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k3y"


@pytest.fixture
def leader(tree):
    return make_user("leader", role="leader", node=tree["410105"], full_name="刘局")


@pytest.fixture
def amap(settings):
    settings.FENGQIAO_MAP_TILES = [AMAP]
    settings.FENGQIAO_MAP_TILES_CRS = "gcj02"
    settings.FENGQIAO_MAP_TILES_SUBDOMAINS = "1234"
    settings.FENGQIAO_MAP_TILES_ATTRIBUTION = "© 高德地图"
    return settings


def stored(node) -> dict:
    return json.loads(node.geometry)


def test_without_tiles_the_map_draws_the_stored_wgs84_positions(client, tree, leader, district_events):
    client.force_login(leader)
    data = client.get(API, {"node": "410105001001"}).json()
    assert data["crs"] == "wgs84"
    child = next(c for c in data["children"] if c["code"] == "410105001001001")
    assert child["geometry"] == stored(tree["410105001001001"])
    assert child["centroid"] == [tree["410105001001001"].centroid_lon, tree["410105001001001"].centroid_lat]


def test_over_gcj02_tiles_every_polygon_and_centroid_is_shifted_to_gcj02(client, tree, leader, district_events, amap):
    client.force_login(leader)
    data = client.get(API).json()
    assert data["crs"] == "gcj02"
    assert data["node"]["geometry"] == transform_geometry(stored(tree["410105"]), wgs84_to_gcj02)
    for child in data["children"]:
        node = tree[child["code"]]
        assert child["geometry"] == transform_geometry(stored(node), wgs84_to_gcj02)
        assert child["centroid"] == pytest.approx(wgs84_to_gcj02(node.centroid_lon, node.centroid_lat))
    bubbles = {p["code"]: p["value"][:2] for p in data["points"]["items"]}  # aggregated, on the shifted centroids
    node = tree["410105001"]
    assert bubbles["410105001"] == pytest.approx(wgs84_to_gcj02(node.centroid_lon, node.centroid_lat))


def test_over_gcj02_tiles_event_points_are_shifted_too(client, tree, leader, district_events, amap):
    from fengqiao.events.models import Event

    client.force_login(leader)
    points = client.get(API, {"node": "410105001001"}).json()["points"]
    assert points["mode"] == "events"
    for point in points["items"]:
        event = Event.objects.get(tracking_code=point["code"])
        assert point["value"] == pytest.approx(list(wgs84_to_gcj02(event.lon, event.lat)))
        assert point["value"] != pytest.approx([event.lon, event.lat])


@pytest.mark.parametrize(
    ("tiles", "crs"), [([], "gcj02"), ([TIANDITU], "wgs84")], ids=["gcj02-without-tiles", "wgs84-tiles"]
)
def test_nothing_is_shifted_without_gcj02_tiles(client, tree, leader, settings, tiles, crs):
    settings.FENGQIAO_MAP_TILES = tiles
    settings.FENGQIAO_MAP_TILES_CRS = crs
    client.force_login(leader)
    data = client.get(API).json()
    assert data["crs"] == "wgs84"
    assert data["node"]["geometry"] == stored(tree["410105"])


def test_the_map_pages_carry_the_tile_configuration_only_when_tiles_are_set(client, leader, amap):
    client.force_login(leader)
    for url in ("/dashboard/", "/dashboard/bigscreen/"):
        page = client.get(url).content.decode()
        attribute = page.split('data-tiles="', 1)[1].split('"', 1)[0]
        config = json.loads(html.unescape(attribute))
        assert config == {
            "urls": [AMAP],
            "subdomains": "1234",
            "max_zoom": 18,
            "attribution": "© 高德地图",
            "crs": "gcj02",
        }
    amap.FENGQIAO_MAP_TILES = []
    assert "data-tiles" not in client.get("/dashboard/").content.decode()


def test_by_default_no_tiles_are_configured_and_no_tile_host_is_allowed(client, leader):
    assert fengqiao.settings.FENGQIAO_MAP_TILES == []
    client.force_login(leader)
    policy = client.get("/dashboard/")["Content-Security-Policy"]
    img_src = next(d for d in policy.split("; ") if d.startswith("img-src"))
    assert img_src == "img-src 'self' data: blob:"


def test_configured_tile_hosts_are_added_to_the_policys_img_src(client, leader, settings, monkeypatch):
    monkeypatch.setenv("FENGQIAO_MAP_TILES", f"{TIANDITU} {TIANDITU.replace('vec_w', 'cva_w')}")
    monkeypatch.setenv("FENGQIAO_MAP_TILES_SUBDOMAINS", "01234567")
    configured = runpy.run_path(fengqiao.settings.__file__)  # the settings module as that environment builds it
    img_src = configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert img_src == ["'self'", "data:", "blob:", *(f"https://t{i}.tianditu.gov.cn" for i in range(8))]
    assert configured["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == ["'self'"]

    settings.CONTENT_SECURITY_POLICY = configured["CONTENT_SECURITY_POLICY"]
    client.force_login(leader)
    assert "https://t7.tianditu.gov.cn" in client.get("/dashboard/")["Content-Security-Policy"]


def test_tile_origins_expand_subdomains_and_skip_same_origin_templates():
    assert tile_origins([AMAP], "1234") == [f"https://webrd0{i}.is.autonavi.com" for i in "1234"]
    assert tile_origins(["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]) == ["https://tile.openstreetmap.org"]
    assert tile_origins(["http://tiles.intranet:8080/{z}/{x}/{y}.png"]) == ["http://tiles.intranet:8080"]
    protocol_relative = tile_origins(["//{s}.tiles.example.cn/{z}/{x}/{y}.png"], "ab")
    assert protocol_relative == ["a.tiles.example.cn", "b.tiles.example.cn"]
    assert tile_origins(["/tiles/{z}/{x}/{y}.png"]) == []  # served by us: 'self' covers it


def test_tile_templates_are_read_from_one_string_separated_by_spaces():
    assert tile_templates("") == []
    assert tile_templates(f"  {AMAP}\n{TIANDITU} ") == [AMAP, TIANDITU]
    assert tile_templates([AMAP, " "]) == [AMAP]


def test_the_system_check_refuses_an_unknown_datum_and_a_template_without_tile_numbers(settings):
    assert check_tile_settings() == []
    settings.FENGQIAO_MAP_TILES = ["https://example.cn/tiles.png"]
    settings.FENGQIAO_MAP_TILES_CRS = "bd09"
    assert sorted(e.id for e in check_tile_settings()) == ["dashboard.E001", "dashboard.E002"]
