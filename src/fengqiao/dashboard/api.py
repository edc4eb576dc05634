"""一张图 endpoints of the native API."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.dashboard import selectors
from fengqiao.grids.models import GridNode
from fengqiao.metrics.selectors import PERIODS, shown_period

router = Router(tags=["dashboard"])


@router.get(
    "/map",
    response=dict[str, Any],
    url_name="dashboard_map",
    summary="The one map: a node, its children's polygons and figures",
)
def map_data(request: AuthenticatedRequest, node: str = "", period: str = "month") -> dict[str, Any]:
    """The viewer's node (or the one named by ``node``), its children's polygons and figures for the period
    (``day``, ``week``, ``month``, ``year``; on the first day of a week, month or year, the whole previous one, marked
    ``period.previous``), open events as points, the 30-day trend and open events by category."""
    if period not in PERIODS:
        raise HttpError(422, "period")
    try:
        return selectors.map_payload(actor=request.user, code=node or None, period=shown_period(period))
    except GridNode.DoesNotExist:
        raise HttpError(404, "node") from None
