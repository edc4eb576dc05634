"""一张图 pages: the map with its figures, the big screen, and the live feed fragment (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.dashboard import selectors, tiles
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import GridNode
from fengqiao.metrics.selectors import PERIODS


def _node(request: AuthenticatedRequest) -> GridNode:
    code = request.GET.get("node", "")
    try:
        node = grid_selectors.node_detail(actor=request.user, code=code) if code else None
    except GridNode.DoesNotExist:
        raise Http404(code) from None
    node = node or selectors.default_node(actor=request.user)
    if node is None:
        raise Http404("no jurisdiction")
    return node


def _context(request: AuthenticatedRequest) -> dict[str, Any]:
    node = _node(request)
    period = request.GET.get("period", "month")
    return {
        "node": node,
        "period": period if period in PERIODS else "month",
        "periods": [(k, str(v)) for k, v in PERIODS.items()],
        "roots": grid_selectors.jurisdiction_roots(actor=request.user)[:20],
        "figure_choices": selectors.FIGURES,
        "map_tiles": tiles.browser_config(),
    }


@login_required
def map_page(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "dashboard/map.html", _context(request))


@login_required
def bigscreen(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "dashboard/bigscreen.html", _context(request))


@login_required
def feed(request: AuthenticatedRequest) -> HttpResponse:
    node = _node(request)
    events = list(selectors.live_feed(actor=request.user, node=node))
    return render(
        request,
        "dashboard/_feed.html",
        {"events": events, "now": timezone.now(), "dark": request.GET.get("dark") == "1"},
    )
