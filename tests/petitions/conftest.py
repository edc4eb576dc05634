from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.petitions import services
from tests.factories import make_user

STREET_A, STREET_B = "410105001", "410105002"
GRID_A, GRID_B = "410105001001001", "410105002001001"
ID_A = "41010519850307001X"  # a valid ID number (check digit)


def data(**overrides):
    values = {
        "form": "visit",
        "name": "王秀英",
        "id_number": ID_A,
        "phone": "13800138000",
        "address": "金水区甲街道幸福路8号",
        "petitioners": 1,
        "category": "land",
        "matter": "征地补偿款至今未发放到位，请求督促落实。",
        "received_on": timezone.localdate(),
    }
    values.update(overrides)
    return services.PetitionData(**values)


@pytest.fixture
def petition_dept_a(tree):
    return Department.objects.create(
        node=tree[STREET_A], name="甲街道信访办", code="A-XF", kind=Department.Kind.PETITION
    )


@pytest.fixture
def office_a(tree, petition_dept_a):
    """A handler of street A's petition office."""
    user = make_user("office_a", password=None, full_name="信访甲")
    Membership.objects.create(user=user, node=tree[STREET_A], role=Role.HANDLER, department=petition_dept_a)
    return user


@pytest.fixture
def centre_a(tree):
    return make_user("centre_a", password=None, role=Role.DISPATCHER, node=tree[STREET_A], full_name="调度甲")


@pytest.fixture
def centre_b(tree):
    return make_user("centre_b", password=None, role=Role.DISPATCHER, node=tree[STREET_B], full_name="调度乙")


@pytest.fixture
def leader_a(tree):
    return make_user("leader_a", password=None, role=Role.LEADER, node=tree[STREET_A], full_name="领导甲")


@pytest.fixture
def leader_b(tree):
    return make_user("leader_b", password=None, role=Role.LEADER, node=tree[STREET_B], full_name="领导乙")


@pytest.fixture
def register(tree):
    def make(actor, grid=GRID_A, now=None, **overrides):
        if now is not None:
            overrides.setdefault("received_on", timezone.localtime(now).date())
        return services.register_petition(actor=actor, grid=tree[grid], data=data(**overrides), now=now)

    return make


@pytest.fixture
def t0():
    return timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
