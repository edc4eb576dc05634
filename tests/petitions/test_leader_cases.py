"""Leaders' cases (领导包案): a petition, or a dispute or event by its code, owned by a leader of its area with a plan,
milestones and a deadline on its own clock; "我的包案" lists them with colours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.petitions import services
from fengqiao.petitions.clocks import CASE_CLOCKS
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import LeaderCase
from tests.petitions.conftest import GRID_A, GRID_B

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _assign(actor, leader, petition=None, code="", due_in=30, now=None):
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return services.assign_leader_case(
        actor=actor,
        leader=leader,
        plan="约谈信访人，协调住建、财政联合化解。",
        due_on=today + dt.timedelta(days=due_in),
        petition=petition,
        code=code,
        milestones=[services.MilestoneData(title="首次约谈", due_on=today + dt.timedelta(days=5))],
        now=now,
    )


def test_a_leader_of_the_area_owns_a_petition_on_a_clock(register, centre_a, leader_a, t0):
    p = register(centre_a, now=t0)
    case = _assign(centre_a, leader_a, petition=p, now=t0)

    def colour(now):
        return CASE_CLOCKS.annotate(LeaderCase.objects.filter(pk=case.pk), now).get().colour

    assert colour(t0 + DAY) == "green"
    assert colour(t0 + 25 * DAY) == "orange"
    assert colour(t0 + 32 * DAY) == "red"
    services.resolve_leader_case(actor=leader_a, case=case, result="已化解，信访人息诉罢访")
    assert case.state == "closed" and case.due_at is None


def test_a_leader_of_another_street_cannot_be_given_the_case(register, centre_a, leader_b):
    p = register(centre_a)
    with pytest.raises(DomainError) as caught:
        _assign(centre_a, leader_b, petition=p)
    assert caught.value.code == PetitionErrorCode.PETITION_CASE_INVALID
    assert not LeaderCase.objects.exists()


def test_a_dispute_is_linked_by_code_only_inside_the_area(tree, centre_a, leader_a):
    from fengqiao.disputes import services as disputes
    from fengqiao.disputes.catalogue import load_catalogue
    from fengqiao.disputes.models import DisputeType, Party

    load_catalogue()

    def dispute(grid):
        return disputes.submit_dispute(
            actor=None,
            source="qr",
            type=DisputeType.objects.get(code="neighbours"),
            summary="楼上邻居装修噪音扰民，多次沟通无果。",
            parties=[
                disputes.PartyData(role=Party.Role.APPLICANT, name="张三", phone="13800138000"),
                disputes.PartyData(role=Party.Role.RESPONDENT, name="李四", phone="13912345678"),
            ],
            grid=tree[grid],
        )

    foreign = dispute(GRID_B)
    with pytest.raises(DomainError) as caught:
        _assign(centre_a, leader_a, code=foreign.tracking_code)
    assert caught.value.code == PetitionErrorCode.PETITION_LINK_NOT_FOUND
    own = dispute(GRID_A)
    case = _assign(centre_a, leader_a, code=own.tracking_code)
    assert (case.link_kind, case.link_code) == ("dispute", own.tracking_code)


def test_only_the_owning_leader_completes_milestones_and_resolves(register, centre_a, leader_a):
    case = _assign(centre_a, leader_a, petition=register(centre_a))
    milestone = case.milestones.get()
    with pytest.raises(DomainError):
        services.complete_milestone(actor=centre_a, milestone=milestone)
    with pytest.raises(WorkflowError):
        services.resolve_leader_case(actor=centre_a, case=case, result="x")
    services.complete_milestone(actor=leader_a, milestone=milestone)
    assert milestone.done_at is not None


def test_my_cases_lists_the_leaders_own_cases_with_colours(register, centre_a, leader_a, leader_b):
    case = _assign(centre_a, leader_a, petition=register(centre_a))
    client = Client()
    client.force_login(leader_a)
    page = client.get("/petitions/mine/").content.decode()
    assert case.code in page and 'data-colour="green"' in page
    detail = client.get(f"/petitions/cases/{case.pk}/").content.decode()
    assert "首次约谈" in detail and f"/milestones/{case.milestones.get().pk}/done/" in detail
    client.force_login(leader_b)
    assert case.code not in client.get("/petitions/mine/").content.decode()
    assert client.get(f"/petitions/cases/{case.pk}/").status_code == 404
    assert client.post(f"/petitions/cases/{case.pk}/resolve/", {"result": "x"}).status_code == 404
    client.force_login(centre_a)
    assert client.get("/petitions/mine/").status_code == 403
    assert "/done/" not in client.get(f"/petitions/cases/{case.pk}/").content.decode()  # only the owner may act


def test_the_page_assigns_a_petition(register, centre_a, leader_a):
    p = register(centre_a)
    client = Client()
    client.force_login(centre_a)
    assert client.get(f"/petitions/cases/new/?petition={p.tracking_code}").status_code == 200
    today = timezone.localdate()
    response = client.post(
        "/petitions/cases/new/",
        {
            "petition": p.tracking_code,
            "leader": leader_a.pk,
            "plan": "包案化解",
            "due_on": (today + dt.timedelta(days=20)).isoformat(),
            "milestone_0": "约谈",
            "milestone_due_0": (today + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    case = LeaderCase.objects.get()
    assert case.petition == p and case.leader == leader_a and case.milestones.count() == 1
