"""Grid endpoints of the native API: read a node, its children and polygons, and locate a point."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import ErrorOut, NotFound
from fengqiao.grids import locator, selectors
from fengqiao.grids.models import GridNode
from fengqiao.grids.services import export_geojson

router = Router(tags=["grids"])


class NodeOut(Schema):
    code: str
    name: str
    level: int
    level_label: str
    kind: str
    parent_code: str | None
    path: str
    households: int
    population: int
    centroid: list[float] | None

    @staticmethod
    def from_node(node: GridNode) -> NodeOut:
        return NodeOut(
            code=node.code,
            name=node.name,
            level=node.level,
            level_label=str(node.get_level_display()),
            kind=node.kind,
            parent_code=node.parent.code if node.parent else None,
            path=node.path,
            households=node.households,
            population=node.population,
            centroid=[node.centroid_lon, node.centroid_lat]
            if node.centroid_lon is not None and node.centroid_lat is not None
            else None,
        )


class LocateOut(Schema):
    found: bool
    grid: NodeOut | None = None
    suggestion: NodeOut | None = None
    suggestion_metres: float | None = None


def _node(request: AuthenticatedRequest, code: str) -> GridNode:
    try:
        return selectors.node_detail(actor=request.user, code=code)
    except GridNode.DoesNotExist:
        raise NotFound(_("网格 %(code)s 不存在。") % {"code": code}) from None


@router.get("/roots", response=list[NodeOut], summary="The nodes the caller's jurisdiction starts at")
def roots(request: AuthenticatedRequest) -> list[NodeOut]:
    return [NodeOut.from_node(n) for n in selectors.jurisdiction_roots(actor=request.user)]


@router.get("/locate", response={200: LocateOut, 422: Any}, summary="The finest grid containing a point")
def locate(
    request: AuthenticatedRequest,
    lon: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
) -> LocateOut:
    found = locator.locate(lon, lat)
    visible = selectors.visible_nodes(actor=request.user).select_related("parent")
    if found.node_id is not None:
        node = visible.filter(pk=found.node_id).first()
        return LocateOut(found=node is not None, grid=NodeOut.from_node(node) if node else None)
    suggestion = visible.filter(pk=found.suggestion_id).first() if found.suggestion_id else None
    return LocateOut(
        found=False,
        suggestion=NodeOut.from_node(suggestion) if suggestion else None,
        suggestion_metres=found.suggestion_metres if suggestion else None,
    )


@router.get("/{code}", response={200: NodeOut, 403: ErrorOut, 404: ErrorOut}, summary="One grid node")
def node(request: AuthenticatedRequest, code: str) -> NodeOut:
    return NodeOut.from_node(_node(request, code))


@router.get("/{code}/children", response={200: list[NodeOut], 403: ErrorOut, 404: ErrorOut}, summary="Child nodes")
def children(request: AuthenticatedRequest, code: str) -> list[NodeOut]:
    parent = _node(request, code)
    return [
        NodeOut.from_node(n) for n in selectors.node_children(actor=request.user, node=parent).select_related("parent")
    ]


@router.get(
    "/{code}/geojson",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut},
    summary="The node and its children as a GeoJSON FeatureCollection",
)
def geojson(request: AuthenticatedRequest, code: str) -> dict[str, Any]:
    parent = _node(request, code)
    nodes = [parent, *selectors.node_children(actor=request.user, node=parent).select_related("parent")]
    return json.loads(json.dumps(export_geojson(nodes=nodes)))
