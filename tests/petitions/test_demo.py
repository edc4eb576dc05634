"""The demo petitions: every flag and colour the pages explain is there to be seen."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.accounts.models import Department, Role
from fengqiao.petitions.clocks import PETITION_CLOCKS
from fengqiao.petitions.demo import generate_petitions
from fengqiao.petitions.models import FollowUpOrder, Meeting, Petition
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_district_gets_a_repeat_a_group_an_overdue_petition_and_a_meeting_with_an_order(tree):
    make_user("ddy", password=None, role=Role.DISPATCHER, node=tree["410105"])
    make_user("ld", password=None, role=Role.LEADER, node=tree["410105"])
    Department.objects.create(node=tree["410105"], name="金水区住建局", code="JS-ZJ", kind="housing")
    assert generate_petitions(seed=7) == 7
    assert Petition.objects.filter(is_repeat=True).exists()
    assert Petition.objects.filter(is_group=True).exists()
    colours = set(PETITION_CLOCKS.annotate(Petition.objects.all()).values_list("colour", flat=True))
    assert {"red", "orange", "green"} <= colours
    assert Meeting.objects.count() == 1 and FollowUpOrder.objects.count() == 1


def test_the_demo_city_gets_petitions_in_its_districts():
    from fengqiao.demo.generator import generate

    generate(scale="small")
    written = generate_petitions(seed=3)
    assert written >= 7
    assert Petition.objects.filter(is_repeat=True).exists() and Meeting.objects.exists()


def test_the_first_districts_centre_gets_a_rota_a_duty_case_supervision_and_one_assessment_per_grade(tree):
    from django.utils import timezone

    from fengqiao.accounts.models import Membership
    from fengqiao.petitions.models import DutyShift, LeaderCase, RiskAssessment, SupervisionOrder

    make_user("ddy", password=None, role=Role.DISPATCHER, node=tree["410105"])
    city_leader = make_user("leader", password=None, role=Role.LEADER, node=tree["4101"])
    make_user("ld", password=None, role=Role.LEADER, node=tree["410105"])
    urban = Department.objects.create(node=tree["410105"], name="金水区城管局", code="JS-CG", kind="urban")
    Membership.objects.create(
        user=make_user("cg", password=None), node=tree["410105"], role=Role.HANDLER, department=urban
    )
    generate_petitions(seed=7)
    today = timezone.localdate()
    days = set(DutyShift.objects.values_list("day", flat=True))
    assert {today + dt.timedelta(days=n) for n in range(15)} <= days
    assert DutyShift.objects.get(day=today).leader == city_leader
    assert LeaderCase.objects.filter(leader=city_leader, on_duty=True).exists()
    assert SupervisionOrder.objects.exclude(outcome="").count() >= 2
    grades = dict(RiskAssessment.objects.values_list("grade", "state"))
    assert grades == {"high": "postponed", "medium": "assessed", "low": "decided"}
