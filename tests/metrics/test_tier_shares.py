"""四事分办: closed events counted by the tier that handled them, and the shares against the 70/30 targets."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from fengqiao.events import services as event_services
from fengqiao.events import spot
from fengqiao.grids.models import Level
from fengqiao.grids.services import NodeData, save_nodes
from fengqiao.metrics import services
from fengqiao.metrics.counters import COUNTERS, TIER_COUNTERS
from fengqiao.metrics.models import DailyGridStat
from fengqiao.metrics.selectors import Period, TierShares, stats, tier_target_text
from tests.events.conftest import POINT_A
from tests.events.test_services import photo
from tests.factories import square
from tests.metrics.conftest import GRID_A1, GRID_B1, MICRO
from tests.metrics.test_counters import snapshot

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # a Tuesday; 17:00 in Beijing
TIERS = tuple(TIER_COUNTERS.values())


def tier_counts(path: str, day: dt.date) -> dict[str, int]:
    row = DailyGridStat.objects.filter(node_path=path, day=day).values("closed", *TIERS).first() or {}
    return {name: row.get(name, 0) for name in ("closed", *TIERS)}


def zero(**counts: int) -> dict[str, int]:
    return {"closed": 0, **dict.fromkeys(TIERS, 0), **counts}


def test_closed_reopened_and_closed_again_counts_once_by_tier_on_the_day_it_finally_closed(
    tree, worker_a, dispatcher, fold, settings
):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0  # drawn for the centre's check, so it can be sent back
    first_day = timezone.localdate(T0)
    with time_machine.travel(T0, tick=False):
        event = spot.solve_on_the_spot(
            actor=worker_a,
            description="单元门口堆放杂物",
            result="已联系住户清理完毕",
            before=[photo("before.jpg")],
            after=[photo("after.jpg")],
            lon=POINT_A[0],
            lat=POINT_A[1],
            now=T0,
        )
        fold()
    # Solved on the spot: closed at the grid tier, in its grid and every node above.
    assert event.tier == "grid"
    for code in ("4101", "410105", "410105001", "410105001001", GRID_A1):
        assert tier_counts(tree[code].path, first_day) == zero(closed=1, closed_grid=1)

    # The centre sends it back: no longer closed, so no longer counted at any tier.
    later = T0 + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        spot.reopen_spot_check(actor=dispatcher, event=event, note="照片与描述不符", now=later)
        fold()
    for code in ("410105", GRID_A1):
        assert tier_counts(tree[code].path, first_day) == zero()

    # Closed again the ordinary way the next day: counted once, on that day, at the grid tier it was handled at.
    next_day = T0 + dt.timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        event = event_services.handle_in_grid(actor=worker_a, event=event, result="重新清理", now=next_day)
        event = event_services.verify_event(actor=dispatcher, event=event, now=next_day)
        event = event_services.close_event(actor=dispatcher, event=event, now=next_day)
        fold()
    assert event.state == "closed"
    for code in ("410105", "410105001", GRID_A1):
        assert tier_counts(tree[code].path, first_day) == zero()
        assert tier_counts(tree[code].path, timezone.localdate(next_day)) == zero(closed=1, closed_grid=1)
    assert not DailyGridStat.objects.filter(node_path=tree["410105002"].path).exists()

    # The incremental counters equal a rebuild from the events themselves.
    incremental = snapshot()
    services.rebuild()
    assert snapshot() == incremental


@pytest.mark.parametrize("tier", ["grid", "community", "street", "county"])
def test_an_event_counts_at_the_tier_it_was_closed_at_and_moves_if_that_tier_is_corrected(tree, make_event, fold, tier):
    now = timezone.now()
    event = make_event(
        GRID_B1,
        hours_ago=30,
        state="closed",
        registered_at=now - dt.timedelta(hours=29),
        closed_at=now - dt.timedelta(hours=2),
        tier=tier,
    )
    fold()
    day = timezone.localdate(event.closed_at)
    assert tier_counts(tree["410105002"].path, day) == zero(closed=1, **{TIER_COUNTERS[tier]: 1})
    # An administrator corrects the tier of the closed event: the count moves, it is not added twice.
    event.tier = "county" if tier != "county" else "grid"
    event.save()
    fold()
    assert tier_counts(tree["410105002"].path, day) == zero(closed=1, **{TIER_COUNTERS[event.tier]: 1})
    event.delete()
    fold()
    assert tier_counts(tree["410105002"].path, day) == zero()


def test_an_open_event_counts_at_no_tier(tree, make_event, fold):
    make_event(GRID_A1, tier="street", state="registered", registered_at=timezone.now())
    fold()
    assert not any(r[name] for r in DailyGridStat.objects.values(*TIERS) for name in TIERS)


def test_every_tier_counter_is_a_counter_of_the_daily_rows():
    assert set(TIERS) <= set(COUNTERS)
    assert {f.name for f in DailyGridStat._meta.get_fields()} >= set(TIERS)


# --- the figures -------------------------------------------------------------------------------------------------


def test_shares_and_targets_at_the_boundaries(settings):
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.70
    settings.FENGQIAO_TIER_TARGET_TOWNSHIP = 0.30
    exactly = TierShares(grid=4, community=3, street=1, county=2)  # 70% in the village; 1 of 3 leaving: 33%
    assert exactly.closed == 10 and exactly.village_share == pytest.approx(0.7)
    assert exactly.village_met is True
    assert exactly.township_share == pytest.approx(1 / 3) and exactly.township_met is True
    below = TierShares(grid=4, community=2, street=1, county=3)  # 60%; 1 of 4 leaving: 25%
    assert below.village_met is False and below.township_met is False
    nothing_left = TierShares(grid=5)  # everything solved in the village: nothing to share out above it
    assert nothing_left.village_met is True and nothing_left.township_share is None
    assert nothing_left.township_met is None
    assert TierShares().village_share is None and TierShares().village_met is None
    # The targets are settings: a stricter village target fails the same figures.
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.75
    settings.FENGQIAO_TIER_TARGET_TOWNSHIP = 0.5
    assert exactly.village_met is False and exactly.township_met is False
    assert tier_target_text() == "村内化解 ≥75%，出村事件中乡镇化解 ≥50%"


def test_the_payload_gives_every_tier_its_share_count_and_label(settings):
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.70
    data = TierShares(grid=6, community=1, street=2, county=1).as_dict()
    assert [(s["key"], s["label"], s["count"]) for s in data["segments"]] == [
        ("grid", "网格", 6),
        ("community", "社区（村）", 1),
        ("street", "街道（乡镇）", 2),
        ("county", "区县", 1),
    ]
    assert [s["share"] for s in data["segments"]] == pytest.approx([0.6, 0.1, 0.2, 0.1])
    assert data["village"]["met"] is True and data["village"]["verdict"] == "达标"
    assert (data["township"]["count"], data["township"]["of"]) == (2, 3)
    assert data["target_text"] == "村内化解 ≥70%，出村事件中乡镇化解 ≥30%"


@pytest.fixture
def second_community(tree):
    """乙二社区 with one grid, beside 乙社区 under street B (in the part of the street 乙社区 leaves free)."""
    area = square(113.615, 34.7, 113.62, 34.71)
    nodes = save_nodes(
        actor=None,
        items=[
            NodeData("410105002002", "乙二社区", Level.COMMUNITY, "410105002", geometry=area),
            NodeData("410105002002001", "乙二社区一网格", Level.GRID, "410105002002", geometry=area),
        ],
    )
    tree.update({n.code: n for n in nodes})
    return tree


def test_a_streets_shares_are_its_communities_added_up_not_their_shares_averaged(
    second_community, make_event, fold, settings
):
    settings.FENGQIAO_TIER_TARGET_VILLAGE = 0.70
    tree = second_community
    now = timezone.now()

    def closed(grid: str, tier: str) -> None:
        make_event(grid, hours_ago=5, state="closed", closed_at=now - dt.timedelta(hours=1), tier=tier)

    # 乙社区: 8 closed, 7 in the village (87.5%, met).
    for tier in ["grid"] * 5 + ["community"] * 2 + ["street"]:
        closed(GRID_B1, tier)
    # 乙二社区: 2 closed, none in the village (0%, not met); one by the street, one by the county.
    closed("410105002002001", "street")
    closed("410105002002001", "county")
    # Street A's events are not street B's.
    closed(GRID_A1, "county")
    closed(MICRO, "grid")
    fold()
    day = timezone.localdate(now - dt.timedelta(hours=1))
    period = Period("month", day.replace(day=1), day)
    codes = ["410105002", "410105002001", "410105002002"]
    figures = stats([tree[c].path for c in codes], period)
    street, first, second = (figures[tree[c].path].tiers for c in codes)
    assert (first.grid, first.community, first.street, first.county) == (5, 2, 1, 0)
    assert first.village_share == pytest.approx(7 / 8) and first.village_met is True
    assert (second.grid, second.community, second.street, second.county) == (0, 0, 1, 1)
    assert second.village_share == 0 and second.village_met is False and second.township_met is True
    assert (street.grid, street.community, street.street, street.county) == (5, 2, 2, 1)
    assert street.closed == first.closed + second.closed
    assert street.village_share == pytest.approx(0.7) and street.village_met is True  # 7/10, not (87.5% + 0%) / 2
    assert street.township_share == pytest.approx(2 / 3)
    assert figures[tree["410105002"].path].counts["closed"] == 10
    district = stats([tree["410105"].path], period)[tree["410105"].path].tiers
    assert (district.grid, district.county, district.closed) == (6, 2, 12)
