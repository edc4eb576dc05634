from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.events.models import Category, Event
from fengqiao.metrics.services import fold_pending

GRID_A1 = "410105001001001"
GRID_A2 = "410105001001002"
GRID_B1 = "410105002001001"
MICRO = "410105001001001001"


@pytest.fixture(autouse=True)
def _catalogue(catalogue):
    return catalogue


@pytest.fixture
def litter():
    return Category.objects.get(code="0403")


@pytest.fixture
def make_event(tree, litter):
    """An event written straight to the table (as imports and the demo do), with whatever timestamps a test needs."""
    counter = iter(range(1, 10_000))

    def make(grid: str = GRID_A1, *, hours_ago: float = 1, state: str = "reported", **fields):
        now = timezone.now()
        reported = now - dt.timedelta(hours=hours_ago)
        event = Event(
            tracking_code=f"T{next(counter):06d}",
            grid=tree[grid],
            category=fields.pop("category", litter),
            source=fields.pop("source", "patrol"),
            description="测试事件",
            state=state,
            reported_at=reported,
            lon=fields.pop("lon", tree[grid].centroid_lon),
            lat=fields.pop("lat", tree[grid].centroid_lat),
            **fields,
        )
        event.save()
        return event

    return make


@pytest.fixture
def fold():
    return fold_pending
