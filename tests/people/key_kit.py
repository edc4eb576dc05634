"""Fixtures for the key-person tests: a small tree with the key_posts that may and may not read key persons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.people import keypersons
from fengqiao.people.models import KeyCategory, Person, Risk
from tests.factories import make_user

GRID_A1 = "410105001001001"
GRID_B1 = "410105002001001"
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def key_posts(tree):
    """Who is who: the responsible worker and the others around grid A1."""
    a1, b1 = tree[GRID_A1], tree[GRID_B1]
    return {
        "worker": make_user("kp_worker", role=Role.GRID_WORKER, node=a1, full_name="张伟", password=None),
        "worker2": make_user("kp_worker2", role=Role.GRID_WORKER, node=a1, full_name="赵强", password=None),
        "other_grid_worker": make_user("kp_worker_b", role=Role.GRID_WORKER, node=b1, password=None),
        "part_time": make_user("kp_part", role=Role.PART_TIME_WORKER, node=a1, password=None),
        "informant": make_user("kp_inf", role=Role.INFORMANT, node=a1, password=None),
        "grid_leader": make_user("kp_gl", role=Role.GRID_LEADER, node=tree["410105001001"], password=None),
        "other_leader": make_user("kp_gl_b", role=Role.GRID_LEADER, node=tree["410105002001"], password=None),
        "dispatcher": make_user("kp_disp", role=Role.DISPATCHER, node=tree["410105001"], password=None),
        "other_dispatcher": make_user("kp_disp_b", role=Role.DISPATCHER, node=tree["410105002"], password=None),
        "handler": make_user("kp_handler", role=Role.HANDLER, node=tree["410105"], password=None),
        "mediator": make_user("kp_med", role=Role.MEDIATOR, node=tree["410105"], password=None),
        "leader": make_user("kp_leader", role=Role.LEADER, node=tree["410105"], password=None),
        "admin": make_user("kp_admin", role=Role.ADMIN, node=tree["410105"], password=None),
    }


@pytest.fixture
def key_category(db):
    found, _ = KeyCategory.objects.get_or_create(
        code="severe_mental_illness",
        defaults={"name": "严重精神障碍患者", "red_days": 7, "yellow_days": 14, "blue_days": 90},
    )
    return found


@pytest.fixture
def key_person(tree):
    return Person.objects.create(grid=tree[GRID_A1], name="王小明", id_number="410105199001011234", phone="13800138000")


@pytest.fixture
def key_listed(key_posts, key_category, key_person):
    """A red record, key_listed at T0 with the worker responsible."""
    return keypersons.list_key_person(
        actor=key_posts["grid_leader"],
        person=key_person,
        category=key_category,
        risk=Risk.RED,
        worker=key_posts["worker"],
        now=T0,
    )
