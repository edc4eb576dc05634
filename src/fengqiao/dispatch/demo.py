"""Demo data for command and dispatch: duty rules, and the last weeks of patrols, household visits, work diaries and
district instructions with their acknowledgements, so the duty page and the assessment's "acknowledged on time" and
"duty compliance" figures have something true to show.

Rows are written with ``bulk_create``, past the signals that keep the daily counters; ``fengqiao demo`` rebuilds
the counters afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role
from fengqiao.dispatch import selectors
from fengqiao.dispatch.models import (
    Diary,
    DutyRule,
    Instruction,
    InstructionTarget,
    Patrol,
    Receipt,
    Screening,
    Visit,
)
from fengqiao.grids.models import GridNode, Level

# (role, what, count, every hours): 两巡一记 for full-time workers, a visit a day for part-time workers.
DEMO_RULES = [
    (Role.GRID_WORKER, DutyRule.What.PATROL, 2, 24),
    (Role.GRID_WORKER, DutyRule.What.DIARY, 1, 24),
    (Role.PART_TIME_WORKER, DutyRule.What.VISIT, 1, 24),
    (Role.GRID_WORKER, DutyRule.What.SCREENING, 1, 24 * 30),  # a screening a month, a zero report when none found
]
INSTRUCTIONS = [
    ("开展电动车入户充电隐患排查", "请各网格员对辖区楼栋逐户排查电动车入户、飞线充电情况，发现隐患当场劝导并上报。"),
    ("寒潮防范：走访独居老人", "寒潮来临，请逐户走访辖区独居、空巢老人，确认取暖安全，登记困难诉求。"),
    ("燃气安全专项检查", "配合燃气公司开展入户安全检查，重点查看软管老化、私接乱改等问题。"),
    ("矛盾纠纷集中排查化解", "开展矛盾纠纷大排查，对排查出的纠纷当日登记，能就地化解的就地化解。"),
    ("文明城市创建环境整治", "清理楼道堆物、小广告和背街小巷垃圾，整治情况拍照上报。"),
    ("防范电信诈骗宣传进万家", "向居民发放防诈宣传单，重点提醒老年人不要向陌生账户转账。"),
]
MAX_WORKERS = 3000  # enough for the small and medium demos; the city demo has no history


def generate_dispatch(*, seed: int, days: int = 28, stdout: Any = None) -> int:
    """Duty rules plus ``days`` days of duty work and instructions; returns the rows written."""
    if days <= 0:
        return 0
    rng = random.Random(seed + 7)
    now = timezone.now()
    today = timezone.localdate()
    written = 0
    with transaction.atomic():
        for role, what, count, hours in DEMO_RULES:
            DutyRule.objects.get_or_create(role=role, what=what, defaults={"count": count, "hours": hours})
        members = list(
            Membership.objects.filter(
                active=True, role__in=[Role.GRID_WORKER, Role.PART_TIME_WORKER], node__level__gte=Level.GRID
            )
            .select_related("node")
            .order_by("id")[:MAX_WORKERS]
        )
        patrols: list[Patrol] = []
        visits: list[Visit] = []
        diaries: list[Diary] = []
        for m in members:
            diligence = rng.choice([0.98, 0.95, 0.9, 0.85, 0.7, 0.5])  # some workers keep up, some fall behind
            node = m.node
            lon = node.centroid_lon if node.centroid_lon is not None else 113.65
            lat = node.centroid_lat if node.centroid_lat is not None else 34.75
            for back in range(days, -1, -1):  # up to now: today's later work is still to come
                day = today - dt.timedelta(days=back)
                base = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
                if m.role == Role.GRID_WORKER:
                    for k in range(2):
                        if rng.random() < diligence:
                            start = base + dt.timedelta(hours=1 + k * 5 + rng.random() * 2)
                            if start + dt.timedelta(hours=2) > now:
                                continue
                            patrols.append(
                                Patrol(
                                    grid=node,
                                    grid_path=node.path,
                                    worker_id=m.user_id,
                                    started_at=start,
                                    ended_at=start + dt.timedelta(minutes=40 + rng.randint(0, 50)),
                                    points_count=rng.randint(20, 90),
                                    distance_m=round(rng.uniform(800, 4200), 1),
                                    note="巡查楼院、沿街商铺，未发现异常。",
                                )
                            )
                    if rng.random() < diligence and base + dt.timedelta(hours=10) < now:
                        diaries.append(
                            Diary(
                                grid=node,
                                grid_path=node.path,
                                worker_id=m.user_id,
                                day=day,
                                text="上午巡查网格，下午入户走访，记录居民诉求并跟进。",
                                written_at=base + dt.timedelta(hours=10),
                            )
                        )
                elif rng.random() < diligence and base + dt.timedelta(hours=8) < now:
                    visits.append(
                        Visit(
                            grid=node,
                            grid_path=node.path,
                            worker_id=m.user_id,
                            visited_at=base + dt.timedelta(hours=2 + rng.random() * 6),
                            address=f"{node.name}{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元",
                            note="了解家庭情况，宣传防诈骗和消防安全知识。",
                            lon=lon,
                            lat=lat,
                        )
                    )
        Patrol.objects.bulk_create(patrols, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=2000)
        Diary.objects.bulk_create(diaries, batch_size=2000)
        screenings = _screenings(rng, members, today, days)
        Screening.objects.bulk_create(screenings, batch_size=2000, ignore_conflicts=True)
        written += len(patrols) + len(visits) + len(diaries) + len(screenings)
        written += _instructions(rng, now, days)
    if stdout is not None:
        stdout.write(
            f"  巡查 {len(patrols):,}，走访 {len(visits):,}，民情日志 {len(diaries):,}，矛盾排查 {len(screenings):,}"
        )
    return written


def _screenings(rng: random.Random, members: list[Membership], today: dt.date, days: int) -> list[Screening]:
    """Each full-time worker's monthly dispute screening (排查) of their grid, most months: about half find nothing
    and say so (零报告); a few grids have not reported this month yet, as the screening list shows."""
    months: list[dt.date] = []
    day = today.replace(day=1)
    while True:
        months.append(day)
        if (today - day).days >= days:
            break
        day = (day - dt.timedelta(days=1)).replace(day=1)
    rows: list[Screening] = []
    for m in members:
        if m.role != Role.GRID_WORKER:
            continue
        for first in months:
            current = first == today.replace(day=1)
            if rng.random() < (0.75 if current else 0.97):
                end = today if current else (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                found = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
                rows.append(
                    Screening(
                        grid=m.node,
                        grid_path=m.node.path,
                        worker_id=m.user_id,
                        period_start=first,
                        period_end=end,
                        found=found,
                        none_found=found == 0,
                        note="走访楼院、商铺，排查邻里、家庭、劳资等矛盾纠纷。",
                        recorded_at=min(timezone.now(), timezone.make_aware(dt.datetime.combine(end, dt.time(17, 0)))),
                    )
                )
    return rows


def _instructions(rng: random.Random, now: dt.datetime, days: int) -> int:
    """A few district instructions over the period, most acknowledged in time, some late, some not at all."""
    senders = list(
        Membership.objects.filter(active=True, role=Role.DISPATCHER, node__level=Level.DISTRICT)
        .select_related("user", "node")
        .order_by("id")
    )
    written = 0
    for sender in senders:
        district: GridNode = sender.node
        for i, (title, body) in enumerate(INSTRUCTIONS):
            created = now - dt.timedelta(days=days - 1 - i * (days // len(INSTRUCTIONS)), hours=rng.randint(0, 6))
            deadline = created + dt.timedelta(hours=24)
            instruction = Instruction.objects.create(
                sender=sender.user,
                sender_name=sender.user.display_name,
                title=title,
                body=body,
                deadline=deadline,
                requires_ack=True,
                scope_path=district.path,
                target_names=district.name,
                created_at=created,
            )
            InstructionTarget.objects.create(instruction=instruction, node=district, path=district.path)
            # Everyone the instruction reached (one node per person), as the inbox and tracking see them.
            addressees = dict(
                selectors.addressees(instruction).order_by("-node_path").values_list("user_id", "node_path")
            )
            receipts = []
            for user_id, node_path in addressees.items():
                roll = rng.random()
                if roll < 0.06:
                    continue  # not acknowledged at all
                late = roll < 0.16
                at = created + dt.timedelta(hours=rng.uniform(25, 60) if late else rng.uniform(0.2, 20))
                if at > now:
                    continue
                receipts.append(
                    Receipt(
                        instruction=instruction,
                        user_id=user_id,
                        node_path=node_path,
                        read_at=at - dt.timedelta(minutes=rng.randint(1, 30)),
                        acknowledged_at=at,
                    )
                )
            Receipt.objects.bulk_create(receipts, batch_size=2000)
            written += 2 + len(receipts)
    from fengqiao.dispatch.services import count_acknowledgements_due

    while count_acknowledgements_due(now=now):  # who owed an acknowledgement at each passed deadline
        pass
    return written
