from __future__ import annotations

import itertools

import pytest

from fengqiao.accounts.models import Role
from fengqiao.participation import services as points
from fengqiao.people.models import Building, Household, Room
from tests.factories import make_user

_numbers = itertools.count(1)


def home(grid, number=None):
    """A household in a room of a building in ``grid``."""
    n = number or next(_numbers)
    building = Building.objects.create(grid=grid, code=f"B{grid.code}-{n}", name=f"{n}号楼")
    room = Room.objects.create(grid=grid, building=building, code=f"R{grid.code}-{n}", number="101")
    return Household.objects.create(grid=grid, room=room)


def join(scheme, name, phone):
    participant, _code = points.register_participant(
        scheme=scheme,
        data=points.ParticipantForm(name=name, phone=phone, kind="resident", party_unit="", consent=True),
    )
    return participant


@pytest.fixture
def centre_a(tree):
    return make_user("d_centre_a", role=Role.DISPATCHER, node=tree["410105001001"], full_name="赵敏", password=None)


@pytest.fixture
def centre_b(tree):
    return make_user("d_centre_b", role=Role.DISPATCHER, node=tree["410105002001"], full_name="钱坤", password=None)


@pytest.fixture
def worker_a2(tree):
    """A grid worker of 甲二网格 (the other grid of 甲社区)."""
    return make_user("d_worker_a2", role=Role.GRID_WORKER, node=tree["410105001001002"], password=None)


@pytest.fixture
def scheme_a(centre_a, tree):
    return points.open_scheme(actor=centre_a, community=tree["410105001001"])


@pytest.fixture
def scheme_b(centre_b, tree):
    return points.open_scheme(actor=centre_b, community=tree["410105002001"])
