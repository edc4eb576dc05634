"""The routing panel on the case page: what it shows and which forms it offers to whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.disputes import routing, services
from fengqiao.disputes.models import Industry, LeaderNote, Organisation, Risk
from tests.disputes.conftest import file_dispute
from tests.disputes.routing_kit import person


@pytest.fixture
def centre(tree):
    return person(Role.DISPATCHER, tree["410105001"], "陈管理")


@pytest.fixture
def leader(tree):
    return person(Role.LEADER, tree["410105001"], "甲街道书记")


def test_the_centre_is_offered_hand_off_and_take_charge_on_a_red_case(client, tree, types, centre, leader):
    boss = person(Role.MEDIATOR, tree["410105"], "医调委主任")
    Organisation.objects.create(
        name="金水区医调委",
        kind=Organisation.Kind.INDUSTRY,
        industry=Industry.MEDICAL,
        node=tree["410105"],
        leader=boss,
    )
    d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    services.register(actor=centre, dispute=d)
    client.force_login(centre)
    page = client.get(reverse("disputes:detail", args=[d.tracking_code])).content.decode()
    assert 'id="routing-ladder"' in page and "律师介入调" in page
    assert 'id="form-hand-off"' in page and "金水区医调委" in page
    assert 'id="form-take-charge"' in page and "甲街道书记" in page
    assert 'id="form-supervise"' not in page


def test_the_leader_posts_supervision_from_the_page_and_others_are_refused(client, tree, types, centre, leader):
    d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    routing.take_charge(actor=centre, dispute=d, leader=leader, plan="包案领导牵头化解。")
    url = reverse("disputes:route", args=[d.tracking_code, "supervise"])
    client.force_login(centre)
    page = client.get(reverse("disputes:detail", args=[d.tracking_code])).content.decode()
    assert 'id="form-supervise"' not in page
    client.post(url, {"text": "冒名督办"})
    assert not LeaderNote.objects.exists()
    client.force_login(leader)
    page = client.get(reverse("disputes:detail", args=[d.tracking_code])).content.decode()
    assert 'id="form-supervise"' in page and 'id="form-take-charge"' not in page and "包案领导牵头化解" in page
    response = client.post(url, {"text": "三日内召开联席会议"})
    assert response.status_code == 302
    assert LeaderNote.objects.get().text == "三日内召开联席会议"


def test_a_blue_case_offers_no_take_charge_and_a_forged_post_changes_nothing(client, tree, types, centre, leader):
    d = file_dispute(tree, types)
    client.force_login(centre)
    page = client.get(reverse("disputes:detail", args=[d.tracking_code])).content.decode()
    assert 'id="form-take-charge"' not in page
    client.post(
        reverse("disputes:route", args=[d.tracking_code, "take_charge"]),
        {"leader": leader.pk, "plan": "伪造的方案内容"},
    )
    d.refresh_from_db()
    assert d.leader_id is None


def test_a_case_outside_reach_answers_404(client, tree, types):
    d = file_dispute(tree, types)
    outsider = person(Role.DISPATCHER, tree["410105002"], "乙调度")
    client.force_login(outsider)
    response = client.post(reverse("disputes:route", args=[d.tracking_code, "hand_off"]), {"organisation": "1"})
    assert response.status_code == 404
