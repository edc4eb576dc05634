"""The locator finds the finest grid, prefers dedicated grids, suggests a neighbour, and follows changes."""

from __future__ import annotations

import numpy as np
import pytest

from fengqiao.grids import locator
from fengqiao.grids.models import GridNode, Level
from fengqiao.grids.services import NodeData, save_nodes
from tests.factories import square

OX, OY, S = 113.6, 34.7, 0.01


@pytest.fixture(autouse=True)
def fresh_locator():
    locator.invalidate()
    yield
    locator.invalidate()


def at(x, y):
    return OX + x * S, OY + y * S


def test_the_finest_grid_wins(tree):
    assert locator.locate(*at(0.2, 0.2)).code == "410105001001001001"  # micro-grid
    assert locator.locate(*at(0.2, 0.8)).code == "410105001001001"  # grid without a micro-grid there
    assert locator.locate(*at(1.2, 0.5)).code == "410105002001001"


def test_the_grid_found_comes_without_a_query_and_matches_the_stored_one(tree, django_assert_num_queries):
    found = locator.locate(*at(0.2, 0.2))
    with django_assert_num_queries(0):
        node = found.node()
        assert node is not None
        identity = (node.pk, node.code, node.name, node.path, node.depth, node.level, node.kind, node.parent_id)
    stored = GridNode.objects.get(code="410105001001001001")
    assert identity == (
        stored.pk,
        stored.code,
        stored.name,
        stored.path,
        stored.depth,
        stored.level,
        stored.kind,
        stored.parent_id,
    )
    assert node.min_lon == stored.min_lon  # any other field loads on first use


def test_a_dedicated_grid_wins_over_an_ordinary_one(tree):
    assert locator.locate(*at(0.5, 0.5)).code == "410105001001Z01"


def test_a_point_in_a_street_with_no_community_there_gets_the_street(tree):
    # Street B's community covers only x 1..1.5; x 1.8 lies in the street alone.
    assert locator.locate(*at(1.8, 0.5)).code == "410105002"


def test_a_point_outside_every_grid_gets_a_nearby_suggestion(tree, settings):
    settings.FENGQIAO_LOCATOR_SUGGEST_METRES = 500
    locator.invalidate()
    outside = locator.locate(OX - 0.002, OY + 0.002)  # ~180 m west of the city edge
    assert not outside.found
    assert outside.suggestion_code == "410105001001001001"
    assert 100 < outside.suggestion_metres < 300
    far = locator.locate(OX - 0.1, OY)
    assert not far.found and far.suggestion_code is None


def test_locate_many_agrees_with_locate(tree):
    rng = np.random.default_rng(7)
    lons = OX + rng.uniform(-0.2, 2.2, 500) * S
    lats = OY + rng.uniform(-0.2, 1.2, 500) * S
    ids = locator.locate_many(lons, lats)
    for lon, lat, found in zip(lons, lats, ids, strict=True):
        single = locator.locate(lon, lat)
        assert (single.node_id or -1) == found


def test_the_locator_is_rebuilt_when_the_grids_change(tree):
    assert locator.locate(*at(1.8, 0.5)).code == "410105002"
    save_nodes(
        actor=None,
        items=[
            NodeData(
                "410105002002",
                "丙社区",
                Level.COMMUNITY,
                "410105002",
                geometry=square(*at(1.5, 0), *at(2, 1)),
            )
        ],
    )
    # Another process's change is seen through the version number, not only the local invalidation.
    locator._current = locator.Locator(locator.current_version() - 1)
    assert locator.locate(*at(1.8, 0.5)).code == "410105002002"
    assert GridNode.objects.filter(code="410105002002").exists()
