"""Demo points (积分制) and love supermarkets (爱心超市): in every community with a centre, the Xilin rules, a few
residents who registered by the QR code, their awards confirmed by a grid worker, a redemption, and a shelf of daily
goods; all through the real commands, so ledgers, balances and the audit trail agree."""

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
from fengqiao.participation.models import Participant, Rule

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
    for m in Membership.objects.filter(role__in=selectors.FIELD_ROLES, active=True).select_related("user"):
        workers.setdefault(m.node_path, m.user)
    done = 0
    for community in GridNode.objects.filter(level=Level.COMMUNITY, points_scheme__isnull=True).order_by("path"):
        centre = next((centres[p] for p in reversed(scoping.ancestor_paths(community.path)) if p in centres), None)
        if centre is None:
            continue
        worker = next((u for p, u in workers.items() if p.startswith(community.path)), centre)
        with transaction.atomic():
            _community(rnd, community, centre, worker, now, done)
        done += 1
    if stdout is not None:
        stdout.write(f"  居民积分和爱心超市：{done} 个社区")
    return done


def _community(rnd: random.Random, community: GridNode, centre: Any, worker: Any, now: dt.datetime, n: int) -> None:
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
