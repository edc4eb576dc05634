"""考核评价 endpoints of the native API."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import GridNode
from fengqiao.metrics import selectors

router = Router(tags=["metrics"])


@router.get(
    "/ranking",
    response=list[dict[str, Any]],
    url_name="metrics_ranking",
    summary="Children of a node ranked by composite score",
)
def ranking(request: AuthenticatedRequest, node: str = "", period: str = "month") -> list[dict[str, Any]]:
    """The children of ``node`` (default: the viewer's first jurisdiction root) ranked by composite score over
    ``day``, ``week``, ``month`` or ``year``, with their counters and rates."""
    if period not in selectors.PERIODS:
        raise HttpError(422, "period")
    try:
        target = grid_selectors.node_detail(actor=request.user, code=node) if node else None
    except GridNode.DoesNotExist:
        raise HttpError(404, "node") from None
    target = target or next(iter(grid_selectors.jurisdiction_roots(actor=request.user)), None)
    if target is None:
        raise HttpError(404, "node")
    rows = selectors.children_ranking(actor=request.user, node=target, period=selectors.period_of(period))
    return [{"rank": r.rank, "code": r.code, "name": r.name, "score": r.score, **r.figures.as_dict()} for r in rows]
