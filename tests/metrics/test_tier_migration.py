"""Upgrading counts the events closed before the tier counters existed, by tier, in the rows already rolled up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _before():
    """metrics just before the tier counters; grids and events as they are now."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return [("metrics", "0006_resolution_description"), *(n for n in leaves if n[0] in ("grids", "events"))]


@pytest.mark.django_db(transaction=True)
def test_closed_events_are_counted_by_tier_on_upgrade():
    closed_at = timezone.now() - dt.timedelta(days=3)
    day = timezone.localdate(closed_at)
    old = _migrate(_before())
    Node = old.get_model("grids", "GridNode")
    district = Node.objects.create(code="419901", name="迁移测试区", level=2, path="419901/")
    grid = Node.objects.create(
        code="419901001", name="迁移测试网格", level=5, path="419901/419901001/", parent=district
    )
    Event = old.get_model("events", "Event")
    base = {"grid": grid, "grid_path": grid.path, "source": "patrol", "description": "测试", "reported_at": closed_at}
    for n, (state, tier, at) in enumerate(
        [("closed", "grid", closed_at), ("closed", "street", closed_at), ("registered", "county", None)]
    ):
        Event.objects.create(tracking_code=f"E2026900{n}", state=state, tier=tier, closed_at=at, **base)
    Stat = old.get_model("metrics", "DailyGridStat")
    Stat.objects.create(node_path=grid.path, day=day, reported=3, closed=2)  # as the old counters had it
    Stat.objects.create(node_path=district.path, day=day, reported=3, closed=2)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = new.get_model("metrics", "DailyGridStat").objects.filter(node_path__startswith="419901/")
    got = {
        r["node_path"]: r
        for r in rows.values("node_path", "closed", "closed_grid", "closed_community", "closed_street", "closed_county")
    }
    assert set(got) == {grid.path, district.path}
    for path in (grid.path, district.path):
        row = got[path]
        assert (row["closed"], row["closed_grid"], row["closed_street"]) == (2, 1, 1)
        assert (row["closed_community"], row["closed_county"]) == (0, 0)  # the open county event counts nowhere
