"""Months of demo events for a loaded demo city: every state of the closed loop, with a consistent audit trail.

Rows are written in bulk (events, their audit rows, their clocks) so the `city` scale can hold millions of events for
benchmarks. Each event walks the same steps the services would take, with realistic delays; some overrun their
deadlines so the colours look like a real centre's. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.codes import demo_tracking_code
from fengqiao.core.deadlines import CREATE
from fengqiao.core.models import Action
from fengqiao.core.scoping import ancestor_paths
from fengqiao.events import tiers
from fengqiao.events.clocks import EVENT_CLOCKS
from fengqiao.events.models import Category, Event, Source
from fengqiao.events.workflow import OPEN_STATES
from fengqiao.grids.models import GridNode, Level

TEXTS = {
    "0101": ["楼上装修噪音扰民，协商未果", "邻居在楼道堆放杂物，双方发生争执", "楼上卫生间漏水到楼下，邻里矛盾"],
    "0102": ["夫妻因家务琐事争吵，需要调解", "兄弟几人因赡养老人产生矛盾"],
    "0103": ["工地拖欠农民工工资三个月", "公司未按时发放工资，员工聚集讨薪"],
    "0104": ["两户宅基地边界有争议", "承包地界址不清引发纠纷"],
    "0201": ["小区夜间有人聚众喧哗", "发现可疑人员在楼道徘徊"],
    "0202": ["疑似有人聚众赌博"],
    "0301": ["楼道堆放杂物堵塞消防通道", "消防栓损坏无水", "灭火器过期未更换"],
    "0302": ["闻到燃气泄漏味道", "餐馆液化气罐违规存放"],
    "0303": ["电动车在楼道充电", "居民飞线给电动车充电", "电瓶车推进电梯"],
    "0304": ["老旧楼房墙体开裂", "广告牌松动有坠落危险"],
    "0401": ["路边摆摊占道经营", "商户出店经营占用人行道"],
    "0402": ["楼顶私搭乱建", "小区绿地被圈占搭建"],
    "0403": ["垃圾桶满溢无人清运", "路口垃圾堆积", "乱贴小广告"],
    "0404": ["井盖丢失存在安全隐患", "路灯不亮", "人行道砖松动"],
    "0501": ["夜间施工噪音扰民", "广场舞音响声音过大"],
    "0502": ["焚烧垃圾冒黑烟", "餐馆油烟扰民"],
    "0601": ["独居老人需要帮助", "残疾人家庭求助"],
    "0602": ["小区停水未通知", "暖气不热"],
    "0701": ["电梯故障多日无人维修", "物业乱收停车费"],
    "0801": ["咨询居住证办理流程", "咨询社保缴纳政策"],
    "0802": ["投诉窗口办事效率低"],
    "0803": ["建议增设公交站点", "建议小区增加充电桩"],
}


def _code(rng: random.Random, day: dt.date, used: set[str]) -> str:
    """A tracking code not drawn before in this run nor stored already (a million events share few days)."""
    return demo_tracking_code("E", rng, day, used)


STAGE = EVENT_CLOCKS.clocks[0]


def _hours(amount: float, unit: str) -> float:
    return amount * (24 if unit == "workdays" else 1)


def generate_events(*, count: int, months: int = 6, seed: int = 20261124, stdout: Any = None, batch: int = 5000) -> int:
    """Create ``count`` events over the past ``months`` in the loaded demo city; returns the number written."""
    say: Callable[[str], None] = (lambda text: stdout.write(text)) if stdout is not None else (lambda text: None)
    if count <= 0:
        return 0
    rng = random.Random(seed)
    # Most matters are small and settled in the grid or the community (the seeds' 70%); a few township matters were
    # escalated to the county, so the district centres own work too (drawn apart from the rest of the city).
    escalated = random.Random(seed + 1)
    started = time.monotonic()
    grids = list(
        GridNode.objects.filter(level__in=[Level.GRID, Level.MICRO]).values_list(
            "id", "path", "centroid_lon", "centroid_lat", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )
    categories = list(Category.objects.filter(active=True, parent__isnull=False))
    weights = [{"grid": 8, "community": 4}.get(c.tier, 1) for c in categories]
    if not grids or not categories:
        say("没有网格或事件分类，跳过演示事件。\n")
        return 0
    departments: dict[tuple[str, str], int] = {}
    for dept in Department.objects.values("id", "node_path", "kind"):
        departments.setdefault((dept["node_path"], dept["kind"]), dept["id"])
    dispatchers = {
        m.node_path: (m.user_id, m.user.display_name)
        for m in Membership.objects.filter(role=Role.DISPATCHER).select_related("user")
    }
    handlers = {
        m.department_id: (m.user_id, m.user.display_name)
        for m in Membership.objects.filter(role=Role.HANDLER, department__isnull=False).select_related("user")
    }
    # The centres (community and above) by path: each event is owned by the centre of its tier (events.tiers).
    centres = dict(
        GridNode.objects.filter(level__lte=tiers.LOWEST_CENTRE).values_list("path", "id").iterator(chunk_size=20_000)
    )
    levels = dict(GridNode.objects.filter(level__lte=tiers.LOWEST_CENTRE).values_list("path", "level"))
    event_type = ContentType.objects.get_for_model(Event)
    now = timezone.now()
    span = dt.timedelta(days=30 * months)
    sources = [Source.PATROL] * 5 + [Source.RESIDENT] * 3 + [Source.HOTLINE] * 2 + [Source.IOT]
    written = 0
    used: set[str] = set(Event.objects.values_list("tracking_code", flat=True).iterator(chunk_size=20_000))

    for start in range(0, count, batch):
        size = min(batch, count - start)
        events: list[Event] = []
        plans: list[list[tuple[str, str, str, dt.datetime, int | None, str, str]]] = []
        for _ in range(size):
            grid_id, path, clon, clat, x0, y0, x1, y1 = rng.choice(grids)
            cat = rng.choices(categories, weights)[0]
            age = span * (rng.random() ** 1.1)  # slightly more recent events than old ones
            reported = now - age
            chain = ancestor_paths(path)[::-1]  # nearest first
            dispatcher = next((dispatchers[p] for p in chain if p in dispatchers), (None, "综治中心"))
            dept_id = next(
                (departments[(p, cat.department_kind)] for p in chain if (p, cat.department_kind) in departments), None
            )
            handler = handlers.get(dept_id, (None, "办理人")) if dept_id else (None, "")
            lon = rng.uniform(x0, x1) if x0 is not None and x1 is not None else clon
            lat = rng.uniform(y0, y1) if y0 is not None and y1 is not None else clat
            in_grid = cat.tier == "grid" or dept_id is None
            # Handled in the grid: 小事网格办; a few township matters went up to the county (难事县级协调办).
            tier = "grid" if in_grid else ("county" if cat.tier == "street" and escalated.random() < 0.2 else cat.tier)
            steps = (
                ["report", "register"]
                + (["handle_in_grid"] if in_grid else ["route", "sign", "start", "handle"])
                + ["verify", "close", "rate"]
            )
            # Older events have gone further; a few stall anywhere.
            progress = min(1.0, age / dt.timedelta(days=rng.uniform(2, 20)))
            reached = max(1, min(len(steps), round(progress * len(steps)) + (1 if rng.random() < 0.3 else 0)))
            if rng.random() < 0.03:
                steps, reached = ["report", "reject"], 2
            t = reported
            trail = []
            state = "reported"
            target = {
                "report": "reported",
                "register": "registered",
                "reject": "not_registered",
                "route": "routed",
                "sign": "signed",
                "start": "in_progress",
                "handle": "handled",
                "handle_in_grid": "handled",
                "verify": "verified",
                "close": "closed",
                "rate": "closed",
            }
            for verb in steps[:reached]:
                if verb != "report":
                    delay_h = {
                        "register": rng.expovariate(1 / 1.5),
                        "route": rng.expovariate(1 / 1.0),
                        "sign": rng.expovariate(1 / 1.5),
                        "start": rng.expovariate(1 / 3),
                        "handle": rng.expovariate(1 / (_hours(cat.handle_amount, cat.handle_unit) * 0.6)),
                        "handle_in_grid": rng.expovariate(1 / 12),
                        "verify": rng.expovariate(1 / 8),
                        "close": rng.expovariate(1 / 2),
                        "rate": rng.expovariate(1 / 24),
                        "reject": rng.expovariate(1 / 2),
                    }[verb]
                    nxt = t + dt.timedelta(hours=delay_h)
                    if nxt > now:
                        break
                    t = nxt
                actor = handler if verb in ("sign", "start", "handle") else dispatcher
                if verb == "rate":
                    actor = (None, "")
                trail.append((verb, state, target[verb], t, actor[0], actor[1], ""))
                state = target[verb]
            stars = None
            if state == "closed" and trail[-1][0] == "rate":
                stars = rng.choices([5, 4, 3, 2, 1], weights=[70, 20, 6, 3, 1])[0]
            event = Event(
                tracking_code=_code(rng, reported.date(), used),
                grid_id=grid_id,
                grid_path=path,
                category=cat,
                source=rng.choice(sources),
                description=rng.choice(TEXTS.get(cat.code, [cat.name])),
                lon=lon,
                lat=lat,
                reporter_name="",
                state=state,
                tier=tier,
                owner_node_id=next(
                    (centres[p] for p in chain if p in centres and levels[p] <= tiers.centre_level(tier)), None
                ),
                lead_department_id=dept_id if not in_grid and state not in ("reported", "registered") else None,
                result="已处置完毕" if state in ("handled", "verified", "closed") else "",
                stars=stars,
                rating_comment="",
                reported_at=reported,
                registered_at=next((s[3] for s in trail if s[0] == "register"), None),
                handled_at=next((s[3] for s in trail if s[0] in ("handle", "handle_in_grid")), None),
                closed_at=next((s[3] for s in trail if s[0] == "close"), None),
                reason="经核实不属于受理范围" if state == "not_registered" else "",
            )
            if state in OPEN_STATES:
                # The clock runs as the workflow started it (events.clocks); most open work is still inside its
                # deadline, about a quarter has run over (orange or red).
                starter = next(verb for verb, *_rest in reversed(trail) if verb == "report" or verb in STAGE.starts)
                key = CREATE if starter == "report" else starter
                amount, unit = STAGE.starts[key](event)
                if rng.random() < 0.75:
                    t = max(t, now - dt.timedelta(hours=rng.uniform(0, 0.95) * _hours(amount, unit)))
                EVENT_CLOCKS.start(event, key, t)
            events.append(event)
            plans.append(trail)
        with transaction.atomic():
            Event.objects.bulk_create(events, batch_size=2000)
            if events[0].pk is None:  # backends that do not return ids
                codes = [e.tracking_code for e in events]
                ids = dict(Event.objects.filter(tracking_code__in=codes).values_list("tracking_code", "id"))
                for e in events:
                    e.pk = ids[e.tracking_code]
            actions = [
                Action(
                    at=at,
                    actor_id=actor_id,
                    actor_name=name,
                    verb=verb,
                    content_type=event_type,
                    object_id=str(e.pk),
                    object_repr=e.tracking_code,
                    workflow="event",
                    from_state="" if verb == "report" else src,
                    to_state=dst,
                    note="",
                    data={},
                    grid_path=e.grid_path,
                )
                for e, trail in zip(events, plans, strict=True)
                for verb, src, dst, at, actor_id, name, _note in trail
            ]
            Action.objects.bulk_create(actions, batch_size=5000)
        written += size
        if written % 50_000 == 0 or written == count:
            say(f"  演示事件 {written:,}/{count:,}（{time.monotonic() - started:.0f} s）\n")
    whistled = generate_whistles(seed=seed, limit=min(30, max(1, count // 100)), now=now)
    if whistled:
        say(f"  吹哨报到 {whistled} 条\n")
    return written


def generate_whistles(*, seed: int, limit: int = 30, now: dt.datetime | None = None) -> int:
    """吹哨报到 on some open routed demo events: another department of the area is called to each through the real
    services, and has signed, come and reported back as far as its clock allows; returns the rows written."""
    from fengqiao.accounts.selectors import handlers_of, members_above
    from fengqiao.events import whistles

    rng = random.Random(seed + 130)
    now = now or timezone.now()
    written = 0
    candidates = (
        Event.objects.filter(state__in=whistles.WHISTLE_STATES, lead_department__isnull=False, summonses__isnull=True)
        .exclude(registered_at__isnull=True)
        .select_related("grid", "category")
        .order_by("-reported_at")[: limit * 4]
    )
    for event in candidates:
        if written >= limit:
            break
        others = [
            d
            for d in Department.objects.filter(active=True, node_path__in=ancestor_paths(event.grid_path)).order_by(
                "pk"
            )
            if d.pk != event.lead_department_id and handlers_of(d)
        ]
        # Whistled by a centre that may act at the event's tier (its owning centre or one above it).
        centre = [u for u in members_above(event.grid_path, [Role.DISPATCHER]) if tiers.may_act_at_level(u, event)]
        if not others or not centre:
            continue
        dept = rng.choice(others)
        handler = handlers_of(dept)[0]
        blown = min(now, (event.registered_at or event.reported_at) + dt.timedelta(hours=rng.uniform(0.2, 2)))
        (row,) = whistles.blow_whistle(actor=centre[0], event=event, departments=[dept], now=blown)
        written += 1
        signed = blown + dt.timedelta(hours=rng.expovariate(1 / 1.5))
        if signed > now or rng.random() < 0.15:
            continue
        whistles.sign_summons(actor=handler, summons=row, now=signed)
        whistles.arrange_summons(actor=handler, summons=row, attendee=handler.display_name, arrive_at=signed)
        reported = signed + dt.timedelta(hours=rng.expovariate(1 / 10))
        if reported > now or rng.random() < 0.2:
            continue
        whistles.report_summons(actor=handler, summons=row, report="已到场配合处置", now=reported)
    return written
