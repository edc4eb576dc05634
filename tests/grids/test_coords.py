"""WGS-84 ⇄ GCJ-02: the published reference pairs, no shift outside China, and round trips under a centimetre."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fengqiao.grids.coords import (
    distance_metres,
    gcj02_to_wgs84,
    out_of_china,
    transform_geometry,
    wgs84_to_gcj02,
)

# (WGS-84 lon, lat) → (GCJ-02 lon, lat), the test vectors of googollee/eviltransform, the implementation most
# others copy (its tests list lat before lon; swapped here to GeoJSON's order).
REFERENCE = [
    pytest.param((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597), id="shanghai"),
    pytest.param((113.912316, 22.543847), (113.9171764808363, 22.540796131694766), id="shenzhen"),
    pytest.param((116.377817, 39.911954), (116.38404722455657, 39.91334545536069), id="beijing"),
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_points_move_to_the_published_gcj02_positions(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_points_come_back_to_the_published_wgs84_positions(wgs, gcj):
    assert distance_metres(gcj02_to_wgs84(*gcj), wgs) < 0.001


def test_tiananmen_moves_about_the_well_known_offset():
    # Often quoted as (116.403672, 39.910625); the formula gives 39.910634, a metre away: the quote is rounded.
    gcj = wgs84_to_gcj02(116.397428, 39.90923)
    assert distance_metres(gcj, (116.403672, 39.910625)) < 2
    assert 500 < distance_metres(gcj, (116.397428, 39.90923)) < 600  # the shift itself is hundreds of metres


@pytest.mark.parametrize(
    "point",
    [(2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895), (151.2093, -33.8688), (70.0, 30.0), (120.0, 60.0)],
    ids=["paris", "new-york", "tokyo", "sydney", "west-of-the-box", "north-of-the-box"],
)
def test_points_outside_china_are_not_shifted(point):
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_zhengzhou_is_inside_china_and_shifted():
    assert not out_of_china(113.6654, 34.7579)
    assert wgs84_to_gcj02(113.6654, 34.7579) != (113.6654, 34.7579)


@given(
    lon=st.floats(min_value=73.0, max_value=135.0, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.0, allow_nan=False),
)
def test_a_round_trip_through_gcj02_lands_within_a_centimetre(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert distance_metres(back, (lon, lat)) < 0.01


def test_a_polygon_is_converted_vertex_by_vertex_and_the_input_is_left_alone():
    ring = [[113.66, 34.75], [113.67, 34.75], [113.67, 34.76], [113.66, 34.75]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    converted = transform_geometry(polygon, wgs84_to_gcj02)
    assert converted["type"] == "Polygon"
    assert converted["coordinates"][0] == [list(wgs84_to_gcj02(*p)) for p in ring]
    assert polygon["coordinates"][0][0] == [113.66, 34.75]


def test_every_geometry_type_is_walked_and_altitudes_are_kept():
    def shift(lon: float, lat: float) -> tuple[float, float]:
        return lon + 1, lat + 2

    multi = {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}
    assert transform_geometry(multi, shift)["coordinates"] == [[[[1, 2], [2, 2], [2, 3], [1, 2]]]]
    assert transform_geometry({"type": "Point", "coordinates": [1, 1, 30]}, shift)["coordinates"] == [2, 3, 30]
    collection = {"type": "GeometryCollection", "geometries": [{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}]}
    assert transform_geometry(collection, shift)["geometries"][0]["coordinates"] == [[1, 2], [2, 3]]
    assert transform_geometry(None, shift) is None


def test_one_degree_of_a_meridian_is_the_mean_earth_radius_times_pi_over_180():
    assert distance_metres((113.0, 34.0), (113.0, 35.0)) == pytest.approx(111_195.08, abs=0.01)


def test_beijing_to_shanghai_is_the_well_known_great_circle_distance():
    # Tiananmen to the People's Square: about 1,067 km as the crow flies.
    metres = distance_metres((116.4074, 39.9042), (121.4737, 31.2304))
    assert metres == pytest.approx(1_067_300, rel=0.001)
    assert distance_metres((121.4737, 31.2304), (116.4074, 39.9042)) == pytest.approx(metres)
