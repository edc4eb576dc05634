from __future__ import annotations

import pytest
from django.utils import timezone

from fengqiao.events.models import Event
from fengqiao.events.workflow import OPEN_STATES
from fengqiao.metrics.selectors import shown_period
from tests.metrics.conftest import _catalogue, fold, litter, make_event  # noqa: F401


def direct_figures(path: str, period: str = "month") -> dict[str, int]:
    """The figures of a subtree counted straight from the events, for comparison with what the map shows."""
    p = shown_period(period)  # what the map shows: the previous month on the 1st
    events = Event.objects.filter(grid_path__startswith=path)
    now = timezone.now()
    in_period = [e for e in events if p.start <= timezone.localdate(e.reported_at) <= p.end]
    closed = [e for e in events if e.closed_at and p.start <= timezone.localdate(e.closed_at) <= p.end]
    open_ = events.filter(state__in=OPEN_STATES)
    return {
        "reported": len(in_period),
        "closed": len(closed),
        "open": open_.count(),
        "red": open_.filter(due_at__lt=now).count(),
        "orange": open_.filter(due_at__gte=now, warn_at__lte=now).count(),
    }


@pytest.fixture
def district_events(tree, make_event, fold):  # noqa: F811
    """A handful of events across both streets in every colour; rolled up."""
    import datetime as dt

    now = timezone.now()
    h = dt.timedelta(hours=1)
    make_event("410105001001001", hours_ago=2, due_at=now - h, warn_at=now - 2 * h)  # red
    make_event("410105001001001", hours_ago=3, due_at=now + h, warn_at=now - h)  # orange
    make_event("410105001001002", hours_ago=4, due_at=now + 5 * h, warn_at=now + 4 * h)  # green
    make_event("410105001001Z01", hours_ago=5, due_at=now - h, warn_at=now - 2 * h)  # red, school grid
    make_event("410105002001001", hours_ago=6, due_at=now + h, warn_at=now - h)  # orange, street B
    make_event(
        "410105002001001",
        hours_ago=7,
        state="closed",
        registered_at=now - 6 * h,
        handled_at=now - 5 * h,
        closed_at=now - 4 * h,
        stars=5,
    )
    make_event("410105001001001001", hours_ago=8, due_at=now + 9 * h, warn_at=now + 8 * h)  # micro-grid, green
    fold()
