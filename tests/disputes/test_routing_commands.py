"""Routing beyond one mediator (an organisation, a panel) and red-risk cases going up (包案领导, 一案一策, 预警)."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.accounts.models import Department, Role
from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.dispatch.models import Notification
from fengqiao.disputes import routing, selectors, services
from fengqiao.disputes.models import Dispute, Industry, LeaderNote, MediatorKind, Organisation, Risk
from tests.disputes.conftest import file_dispute
from tests.disputes.routing_kit import handler, mediator, person, typed


@pytest.fixture
def centre(tree):
    return person(Role.DISPATCHER, tree["410105001"], "陈管理")


@pytest.fixture
def medical(tree):
    boss = person(Role.MEDIATOR, tree["410105"], "医调委主任")
    org = Organisation.objects.create(
        name="金水区医疗纠纷调解委员会",
        kind=Organisation.Kind.INDUSTRY,
        industry=Industry.MEDICAL,
        node=tree["410105"],
        leader=boss,
    )
    return org


@pytest.fixture
def case(tree, types, centre):
    d = file_dispute(tree, types, type=typed(types["neighbours"], "industry", "medical_x"))
    services.register(actor=centre, dispute=d)
    return d


# Handing a case to an organisation.
def test_the_centre_hands_a_case_to_an_industry_organisation_whose_leader_assigns_a_member(
    case, centre, medical, django_capture_on_commit_callbacks
):
    member = mediator(medical, MediatorKind.INDUSTRY)
    with django_capture_on_commit_callbacks(execute=True):
        routing.hand_to_organisation(actor=centre, dispute=case, organisation=medical)
    case.refresh_from_db()
    assert (case.state, case.organisation_id) == ("registered", medical.pk)
    assert Notification.objects.filter(recipient=medical.leader, kind="dispute_handed").exists()
    assert Notification.objects.filter(recipient=member.user, kind="dispute_handed").exists()
    assert selectors.visible_disputes(actor=medical.leader).filter(pk=case.pk).exists()
    assert "assign" in selectors.available_actions(actor=medical.leader, dispute=case)
    assert [m.pk for m in selectors.candidates(dispute=case)] == [member.pk]
    services.assign(actor=medical.leader, dispute=case, mediator=member)
    case.refresh_from_db()
    assert (case.state, case.mediator_id) == ("assigned", member.pk)


def test_an_organisation_leader_cannot_assign_outside_their_organisation(tree, case, centre, medical):
    township = Organisation.objects.create(name="甲街道调委会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105001"])
    outsider = mediator(township, MediatorKind.INDUSTRY)
    routing.hand_to_organisation(actor=centre, dispute=case, organisation=medical)
    with pytest.raises(DomainError) as err:
        services.assign(actor=medical.leader, dispute=case, mediator=outsider)
    assert err.value.code == "not_organisation_member"
    case.refresh_from_db()
    assert case.mediator_id is None


def test_the_leader_of_another_organisation_can_neither_see_nor_assign_the_case(tree, case, centre, medical):
    other_boss = person(Role.MEDIATOR, tree["410105"], "别的主任")
    Organisation.objects.create(
        name="金水区物业调解中心", kind=Organisation.Kind.INDUSTRY, node=tree["410105"], leader=other_boss
    )
    member = mediator(medical, MediatorKind.INDUSTRY)
    routing.hand_to_organisation(actor=centre, dispute=case, organisation=medical)
    assert not selectors.visible_disputes(actor=other_boss).filter(pk=case.pk).exists()
    with pytest.raises(WorkflowError) as err:
        services.assign(actor=other_boss, dispute=case, mediator=member)
    assert err.value.code == "not_permitted"


def test_a_village_committee_or_an_organisation_elsewhere_cannot_be_handed_the_case(tree, case, centre):
    boss = person(Role.MEDIATOR, tree["410105001001"], "村主任")
    village = Organisation.objects.create(
        name="甲社区调委会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"], leader=boss
    )
    elsewhere = Organisation.objects.create(
        name="乙街道调委会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105002"], leader=boss
    )
    for org in (village, elsewhere):
        with pytest.raises(DomainError) as err:
            routing.hand_to_organisation(actor=centre, dispute=case, organisation=org)
        assert err.value.code == "organisation_outside"


def test_someone_not_of_the_centre_cannot_hand_a_case_on(tree, case, medical):
    worker = person(Role.GRID_WORKER, tree["410105001001"], "网格员")
    with pytest.raises(WorkflowError):
        routing.hand_to_organisation(actor=worker, dispute=case, organisation=medical)


# Panels.
def test_a_panel_seats_a_lead_as_mediator_and_members_who_can_read_the_case(tree, types, centre):
    township = Organisation.objects.create(name="甲街道调委会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105001"])
    d = file_dispute(tree, types)
    services.register(actor=centre, dispute=d)
    Dispute.objects.filter(pk=d.pk).update(tier=3)  # 听证调: people, judicial-office mediators, lawyers
    d.refresh_from_db()
    lead = mediator(township, MediatorKind.JUSTICE)
    judge = mediator(township, MediatorKind.JUDGE)
    elder = mediator(township, MediatorKind.ELDER)
    village = Organisation.objects.create(
        name="甲社区调委会", kind=Organisation.Kind.VILLAGE, node=tree["410105001001"]
    )
    stranger = mediator(village, MediatorKind.PEOPLE)  # serves the area, not on the panel
    routing.seat_panel(actor=centre, dispute=d, lead=lead, members=[judge, elder])
    d.refresh_from_db()
    assert (d.state, d.mediator_id) == ("assigned", lead.pk)
    assert [(s.mediator_id, s.lead) for s in d.panel.all()] == [(lead.pk, True), (judge.pk, False), (elder.pk, False)]
    for m in (judge, elder):
        assert selectors.visible_disputes(actor=m.user).filter(pk=d.pk).exists()
    assert not selectors.visible_disputes(actor=stranger.user).filter(pk=d.pk).exists()
    services.accept(actor=lead.user, dispute=d)  # the lead works the case as its mediator
    with pytest.raises(WorkflowError):
        services.accept(actor=judge.user, dispute=d)


def test_a_panel_member_of_a_kind_the_tier_does_not_take_is_refused(tree, types, centre):
    township = Organisation.objects.create(name="甲街道调委会", kind=Organisation.Kind.TOWNSHIP, node=tree["410105001"])
    d = file_dispute(tree, types)
    services.register(actor=centre, dispute=d)
    lead = mediator(township, MediatorKind.ELDER)
    with pytest.raises(DomainError) as err:
        routing.seat_panel(actor=centre, dispute=d, lead=lead, members=[mediator(township, MediatorKind.POLICE)])
    assert err.value.code == "mediator_wrong_kind"
    with pytest.raises(DomainError) as err:
        routing.seat_panel(actor=centre, dispute=d, lead=lead, members=[lead])
    assert err.value.code == "panel_invalid"
    d.refresh_from_db()
    assert d.state == "registered" and not d.panel.exists()


# Red risk goes up.
@pytest.fixture
def red_setup(tree):
    street = tree["410105001"]
    police = Department.objects.create(node=tree["410105"], name="金水分局", code="P1", kind=Department.Kind.POLICE)
    stability = Department.objects.create(node=street, name="甲街道维稳办", code="S1", kind=Department.Kind.STABILITY)
    far_police = Department.objects.create(
        node=tree["410105002"], name="乙派出所", code="P2", kind=Department.Kind.POLICE
    )
    return {
        "leader": person(Role.LEADER, street, "甲街道书记"),
        "far_leader": person(Role.LEADER, tree["410105002"], "乙街道书记"),
        "police": handler(police, "民警"),
        "stability": handler(stability, "维稳干部"),
        "far_police": handler(far_police, "乙民警"),
    }


def test_a_red_dispute_alerts_the_leaders_police_and_stability_office_within_a_minute(
    tree, types, centre, red_setup, django_capture_on_commit_callbacks
):
    d = file_dispute(tree, types)
    with django_capture_on_commit_callbacks(execute=True):
        services.register(actor=centre, dispute=d, risk=Risk.RED, risk_reason="扬言报复")
    d.refresh_from_db()
    assert d.alerted_at is not None and d.tier_name == "律师介入调"
    for who in ("leader", "police", "stability"):
        item = Notification.objects.get(recipient=red_setup[who], kind="dispute_red")
        assert abs(item.created_at - d.registered_at) < dt.timedelta(minutes=1)
    assert not Notification.objects.filter(recipient__in=[red_setup["far_police"], red_setup["far_leader"]]).exists()
    with django_capture_on_commit_callbacks(execute=True):  # told once, not at every step
        routing.raise_alarm(d)
    assert Notification.objects.filter(recipient=red_setup["police"]).count() == 1


def test_a_blue_dispute_alerts_nobody(tree, types, centre, red_setup, django_capture_on_commit_callbacks):
    d = file_dispute(tree, types)
    with django_capture_on_commit_callbacks(execute=True):
        services.register(actor=centre, dispute=d)
    d.refresh_from_db()
    assert d.alerted_at is None
    people = [red_setup[k] for k in ("leader", "police", "stability")]
    assert not Notification.objects.filter(recipient__in=people).exists()


def test_the_centre_names_a_responsible_leader_and_a_plan_and_the_leader_supervises(
    tree, types, centre, red_setup, django_capture_on_commit_callbacks
):
    d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    services.register(actor=centre, dispute=d)
    leader = red_setup["leader"]
    with django_capture_on_commit_callbacks(execute=True):
        routing.take_charge(actor=centre, dispute=d, leader=leader, plan="包案领导牵头，派出所、司法所联合稳控化解。")
    d.refresh_from_db()
    assert d.leader_id == leader.pk and d.plan.startswith("包案领导")
    assert Notification.objects.filter(recipient=leader, kind="dispute_lead").exists()
    assert selectors.dispute_queue(actor=leader).filter(pk=d.pk).exists()
    routing.supervise(actor=leader, dispute=d, text="三日内召开联席会议。")
    assert LeaderNote.objects.filter(dispute=d, author=leader).count() == 1


def test_a_leader_outside_the_area_cannot_be_named(tree, types, centre, red_setup):
    d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    services.register(actor=centre, dispute=d)
    with pytest.raises(DomainError) as err:
        routing.take_charge(actor=centre, dispute=d, leader=red_setup["far_leader"], plan="由乙街道包案化解。")
    assert err.value.code == "leader_outside"
    dispatcher_not_leader = person(Role.DISPATCHER, tree["410105001"], "另一调度员")
    with pytest.raises(DomainError):
        routing.take_charge(actor=centre, dispute=d, leader=dispatcher_not_leader, plan="由调度员包案化解。")
    d.refresh_from_db()
    assert d.leader_id is None


def test_a_blue_case_gets_no_responsible_leader_and_only_the_centre_names_one(tree, types, centre, red_setup):
    blue = file_dispute(tree, types)
    with pytest.raises(DomainError) as err:
        routing.take_charge(actor=centre, dispute=blue, leader=red_setup["leader"], plan="无需包案的案件。")
    assert err.value.code == "not_red"
    red = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    with pytest.raises(WorkflowError):
        routing.take_charge(actor=red_setup["leader"], dispute=red, leader=red_setup["leader"], plan="自己任命自己。")


def test_someone_not_the_responsible_leader_cannot_post_supervision(tree, types, centre, red_setup):
    d = file_dispute(tree, types, risk=Risk.RED, risk_reason="扬言报复")
    routing.take_charge(actor=centre, dispute=d, leader=red_setup["leader"], plan="包案领导牵头化解。")
    other_leader = person(Role.LEADER, tree["410105"], "区领导")
    for intruder in (centre, other_leader, red_setup["police"]):
        with pytest.raises(WorkflowError) as err:
            routing.supervise(actor=intruder, dispute=d, text="冒名督办。")
        assert err.value.code == "not_the_leader"
    assert not LeaderNote.objects.filter(dispute=d).exists()
