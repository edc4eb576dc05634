"""The pages of the duty rota, supervision and 稳评: the forms write through the commands, the menu offers each page
only to the roles it admits."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.petitions.models import RiskAssessment, SupervisionOrder
from tests.factories import make_user
from tests.petitions.conftest import STREET_A, STREET_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def urban_a(tree):
    return Department.objects.create(node=tree[STREET_A], name="甲街道城管", code="A-URB", kind="urban")


@pytest.fixture
def handler_a(tree, urban_a):
    user = make_user("urban_a", password=None, full_name="城管甲")
    Membership.objects.create(user=user, node=tree[STREET_A], role=Role.HANDLER, department=urban_a)
    return user


def _menu(user):
    client = Client()
    client.force_login(user)
    return {
        item["label"]
        for item in client.get("/petitions/" if user.has_role(Role.DISPATCHER) else "/").context["nav_items"]
    }


def test_the_menu_offers_each_page_only_where_the_role_may_use_it(centre_a, leader_a, handler_a, tree):
    worker = make_user("w", password=None, role=Role.GRID_WORKER, node=tree["410105001001001"])
    assert {"值班排班", "督导督办", "稳评"} <= {str(x) for x in _menu(centre_a)}
    leader = {str(x) for x in _menu(leader_a)}
    assert {"督导督办", "稳评"} <= leader and "值班排班" not in leader
    handler = {str(x) for x in _menu(handler_a)}
    assert {"督导督办", "稳评"} <= handler and "值班排班" not in handler
    assert not {"值班排班", "督导督办", "稳评"} & {str(x) for x in _menu(worker)}


def test_the_centre_issues_an_order_from_the_form_and_a_foreign_unit_is_refused(centre_a, handler_a, urban_a, tree):
    urban_b = Department.objects.create(node=tree[STREET_B], name="乙街道城管", code="B-URB", kind="urban")
    client = Client()
    client.force_login(centre_a)
    assert client.get("/petitions/supervision/new/").status_code == 200
    response = client.post(
        "/petitions/supervision/new/", {"unit": f"d{urban_b.pk}", "person": handler_a.pk, "finding": "问题"}
    )
    assert response.status_code == 200 and not SupervisionOrder.objects.exists()
    response = client.post(
        "/petitions/supervision/new/", {"unit": f"d{urban_a.pk}", "person": handler_a.pk, "finding": "门前三包不落实"}
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and order.department == urban_a
    page = client.get(f"/petitions/supervision/{order.pk}/").content.decode()
    assert "门前三包不落实" in page and "supervision_order" not in page
    assert client.get("/petitions/supervision/assessment/").status_code == 200


def test_a_leader_decides_and_corrects_on_the_page(centre_a, leader_a, handler_a, urban_a):
    from fengqiao.petitions import supervision

    order = supervision.issue_order(actor=centre_a, finding="台账缺失", person=handler_a, department=urban_a)
    client = Client()
    client.force_login(leader_a)
    client.post(f"/petitions/supervision/{order.pk}/outcome/", {"outcome": "talk", "reason": "约谈"})
    client.post(f"/petitions/supervision/{order.pk}/outcome/", {"outcome": "account", "reason": "再决定"})  # refused
    order.refresh_from_db()
    assert order.outcome == "talk" and order.decisions.count() == 1
    client.post(f"/petitions/supervision/{order.pk}/outcome/", {"outcome": "notice", "reason": "复核", "correct": "1"})
    order.refresh_from_db()
    assert order.outcome == "notice" and order.decisions.count() == 2


def test_the_centre_registers_and_grades_an_assessment_from_the_pages(centre_a, leader_a, urban_a, tree):
    client = Client()
    client.force_login(centre_a)
    assert client.get("/petitions/risk/new/").status_code == 200
    client.post("/petitions/risk/new/", {"node": tree[STREET_A].pk, "department": urban_a.pk, "matter": "夜市设置"})
    a = RiskAssessment.objects.get()
    client.post(
        f"/petitions/risk/{a.pk}/act/assess/",
        {"grade": "low", "legality": "合法", "rationality": "合理", "feasibility": "可行", "controllability": "可控"},
    )
    a.refresh_from_db()
    assert a.state == "assessed" and a.grade == "low"
    page = client.get(f"/petitions/risk/{a.pk}/").content.decode()
    assert "低风险：可以决策" in page and "作出决策" not in page  # the centre may not decide: no button
    client.force_login(leader_a)
    assert "作出决策" in client.get(f"/petitions/risk/{a.pk}/").content.decode()
    client.post(f"/petitions/risk/{a.pk}/act/decide/", {"note": "通过"})
    a.refresh_from_db()
    assert a.state == "decided"
