"""The petition's steps on the core engine: who may take each, in which state, and what each writes."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action
from fengqiao.petitions import services
from fengqiao.petitions.errors import PetitionErrorCode

pytestmark = pytest.mark.django_db


def test_the_whole_way_registered_accepted_handled_closed(register, office_a, t0):
    p = register(office_a, now=t0)
    services.accept(actor=office_a, petition=p, now=t0 + dt.timedelta(days=3))
    assert p.state == "accepted" and p.accepted_at is not None and p.ack_due_at is None
    services.handle(
        actor=office_a, petition=p, opinion="经核查，补偿款已列入下月发放计划。", now=t0 + dt.timedelta(days=20)
    )
    assert p.state == "handled" and p.handle_due_at is None and p.opinion
    services.close(actor=office_a, petition=p, now=t0 + dt.timedelta(days=21))
    assert p.state == "closed"
    verbs = list(Action.objects.for_object(p).order_by("id").values_list("verb", flat=True))
    assert verbs == ["register", "accept", "handle", "close"]


def test_not_accepting_needs_a_reason(register, office_a):
    p = register(office_a)
    with pytest.raises(WorkflowError):
        services.not_accept(actor=office_a, petition=p, reason=" ")
    services.not_accept(actor=office_a, petition=p, reason="属于诉讼程序解决的事项")
    assert p.state == "not_accepted" and p.not_accepted_reason == "属于诉讼程序解决的事项"


def test_handling_needs_a_written_opinion(register, office_a):
    p = register(office_a)
    services.accept(actor=office_a, petition=p)
    with pytest.raises(WorkflowError):
        services.handle(actor=office_a, petition=p, opinion="")
    assert p.state == "accepted"


def test_an_office_of_another_street_may_not_act(register, office_a, centre_b):
    p = register(office_a)
    with pytest.raises(WorkflowError):
        services.accept(actor=centre_b, petition=p)


def test_an_extension_is_asked_once_and_approved_by_a_leader_of_the_area(register, office_a, leader_a, leader_b, t0):
    p = register(office_a, now=t0)
    services.accept(actor=office_a, petition=p, now=t0)
    with pytest.raises(DomainError) as caught:
        services.request_extension(actor=office_a, petition=p, days=31, reason="需要补充调查")
    assert caught.value.code == PetitionErrorCode.PETITION_BAD_EXTENSION
    services.request_extension(actor=office_a, petition=p, days=20, reason="需要补充调查")
    with pytest.raises(WorkflowError):
        services.request_extension(actor=office_a, petition=p, days=5, reason="再延")
    with pytest.raises(WorkflowError):
        services.approve_extension(actor=office_a, petition=p)  # the office cannot approve its own request
    with pytest.raises(WorkflowError):
        services.approve_extension(actor=leader_b, petition=p)  # nor a leader of another street
    services.approve_extension(actor=leader_a, petition=p)
    assert p.extended_at is not None and p.extension_approved_by == leader_a
    with pytest.raises(WorkflowError):
        services.approve_extension(actor=leader_a, petition=p)


def test_a_review_within_thirty_days_reopens_and_restarts_the_handling_clock(register, office_a, t0):
    p = register(office_a, now=t0)
    services.accept(actor=office_a, petition=p, now=t0)
    handled = t0 + dt.timedelta(days=10)
    services.handle(actor=office_a, petition=p, opinion="意见", now=handled)
    services.close(actor=office_a, petition=p, now=handled)
    p.handled_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=29)
    p.save(update_fields=["handled_at"])
    services.review(actor=office_a, petition=p, reason="对处理意见不服，请求复查")
    assert p.state == "accepted" and p.handle_due_at is not None and p.closed_at is None


def test_a_review_after_thirty_days_is_refused(register, office_a):
    p = register(office_a)
    services.accept(actor=office_a, petition=p)
    services.handle(actor=office_a, petition=p, opinion="意见")
    p.handled_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    p.save(update_fields=["handled_at"])
    with pytest.raises(DomainError) as caught:
        services.review(actor=office_a, petition=p, reason="请求复查")
    assert caught.value.code == PetitionErrorCode.PETITION_REVIEW_EXPIRED
    p.refresh_from_db()
    assert p.state == "handled"


def test_the_page_offers_only_the_steps_the_guard_allows(register, office_a, leader_a):
    from django.test import Client

    p = register(office_a)
    client = Client()
    client.force_login(office_a)
    page = client.get(f"/petitions/{p.tracking_code}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="not_accept"' in page
    assert 'data-action="handle"' not in page and 'data-action="approve_extension"' not in page
    response = client.post(f"/petitions/{p.tracking_code}/act/accept/", {"note": "已告知信访人"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == "accepted"


def test_the_history_names_meetings_and_leaders_cases_in_words(tree, register, centre_a, leader_a):
    from django.utils import timezone

    from fengqiao.accounts.models import Department
    from fengqiao.core.tracking import timeline
    from fengqiao.petitions.workflow import PETITION_FLOW

    p = register(centre_a)
    housing = Department.objects.create(node=tree["410105001"], name="住建办", code="A-ZJ2", kind="housing")
    services.hold_meeting(
        actor=leader_a,
        node=tree["410105001"],
        title="联席会议",
        held_on=timezone.localdate(),
        chair=leader_a,
        attendees=[],
        items=[services.ItemData(petition=p, decision="限期化解")],
        orders=[services.OrderData(department=housing, task="答复", due_on=timezone.localdate())],
    )
    services.assign_leader_case(actor=centre_a, leader=leader_a, plan="包案", due_on=timezone.localdate(), petition=p)
    labels = [row.verb_label for row in timeline(p, PETITION_FLOW)]
    assert labels == ["登记信访件", "提交信访联席会议研究", "领导包案"]
