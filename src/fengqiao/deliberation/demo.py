"""Demo deliberation (议事协商) and notice boards (三务公开): in every community with a points scheme, residents bound
to households of its first grid, topics in several states (one carried out and rated, one in the vote, one with its
meeting held, one just raised, one declined) and a notice board with a few notices, one withdrawn; all through the
real commands, so states, clocks, points and the audit trail agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role
from fengqiao.core import scoping
from fengqiao.deliberation import selectors, services
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import services as points
from fengqiao.participation.models import Participant, Rule, Scheme
from fengqiao.people.models import Building, Household, Room

NOTICES = [
    (
        "affairs",
        "关于小区加装电梯意见征集的公示",
        "根据居民议事会决定，现将加装电梯方案公示七天，如有意见请到社区综治中心反映。",
    ),
    (
        "finance",
        "本季度村（居）务收支情况",
        "本季度收入：上级转移支付 8.6 万元，集体资产租金 3.2 万元；支出：环境整治 4.1 万元，慰问困难群众 1.2 万元。",
    ),
    ("party", "党员“双报到”活动安排", "本月第二个周六上午开展党员志愿服务，在职党员请到党群服务中心签到。"),
    ("finance", "上月低保资金发放明细", "明细已在公示栏张贴，共 12 户。"),
]


def generate_deliberation(*, seed: int, stdout: Any = None) -> int:
    """Topics and notice boards for every community with a points scheme; returns how many got them."""
    now = timezone.now()
    centres = {
        m.node_path: m.user
        for m in Membership.objects.filter(role=Role.DISPATCHER, active=True).select_related("user").order_by("pk")
    }
    done = 0
    for scheme in Scheme.objects.select_related("community").order_by("community_path"):
        community = scheme.community
        if selectors.public_topics(community).exists():
            continue
        centre = next((centres[p] for p in reversed(scoping.ancestor_paths(community.path)) if p in centres), None)
        grid = GridNode.objects.filter(path__startswith=community.path, level=Level.GRID).order_by("path").first()
        residents = list(Participant.objects.filter(scheme=scheme).order_by("pk")[:4])
        if centre is None or grid is None or len(residents) < 2:
            continue
        with transaction.atomic():
            _community(scheme, community, grid, centre, residents, now, done)
        done += 1
    if stdout is not None:
        stdout.write(f"  议事协商和三务公开：{done} 个社区")
    return done


def _households(grid: GridNode, n: int) -> list[Household]:
    homes = list(Household.objects.filter(grid_path__startswith=grid.path).order_by("pk")[:n])
    if len(homes) < n:
        building = Building.objects.create(grid=grid, code=f"YS{grid.code}", name="议事示范楼")
        for i in range(len(homes), n):
            room = Room.objects.create(
                grid=grid, building=building, code=f"YS{grid.code}-{i + 1}", unit="1单元", number=f"{i + 1}01"
            )
            homes.append(Household.objects.create(grid=grid, room=room))
    return homes


def _community(
    scheme: Scheme,
    community: GridNode,
    grid: GridNode,
    centre: Any,
    residents: list[Participant],
    now: dt.datetime,
    n: int,
) -> None:
    points.add_rule(
        actor=centre,
        scheme=scheme,
        label="参加议事协商",
        points=5,
        confirmer=Rule.Confirmer.GRID,
        period=Rule.Period.MONTH,
        limit=2,
    )
    for resident, home in zip(residents, _households(grid, len(residents)), strict=True):
        services.bind(actor=centre, participant=resident, household=home, now=now - dt.timedelta(days=35))

    def topic(title: str, body: str, days: int, by: Participant | None = None) -> Any:
        return services.raise_topic(
            actor=None if by else centre,
            participant=by,
            community=community,
            title=title,
            body=body,
            grids=[grid],
            now=now - dt.timedelta(days=days),
        )

    # Carried out and rated.
    lift = topic("3号楼加装电梯", "3号楼老人多，上下楼困难，建议加装电梯，费用按楼层分摊。", 30, residents[0])
    at = now - dt.timedelta(days=29)
    services.accept(actor=centre, topic=lift, answer_on=timezone.localdate(at) + dt.timedelta(days=15), now=at)
    meeting = services.add_meeting(
        actor=centre, topic=lift, kind="both", at=at + dt.timedelta(days=2), place="阳光议事厅（同步线上）", now=at
    )
    for resident in residents:
        services.record_attendance(actor=centre, meeting=meeting, participant=resident, now=at + dt.timedelta(days=2))
    services.set_options(actor=centre, topic=lift, labels=["同意加装", "暂缓加装"])
    services.open_vote(actor=centre, topic=lift, now=at + dt.timedelta(days=3))
    for i, resident in enumerate(residents):
        option = lift.options.order_by("position")[1 if i == len(residents) - 1 and i > 1 else 0]
        services.vote(participant=resident, topic=lift, option=option, now=at + dt.timedelta(days=4))
    services.decide(
        actor=centre, topic=lift, text="同意加装，费用按楼层分摊，一楼住户不分摊。", now=at + dt.timedelta(days=6)
    )
    services.start(
        actor=centre, topic=lift, carry_on=timezone.localdate(at) + dt.timedelta(days=25), now=at + dt.timedelta(days=7)
    )
    services.add_progress(actor=centre, topic=lift, note="施工单位进场，完成基坑开挖。", now=at + dt.timedelta(days=12))
    services.add_progress(actor=centre, topic=lift, note="电梯井道完工，等待验收。", now=at + dt.timedelta(days=20))
    services.finish(actor=centre, topic=lift, note="电梯通过特种设备验收并投入使用。", now=at + dt.timedelta(days=24))
    for score, resident in zip((5, 4), residents, strict=False):
        services.rate(participant=resident, topic=lift, score=score, now=at + dt.timedelta(days=25))

    # In the vote.
    parking = topic("小区停车位划线", "晚上乱停车堵住消防通道，建议统一划线并错时停车。", 6)
    services.accept(actor=centre, topic=parking, now=now - dt.timedelta(days=6))
    services.set_options(actor=centre, topic=parking, labels=["划线并错时停车", "只划线", "维持现状"])
    services.open_vote(actor=centre, topic=parking, now=now - dt.timedelta(days=2))
    services.vote(participant=residents[0], topic=parking, option=parking.options.order_by("position")[0], now=now)

    # Meeting held, before the vote.
    square = topic("广场舞噪音时段", "广场舞音响太大，建议限定时段和音量。", 4 + n % 3, residents[1])
    services.accept(actor=centre, topic=square, now=now - dt.timedelta(days=3))
    services.add_meeting(
        actor=centre,
        topic=square,
        kind="offline",
        at=now - dt.timedelta(days=1),
        place="社区党群服务中心",
        now=now - dt.timedelta(days=2),
    )

    # Just raised, and declined.
    topic("增设快递柜", "小区没有快递柜，建议在北门增设。", 1, residents[-1])
    declined = topic("物业费调价", "物业公司要涨物业费，请社区出面。", 8)
    services.decline(
        actor=centre,
        topic=declined,
        reason="属于业主与物业的合同事项，请由业主委员会协商或申请调解。",
        now=now - dt.timedelta(days=7),
    )

    for i, (category, title, body) in enumerate(NOTICES):
        notice = services.publish_notice(
            actor=centre,
            community=community,
            category=category,
            title=title,
            body=body,
            now=now - dt.timedelta(days=10 - i),
        )
        if i == len(NOTICES) - 1:
            services.withdraw_notice(
                actor=centre, notice=notice, reason="明细有误，核对后重新公示。", now=now - dt.timedelta(days=5)
            )
