"""坐班: a centre's rota (one leader a day, reaching the centre), kept by its dispatchers, and hard cases given to the
leader on duty (交值班领导)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.petitions import duty, services
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import DutyShift, LeaderCase
from tests.factories import make_user
from tests.petitions.conftest import STREET_A, STREET_B

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _case(actor, petition, leader=None, to_duty=True, now=None):
    today = timezone.localtime(now or timezone.now()).date()
    return services.assign_leader_case(
        actor=actor,
        leader=leader,
        plan="包案化解",
        due_on=today + 10 * DAY,
        petition=petition,
        to_duty=to_duty,
        now=now,
    )


def test_a_dispatcher_puts_a_leader_of_the_street_on_duty_and_it_is_audited(tree, centre_a, leader_a):
    today = timezone.localdate()
    shift = duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=leader_a)
    assert shift.leader == leader_a
    row = Action.objects.filter(verb="set_duty").get()
    assert row.data["leader"] == leader_a.display_name


def test_a_district_leader_reaches_a_street_centre_but_a_street_leader_not_the_district(tree, centre_a, leader_a):
    district_leader = make_user("d_leader", password=None, role=Role.LEADER, node=tree["410105"])
    district_centre = make_user("d_centre", password=None, role=Role.DISPATCHER, node=tree["410105"])
    today = timezone.localdate()
    assert duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=district_leader)
    with pytest.raises(DomainError) as exc:
        duty.set_duty(actor=district_centre, node=tree["410105"], day=today, leader=leader_a)
    assert exc.value.code == PetitionErrorCode.PETITION_DUTY_LEADER


def test_one_leader_per_centre_per_day_a_second_replaces_the_first_audited(tree, centre_a, leader_a):
    other = make_user("leader_a2", password=None, role=Role.LEADER, node=tree[STREET_A])
    today = timezone.localdate()
    duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=leader_a)
    duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=other)
    assert DutyShift.objects.get(node=tree[STREET_A], day=today).leader == other
    changes = Action.objects.filter(verb="set_duty").order_by("pk")
    assert [a.data["before"] for a in changes] == ["", leader_a.display_name]


def test_two_keepers_filling_an_empty_day_at_once_end_with_one_shift_not_an_error(
    tree, centre_a, leader_a, monkeypatch
):
    """The second keeper read the day as empty before the first one's insert landed: its insert meets the unique
    rule and becomes a replacement, audited like one."""
    other = make_user("leader_a3", password=None, role=Role.LEADER, node=tree[STREET_A])
    today = timezone.localdate()
    duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=leader_a)
    real_first = QuerySet.first
    seen: list[int] = []

    def stale_first(self):
        if self.model is DutyShift and not seen:
            seen.append(1)
            return None  # what the second keeper read before the first one's row was there
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", stale_first)
    shift = duty.set_duty(actor=centre_a, node=tree[STREET_A], day=today, leader=other)
    assert seen and shift.leader == other
    assert DutyShift.objects.filter(node=tree[STREET_A], day=today).count() == 1
    assert [a.data["before"] for a in Action.objects.filter(verb="set_duty").order_by("pk")] == [
        "",
        leader_a.display_name,
    ]


@pytest.mark.parametrize("who", ["centre_b", "leader_a", "leader_b"])
def test_only_the_centres_own_dispatcher_keeps_its_rota(tree, request, leader_a, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(DomainError) as exc:
        duty.set_duty(actor=actor, node=tree[STREET_A], day=timezone.localdate(), leader=leader_a)
    assert exc.value.code == PetitionErrorCode.PETITION_DUTY_OUTSIDE
    assert not DutyShift.objects.exists()


def test_a_leader_of_another_street_a_non_leader_or_a_past_day_is_refused(tree, centre_a, leader_a, leader_b):
    today = timezone.localdate()
    for leader, day, code in (
        (leader_b, today, PetitionErrorCode.PETITION_DUTY_LEADER),
        (centre_a, today, PetitionErrorCode.PETITION_DUTY_LEADER),  # a forged leader: a dispatcher
        (None, today, PetitionErrorCode.PETITION_DUTY_LEADER),
        (leader_a, today - DAY, PetitionErrorCode.PETITION_DUTY_DATE),
        (leader_a, today + 100 * DAY, PetitionErrorCode.PETITION_DUTY_DATE),
    ):
        with pytest.raises(DomainError) as exc:
            duty.set_duty(actor=centre_a, node=tree[STREET_A], day=day, leader=leader)
        assert exc.value.code == code
    with pytest.raises(DomainError):  # a grid is no centre
        duty.set_duty(actor=centre_a, node=tree["410105001001001"], day=today, leader=leader_a)
    assert not DutyShift.objects.exists()


def test_a_case_given_to_duty_goes_to_todays_duty_leader_and_shows_on_their_page(
    tree, register, centre_a, leader_a, t0
):
    p = register(centre_a, now=t0)
    duty.set_duty(actor=centre_a, node=tree[STREET_A], day=t0.date(), leader=leader_a, now=t0)
    case = _case(centre_a, p, now=t0)
    assert case.leader == leader_a and case.on_duty
    client = Client()
    client.force_login(leader_a)
    page = client.get("/petitions/mine/").content.decode()
    assert case.code in page and "值班接案" in page


def test_with_nobody_on_duty_today_nothing_is_written(tree, register, centre_a, leader_a, t0):
    p = register(centre_a, now=t0)
    duty.set_duty(actor=centre_a, node=tree[STREET_A], day=t0.date() + DAY, leader=leader_a, now=t0)  # tomorrow only
    with pytest.raises(DomainError) as exc:
        _case(centre_a, p, now=t0)
    assert exc.value.code == PetitionErrorCode.PETITION_NO_DUTY_LEADER
    assert not LeaderCase.objects.exists()
    assert not Action.objects.filter(verb="assign_leader").exists()


def test_another_streets_duty_leader_is_never_used(tree, register, centre_a, centre_b, leader_b, t0):
    p = register(centre_a, now=t0)
    duty.set_duty(actor=centre_b, node=tree[STREET_B], day=t0.date(), leader=leader_b, now=t0)
    with pytest.raises(DomainError) as exc:
        _case(centre_a, p, now=t0)
    assert exc.value.code == PetitionErrorCode.PETITION_NO_DUTY_LEADER


def test_the_rota_page_fills_days_and_shows_todays_leader(tree, centre_a, leader_a):
    client = Client()
    client.force_login(centre_a)
    today = timezone.localdate()
    response = client.post(
        "/petitions/duty/",
        {"node": tree[STREET_A].pk, f"day_{today.isoformat()}": leader_a.pk, f"day_{(today + DAY).isoformat()}": ""},
    )
    assert response.status_code == 302
    assert DutyShift.objects.get().leader == leader_a
    page = client.get("/petitions/").content.decode()
    assert "今日值班领导" in page and leader_a.display_name in page


def test_the_rota_page_refuses_another_centre_and_a_forged_leader(tree, centre_a, leader_b):
    client = Client()
    client.force_login(centre_a)
    today = timezone.localdate()
    assert client.get(f"/petitions/duty/?node={tree[STREET_B].pk}").status_code == 404
    assert client.post("/petitions/duty/", {"node": tree[STREET_B].pk}).status_code == 404
    response = client.post("/petitions/duty/", {"node": tree[STREET_A].pk, f"day_{today.isoformat()}": leader_b.pk})
    assert response.status_code == 302
    assert not DutyShift.objects.exists()
