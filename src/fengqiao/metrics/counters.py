"""What one event, dispute, acknowledgement, patrol, visit or diary contributes to the per-grid, per-day counters.

A *contribution* maps ``(grid path, day) -> {counter: amount}``. The incremental path stores the difference between an
object's contribution before and after each save; the rebuild sums the contributions of every object. Both use the
functions here, so the two can only disagree if a change slipped past the signals (a raw ``UPDATE``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from typing import Any

from django.utils import timezone

from fengqiao.core import scoping, sla

# Where a closed event was handled (events.models.Tier) -> the counter of events closed at that tier.
TIER_COUNTERS = {
    "grid": "closed_grid",
    "community": "closed_community",
    "street": "closed_street",
    "county": "closed_county",
}
# The counters kept per node per day, in the order of the model's columns.
EVENT_COUNTERS = (
    "reported",  # events reported that day
    "discovered",  # of which found by grid staff on patrol (排查发现)
    "registered",  # events registered (立案) that day
    "handled",  # events handled (处置) that day
    "closed",  # events closed (办结) that day
    "closed_on_time",  # of which handled within the category's handling limit
    "closed_grid",  # of which handled at the grid tier (四事分办: 小事网格办; every event solved on the spot)
    "closed_community",  # of which at the community/village tier (急事村(社区)办)
    "closed_street",  # of which at the street/township tier (大事乡镇党委办)
    "closed_county",  # of which at the county tier (难事县级层面协调办)
    "handling_hours",  # sum of hours from report to closure over the events closed that day
    "rated",  # closed events with a rating, counted on their closing day
    "satisfied",  # of which rated 4 or 5 stars
)
DISPUTE_COUNTERS = ("disputes_entered", "disputes_concluded", "disputes_resolved")
ACK_COUNTERS = (
    "acks",  # acknowledgements (签收) of instructions that ask for one, made that day, in the addressee's node
    "acks_on_time",  # acknowledgements made by the deadline, counted on the deadline's day (instructions with one)
    "acks_due",  # addressees who owed an acknowledgement by a deadline that fell that day (snapshot at the deadline)
)
DUTY_COUNTERS = (
    "patrols",  # patrols started that day, in the grid walked
    "visits",  # household visits made that day
    "diaries",  # work diaries written (last saved) that day
)
COUNTERS = EVENT_COUNTERS + DISPUTE_COUNTERS + ACK_COUNTERS + DUTY_COUNTERS
FLOAT_COUNTERS = frozenset({"handling_hours"})

Contribution = dict[tuple[str, dt.date], dict[str, float]]

_limits: dict[int, tuple[float, str]] = {}


def day_of(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def ancestors(path: str) -> list[str]:
    """``a/b/c/`` -> ``[a/b/c/, a/b/, a/]``: the node itself and every node above it, nearest first."""
    return scoping.ancestor_paths(path)[::-1]


def handling_limit(category_id: int | None) -> tuple[float, str]:
    """A category's handling limit (amount, unit), cached per process; (3, workdays) when there is no category."""
    if category_id is None:
        return (3.0, "workdays")
    if category_id not in _limits:
        from fengqiao.events.models import Category

        row = Category.objects.filter(pk=category_id).values_list("handle_amount", "handle_unit").first()
        _limits[category_id] = (float(row[0]), str(row[1])) if row else (3.0, "workdays")
    return _limits[category_id]


def forget_limits() -> None:
    _limits.clear()


@functools.lru_cache(maxsize=8192)
def _after_working_days(day: dt.date, days: int) -> dt.date:
    # The date part of core.sla.add_working_days, cached: a rebuild asks it millions of times for few dates.
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if sla.is_workday(day):
            remaining -= 1
    return day


def on_time(*, registered_at: Any, handled_at: Any, closed_at: Any, category_id: int | None) -> bool:
    """Closed on time: handled within the category's handling limit counted from registration (working days)."""
    start = registered_at
    finish = handled_at or closed_at
    if start is None or finish is None:
        return False
    amount, unit = handling_limit(category_id)
    if unit == "workdays":
        local = timezone.localtime(start) if timezone.is_aware(start) else start
        day = _after_working_days(local.date(), int(amount))
        return bool(finish <= local.replace(year=day.year, month=day.month, day=day.day))
    return bool(finish <= sla.due(start, amount, unit))


def event_contribution(
    *,
    grid_path: str,
    source: str,
    reported_at: Any,
    registered_at: Any,
    handled_at: Any,
    closed_at: Any,
    stars: int | None,
    category_id: int | None,
    tier: str = "",
) -> Contribution:
    out: Contribution = defaultdict(dict)
    if not grid_path or reported_at is None:
        return out
    cell = out[(grid_path, day_of(reported_at))]
    cell["reported"] = 1
    if source == "patrol":
        cell["discovered"] = 1
    if registered_at is not None:
        out[(grid_path, day_of(registered_at))]["registered"] = 1
    if handled_at is not None:
        out[(grid_path, day_of(handled_at))]["handled"] = 1
    if closed_at is not None:
        cell = out[(grid_path, day_of(closed_at))]
        cell["closed"] = 1
        if tier in TIER_COUNTERS:  # the tier it was closed at: an escalated event counts where it ended
            cell[TIER_COUNTERS[tier]] = 1
        if on_time(registered_at=registered_at, handled_at=handled_at, closed_at=closed_at, category_id=category_id):
            cell["closed_on_time"] = 1
        cell["handling_hours"] = round((closed_at - reported_at).total_seconds() / 3600.0, 4)
        if stars:
            cell["rated"] = 1
            if stars >= 4:
                cell["satisfied"] = 1
    return out


