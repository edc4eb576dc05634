"""Builders for a small grid tree, made through the same services people use."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.grids.models import GridNode, Kind, Level
from fengqiao.grids.services import NodeData, save_nodes


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def build_tree() -> dict[str, GridNode]:
    """A city with one district, two streets, a community in each, two grids and a dedicated school grid.

    Street A covers x 0..1, street B x 1..2 with its one community at x 1..1.5 (a tiny patch near Zhengzhou).
    """
    ox, oy = 113.6, 34.7
    s = 0.01

    def sq(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
        return square(ox + x0 * s, oy + y0 * s, ox + x1 * s, oy + y1 * s)

    items = [
        NodeData("4101", "郑州市", Level.CITY, None, geometry=sq(0, 0, 2, 1)),
        NodeData("410105", "金水区", Level.DISTRICT, "4101", geometry=sq(0, 0, 2, 1)),
        NodeData("410105001", "甲街道", Level.STREET, "410105", geometry=sq(0, 0, 1, 1)),
        NodeData("410105002", "乙街道", Level.STREET, "410105", geometry=sq(1, 0, 2, 1)),
        NodeData("410105001001", "甲社区", Level.COMMUNITY, "410105001", geometry=sq(0, 0, 1, 1)),
        NodeData("410105002001", "乙社区", Level.COMMUNITY, "410105002", geometry=sq(1, 0, 1.5, 1)),
        NodeData("410105001001001", "甲一网格", Level.GRID, "410105001001", geometry=sq(0, 0, 0.5, 1)),
        NodeData("410105001001002", "甲二网格", Level.GRID, "410105001001", geometry=sq(0.5, 0, 1, 1)),
        NodeData("410105002001001", "乙一网格", Level.GRID, "410105002001", geometry=sq(1, 0, 1.5, 1)),
        NodeData(
            "410105001001Z01",
            "甲小学专属网格",
            Level.GRID,
            "410105001001",
            kind=Kind.SCHOOL,
            geometry=sq(0.4, 0.4, 0.6, 0.6),
        ),
        NodeData("410105001001001001", "甲一1号微网格", Level.MICRO, "410105001001001", geometry=sq(0, 0, 0.5, 0.5)),
    ]
    nodes = save_nodes(actor=None, items=items)
    return {n.code: n for n in nodes}


def make_user(
    username: str,
    *,
    role: str | None = None,
    node: GridNode | None = None,
    password: str | None = "correct-horse-9",
    **extra: Any,
) -> User:
    """A user with a membership; ``password=None`` skips the slow argon2 hash where the test never signs in."""
    user = User.objects.create_user(username=username, password=password, **extra)
    if role and node:
        Membership.objects.create(user=user, node=node, role=role)
    return user


def make_department(node: GridNode, name: str = "城管办", code: str = "D1") -> Department:
    return Department.objects.create(node=node, name=name, code=code, kind=Department.Kind.URBAN)


ROLE = Role
