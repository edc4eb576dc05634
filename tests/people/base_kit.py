"""Builders for the base-data tests: a grid tree, its users, and people made through the same services users use."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from fengqiao.core.validators import id_check_digit
from fengqiao.people import services
from tests.factories import build_tree, make_user

GRID_A = "410105001001001"
GRID_A2 = "410105001001002"
GRID_B = "410105002001001"


def id_number(serial: int, born: str = "19850307") -> str:
    first = f"410105{born}{serial:03d}"
    return first + id_check_digit(first)


@pytest.fixture
def base(db):
    tree = build_tree()
    users = {
        "worker_a": make_user("b_worker_a", password=None, role=Role.GRID_WORKER, node=tree[GRID_A]),
        "worker_b": make_user("b_worker_b", password=None, role=Role.GRID_WORKER, node=tree[GRID_B]),
        "leader_a": make_user("b_leader_a", password=None, role=Role.GRID_LEADER, node=tree["410105001001"]),
        "dispatcher_a": make_user(
            "b_dispatcher_a", password=None, role=Role.DISPATCHER, node=tree["410105001"], is_staff=True
        ),
        "dispatcher": make_user(
            "b_dispatcher", password=None, role=Role.DISPATCHER, node=tree["410105"], is_staff=True
        ),
        "mediator": make_user("b_mediator", password=None, role=Role.MEDIATOR, node=tree["410105001"]),
    }
    building_a = services.save_building(actor=users["worker_a"], grid=tree[GRID_A], name="甲一1号楼")
    room_a = services.save_room(actor=users["worker_a"], building=building_a, unit="1单元", number="101")
    building_b = services.save_building(actor=users["worker_b"], grid=tree[GRID_B], name="乙一1号楼")
    room_b = services.save_room(actor=users["worker_b"], building=building_b, unit="1单元", number="201")
    return {
        "tree": tree,
        **users,
        "building_a": building_a,
        "room_a": room_a,
        "building_b": building_b,
        "room_b": room_b,
    }