EVENT_FIELDS = (
    "grid_path",
    "source",
    "reported_at",
    "registered_at",
    "handled_at",
    "closed_at",
    "stars",
    "category_id",
    "tier",
)


def of_event(event: Any) -> Contribution:
    return event_contribution(**{f: getattr(event, f) for f in EVENT_FIELDS})


DISPUTE_FIELDS = ("grid_path", "entered_at", "concluded_at", "state")


def dispute_contribution(*, grid_path: str, entered_at: Any, concluded_at: Any, state: str) -> Contribution:
    from fengqiao.metrics.optional import dispute_resolved_states

    out: Contribution = defaultdict(dict)
    if not grid_path or entered_at is None:
        return out
    out[(grid_path, day_of(entered_at))]["disputes_entered"] = 1
    if concluded_at is not None:
        cell = out[(grid_path, day_of(concluded_at))]
        cell["disputes_concluded"] = 1
        if state in dispute_resolved_states():
            cell["disputes_resolved"] = 1
    return out


def of_dispute(dispute: Any) -> Contribution:
    return dispute_contribution(**{f: getattr(dispute, f) for f in DISPUTE_FIELDS})


# --- dispatch: acknowledgements on time (指令按时签收) and duty (巡查履职) ------------------------------------------

RECEIPT_FIELDS = ("node_path", "acknowledged_at", "deadline", "requires_ack")
# The same, as read from a Receipt row (the last two live on its instruction).
RECEIPT_LOOKUPS = ("node_path", "acknowledged_at", "instruction__deadline", "instruction__requires_ack")


def ack_on_time(*, acknowledged_at: Any, deadline: Any) -> bool:
    """签收按时: acknowledged no later than the instruction's deadline (完成期限).

    Instructions carry no separate acknowledgement deadline, so the one deadline they have is the one an
    acknowledgement can miss. An instruction without a deadline has no "on time": it counts as an acknowledgement
    made, not in the on-time rate.
    """
    return deadline is not None and bool(acknowledged_at <= deadline)


def receipt_contribution(*, node_path: str, acknowledged_at: Any, deadline: Any, requires_ack: bool) -> Contribution:
    """An acknowledgement counts on its own day as made; if made in time, also on the deadline's day as on time,
    the day the addressees who owed it are counted (:func:`due_contribution`), so the two always meet in one period.
    """
    out: Contribution = defaultdict(dict)
    if not node_path or acknowledged_at is None or not requires_ack:
        return out
    out[(node_path, day_of(acknowledged_at))]["acks"] = 1
    if ack_on_time(acknowledged_at=acknowledged_at, deadline=deadline):
        out[(node_path, day_of(deadline))]["acks_on_time"] = 1
    return out


DUE_FIELDS = ("node_path", "deadline", "addressees")


def due_contribution(*, node_path: str, deadline: Any, addressees: int) -> Contribution:
    """The addressees under a node who owed an acknowledgement, on the deadline's day (dispatch.AcknowledgementsDue)."""
    out: Contribution = defaultdict(dict)
    if node_path and deadline is not None and addressees:
        out[(node_path, day_of(deadline))]["acks_due"] = addressees
    return out


# What a duty rule (dispatch.DutyRule.what) asks for -> the counter holding what was done. The dispatch models count
# on the moment dispatch.selectors.compliance counts by; a risk report (风险上报) is an event reported by grid staff on
# patrol: the events' ``discovered`` counter.
DUTY_DONE = {"patrol": "patrols", "visit": "visits", "diary": "diaries", "risk_report": "discovered"}
PATROL_FIELDS = ("grid_path", "started_at")
VISIT_FIELDS = ("grid_path", "visited_at")
DIARY_FIELDS = ("grid_path", "written_at")


def _done(counter: str, grid_path: str, moment: Any) -> Contribution:
    out: Contribution = defaultdict(dict)
    if grid_path and moment is not None:
        out[(grid_path, day_of(moment))][counter] = 1
    return out


def patrol_contribution(*, grid_path: str, started_at: Any) -> Contribution:
    return _done("patrols", grid_path, started_at)


def visit_contribution(*, grid_path: str, visited_at: Any) -> Contribution:
    return _done("visits", grid_path, visited_at)


def diary_contribution(*, grid_path: str, written_at: Any) -> Contribution:
    return _done("diaries", grid_path, written_at)


def difference(new: Contribution, old: Contribution) -> Contribution:
    """new − old, dropping cells and counters that did not move."""
    out: Contribution = {}
    for key in set(new) | set(old):
        a, b = new.get(key, {}), old.get(key, {})
        cell = {c: a.get(c, 0) - b.get(c, 0) for c in set(a) | set(b)}
        cell = {c: v for c, v in cell.items() if v}
        if cell:
            out[key] = cell
    return out


def combine(contributions: list[Contribution]) -> Contribution:
    """The sum of several contributions."""
    out: Contribution = defaultdict(dict)
    for contribution in contributions:
        for key, cell in contribution.items():
            acc = out[key]
            for name, value in cell.items():
                acc[name] = acc.get(name, 0) + value
    return out


# A group patrol of residents (群防巡逻, participation.Task of kind "patrol") counts in the patrols of its grid on the
# day it was walked, once the grid worker has recorded it: the same counter as a worker's own patrol.
GROUP_PATROL_FIELDS = ("grid_path", "kind", "starts_at", "recorded_at")


def group_patrol_contribution(*, grid_path: str, kind: str, starts_at: Any, recorded_at: Any) -> Contribution:
    if kind != "patrol" or recorded_at is None:
        return defaultdict(dict)
    return _done("patrols", grid_path, starts_at)
