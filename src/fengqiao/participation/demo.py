"""Demo points (积分制) and love supermarkets (爱心超市): in every community with a centre, the Xilin rules, a few
residents who registered by the QR code, their awards confirmed by a grid worker, a redemption, and a shelf of daily
goods; its volunteer teams, group patrol slots every three days (the past ones recorded with who came and their
points, the coming ones open to claim), a volunteer task, and the quarterly review of its party members; all through
the real commands, so ledgers, balances, claims and the audit trail agree."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role
from fengqiao.core import scoping
from fengqiao.core.errors import DomainError
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import selectors, services
from fengqiao.participation.models import Participant, Review, Rule, Task, Team

# 西林村: 遵守村规民约记10分，参与治安巡逻记10分，卫生清洁记10分，外出务工记5分，自主创业记5分.
RULES = [
    ("遵守村规民约", 10, Rule.Confirmer.GRID, Rule.Period.MONTH, 1),
    ("参与治安巡逻", 10, Rule.Confirmer.GRID, Rule.Period.DAY, 1),
    ("卫生清洁", 10, Rule.Confirmer.GRID, Rule.Period.WEEK, 2),
    ("外出务工", 5, Rule.Confirmer.CENTRE, Rule.Period.MONTH, 1),
    ("自主创业", 5, Rule.Confirmer.CENTRE, Rule.Period.MONTH, 1),
]
ITEMS = [("洗衣粉", 20, 30), ("食用油 1.8 升", 60, 12), ("大米 5 斤", 40, 20), ("毛巾", 15, 40), ("肥皂", 8, 50)]
RESIDENTS = [
    ("王秀英", Participant.Kind.RESIDENT),
    ("李建国", Participant.Kind.PARTY_MEMBER),
    ("张桂兰", Participant.Kind.FIVE_ELDERS),
    ("刘志强", Participant.Kind.RED_ARMBAND),
]


def generate_participation(*, seed: int, stdout: Any = None) -> int:
    """Schemes for every community with a centre above it; returns how many communities got one."""
    rnd = random.Random(seed + 140)
    now = timezone.now()
    centres = {
        m.node_path: m.user
        for m in Membership.objects.filter(role=Role.DISPATCHER, active=True).select_related("user").order_by("pk")
    }
    workers: dict[str, Any] = {}
    for m in (
        Membership.objects.filter(role__in=selectors.FIELD_ROLES, active=True)
        .select_related("user")
        .order_by("node_path", "pk")
    ):
        workers.setdefault(m.node_path, m.user)
    done = 0
    for community in GridNode.objects.filter(level=Level.COMMUNITY, points_scheme__isnull=True).order_by("path"):
        centre = next((centres[p] for p in reversed(scoping.ancestor_paths(community.path)) if p in centres), None)
        if centre is None:
            continue
        worker = next((u for p, u in workers.items() if p.startswith(community.path)), centre)
        grid = next(
            (g for g in GridNode.objects.filter(level=Level.GRID, path__startswith=community.path).order_by("path")),
            None,
        )
        recorder = next((u for p, u in workers.items() if grid is not None and grid.path.startswith(p)), centre)
        with transaction.atomic():
            people = _community(rnd, community, centre, worker, now, done)
            if grid is not None:
                _teams_and_tasks(rnd, community, grid, centre, recorder, people, now)
        done += 1
    if stdout is not None:
        stdout.write(f"  居民积分和爱心超市：{done} 个社区")
    return done


def _community(
    rnd: random.Random, community: GridNode, centre: Any, worker: Any, now: dt.datetime, n: int
) -> list[Participant]:
    scheme = services.open_scheme(actor=centre, community=community)
    rules = [
        services.add_rule(
            actor=centre, scheme=scheme, label=label, points=points, confirmer=confirmer, period=period, limit=limit
        )
        for label, points, confirmer, period, limit in RULES
    ]
    items = [
        services.add_item(actor=centre, scheme=scheme, name=name, price=price, stock=stock)
        for name, price, stock in ITEMS
    ]
    people = []
    for i, (name, kind) in enumerate(RESIDENTS[: rnd.randint(2, len(RESIDENTS))]):
        participant, _code = services.register_participant(
            scheme=scheme,
            data=services.ParticipantForm(
                name=name,
                phone=f"137{n % 10000:04d}{i:04d}",
                kind=kind,
                party_unit="区住建局机关党支部" if kind == Participant.Kind.PARTY_MEMBER else "",
                consent=True,
            ),
            now=now - dt.timedelta(days=40),
        )
        for days in range(rnd.randint(2, 6)):
            rule = rules[rnd.randrange(3)]
            when = now - dt.timedelta(days=30 - days * 5, hours=rnd.randint(0, 8))
            try:
                services.award(actor=worker, participant=participant, rule=rule, note="", now=when)
            except DomainError:  # the rule's period limit: a real confirmer would be refused too
                continue
        if i == 0:
            services.award(actor=centre, participant=participant, rule=rules[3], now=now - dt.timedelta(days=3))
        participant.refresh_from_db()
        cheapest = min(items, key=lambda item: item.price)
        if participant.balance >= cheapest.price:
            services.redeem(actor=worker, participant=participant, item=cheapest, quantity=1)
        people.append(participant)
    return people


SEEN = ["巡查沿街商铺，未发现异常。", "发现一处楼道堆放杂物，已提醒住户清理。", "路灯两盏不亮，已上报。"]


def _teams_and_tasks(
    rnd: random.Random,
    community: GridNode,
    grid: GridNode,
    centre: Any,
    recorder: Any,
    people: list[Participant],
    now: dt.datetime,
) -> None:
    """红袖章巡逻队 with everyone, 十人一组、三天一巡 in the community's first grid: three walked and recorded, two
    coming; a volunteer task done and one open; the party members' reviews for the last and the current quarter."""
    scheme = people[0].scheme
    patrol_rule = selectors.rules_of(scheme).get(label="参与治安巡逻")
    clean_rule = selectors.rules_of(scheme).get(label="卫生清洁")
    team = services.add_team(actor=centre, scheme=scheme, name="红袖章巡逻队", kind=Team.Kind.PATROL)
    services.set_team_members(actor=centre, team=team, members=[p.pk for p in people], leader=people[0].pk)
    services.add_team(actor=centre, scheme=scheme, name="五老调解队", kind=Team.Kind.ELDERS)
    today = timezone.localtime(now).replace(hour=19, minute=0, second=0, microsecond=0)
    slots = [(Task.Kind.PATROL, "晚间治安巡逻", today + dt.timedelta(days=d), patrol_rule) for d in (-9, -6, -3, 1, 4)]
    slots += [
        (Task.Kind.TASK, "小区环境清洁日", today - dt.timedelta(days=5, hours=10), clean_rule),
        (Task.Kind.TASK, "楼道杂物清理", today + dt.timedelta(days=2, hours=-10), clean_rule),
    ]
    for kind, title, starts, rule in slots:
        task = services.post_task(
            actor=centre,
            scheme=scheme,
            data=services.TaskForm(
                kind=kind,
                title=title,
                place=f"{grid.name}主路" if kind == Task.Kind.PATROL else f"{community.name}活动中心",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                places=10,
                grid=grid,
                rule=rule,
                team=team if kind == Task.Kind.PATROL else None,
            ),
            now=min(now, starts) - dt.timedelta(days=2),
        )
        claimants = people if starts < now else people[: max(1, len(people) // 2)]
        for p in claimants:
            services.claim_task(participant=p, task=task, now=starts - dt.timedelta(days=1))
        if starts < now:
            came = [p.pk for p in claimants if rnd.random() < 0.8]
            services.record_task(
                actor=recorder, task=task, present=came, seen=rnd.choice(SEEN), now=starts + dt.timedelta(hours=2)
            )
    year, quarter = selectors.quarter_of(now)
    last = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    for p in people:
        if p.kind != Participant.Kind.PARTY_MEMBER:
            continue
        for (y, q), grade in ((last, Review.Grade.GOOD), ((year, quarter), Review.Grade.FAIR_GOOD)):
            services.review_party_member(
                actor=centre,
                participant=p,
                year=y,
                quarter=q,
                grade=grade,
                comment="按时参加巡逻，服务居民热情。",
                now=now,
            )
