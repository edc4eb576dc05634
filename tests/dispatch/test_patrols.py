"""Patrols with GPS points, household visits, the work diary and duty compliance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.models import Diary, DutyRule, Patrol, PatrolPoint

A = (113.602, 34.708)
A2 = (113.603, 34.708)


def test_a_patrol_starts_records_points_and_ends(tree, worker_a):
    patrol = services.start_patrol(actor=worker_a, lon=A[0], lat=A[1])
    assert patrol.grid.code == "410105001001001"
    services.add_patrol_point(actor=worker_a, patrol=patrol, lon=A2[0], lat=A2[1])
    patrol = services.end_patrol(actor=worker_a, patrol=patrol, note="无异常")
    assert patrol.points_count == 2
    assert 80 < patrol.distance_m < 100  # 0.001° of longitude at 34.7° N is about 91 m
    assert patrol.ended_at is not None


@pytest.mark.parametrize(("lon", "lat"), [(200, 34.7), (113.6, -95), ("abc", 34.7), (float("nan"), 34.7), (0, 0)])
def test_a_bad_gps_point_is_refused_with_a_message(tree, worker_a, lon, lat):
    patrol = services.start_patrol(actor=worker_a)
    with pytest.raises(DomainError) as refused:
        services.add_patrol_point(actor=worker_a, patrol=patrol, lon=lon, lat=lat)
    assert refused.value.code == "bad_point" and "坐标" in refused.value.message
    assert not PatrolPoint.objects.exists()


def test_one_bad_point_refuses_the_whole_batch(tree, worker_a):
    patrol = services.start_patrol(actor=worker_a)
    with pytest.raises(DomainError):
        services.add_patrol_points(actor=worker_a, patrol=patrol, points=[A, (113.6, 134.7)])
    assert not PatrolPoint.objects.exists()


def test_a_second_patrol_cannot_start_while_one_is_open(tree, worker_a):
    services.start_patrol(actor=worker_a)
    with pytest.raises(DomainError) as refused:
        services.start_patrol(actor=worker_a)
    assert refused.value.code == "patrol_open"


def test_points_cannot_be_added_to_an_ended_patrol(tree, worker_a):
    patrol = services.end_patrol(actor=worker_a, patrol=services.start_patrol(actor=worker_a))
    with pytest.raises(DomainError) as refused:
        services.add_patrol_point(actor=worker_a, patrol=patrol, lon=A[0], lat=A[1])
    assert refused.value.code == "patrol_ended"


def test_a_worker_cannot_record_points_on_someone_elses_patrol(tree, worker_a, worker_b):
    patrol = services.start_patrol(actor=worker_a)
    with pytest.raises(DomainError) as refused:
        services.add_patrol_point(actor=worker_b, patrol=patrol, lon=A[0], lat=A[1])
    assert refused.value.code == "not_own_patrol"


def test_a_user_without_a_grid_cannot_patrol(tree, superuser):
    with pytest.raises(DomainError) as refused:
        services.start_patrol(actor=superuser)
    assert refused.value.code == "no_grid"


def test_a_visit_is_filed_in_the_workers_grid(tree, worker_a):
    visit = services.record_visit(
        actor=worker_a, address="甲社区3号楼2单元", note="独居老人，身体良好", person_name="王大爷"
    )
    assert visit.grid_path == tree["410105001001001"].path


def test_writing_the_diary_twice_a_day_keeps_one_entry(tree, worker_a):
    services.write_diary(actor=worker_a, text="上午巡查")
    services.write_diary(actor=worker_a, text="上午巡查，下午走访")
    assert list(Diary.objects.values_list("text", flat=True)) == ["上午巡查，下午走访"]


def test_a_diary_for_a_future_day_is_refused(tree, worker_a):
    with pytest.raises(DomainError):
        services.write_diary(actor=worker_a, text="x", day=timezone.localdate() + dt.timedelta(days=1))


def test_duty_compliance_counts_patrols_in_the_current_day(tree, worker_a):
    rule = DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=3, hours=24)
    for _ in range(2):
        services.end_patrol(actor=worker_a, patrol=services.start_patrol(actor=worker_a))
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    Patrol.objects.create(worker=worker_a, grid=tree["410105001001001"], started_at=two_days_ago, ended_at=two_days_ago)
    [row] = selectors.compliance(memberships=worker_a.active_memberships)
    assert [(i.rule, i.done, i.ok) for i in row.items] == [(rule, 2, False)]
    services.end_patrol(actor=worker_a, patrol=services.start_patrol(actor=worker_a))
    [row] = selectors.compliance(memberships=worker_a.active_memberships)
    assert row.ok


def test_a_street_dispatcher_sees_the_compliance_of_workers_in_their_street_only(
    tree, street_a_dispatcher, worker_a, worker_b
):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.DIARY, count=1, hours=24)
    assert [m.user.username for m in selectors.duty_workers(actor=street_a_dispatcher)] == ["worker_a"]


def test_a_six_hour_window_starts_at_the_last_quarter_day():
    now = timezone.make_aware(dt.datetime(2026, 5, 1, 14, 30))
    assert timezone.localtime(selectors.window_start(6, now)).hour == 12
