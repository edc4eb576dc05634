"""A category-01 event (矛盾纠纷) becomes a dispute in one step, by the centre only, and counts once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.disputes import selectors as dispute_selectors
from fengqiao.disputes.models import Dispute, Party, Source
from fengqiao.events import services as event_services
from fengqiao.events.models import Category, Event
from fengqiao.events.models import Source as EventSource
from fengqiao.events.workflow import EVENT_FLOW
from tests.factories import make_user

POINT_A = (113.602, 34.708)  # inside 甲一网格


@pytest.fixture(autouse=True)
def _catalogue(catalogue):
    return catalogue


@pytest.fixture
def neighbours_event(tree, worker_a, types):
    return event_services.report_event(
        actor=worker_a,
        source=EventSource.PATROL,
        description="楼上邻居夜间装修噪音扰民，双方争吵",
        category=Category.objects.get(code="0101"),  # 邻里纠纷
        lon=POINT_A[0],
        lat=POINT_A[1],
        address="金水路1号3号楼",
    )


@pytest.fixture
def resident_event(tree, types):
    return event_services.report_event(
        actor=None,
        source=EventSource.RESIDENT,
        description="兄弟两家因赡养老人争吵不休",
        category=Category.objects.get(code="0102"),  # 婚姻家庭纠纷
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="刘群众",
        reporter_phone="13700001111",
    )


def test_the_centre_turns_a_dispute_event_into_a_dispute_in_one_step(neighbours_event, centre_a, types):
    event = event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    assert event.state == "closed" and event.closed_at is not None
    dispute = Dispute.objects.get(source=Source.EVENT, source_ref=event.tracking_code)
    assert dispute.tracking_code in event.result
    assert dispute.summary == "楼上邻居夜间装修噪音扰民，双方争吵"
    assert dispute.grid_id == event.grid_id and (dispute.lon, dispute.lat) == (event.lon, event.lat)
    assert dispute.address == "金水路1号3号楼"
    assert dispute.type == types["neighbours"]
    assert dispute.state == "submitted" and dispute.entered_by == centre_a
    applicant = dispute.parties.get(role=Party.Role.APPLICANT)
    assert applicant.name == "张伟"  # the grid worker who reported it


def test_the_reporter_becomes_the_applicant_with_their_phone(resident_event, centre_a, types):
    event_services.convert_to_dispute(actor=centre_a, event=resident_event)
    dispute = Dispute.objects.get(source_ref=resident_event.tracking_code)
    applicant = dispute.parties.get(role=Party.Role.APPLICANT)
    assert (applicant.name, applicant.phone) == ("刘群众", "13700001111")
    assert dispute.type == types["marriage"]


def test_a_registered_event_can_be_converted_too(neighbours_event, centre_a):
    event_services.register_event(actor=centre_a, event=neighbours_event)
    event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    assert Dispute.objects.filter(source_ref=neighbours_event.tracking_code).count() == 1


def test_both_timelines_show_the_conversion(neighbours_event, centre_a):
    event = event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    dispute = Dispute.objects.get(source_ref=event.tracking_code)
    on_event = Action.objects.filter(object_id=str(event.pk), verb="to_dispute").get()
    assert on_event.data["dispute"] == dispute.tracking_code
    assert EVENT_FLOW.label("to_dispute") == "转为矛盾纠纷"
    assert EVENT_FLOW.public_label("to_dispute") == "已转入矛盾纠纷调解"
    on_dispute = [a for a in dispute_selectors.timeline(dispute) if a.verb == "submit"]
    assert len(on_dispute) == 1 and on_dispute[0].data["source_ref"] == event.tracking_code


def test_the_event_clock_stops_on_conversion(neighbours_event, centre_a):
    assert neighbours_event.due_at is not None
    event = event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    event.refresh_from_db()
    assert event.due_at is None and event.warn_at is None


def test_converting_twice_is_refused_and_leaves_one_dispute(neighbours_event, centre_a):
    event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    stale = Event.objects.get(pk=neighbours_event.pk)
    with pytest.raises(WorkflowError):
        event_services.convert_to_dispute(actor=centre_a, event=stale)
    assert Dispute.objects.filter(source_ref=neighbours_event.tracking_code).count() == 1


def test_an_event_of_another_family_is_refused(tree, worker_a, centre_a, types):
    litter = event_services.report_event(
        actor=worker_a,
        source=EventSource.PATROL,
        description="路口垃圾堆积两天无人清运",
        category=Category.objects.get(code="0403"),
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    assert not EVENT_FLOW.allows(litter, "to_dispute", actor=centre_a)
    with pytest.raises(WorkflowError):
        event_services.convert_to_dispute(actor=centre_a, event=litter)
    litter.refresh_from_db()
    assert litter.state == "reported" and not Dispute.objects.exists()


@pytest.mark.parametrize("who", ["worker", "handler", "other_district", "other_street"])
def test_only_the_centre_in_jurisdiction_may_convert(who, tree, neighbours_event, worker_a, types):
    if who == "worker":
        actor = worker_a
    elif who == "handler":
        dept = Department.objects.create(node=tree["410105"], name="司法局", code="410105-JUS", kind="justice")
        actor = make_user("handler", full_name="赵强")
        Membership.objects.create(user=actor, node=dept.node, role=Role.HANDLER, department=dept)
    elif who == "other_street":
        actor = make_user("centre_b", role=Role.DISPATCHER, node=tree["410105002"], full_name="乙中心")
    else:
        from fengqiao.grids.models import GridNode, Level

        other = GridNode.objects.create(code="410106", name="二七区", level=Level.DISTRICT, parent=tree["4101"])
        actor = make_user("centre_x", role=Role.DISPATCHER, node=other, full_name="二七中心")
    assert not EVENT_FLOW.allows(neighbours_event, "to_dispute", actor=actor)
    with pytest.raises(WorkflowError):
        event_services.convert_to_dispute(actor=actor, event=neighbours_event)
    neighbours_event.refresh_from_db()
    assert neighbours_event.state == "reported" and not Dispute.objects.exists()


def test_a_converted_event_counts_once_in_the_ledger_and_once_in_the_resolution_figure(
    neighbours_event, centre_a, dispatcher
):
    event_services.convert_to_dispute(actor=centre_a, event=neighbours_event)
    ledger = dispute_selectors.dispute_queue(actor=dispatcher)
    assert [d.source_ref for d in ledger] == [neighbours_event.tracking_code]
    figures = dispute_selectors.figures(actor=dispatcher, since=timezone.localdate() - dt.timedelta(days=1))
    assert figures.total.entered == 1 and figures.total.resolved == 0
    assert figures.total.resolution_rate == 0.0


def test_the_event_page_offers_the_conversion_to_the_centre_only_and_it_works(
    client, neighbours_event, centre_a, worker_a, types
):
    url = f"/events/{neighbours_event.tracking_code}/"
    client.force_login(worker_a)
    assert "转为矛盾纠纷" not in client.get(url).content.decode()
    refused = client.post(f"{url}act/to_dispute/", {"note": ""})
    assert refused.status_code == 302 and not Dispute.objects.exists()
    client.force_login(centre_a)
    assert "转为矛盾纠纷" in client.get(url).content.decode()
    client.post(f"{url}act/to_dispute/", {"note": "当事人同意调解"})
    dispute = Dispute.objects.get(source=Source.EVENT, source_ref=neighbours_event.tracking_code)
    page = client.get(url).content.decode()
    assert dispute.tracking_code in page and "已完成“转为矛盾纠纷”" in page
