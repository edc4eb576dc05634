"""Figures from dispatch: instructions acknowledged on time (指令按时签收率) and patrol duty compliance (巡查履职率)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.dispatch import selectors as dispatch_selectors
from fengqiao.dispatch import services as dispatch_services
from fengqiao.dispatch.models import DutyRule, Instruction, Patrol, Receipt
from fengqiao.metrics import selectors
from fengqiao.metrics.counters import ack_on_time, receipt_contribution
from fengqiao.metrics.models import DailyGridStat
from fengqiao.metrics.selectors import Figures, Period, duty_windows, period_of, stats
from tests.factories import make_user
from tests.metrics.conftest import GRID_A1, GRID_A2, GRID_B1


@pytest.fixture
def worker(tree):
    return make_user("wa", role=Role.GRID_WORKER, node=tree[GRID_A1], full_name="张伟")


def figures_of(tree, code: str, key: str = "day", now: dt.datetime | None = None) -> Figures:
    path = tree[code].path
    return stats([path], period_of(key), now=now)[path]


# --- acknowledged on time -------------------------------------------------------------------------------------------


def test_an_acknowledgement_by_the_deadline_is_on_time_and_one_after_it_is_late():
    deadline = timezone.now()
    assert ack_on_time(acknowledged_at=deadline, deadline=deadline)
    assert not ack_on_time(acknowledged_at=deadline + dt.timedelta(seconds=1), deadline=deadline)


def test_an_instruction_without_a_deadline_counts_its_acknowledgements_but_not_in_the_on_time_rate():
    assert not ack_on_time(acknowledged_at=timezone.now(), deadline=None)
    counted = receipt_contribution(node_path="4101/", acknowledged_at=timezone.now(), deadline=None, requires_ack=True)
    assert [cell for cell in counted.values()] == [{"acks": 1}]


def test_acknowledgements_of_instructions_that_ask_for_none_are_not_counted():
    counted = receipt_contribution(node_path="4101/", acknowledged_at=timezone.now(), deadline=None, requires_ack=False)
    assert not counted


def test_an_acknowledgement_counts_in_the_addressees_node_made_on_its_day_and_on_time_on_the_deadlines_day(
    tree, dispatcher, worker, fold
):
    deadline = timezone.now() + dt.timedelta(hours=2)
    instruction = dispatch_services.send_instruction(
        actor=dispatcher, title="排查", nodes=[tree["410105"]], deadline=deadline
    )
    dispatch_services.acknowledge(actor=worker, instruction=instruction)
    fold()
    for code in ["4101", "410105", "410105001", GRID_A1]:
        path = tree[code].path
        assert DailyGridStat.objects.get(node_path=path, day=timezone.localdate()).acks == 1
        assert DailyGridStat.objects.get(node_path=path, day=timezone.localdate(deadline)).acks_on_time == 1
    assert not DailyGridStat.objects.filter(node_path=tree[GRID_B1].path).exists()


def figures_since(tree, code: str, moment: dt.datetime) -> Figures:
    """Figures over the days from ``moment`` to today (or from today to ``moment``), whatever the clock says."""
    path = tree[code].path
    days = sorted([timezone.localdate(moment), timezone.localdate()])
    return stats([path], Period("custom", days[0], days[1]))[path]


# Midday in China: the minutes before the deadline and after it fall on one local day, whatever the real clock says.
MIDDAY = dt.datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_who_never_acknowledges_counts_against_the_on_time_rate_once_the_deadline_passes(
    tree, dispatcher, worker, fold
):
    with time_machine.travel(MIDDAY, tick=True):
        _never_acknowledged(tree, dispatcher, worker, fold)


def _never_acknowledged(tree, dispatcher, worker, fold) -> None:
    punctual = make_user("wa2", role=Role.GRID_WORKER, node=tree[GRID_A2])
    make_user("wa3", role=Role.GRID_WORKER, node=tree[GRID_A2])  # never acknowledges: leaves no receipt
    now = timezone.now()
    instruction = dispatch_services.send_instruction(
        actor=dispatcher, title="排查", nodes=[tree["410105001"]], deadline=now + dt.timedelta(hours=1)
    )
    deadline = now - dt.timedelta(minutes=1)
    Instruction.objects.filter(pk=instruction.pk).update(deadline=deadline)  # it has passed
    dispatch_services.acknowledge(actor=worker, instruction=instruction)  # late
    dispatch_services.mark_read(actor=punctual, instruction=instruction)
    receipt = Receipt.objects.get(user=punctual)
    receipt.acknowledged_at = now - dt.timedelta(minutes=2)  # on time
    receipt.save()
    fold()
    # Before the deadline's snapshot, only what was acknowledged in time is known.
    assert figures_since(tree, "410105001", deadline).rates["ack_on_time"] == 1.0
    assert dispatch_services.count_acknowledgements_due() == 1
    assert dispatch_services.count_acknowledgements_due() == 0  # once
    fold()
    street = figures_since(tree, "410105001", deadline)
    assert (street.acks, street.acks_on_time, street.acks_due) == (2, 1, 3)
    assert street.rates["ack_on_time"] == pytest.approx(1 / 3)
    assert figures_since(tree, GRID_A1, deadline).rates["ack_on_time"] == 0.0
    assert figures_since(tree, GRID_A2, deadline).rates["ack_on_time"] == 0.5
    assert figures_since(tree, GRID_B1, deadline).rates["ack_on_time"] is None  # nothing owed: no value, not zero


def test_moving_an_instructions_deadline_moves_its_acknowledgements_out_of_on_time(tree, dispatcher, worker, fold):
    instruction = dispatch_services.send_instruction(
        actor=dispatcher, title="排查", nodes=[tree["410105"]], deadline=timezone.now() + dt.timedelta(hours=2)
    )
    dispatch_services.acknowledge(actor=worker, instruction=instruction)
    fold()
    assert figures_since(tree, GRID_A1, instruction.deadline).rates["ack_on_time"] == 1.0
    instruction.deadline = timezone.now() - dt.timedelta(hours=1)
    instruction.save()
    dispatch_services.count_acknowledgements_due()
    fold()
    assert figures_since(tree, GRID_A1, instruction.deadline).rates["ack_on_time"] == 0.0


# --- duty compliance ------------------------------------------------------------------------------------------------


def patrol(worker, times: int = 1) -> None:
    for _ in range(times):
        dispatch_services.end_patrol(actor=worker, patrol=dispatch_services.start_patrol(actor=worker))


def test_compliance_is_the_duty_pages_progress_summed_under_the_node(tree, worker, fold):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=3, hours=24)
    patrol(worker, 2)
    fold()
    [row] = dispatch_selectors.compliance(memberships=worker.active_memberships)
    [item] = row.items
    for code in [GRID_A1, "410105001", "410105"]:
        figures = figures_of(tree, code)
        assert figures.duty_due == {"patrols": item.rule.count}
        assert figures.rates["duty"] == pytest.approx(item.done / item.rule.count)  # 2 of 3, as the duty page says


def test_every_worker_under_a_node_owes_the_rules_of_their_role(tree, worker, fold):
    make_user("wa2", role=Role.GRID_WORKER, node=tree[GRID_A2])
    make_user("leader", role=Role.LEADER, node=tree["410105001"])  # not grid staff: owes nothing
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=2, hours=24)
    DutyRule.objects.create(role=Role.LEADER, what=DutyRule.What.PATROL, count=5, hours=24)
    patrol(worker, 2)
    fold()
    street = figures_of(tree, "410105001")
    assert street.duty_due == {"patrols": 4}
    assert street.rates["duty"] == 0.5
    assert figures_of(tree, GRID_A1).rates["duty"] == 1.0
    assert figures_of(tree, GRID_A2).rates["duty"] == 0.0
    assert figures_of(tree, GRID_B1).rates["duty"] is None  # nobody there owes anything


def test_extra_patrols_do_not_make_up_for_a_missing_diary(tree, worker, fold):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=1, hours=24)
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.DIARY, count=1, hours=24)
    patrol(worker, 3)
    fold()
    assert figures_of(tree, GRID_A1).rates["duty"] == 0.5
    dispatch_services.write_diary(actor=worker, text="巡查三次，无异常")
    fold()
    assert figures_of(tree, GRID_A1).rates["duty"] == 1.0


def test_visits_and_risk_reports_count_for_their_rules(tree, worker, make_event, fold):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.VISIT, count=1, hours=24)
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.RISK_REPORT, count=2, hours=24)
    dispatch_services.record_visit(actor=worker, address="金水路1号", note="独居老人，身体健康")
    make_event(GRID_A1, hours_ago=0, source="patrol")
    make_event(GRID_A1, hours_ago=0, source="hotline")  # not found by grid staff
    fold()
    figures = figures_of(tree, GRID_A1)
    assert figures.duty_due == {"visits": 1, "discovered": 2}
    assert figures.rates["duty"] == pytest.approx(2 / 3)


def test_work_done_on_an_earlier_day_does_not_count_today(tree, worker, fold):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=1, hours=24)
    yesterday = timezone.now() - dt.timedelta(days=1)
    Patrol.objects.create(worker=worker, grid=tree[GRID_A1], started_at=yesterday, ended_at=yesterday)
    fold()
    assert figures_of(tree, GRID_A1).rates["duty"] == 0.0


def test_duty_windows_follow_the_duty_pages_windows():
    now = timezone.make_aware(dt.datetime(2026, 5, 1, 14, 30))
    day = Period("day", dt.date(2026, 5, 1), dt.date(2026, 5, 1))
    assert duty_windows(24, day, now) == 1  # today's window counts in full, as on the duty page
    assert duty_windows(6, day, now) == 3  # 00-06, 06-12 and the current 12-18
    assert duty_windows(48, day, now) == pytest.approx(14.5 / 48)  # rolling: a part-window is a fraction
    month = Period("month", dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert duty_windows(24, month, now) == 30  # a past period counts whole
    assert duty_windows(24, Period("day", dt.date(2026, 5, 2), dt.date(2026, 5, 2)), now) == 0  # not begun


def test_inactive_rules_ask_for_nothing(tree, worker, fold):
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=3, hours=24, active=False)
    assert figures_of(tree, GRID_A1).rates["duty"] is None


# --- indicators ---------------------------------------------------------------------------------------------------


def test_both_rates_are_indicators_in_the_composite_score(tree, dispatcher, worker, fold):
    codes = {code for code, _name, _weight in selectors.indicators()}
    assert {"ack_on_time", "duty"} <= codes
    DutyRule.objects.create(role=Role.GRID_WORKER, what=DutyRule.What.PATROL, count=2, hours=24)
    patrol(worker, 1)
    deadline = timezone.now() + dt.timedelta(minutes=5)
    instruction = dispatch_services.send_instruction(
        actor=dispatcher, title="排查", nodes=[tree["410105"]], deadline=deadline
    )
    dispatch_services.acknowledge(actor=worker, instruction=instruction)
    fold()
    figures = figures_since(tree, GRID_A1, deadline)
    weights = [("ack_on_time", "", 1.0), ("duty", "", 1.0)]
    assert selectors.score(figures, weights) == 75.0  # acknowledged on time 100 %, duty 50 %
    assert figures.as_dict()["duty_rate"] == 0.5 and figures.as_dict()["ack_on_time_rate"] == 1.0


def test_the_one_map_offers_both_rates_as_figures(client, tree, dispatcher):
    from fengqiao.dashboard.selectors import FIGURES

    keys = {key for key, _label in FIGURES}
    assert {"ack_on_time_rate", "duty_rate"} <= keys
    client.force_login(dispatcher)
    data = client.get("/api/v1/dashboard/map", {"node": "410105", "period": "day"}).json()
    assert {"ack_on_time_rate", "duty_rate"} <= set(data["node"]["figures"])
