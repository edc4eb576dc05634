"""The per-node per-day counters: kept incrementally as events change, equal to a rebuild from scratch."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengqiao.core import receipts
from fengqiao.dispatch import services as dispatch_services
from fengqiao.dispatch.models import Diary, Instruction, Patrol, Receipt, Visit
from fengqiao.events import services as event_services
from fengqiao.metrics import services
from fengqiao.metrics.counters import COUNTERS
from fengqiao.metrics.models import DailyGridStat, PendingDelta
from fengqiao.metrics.selectors import period_of, stats
from tests.factories import make_user
from tests.metrics.conftest import GRID_A1, GRID_A2, GRID_B1, MICRO


def snapshot() -> dict:
    return {
        (r["node_path"], r["day"]): tuple(round(r[c], 3) for c in COUNTERS)
        for r in DailyGridStat.objects.values("node_path", "day", *COUNTERS)
        if any(r[c] for c in COUNTERS)
    }


def test_a_new_event_counts_in_its_grid_and_every_node_above_after_the_roll_up(tree, make_event, fold):
    event = make_event(GRID_A1)
    fold()
    today = timezone.localdate(event.reported_at)  # an hour ago: yesterday, just after midnight
    for code in ["4101", "410105", "410105001", "410105001001", GRID_A1]:
        assert DailyGridStat.objects.get(node_path=tree[code].path, day=today).reported == 1
    assert not DailyGridStat.objects.filter(node_path=tree["410105002"].path).exists()


def test_a_change_is_pending_until_the_roll_up_and_then_the_queue_is_empty(tree, make_event, fold):
    make_event(GRID_A1)
    assert PendingDelta.objects.count() == 1
    assert not DailyGridStat.objects.exists()
    assert fold() == 1
    assert PendingDelta.objects.count() == 0


def test_incremental_counters_equal_a_rebuild_through_the_whole_closed_loop(tree, make_event, fold, dispatcher):
    worker = make_user("w1", role="grid_worker", node=tree[GRID_A2])
    now = timezone.now()
    # Events written directly, in every stage, across days and grids.
    make_event(GRID_A1, hours_ago=50, source="hotline")
    make_event(GRID_B1, hours_ago=30, state="registered", registered_at=now - dt.timedelta(hours=29))
    make_event(
        MICRO,
        hours_ago=80,
        state="closed",
        registered_at=now - dt.timedelta(hours=79),
        handled_at=now - dt.timedelta(hours=10),
        closed_at=now - dt.timedelta(hours=5),
        stars=5,
    )
    gone = make_event(GRID_A2, hours_ago=3)
    # One event walked through the real services: register, handle in grid, verify, close, rate, re-rated.
    event = make_event(GRID_A2, hours_ago=2)
    event = event_services.register_event(actor=dispatcher, event=event)
    event = event_services.handle_in_grid(actor=worker, event=event, result="已清理")
    event = event_services.verify_event(actor=dispatcher, event=event)
    event = event_services.close_event(actor=dispatcher, event=event)
    secret, event.reporter_secret_index = receipts.issue()  # the resident rates through their private link
    event.save()
    event_services.rate_event(actor=None, event=event, stars=3, secret=secret)
    event.refresh_from_db()
    event.stars = 5  # a correction saved by an administrator
    event.save()
    gone.delete()
    # Instructions acknowledged through the services, on time, late, and moved by a later change of the deadline.
    worker_b = make_user("w2", role="grid_worker", node=tree[GRID_B1])
    deadline = now + dt.timedelta(hours=4)
    orders = dispatch_services.send_instruction(
        actor=dispatcher, title="排查电动车充电", nodes=[tree["410105"]], deadline=deadline
    )
    dispatch_services.acknowledge(actor=worker, instruction=orders)
    dispatch_services.report_completion(actor=worker_b, instruction=orders, report="已排查")
    receipt = Receipt.objects.get(user=worker_b)
    receipt.acknowledged_at = now + dt.timedelta(hours=5)  # corrected to after the deadline by an administrator
    receipt.save()
    orders.deadline = now - dt.timedelta(hours=1)  # an administrator moves the deadline: both become late
    orders.save()
    assert dispatch_services.count_acknowledgements_due() == 1  # the deadline has passed: who owed one is counted
    unasked = dispatch_services.send_instruction(
        actor=dispatcher, title="通知", nodes=[tree["410105"]], requires_ack=False, requires_report=True
    )
    dispatch_services.report_completion(actor=worker, instruction=unasked, report="已阅")
    withdrawn = dispatch_services.send_instruction(actor=dispatcher, title="撤回的指令", nodes=[tree["410105"]])
    dispatch_services.acknowledge(actor=worker, instruction=withdrawn)
    Instruction.objects.filter(pk=withdrawn.pk).get().delete()
    # Patrols, visits and diaries: through the services, written directly, changed and deleted.
    patrol = dispatch_services.start_patrol(actor=worker)
    dispatch_services.end_patrol(actor=worker, patrol=patrol, note="无异常")
    Patrol.objects.create(worker=worker_b, grid=tree[GRID_B1], started_at=now - dt.timedelta(days=2), ended_at=now)
    moved = Patrol.objects.create(worker=worker_b, grid=tree[GRID_B1], started_at=now - dt.timedelta(days=3))
    moved.started_at = now - dt.timedelta(days=4)
    moved.save()
    dropped = Patrol.objects.create(worker=worker_b, grid=tree[GRID_B1], started_at=now, ended_at=now)
    dropped.delete()
    dispatch_services.record_visit(actor=worker, address="金水路1号", note="独居老人，身体健康")
    Visit.objects.create(worker=worker, grid=tree[MICRO], address="金水路2号", note="无", visited_at=now)
    dispatch_services.write_diary(actor=worker, text="上午巡查")
    dispatch_services.write_diary(actor=worker, text="上午巡查，下午走访")
    Diary.objects.create(worker=worker_b, grid=tree[GRID_B1], day=now.date(), text="x", written_at=now)
    fold()
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental
    assert incremental  # not vacuously equal
    street = tree["410105"].path
    totals = DailyGridStat.objects.filter(node_path=street).values_list("acks", "acks_on_time", "patrols", "diaries")
    assert [sum(column) for column in zip(*totals, strict=True)] == [2, 0, 3, 2]
    assert sum(DailyGridStat.objects.filter(node_path=street).values_list("acks_due", flat=True)) >= 2


def test_an_event_loaded_with_deferred_fields_still_counts_its_change(tree, make_event, fold):
    from fengqiao.events.models import Event

    make_event(GRID_A1)
    fold()
    event = Event.objects.only("id", "state").get()
    event.stars = 4
    event.closed_at = timezone.now()
    event.state = "closed"
    event.save()
    fold()
    day = timezone.localdate()
    assert DailyGridStat.objects.get(node_path=tree["4101"].path, day=day).closed == 1


def test_the_rebuild_command_recomputes_from_the_events(tree, make_event, fold):
    from django.core.management import call_command

    make_event(GRID_A1)
    make_event(GRID_B1)
    fold()
    DailyGridStat.objects.update(reported=99)
    call_command("metrics", "rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DailyGridStat.objects.get(node_path=tree["410105"].path).reported == 2


def test_closed_on_time_and_satisfaction_follow_their_definitions(tree, make_event, fold):
    now = timezone.now()
    late = now - dt.timedelta(days=40)
    make_event(  # handled within an hour: on time, 5 stars
        GRID_A1,
        hours_ago=3,
        state="closed",
        registered_at=now - dt.timedelta(hours=3),
        handled_at=now - dt.timedelta(hours=2),
        closed_at=now - dt.timedelta(hours=1),
        stars=5,
    )
    make_event(  # handled 30 days after registration: late, 2 stars
        GRID_A1,
        hours_ago=24 * 41,
        state="closed",
        registered_at=late,
        handled_at=late + dt.timedelta(days=30),
        closed_at=now - dt.timedelta(hours=1),
        stars=2,
    )
    fold()
    today = timezone.localdate(now - dt.timedelta(hours=1))  # the day both were closed
    figures = stats([tree[GRID_A1].path], period_of("day", today))[tree[GRID_A1].path]
    assert (figures.closed, figures.closed_on_time) == (2, 1)
    assert figures.rates["satisfaction"] == 0.5
    assert figures.rates["on_time"] == 0.5
