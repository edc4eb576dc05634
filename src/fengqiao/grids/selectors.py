"""Queries over the grid tree, always scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import QuerySet

from fengqiao.accounts.models import User
from fengqiao.core import scoping
from fengqiao.core.actors import Caller
from fengqiao.grids.models import GridNode


def visible_nodes(*, actor: User) -> QuerySet[GridNode]:
    return scoping.scope(GridNode.objects.all(), actor)


def jurisdiction_roots(*, actor: User) -> list[GridNode]:
    """The nodes an actor's jurisdiction starts at (the whole tree's roots for administrators)."""
    paths = scoping.paths_of(actor)
    if paths is None:
        return list(GridNode.objects.filter(parent__isnull=True).order_by("code"))
    return list(GridNode.objects.filter(path__in=paths).order_by("path"))


def node_detail(*, actor: User, code: str) -> GridNode:
    """One node the actor may see; raises OutsideJurisdiction or GridNode.DoesNotExist."""
    return scoping.get_scoped(GridNode.objects.select_related("parent"), actor, code=code)


def node_children(*, actor: User, node: GridNode) -> QuerySet[GridNode]:
    return visible_nodes(actor=actor).filter(parent=node).order_by("kind", "code")


def visible_ancestors(*, actor: User, node: GridNode) -> list[GridNode]:
    """Ancestors of ``node`` the actor may see, from the top down (breadcrumbs stop at the jurisdiction)."""
    codes = node.ancestor_codes()[:-1]
    ancestors = {n.code: n for n in visible_nodes(actor=actor).filter(code__in=codes)}
    return [ancestors[c] for c in codes if c in ancestors]


def subtree(*, actor: User, node: GridNode) -> QuerySet[GridNode]:
    return visible_nodes(actor=actor).filter(path__startswith=node.path)


def widest_node(actor: Caller) -> GridNode | None:
    """The highest node of the actor's jurisdiction (the root for a city-wide role): what a record about their whole
    area, such as an export's audit row, is filed under."""
    paths = scoping.paths_of(actor)
    if paths is None:
        return GridNode.objects.filter(parent__isnull=True).order_by("path").first()
    return GridNode.objects.filter(path__in=paths).order_by("depth", "path").first()
