from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from fengqiao.participation import services
from fengqiao.participation.models import Rule
from tests.factories import make_user


@pytest.fixture
def centre_a(tree):
    """A dispatcher of 甲社区's centre."""
    return make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001001"], full_name="赵敏", password=None)


@pytest.fixture
def centre_b(tree):
    return make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002001"], full_name="钱坤", password=None)


@pytest.fixture
def scheme_a(centre_a, tree):
    return services.open_scheme(actor=centre_a, community=tree["410105001001"])


@pytest.fixture
def scheme_b(centre_b, tree):
    return services.open_scheme(actor=centre_b, community=tree["410105002001"])


@pytest.fixture
def patrol_a(centre_a, scheme_a):
    return services.add_rule(
        actor=centre_a,
        scheme=scheme_a,
        label="参与治安巡逻",
        points=10,
        confirmer=Rule.Confirmer.GRID,
        period=Rule.Period.DAY,
        limit=1,
    )


@pytest.fixture
def patrol_b(centre_b, scheme_b):
    return services.add_rule(
        actor=centre_b,
        scheme=scheme_b,
        label="参与治安巡逻",
        points=10,
        confirmer=Rule.Confirmer.GRID,
        period=Rule.Period.DAY,
        limit=1,
    )


def join(scheme, name="王小明", phone="13800138000", kind="resident"):
    return services.register_participant(
        scheme=scheme,
        data=services.ParticipantForm(name=name, phone=phone, kind=kind, party_unit="", consent=True),
    )


@pytest.fixture
def resident_a(scheme_a):
    return join(scheme_a)


@pytest.fixture
def resident_b(scheme_b):
    return join(scheme_b, name="孙丽", phone="13900139000")
