"""Reading the counters: figures of a node over a period, indicators, composite scores and rankings (scoped)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import WORKER_ROLES as STAFF_ROLES
from fengqiao.accounts.models import Membership, Role, User
from fengqiao.core import scoping
from fengqiao.dispatch.models import DutyRule
from fengqiao.disputes.selectors import resolution_rate
from fengqiao.events.clocks import EVENT_CLOCKS
from fengqiao.events.models import Category, Event
from fengqiao.events.workflow import OPEN_STATES
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import GridNode, Level, full_names
from fengqiao.metrics.counters import COUNTERS, DUTY_DONE, TIER_COUNTERS
from fengqiao.metrics.models import DailyGridStat, Indicator

PERIODS = {"day": _("本日"), "week": _("本周"), "month": _("本月"), "year": _("本年")}
# The whole period before, shown on the first day of a period (see shown_period).
PREVIOUS_PERIODS = {"week": _("上周"), "month": _("上月"), "year": _("去年")}


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date
    previous: bool = False  # the whole previous week, month or year, shown while the current one has just begun

    @property
    def label(self) -> str:
        return str((PREVIOUS_PERIODS if self.previous else PERIODS).get(self.key, self.key))

    @property
    def empty_text(self) -> str:
        """What a dashboard says when nothing happened in the period: 本月暂无数据."""
        return _("%(period)s暂无数据") % {"period": self.label}


def period_of(key: str = "month", today: dt.date | None = None) -> Period:
    """本日 / 本周 / 本月 / 本年: calendar periods up to and including ``today``."""
    today = today or timezone.localdate()
    if key == "day":
        return Period("day", today, today)
    if key == "week":
        return Period("week", today - dt.timedelta(days=today.weekday()), today)
    if key == "year":
        return Period("year", today.replace(month=1, day=1), today)
    return Period("month", today.replace(day=1), today)


def shown_period(key: str = "month", today: dt.date | None = None) -> Period:
    """The period a dashboard shows for ``key``: the calendar period to date, except on its first day (the 1st of a
    month, a Monday, New Year's Day), when it has barely begun and every figure would read 0 and "—": then the whole
    previous period, labelled as such (上月, 上周, 去年)."""
    today = today or timezone.localdate()
    current = period_of(key, today)
    if key not in PREVIOUS_PERIODS or current.start != today:
        return current
    yesterday = today - dt.timedelta(days=1)
    return Period(key, period_of(key, yesterday).start, yesterday, previous=True)


def month_period(first: dt.date) -> Period:
    first = first.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Period("month", first, nxt - dt.timedelta(days=1))


def _ratio(a: float, b: float) -> float | None:
    return min(1.0, a / b) if b else None


@dataclass
class Figures:
    """The counters of one node over a period, and the rates derived from them."""

    counts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    open: int = 0
    orange: int = 0
    red: int = 0
    # What the duty rules asked of the node's workers over the period, per counter of work done (see duty_due).
    duty_due: dict[str, float] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def rates(self) -> dict[str, float | None]:
        c = self.counts
        return {
            "discovery": _ratio(c["discovered"], c["reported"]),
            "handling": _ratio(c["handled"], c["registered"]),
            "closure": _ratio(c["closed"], c["registered"]),
            "on_time": _ratio(c["closed_on_time"], c["closed"]),
            "satisfaction": _ratio(c["satisfied"], c["rated"]),
            "resolution": resolution_rate(resolved=c["disputes_resolved"], entered=c["disputes_entered"]),
            # Who never acknowledged leaves no receipt: the denominator is who owed one when the deadline passed.
            "ack_on_time": _ratio(c["acks_on_time"], max(c["acks_due"], c["acks_on_time"])),
            "duty": duty_rate(c, self.duty_due),
        }

    @property
    def tiers(self) -> TierShares:
        return TierShares.of(self.counts)

    @property
    def average_hours(self) -> float | None:
        return round(self.counts["handling_hours"] / self.counts["closed"], 1) if self.counts["closed"] else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in self.counts.items()}
        out.update(open=self.open, orange=self.orange, red=self.red, average_hours=self.average_hours)
        out["duty_due"] = round(sum(self.duty_due.values()), 1)
        out.update({f"{k}_rate": (round(v, 4) if v is not None else None) for k, v in self.rates.items()})
        village = self.tiers.village_share
        out["village_rate"] = round(village, 4) if village is not None else None  # 村内化解率 (四事分办)
        return out


# --- 四事分办: where closed events were handled -----------------------------------------------------------------

TIER_LABELS = {
    "grid": _("网格"),
    "community": _("社区（村）"),
    "street": _("街道（乡镇）"),
    "county": _("区县"),
}


def tier_targets() -> tuple[float, float]:
    """(village, township): FENGQIAO_TIER_TARGET_VILLAGE (default 0.70) and FENGQIAO_TIER_TARGET_TOWNSHIP (0.30)."""
    village = float(getattr(settings, "FENGQIAO_TIER_TARGET_VILLAGE", 0.70))
    township = float(getattr(settings, "FENGQIAO_TIER_TARGET_TOWNSHIP", 0.30))
    return village, township


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def tier_target_text() -> str:
    """The targets as printed on the page: 村内化解 ≥70%，出村事件中乡镇化解 ≥30%."""
    village, township = tier_targets()
    return str(_("村内化解 ≥%(village)s，出村事件中乡镇化解 ≥%(township)s")) % {
        "village": _percent(village),
        "township": _percent(township),
    }


@dataclass(frozen=True)
class TierShares:
    """四事分办 of the events closed in a period (see docs/decisions/0155-tier-shares.md).

    The village share is (grid + community) / closed; the township share is the street tier's part of what left the
    village, street / (street + county). Each is None when there is nothing to divide, and so is its "met".
    """

    grid: int = 0
    community: int = 0
    street: int = 0
    county: int = 0

    @classmethod
    def of(cls, counts: dict[str, float]) -> TierShares:
        return cls(*(int(counts.get(counter, 0)) for counter in TIER_COUNTERS.values()))

    @property
    def closed(self) -> int:
        return self.grid + self.community + self.street + self.county

    @property
    def village(self) -> int:
        return self.grid + self.community

    @property
    def leaving(self) -> int:
        """Closed outside the village: at the street or the county tier."""
        return self.street + self.county

    def share(self, tier: str) -> float | None:
        return getattr(self, tier) / self.closed if self.closed else None

    @property
    def village_share(self) -> float | None:
        return self.village / self.closed if self.closed else None

    @property
    def township_share(self) -> float | None:
        return self.street / self.leaving if self.leaving else None

    @property
    def village_met(self) -> bool | None:
        share = self.village_share
        return None if share is None else share >= tier_targets()[0] - 1e-9

    @property
    def township_met(self) -> bool | None:
        share = self.township_share
        return None if share is None else share >= tier_targets()[1] - 1e-9

    def as_dict(self) -> dict[str, Any]:
        """For the one map: each tier's count and share, the two targets, met or not, and the words for each."""
        village_target, township_target = tier_targets()

        def verdict(met: bool | None) -> str:
            return str(_("暂无数据") if met is None else _("达标") if met else _("未达标"))

        return {
            "closed": self.closed,
            "segments": [
                {"key": tier, "label": str(label), "count": getattr(self, tier), "share": self.share(tier)}
                for tier, label in TIER_LABELS.items()
            ],
            "village": {
                "label": str(_("村内化解")),
                "count": self.village,
                "of": self.closed,
                "share": self.village_share,
                "target": village_target,
                "met": self.village_met,
                "verdict": verdict(self.village_met),
            },
            "township": {
                "label": str(_("出村事件中乡镇化解")),
                "count": self.street,
                "of": self.leaving,
                "share": self.township_share,
                "target": township_target,
                "met": self.township_met,
                "verdict": verdict(self.township_met),
            },
            "target_text": tier_target_text(),
        }


def stats(paths: list[str], period: Period, *, now: dt.datetime | None = None) -> dict[str, Figures]:
    """Counters summed over the period for each node path (one grouped query on the (node_path, day) index), with
    what the duty rules asked of each node's workers (:func:`duty_due`, up to ``now``)."""
    out = {p: Figures() for p in paths}
    if not paths:
        return out
    for path, due in duty_due(paths, period, now=now).items():
        out[path].duty_due = due
    qs = (
        DailyGridStat.objects.filter(node_path__in=paths, day__gte=period.start, day__lte=period.end)
        .values("node_path")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by()
    )
    for row in qs:
        out[row["node_path"]].counts = {name: row[name] or 0 for name in COUNTERS}
    return out


# --- duty compliance (巡查履职率) ----------------------------------------------------------------------------------


def duty_rate(counts: dict[str, float], due: dict[str, float]) -> float | None:
    """巡查履职率: the share of the work the duty rules asked for that was done, Σ min(done, due) / Σ due.

    Each kind of work is capped at what was asked, so extra patrols do not make up for missing diaries; None when the
    rules asked for nothing (no active rule, or no worker of a ruled role under the node).
    """
    total = sum(due.values())
    if not total:
        return None
    return min(1.0, sum(min(counts.get(counter, 0), amount) for counter, amount in due.items()) / total)


def duty_windows(hours: int, period: Period, now: dt.datetime) -> float:
    """How many duty windows of ``hours`` the period holds up to ``now``.

    Counted the way the duty page (``dispatch.selectors.window_start``) cuts time: when ``hours`` divides a day the
    windows are aligned to local midnight and the current one counts in full (as it does on the duty page, where a
    worker is behind until the window's work is done); otherwise windows roll, and a part-window counts as a fraction.
    """
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    elapsed = (min(now, end) - start).total_seconds() / 3600
    if elapsed <= 0:
        return 0.0
    if hours <= 24 and 24 % hours == 0:
        return float(math.ceil(elapsed / hours))
    return elapsed / hours


def _common_prefix(paths: list[str]) -> str:
    parts = [p.split("/")[:-1] for p in paths]
    common: list[str] = []
    for codes in zip(*parts, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return "".join(f"{c}/" for c in common)


def duty_due(paths: list[str], period: Period, *, now: dt.datetime | None = None) -> dict[str, dict[str, float]]:
    """What the active duty rules (履职规则) ask of the workers under each node over the period, per done-counter.

    The duty page's definition (``dispatch.selectors.compliance``), summed: every active membership of a grid-staff
    role that a rule names owes ``rule.count`` of the rule's work in every window of ``rule.hours``
    (:func:`duty_windows`). What was done is the daily counters of :data:`~fengqiao.metrics.counters.DUTY_DONE`
    (patrols by start, visits, diaries by when written, risk reports as events found on patrol), counted in the grid
    where the work was filed. Memberships and rules are today's: the figure for a past period assumes today's staff
    and rules, since neither keeps a history.
    """
    rules = list(
        DutyRule.objects.filter(active=True, role__in=STAFF_ROLES).values_list("role", "what", "count", "hours")
    )
    if not rules or not paths:
        return {}
    now = now or timezone.now()
    per_role: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for role, what, count, hours in rules:
        counter = DUTY_DONE.get(what)
        if counter is not None:
            per_role[role][counter] += count * duty_windows(hours, period, now)
    out: dict[str, dict[str, float]] = {}
    for node, roles in staff_counts(paths, sorted(per_role)).items():
        due = out.setdefault(node, {})
        for role, n in roles.items():
            for counter, amount in per_role[role].items():
                if amount:
                    due[counter] = due.get(counter, 0) + n * amount
    return out


def staff_counts(paths: list[str], roles: list[str]) -> dict[str, dict[str, int]]:
    """Active memberships of ``roles`` at or under each node, per role.

    Siblings' paths have one length, so the database groups by that prefix and returns a row per node and role; a
    city's districts cover every membership of the city (about 100 ms on the ``city`` demo), so above the community
    level the answer is shared by every process for ``FENGQIAO_OPEN_FIGURES_SECONDS``, like the open figures.
    """
    seconds = float(getattr(settings, "FENGQIAO_OPEN_FIGURES_SECONDS", 0))
    key = "staff-counts:" + hashlib.sha1("|".join([*sorted(paths), "#", *roles]).encode()).hexdigest()
    shared = seconds > 0 and min(p.count("/") for p in paths) < Level.COMMUNITY
    if shared:
        hit = caches["shared"].get(key)
        if hit is not None:
            return dict(hit)
    wanted = set(paths)
    members = Membership.objects.filter(active=True, role__in=roles, node_path__startswith=_common_prefix(paths))
    out: dict[str, dict[str, int]] = defaultdict(dict)
    lengths = {len(p) for p in paths}
    if len(lengths) == 1:
        head = Substr("node_path", 1, lengths.pop())
        for row in members.annotate(head=head).values("head", "role").annotate(n=Count("id")).order_by():
            if row["head"] in wanted:
                out[row["head"]][row["role"]] = row["n"]
    else:
        for row in members.values("node_path", "role").annotate(n=Count("id")).order_by():
            for node in scoping.ancestor_paths(row["node_path"]):
                if node in wanted:
                    out[node][row["role"]] = out[node].get(row["role"], 0) + row["n"]
    result = dict(out)
    if shared:
        caches["shared"].set(key, result, seconds)
    return result


def daily_series(path: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows: dict[dt.date, dict[str, Any]] = {
        r["day"]: dict(r)
        for r in DailyGridStat.objects.filter(node_path=path, day__gte=start, day__lte=end).values(
            "day", "reported", "closed", "registered"
        )
    }
    out = []
    day = start
    while day <= end:
        r = rows.get(day, {})
        out.append(
            {
                "day": day,
                "reported": r.get("reported", 0),
                "closed": r.get("closed", 0),
                "registered": r.get("registered", 0),
            }
        )
        day += dt.timedelta(days=1)
    return out


# --- open events, coloured at read time ------------------------------------------------------------------------


@dataclass
class OpenFigures:
    by_child: dict[str, dict[str, int]]
    total: dict[str, int]
    categories: dict[str, int]


def open_figures(*, actor: User, node: GridNode, child_paths: list[str], now: dt.datetime | None = None) -> OpenFigures:
    """Open events under ``node`` per child and colour, and per top-level category: one grouped query.

    Only open events are read (few beside all events); the colour is computed in SQL from their deadlines. Above the
    community level that is still up to every open event of a city, so the answer is remembered for
    ``FENGQIAO_OPEN_FIGURES_SECONDS`` (a big screen refreshes about as often); an explicit ``now`` bypasses it.
    """
    seconds = float(getattr(settings, "FENGQIAO_OPEN_FIGURES_SECONDS", 0))
    if now is None and seconds > 0 and node.level < Level.COMMUNITY:
        if scoping.covers(actor, node.path):
            # Whoever's jurisdiction holds the whole node sees the same figures: one answer shared by every
            # server process, kept warm by the worker (warm_open_figures).
            store, key = caches["shared"], open_figures_key(node.path, child_paths)
        else:
            jurisdiction = scoping.paths_of(actor) or []
            raw = "|".join([node.path, ",".join(jurisdiction), *sorted(child_paths)])
            store, key = cache, "open-figures:" + hashlib.sha1(raw.encode()).hexdigest()
        hit = store.get(key)
        if isinstance(hit, OpenFigures):
            return hit
        result = _open_figures(actor=actor, node=node, child_paths=child_paths, now=timezone.now())
        store.set(key, result, seconds)
        return result
    return _open_figures(actor=actor, node=node, child_paths=child_paths, now=now or timezone.now())


def open_figures_key(path: str, child_paths: list[str]) -> str:
    return "open-figures:" + hashlib.sha1("|".join([path, *sorted(child_paths)]).encode()).hexdigest()


def warm_open_figures() -> int:
    """The worker's job: recompute the city's and districts' open figures into the shared cache before they expire."""
    seconds = float(getattr(settings, "FENGQIAO_OPEN_FIGURES_SECONDS", 0))
    if seconds <= 0:
        return 0
    warmed = 0
    for node in GridNode.objects.filter(level__lte=Level.DISTRICT).defer("geometry"):
        child_paths = list(GridNode.objects.filter(parent=node).values_list("path", flat=True))
        result = _open_figures(actor=None, node=node, child_paths=child_paths, now=timezone.now(), scoped=False)
        caches["shared"].set(open_figures_key(node.path, child_paths), result, seconds * 2)
        warmed += 1
    return warmed


def _category_groups() -> dict[int, str]:
    return {pk: str(parent or name) for pk, name, parent in Category.objects.values_list("pk", "name", "parent__name")}


def _open_figures(
    *, actor: Any, node: GridNode, child_paths: list[str], now: dt.datetime, scoped: bool = True
) -> OpenFigures:
    qs = Event.objects.filter(state__in=OPEN_STATES, grid_path__startswith=node.path)
    if scoped:
        qs = scoping.scope(qs, actor)
    qs = EVENT_CLOCKS.annotate(qs, now, only=["colour"])
    lengths = {len(p) for p in child_paths}
    uniform = len(lengths) == 1
    key = Substr("grid_path", 1, next(iter(lengths))) if uniform else Substr("grid_path", 1, 255)
    rows = (
        # Grouped by category id (no join): names are looked up afterwards from the small catalogue.
        qs.annotate(prefix=key).values("prefix", "colour", "category_id").annotate(n=Count("id")).order_by()
    )
    groups = _category_groups()
    blank = {"open": 0, "orange": 0, "red": 0}
    by_child = {p: dict(blank) for p in child_paths}
    total = dict(blank)
    categories: dict[str, int] = {}
    for row in rows:
        prefix, colour, n = row["prefix"], row["colour"], row["n"]
        cat = groups.get(row["category_id"]) or str(_("未分类"))
        categories[cat] = categories.get(cat, 0) + n
        target = (
            by_child.get(prefix) if uniform else next((by_child[p] for p in child_paths if prefix.startswith(p)), None)
        )
        for bucket in (target, total):
            if bucket is None:
                continue
            bucket["open"] += n
            if colour in ("orange", "red"):
                bucket[colour] += n
    return OpenFigures(by_child=by_child, total=total, categories=categories)


# --- indicators, scores, rankings ------------------------------------------------------------------------------

DEFAULT_INDICATORS = [
    ("discovery", _("排查发现率"), 15, _("网格员巡查发现的事件占上报事件的比例")),
    ("handling", _("办理率"), 20, _("已处置事件占立案事件的比例")),
    ("closure", _("办结率"), 20, _("已办结事件占立案事件的比例")),
    ("on_time", _("按时办结率"), 15, _("在办理时限内处置的事件占办结事件的比例")),
    ("satisfaction", _("满意率"), 20, _("评价为 4–5 星的事件占已评价事件的比例")),
    ("resolution", _("化解率"), 10, _("化解的纠纷占同期排查录入纠纷的比例")),
    ("ack_on_time", _("指令按时签收率"), 5, _("在指令完成期限前签收的人数占期限到时应签收人数的比例")),
    ("duty", _("巡查履职率"), 5, _("按履职规则应完成的巡查、走访、日志、风险上报中已完成的比例")),
]


def indicators() -> list[tuple[str, str, float]]:
    """Active indicators (code, name, weight); the defaults where none are configured."""
    rows = list(Indicator.objects.filter(active=True).values_list("code", "name", "weight"))
    if rows:
        return [(c, n, float(w)) for c, n, w in rows]
    return [(c, str(n), float(w)) for c, n, w, _d in DEFAULT_INDICATORS]


def score(figures: Figures, weights: list[tuple[str, str, float]] | None = None) -> float | None:
    """Composite score 0–100: the weighted mean of the indicators that have a value (no data is not zero)."""
    weights = weights if weights is not None else indicators()
    rates = figures.rates
    num = den = 0.0
    for code, _name, weight in weights:
        value = rates.get(code)
        if value is None or weight <= 0:
            continue
        num += weight * value
        den += weight
    return round(100 * num / den, 1) if den else None


@dataclass
class Ranked:
    code: str
    name: str
    path: str
    level: int
    figures: Figures
    score: float | None
    rank: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def rank(items: list[Ranked]) -> list[Ranked]:
    """Best score first; units with no score last; equal scores share a rank."""
    items.sort(key=lambda r: (r.score is None, -(r.score or 0), r.code))
    previous: float | None = None
    for i, item in enumerate(items, start=1):
        item.rank = items[i - 2].rank if i > 1 and item.score == previous and item.score is not None else i
        previous = item.score
    return items


def by_village_share(items: list[Ranked]) -> list[Ranked]:
    """The same units, highest village share (四事分办 村内化解率) first; units that closed nothing last."""
    return sorted(
        items, key=lambda r: (r.figures.tiers.village_share is None, -(r.figures.tiers.village_share or 0), r.rank)
    )


def children_ranking(*, actor: User, node: GridNode, period: Period) -> list[Ranked]:
    """The node's children (the actor may see) ranked by composite score over the period."""
    children = list(grid_selectors.node_children(actor=actor, node=node).only("code", "name", "path", "level"))
    figures = stats([c.path for c in children], period)
    weights = indicators()
    names = full_names(children)
    return rank(
        [
            Ranked(c.code, names[c.path], c.path, c.level, figures[c.path], score(figures[c.path], weights))
            for c in children
        ]
    )


WORKER_ROLES = (Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER)


def worker_ranking(*, actor: User, node: GridNode, period: Period, limit: int = 500) -> list[Ranked]:
    """Grid workers serving under ``node`` ranked by the score of the grids they serve (streets and below)."""
    if node.level < Level.STREET:
        return []
    memberships = (
        scoping.scope(Membership.objects.filter(active=True, role__in=WORKER_ROLES), actor)
        .filter(node_path__startswith=node.path)
        .select_related("user", "node")
        .order_by("user_id")[: limit * 3]
    )
    per_user: dict[int, tuple[Any, list[GridNode]]] = {}
    for m in memberships:
        per_user.setdefault(m.user_id, (m.user, []))[1].append(m.node)
    paths = sorted({n.path for _u, nodes in per_user.values() for n in nodes})
    names = full_names(n for _u, nodes in per_user.values() for n in nodes)
    figures = stats(paths, period)
    weights = indicators()
    items = []
    for user, nodes in list(per_user.values())[:limit]:
        total = Figures()
        for n in nodes:
            for k, v in figures[n.path].counts.items():
                total.counts[k] += v
            for k, v in figures[n.path].duty_due.items():
                total.duty_due[k] = total.duty_due.get(k, 0) + v
        items.append(
            Ranked(
                user.username,
                user.display_name,
                nodes[0].path,
                nodes[0].level,
                total,
                score(total, weights),
                extra={"grids": "、".join(names[n.path] for n in nodes)},
            )
        )
    return rank(items)
