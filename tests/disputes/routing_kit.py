"""Helpers of the routing tests: mediators of every kind and people made without the slow password hash."""

from __future__ import annotations

from typing import Any

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.disputes.models import DisputeType, Mediator, Organisation
from fengqiao.grids.models import GridNode
from tests.factories import make_user

_count = {"n": 0}


def person(role: str | None, node: GridNode | None, name: str = "", **extra: Any) -> User:
    _count["n"] += 1
    return make_user(f"rk{_count['n']}", role=role, node=node, password=None, full_name=name or "某人", **extra)


def mediator(org: Organisation, kind: str, name: str = "") -> Mediator:
    user = person(Role.MEDIATOR, org.node, name or f"{kind}调解员")
    return Mediator.objects.create(user=user, organisation=org, kind=kind)


def handler(department: Department, name: str = "") -> User:
    user = person(None, None, name or "办理人")
    Membership.objects.create(user=user, node=department.node, role=Role.HANDLER, department=department)
    return user


def typed(base: DisputeType, ladder: str, code: str) -> DisputeType:
    """A copy of a catalogue type that climbs ``ladder``."""
    return DisputeType.objects.create(code=code, name=f"{base.name}（{ladder}）", industry=base.industry, ladder=ladder)
