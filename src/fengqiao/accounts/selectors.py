"""Queries about people and their posts that several apps ask the same way."""

from __future__ import annotations

from collections.abc import Iterable

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.core.scoping import ancestor_paths


def members_above(path: str, roles: Iterable[str]) -> list[User]:
    """Users holding one of ``roles`` (an active post) at the node ``path`` or any ancestor of it, nearest node first.

    Who is told about a case in a grid: its dispatchers, its leaders up the line. A user with posts at two levels is
    listed once, at the nearer one.
    """
    members = (
        Membership.objects.filter(role__in=list(roles), active=True, node_path__in=ancestor_paths(path))
        .select_related("user")
        .order_by("-node_path", "pk")
    )
    users: dict[int, User] = {}
    for membership in members:
        users.setdefault(membership.user_id, membership.user)
    return list(users.values())


def handlers_of(department: Department | None) -> list[User]:
    """The active handlers of a department (those a routed case or its deadline warning goes to)."""
    if department is None:
        return []
    rows = Membership.objects.filter(role=Role.HANDLER, department=department, active=True).select_related("user")
    return [m.user for m in rows]
