from __future__ import annotations

import pytest

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.events import services
from fengqiao.events.models import Category, Device, Source
from tests.factories import make_user

POINT_A = (113.602, 34.708)  # inside 甲一网格, outside its micro-grid
POINT_B = (113.612, 34.705)  # inside 乙一网格


@pytest.fixture(autouse=True)
def _catalogue(catalogue):
    return catalogue


@pytest.fixture
def urban(tree):
    return Department.objects.create(node=tree["410105"], name="金水区城管局", code="410105-URB", kind="urban")


@pytest.fixture
def police_b(tree):
    return Department.objects.create(node=tree["410105002"], name="乙街道派出所", code="410105002-POL", kind="police")


@pytest.fixture
def handler(urban):
    user = make_user("handler", full_name="赵强")
    Membership.objects.create(user=user, node=urban.node, role=Role.HANDLER, department=urban)
    return user


@pytest.fixture
def other_handler(police_b):
    user = make_user("other_handler", full_name="钱进")
    Membership.objects.create(user=user, node=police_b.node, role=Role.HANDLER, department=police_b)
    return user


@pytest.fixture
def litter():
    return Category.objects.get(code="0403")  # 市容环卫


@pytest.fixture
def gas():
    return Category.objects.get(code="0302")  # 燃气隐患: needs on-site acceptance


@pytest.fixture
def event(tree, worker_a, litter):
    return services.report_event(
        actor=worker_a,
        source=Source.PATROL,
        description="路口垃圾堆积两天无人清运",
        category=litter,
        lon=POINT_A[0],
        lat=POINT_A[1],
    )


@pytest.fixture
def smoke_sensor(tree):
    """A smoke detector registered in grid A1, signing its alarms with ``s3cret``."""
    return Device.objects.create(
        code="SMK-001",
        name="3号楼烟感",
        grid=tree["410105001001001"],
        category=Category.objects.get(code="0301"),
        secret="s3cret",
        lon=POINT_A[0],
        lat=POINT_A[1],
        address="3号楼2单元",
    )
