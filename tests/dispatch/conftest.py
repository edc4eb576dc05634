from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def worker_a2(tree):
    """A second grid worker under street A (甲二网格)."""
    return make_user("worker_a2", role=Role.GRID_WORKER, node=tree["410105001001002"], full_name="刘洋")


@pytest.fixture
def informant_a(tree):
    """An informant in 甲一网格's micro-grid."""
    return make_user("informant_a", role=Role.INFORMANT, node=tree["410105001001001001"], full_name="陈静")


@pytest.fixture
def street_a_dispatcher(tree):
    """A dispatcher of street A's centre: cannot address street B."""
    return make_user("disp_a", role=Role.DISPATCHER, node=tree["410105001"], full_name="周敏")
