"""The grid browser: the tree of the user's jurisdiction with each level's polygons on a map."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from fengqiao.accounts.models import Department, Membership
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import scoping
from fengqiao.grids import home as home_content
from fengqiao.grids import selectors
from fengqiao.grids.models import GridNode
from fengqiao.grids.services import node_feature


def _node_or_404(request: AuthenticatedRequest, code: str) -> GridNode:
    try:
        return selectors.node_detail(actor=request.user, code=code)
    except GridNode.DoesNotExist:
        raise Http404(code) from None


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The home page, shaped by the user's role."""
    return render(request, "grids/home.html", home_content.for_user(request.user))


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    roots = selectors.jurisdiction_roots(actor=request.user)
    if not roots:
        return redirect("home")
    return redirect("grids:detail", code=roots[0].code)


@login_required
def detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    node = _node_or_404(request, code)
    staff = (
        scoping.scope(Membership.objects.filter(node=node, active=True), request.user)
        .select_related("user", "department")
        .order_by("role")
    )
    departments = scoping.scope(Department.objects.filter(node=node, active=True), request.user)
    return render(
        request,
        "grids/node_detail.html",
        {
            "node": node,
            "ancestors": selectors.visible_ancestors(actor=request.user, node=node),
            "children": list(selectors.node_children(actor=request.user, node=node)),
            "staff": list(staff),
            "departments": list(departments),
            "map_url": reverse("grids:map", args=[node.code]),
        },
    )


@login_required
def map_json(request: AuthenticatedRequest, code: str) -> JsonResponse:
    node = _node_or_404(request, code)
    children = selectors.node_children(actor=request.user, node=node).select_related("parent")
    features = [
        node_feature(
            n,
            role=role,
            level_label=n.get_level_display(),
            url=reverse("grids:detail", args=[n.code]),
        )
        for role, n in [("self", node), *(("child", c) for c in children)]
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
