"""Joint petition meetings (三级信访联席会议): where they may sit, who may hold and read them, and the follow-up
orders' clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.petitions import services
from fengqiao.petitions.clocks import ORDER_CLOCKS
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import FollowUpOrder, Meeting
from tests.factories import make_user
from tests.petitions.conftest import GRID_A, STREET_A, STREET_B

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def housing_a(tree):
    return Department.objects.create(node=tree[STREET_A], name="甲街道住建办", code="A-ZJ", kind="housing")


def hold(tree, actor, department, petition=None, node=STREET_A, due_on=None, now=None):
    now = now or timezone.now()
    return services.hold_meeting(
        actor=actor,
        node=tree[node],
        title="三月信访联席会议",
        held_on=timezone.localtime(now).date(),
        chair=actor,
        attendees=[],
        items=[services.ItemData(petition=petition, text="" if petition else "信访积案梳理", decision="限期化解")],
        orders=[
            services.OrderData(
                department=department,
                task="核实补偿款发放",
                due_on=due_on or timezone.localtime(now).date() + dt.timedelta(days=10),
                item=0,
            )
        ],
        now=now,
    )


def test_a_leader_holds_a_meeting_with_an_order_on_its_clock(tree, leader_a, housing_a, register, centre_a, t0):
    petition = register(centre_a, now=t0)
    meeting = hold(tree, leader_a, housing_a, petition=petition, due_on=t0.date() + dt.timedelta(days=10), now=t0)
    order = meeting.orders.get()
    assert order.due_at > t0 + 10 * DAY and order.due_at <= t0 + 11 * DAY

    def colour(now):
        return ORDER_CLOCKS.annotate(FollowUpOrder.objects.filter(pk=order.pk), now).get().colour

    assert colour(t0 + DAY) == "green"
    assert colour(t0 + 9 * DAY) == "orange"
    assert colour(t0 + 12 * DAY) == "red"
    services.complete_order(actor=leader_a, order=order, result="已全部发放", now=t0 + 12 * DAY)
    assert order.state == "done" and order.due_at is None
    assert colour(t0 + 20 * DAY) == ""


def test_a_meeting_outside_the_area_or_at_a_grid_is_refused_and_writes_nothing(tree, leader_a, housing_a):
    with pytest.raises(DomainError) as caught:
        hold(tree, leader_a, housing_a, node=STREET_B)
    assert caught.value.code == PetitionErrorCode.PETITION_MEETING_OUTSIDE
    with pytest.raises(DomainError) as caught:
        hold(tree, leader_a, housing_a, node=GRID_A)
    assert caught.value.code == PetitionErrorCode.PETITION_MEETING_LEVEL
    assert not Meeting.objects.exists()


def test_an_order_to_a_department_of_another_street_is_refused(tree, leader_a):
    other = Department.objects.create(node=tree[STREET_B], name="乙街道住建办", code="B-ZJ", kind="housing")
    with pytest.raises(DomainError) as caught:
        hold(tree, leader_a, other)
    assert caught.value.code == PetitionErrorCode.PETITION_ORDER_INVALID
    assert not Meeting.objects.exists()


def test_a_worker_may_not_hold_a_meeting(tree, housing_a):
    worker = make_user("w", password=None, role=Role.GRID_WORKER, node=tree[GRID_A])
    with pytest.raises(DomainError):
        hold(tree, worker, housing_a)
    client = Client()
    client.force_login(worker)
    assert client.get("/petitions/meetings/").status_code == 403
    assert client.get("/petitions/meetings/new/").status_code == 403


def test_another_streets_meeting_answers_404_and_its_orders_cannot_be_closed(tree, leader_a, leader_b, housing_a):
    meeting = hold(tree, leader_a, housing_a)
    order = meeting.orders.get()
    client = Client()
    client.force_login(leader_b)
    assert client.get(f"/petitions/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/petitions/meetings/orders/{order.pk}/complete/", {"result": "x"}).status_code == 404
    order.refresh_from_db()
    assert order.state == "open"


def test_the_responsible_department_may_complete_its_order_another_may_not(tree, leader_a, housing_a):
    order = hold(tree, leader_a, housing_a).orders.get()
    own = make_user("zj", password=None)
    Membership.objects.create(user=own, node=tree[STREET_A], role=Role.HANDLER, department=housing_a)
    stranger = make_user("cg", password=None)
    urban = Department.objects.create(node=tree[STREET_A], name="城管", code="A-U", kind="urban")
    Membership.objects.create(user=stranger, node=tree[STREET_A], role=Role.HANDLER, department=urban)
    with pytest.raises(WorkflowError):
        services.complete_order(actor=stranger, order=order, result="x")
    services.complete_order(actor=own, order=order, result="已办")
    assert order.state == "done"


def test_the_pages_create_and_show_a_meeting(tree, leader_a, housing_a, register, centre_a):
    petition = register(centre_a)
    client = Client()
    client.force_login(leader_a)
    assert client.get("/petitions/meetings/new/").status_code == 200
    response = client.post(
        "/petitions/meetings/new/",
        {
            "node": STREET_A,
            "title": "甲街道信访联席会议",
            "held_on": timezone.localdate().isoformat(),
            "chair": leader_a.pk,
            "item_petition_0": petition.pk,
            "item_decision_0": "由住建办牵头化解",
            "order_task_0": "一周内答复信访人",
            "order_department_0": housing_a.pk,
            "order_due_0": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "order_item_0": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "由住建办牵头化解" in page and "一周内答复信访人" in page and petition.tracking_code in page
    assert client.get("/petitions/meetings/").content.decode().count("甲街道信访联席会议") == 1


def test_the_responsible_department_opens_the_meeting_and_reports_its_order_done(tree, leader_a, housing_a):
    meeting = hold(tree, leader_a, housing_a)
    order = meeting.orders.get()
    own = make_user("zj2", password=None)
    Membership.objects.create(user=own, node=tree[STREET_A], role=Role.HANDLER, department=housing_a)
    client = Client()
    client.force_login(own)
    page = client.get(f"/petitions/meetings/{meeting.pk}/").content.decode()
    assert f"/petitions/meetings/orders/{order.pk}/complete/" in page
    assert client.post(f"/petitions/meetings/orders/{order.pk}/complete/", {"result": "已答复"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "done"
    worker = make_user("w2", password=None, role=Role.GRID_WORKER, node=tree[GRID_A])
    client.force_login(worker)
    assert client.get(f"/petitions/meetings/{meeting.pk}/").status_code == 404
