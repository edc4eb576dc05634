"""A small mediation set-up on the shared grid tree: types, organisations at village, township and district level,
their mediators, and a helper that files a neighbours' dispute the way a resident does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.disputes import services
from fengqiao.disputes.catalogue import load_catalogue
from fengqiao.disputes.models import DisputeType, Industry, Mediator, MediatorKind, Organisation, Party, Source
from fengqiao.disputes.validation import id_check_digit
from tests.factories import make_user

T0 = timezone.make_aware(dt.datetime(2024, 3, 4, 9, 0))


def id_number(first17: str = "41010519900307123") -> str:
    return first17 + id_check_digit(first17)


APPLICANT_ID = id_number("41010519800101123")
RESPONDENT_ID = id_number("41010519750615456")
RESPONDENT_PHONE = "13912345678"


@pytest.fixture
def types(db) -> dict[str, DisputeType]:
    load_catalogue()
    return {t.code: t for t in DisputeType.objects.all()}


def make_mediator(
    username: str,
    org: Organisation,
    *,
    name: str,
    specialties: list[DisputeType] = (),
    kind: str = MediatorKind.PEOPLE,
) -> Mediator:
    user = make_user(username, role=Role.MEDIATOR, node=org.node, full_name=name)
    mediator = Mediator.objects.create(user=user, organisation=org, kind=kind)
    mediator.specialties.set(specialties)
    return mediator


@pytest.fixture
def mediation(tree, types) -> dict[str, Any]:
    """Committees of 甲社区 and 乙社区, the township committee of 甲街道 (with a leader), and a district
    property-management mediation organisation."""
    village = Organisation.objects.create(
        name="甲社区人民调解委员会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"]
    )
    village_b = Organisation.objects.create(
        name="乙社区人民调解委员会", kind=Organisation.Kind.VILLAGE, node=tree["410105002001"]
    )
    leader = make_user("town_leader", role=Role.LEADER, node=tree["410105001"], full_name="赵主任")
    township = Organisation.objects.create(
        name="甲街道人民调解委员会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105001"], leader=leader
    )
    property_org = Organisation.objects.create(
        name="金水区物业纠纷调解中心", kind=Organisation.Kind.INDUSTRY, industry=Industry.PROPERTY, node=tree["410105"]
    )
    return {
        "village": village,
        "village_b": village_b,
        "township": township,
        "property_org": property_org,
        "leader": leader,
        "neighbour_expert": make_mediator("med_neighbours", village, name="孙调解", specialties=[types["neighbours"]]),
        "generalist": make_mediator("med_general", village, name="周调解"),
        "township_mediator": make_mediator("med_town", township, name="吴调解", specialties=[types["neighbours"]]),
        "property": make_mediator(
            "med_property", property_org, name="郑调解", specialties=[types["property"]], kind=MediatorKind.INDUSTRY
        ),
        "other_township": make_mediator("med_b", village_b, name="钱调解", specialties=[types["neighbours"]]),
    }


@pytest.fixture
def centre_a(tree):
    """The administrator of 甲街道's governance centre."""
    return make_user("centre_a", role=Role.DISPATCHER, node=tree["410105001"], full_name="陈管理")


def file_dispute(tree: dict, types: dict, *, now: dt.datetime = T0, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "actor": None,
        "source": Source.QR,
        "type": types["neighbours"],
        "summary": "楼上邻居装修噪音扰民，多次沟通无果。",
        "claim": "停止夜间施工，赔偿损失 500 元",
        "parties": [
            services.PartyData(role=Party.Role.APPLICANT, name="张三", phone="13800138000", id_number=APPLICANT_ID),
            services.PartyData(
                role=Party.Role.RESPONDENT, name="李四", phone=RESPONDENT_PHONE, id_number=RESPONDENT_ID
            ),
        ],
        "grid": tree["410105001001"],
        "lon": 113.6 + 0.002,
        "lat": 34.7 + 0.002,
        "now": now,
    }
    data.update(extra)
    return services.submit_dispute(**data)


@pytest.fixture
def dispute(tree, types, mediation):
    return file_dispute(tree, types)
