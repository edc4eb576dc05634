"""Demo data for dispute mediation: organisations and mediators for the demo city, and months of cases in every
state, with realistic time points (most assigned and answered within 24 hours, some late, a few past 30 days), so
the queue's colours and the figures look like a real centre's.

Rows are written with ``bulk_create`` (cases, parties, sessions, agreements and their audit trail), so the
workflow's checks are not run here: the generator produces only sequences the workflow table allows.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role, User
from fengqiao.core import pii
from fengqiao.core.codes import demo_tracking_code
from fengqiao.core.deadlines import CREATE
from fengqiao.core.models import Action
from fengqiao.core.scoping import ancestor_paths
from fengqiao.disputes import clocks, tiers
from fengqiao.disputes.catalogue import load_catalogue
from fengqiao.disputes.clocks import DISPUTE_CLOCKS
from fengqiao.disputes.models import (
    Agreement,
    Dispute,
    DisputeType,
    Industry,
    LeaderNote,
    Mediator,
    MediatorKind,
    Organisation,
    Party,
    Referrer,
    Risk,
    Session,
    Source,
)
from fengqiao.disputes.validation import id_check_digit
from fengqiao.grids.models import GridNode, Level

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强文军春梅海燕红梅淑珍"
TYPE_WEIGHTS = {
    "neighbours": 24,
    "marriage": 16,
    "property": 15,
    "wages": 10,
    "land": 8,
    "traffic": 8,
    "consumer": 6,
    "construction": 5,
    "medical": 3,
    "other": 5,
}
SUMMARIES = {
    "neighbours": [
        "楼上装修噪音扰民，多次沟通无果",
        "邻居在楼道堆放杂物影响通行",
        "楼上漏水导致楼下天花板发霉",
        "宅基地滴水檐争议",
    ],
    "marriage": ["夫妻因家庭琐事争吵要求调解", "兄妹因老人赡养费用分担发生争执", "离婚后子女探视问题协商不成"],
    "property": ["业主以服务差为由拒交物业费", "小区车位收费标准争议", "电梯长期故障业主与物业矛盾"],
    "wages": ["装修工人被拖欠工资", "农民工讨要工程尾款", "餐馆员工离职后工资未结清"],
    "land": ["两户承包地边界争议", "林地界址不清引发纠纷", "宅基地使用权争议"],
    "traffic": ["电动车与行人碰撞赔偿争议", "小区内车辆剐蹭赔偿协商不成"],
    "consumer": ["预付卡商家关门退款纠纷", "网购商品质量问题退货争议"],
    "construction": ["房屋装修质量纠纷", "自建房施工款结算争议"],
    "medical": ["门诊治疗效果争议要求赔偿"],
    "other": ["租房押金退还纠纷", "宠物伤人赔偿争议"],
}
INDUSTRY_NAMES = {
    Industry.PROPERTY: "物业纠纷人民调解委员会",
    Industry.MEDICAL: "医疗纠纷人民调解委员会",
    Industry.TRAFFIC: "道路交通事故纠纷人民调解委员会",
    Industry.LABOUR: "劳动争议人民调解委员会",
    Industry.FAMILY: "婚姻家庭纠纷人民调解委员会",
    Industry.CONSUMER: "消费纠纷人民调解委员会",
}


# Who staffs an organisation that has nobody yet: (title, kind of mediator) per post.
STAFF: dict[str, tuple[tuple[str, str], ...]] = {
    "village": (("兼职人民调解员", MediatorKind.PEOPLE),),
    "township": (
        ("警务助理", MediatorKind.POLICE),
        ("司法所调解员", MediatorKind.JUSTICE),
        ("专职人民调解员", MediatorKind.PEOPLE),
    ),
    "industry": (("行业调解员", MediatorKind.INDUSTRY), ("行业调解员", MediatorKind.INDUSTRY)),
    "experts": (("律师", MediatorKind.LAWYER), ("退休法官", MediatorKind.JUDGE), ("律师", MediatorKind.LAWYER)),
    "studio": (("金牌调解员", MediatorKind.PEOPLE),),
}


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _phone(rnd: random.Random) -> str:
    return f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"


def _id_number(rnd: random.Random, area: str) -> str:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 50))
    first17 = f"{area[:6]:0<6}{born:%Y%m%d}{rnd.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


# How the demo's cases reach the ledger. The seeds count grid workers' screening (排查) as the main source ("排查矛盾纠
# 纷8023件"), the 一码解纠纷 QR platform next ("录入各类矛盾纠纷31098起"), then the "三源" hand-ins (police, court,
# petition: 421 of about 1,300 in one county) and the hotline; cases turned from events come from the events demo.
SOURCE_WEIGHTS = {
    Source.GRID: 42,
    Source.QR: 20,
    Source.WALK_IN: 8,
    Source.POLICE: 11,
    Source.COURT: 7,
    Source.PETITION: 5,
    Source.HOTLINE: 6,
    Source.PROCURATORATE: 1,
}
# The referring bodies of each district, with how their own reference numbers look.
REFERRERS = {
    Source.POLICE: ("{d}公安分局", "J{code}{year}{n:06d}"),
    Source.COURT: ("{d}人民法院", "({year}){code}诉前调{n}号"),
    Source.PETITION: ("{d}信访局", "X{code}{year}{n:05d}"),
    Source.HOTLINE: ("{d}12345热线", "12345-{code}-{year}{n:07d}"),
    Source.PROCURATORATE: ("{d}人民检察院", "({year}){code}检调{n}号"),
}


def _code(rnd: random.Random, at: dt.datetime, taken: set[str]) -> str:
    return demo_tracking_code("D", rnd, timezone.localtime(at).date(), taken)


class _Builder:
    def __init__(self, rnd: random.Random, now: dt.datetime) -> None:
        self.rnd = rnd
        self.now = now
        self.types = {t.code: t for t in DisputeType.objects.filter(active=True)}
        self.password = make_password(None)

    # Organisations and mediators.
    def organisations(self) -> dict[str, Any]:
        streets = list(GridNode.objects.filter(level=Level.STREET).order_by("path"))
        communities = list(GridNode.objects.filter(level=Level.COMMUNITY).order_by("path"))
        districts = list(GridNode.objects.filter(level=Level.DISTRICT).order_by("path"))
        existing = {(o.node_id, o.name) for o in Organisation.objects.all()}
        leaders = {m.node_id: m.user_id for m in Membership.objects.filter(role=Role.LEADER, node__level=Level.STREET)}
        rows: list[Organisation] = []

        def add(node: GridNode, name: str, kind: str, industry: str = "", leader: int | None = None) -> None:
            if (node.pk, name) not in existing:
                rows.append(
                    Organisation(
                        node=node, node_path=node.path, name=name, kind=kind, industry=industry, leader_id=leader
                    )
                )

        for s in streets:
            add(s, f"{s.name}人民调解委员会", Organisation.Kind.TOWNSHIP, leader=leaders.get(s.pk))
            if self.rnd.random() < 0.5:
                add(s, f"{_name(self.rnd)}调解工作室", Organisation.Kind.STUDIO)
        for c in communities:
            add(c, f"{c.name}人民调解委员会", Organisation.Kind.VILLAGE)
        for d in districts:
            for industry, suffix in INDUSTRY_NAMES.items():
                add(d, f"{d.name}{suffix}", Organisation.Kind.INDUSTRY, industry=industry)
            add(d, f"{d.name}调解专家库", Organisation.Kind.EXPERTS)
        Organisation.objects.bulk_create(rows, batch_size=1000)
        have = {(r.node_id, r.name) for r in Referrer.objects.all()}
        Referrer.objects.bulk_create(
            [
                Referrer(node=d, node_path=d.path, source=source, name=name.format(d=d.name))
                for d in districts
                for source, (name, _ref) in REFERRERS.items()
                if (d.pk, name.format(d=d.name)) not in have
            ],
            batch_size=1000,
        )
        return {"streets": streets, "communities": communities}

    def mediators(self) -> int:
        orgs = list(Organisation.objects.select_related("node"))
        by_node_kind: dict[tuple[int, str], Organisation] = {(o.node_id, o.kind): o for o in orgs}
        have = set(Mediator.objects.values_list("user_id", "organisation_id"))
        posts: list[Mediator] = []
        # Existing mediators of the demo city join their node's committee.
        # At a street, the first sits as a judicial-office mediator (司法所), the others as people's mediators.
        for m in (
            Membership.objects.filter(role=Role.MEDIATOR, active=True).select_related("node", "user").order_by("pk")
        ):
            kind = Organisation.Kind.VILLAGE if m.node.level >= Level.COMMUNITY else Organisation.Kind.TOWNSHIP
            org = by_node_kind.get((m.node_id, kind))
            if org is not None and (m.user_id, org.pk) not in have:
                # (the documented `mediator` login stays a people's mediator: the first tier's cases are theirs)
                justice = (
                    kind == Organisation.Kind.TOWNSHIP
                    and m.user.username != "mediator"
                    and not any(p.organisation_id == org.pk and p.kind == MediatorKind.JUSTICE for p in posts)
                )
                posts.append(
                    Mediator(
                        user_id=m.user_id,
                        organisation=org,
                        title="司法所调解员" if justice else "专职人民调解员",
                        kind=MediatorKind.JUSTICE if justice else MediatorKind.PEOPLE,
                    )
                )
                have.add((m.user_id, org.pk))
        # New people for organisations that have nobody yet (industry, studios, experts, empty committees).
        staffed = {org_id for _, org_id in have}
        kinds_of: dict[int, set[str]] = defaultdict(set)
        for org_id, post_kind in Mediator.objects.values_list("organisation_id", "kind"):
            kinds_of[org_id].add(post_kind)
        for post in posts:
            kinds_of[post.organisation.pk].add(post.kind)
        users: list[User] = []
        wanted: list[tuple[Organisation, str, bool, str]] = []
        for org in orgs:
            # Every tier of every ladder finds its kind of mediator: a street has a police assistant (警务助理) and a
            # judicial-office mediator beside its people's mediators; the expert pool has lawyers and a retired judge.
            needed = list(STAFF.get(str(org.kind), ()))
            if org.pk in staffed:
                needed = [n for n in needed if n[1] not in kinds_of[org.pk] and org.kind == Organisation.Kind.TOWNSHIP]
            for k, (title, post_kind) in enumerate(needed):
                username = f"tj{org.node.code}-{org.pk}-{k + 1}"
                users.append(User(username=username, full_name=_name(self.rnd), password=self.password, phone_index=""))
                wanted.append((org, title, org.kind == Organisation.Kind.EXPERTS, post_kind))
        taken = set(User.objects.filter(username__in=[u.username for u in users]).values_list("username", flat=True))
        fresh = [(u, w) for u, w in zip(users, wanted, strict=True) if u.username not in taken]
        User.objects.bulk_create([u for u, _ in fresh], batch_size=1000)
        saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u, _ in fresh])}
        Membership.objects.bulk_create(
            [
                Membership(user=saved[u.username], node=org.node, node_path=org.node.path, role=Role.MEDIATOR)
                for u, (org, _, _, _) in fresh
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        posts += [
            Mediator(user=saved[u.username], organisation=org, title=title, is_expert=expert, kind=kind)
            for u, (org, title, expert, kind) in fresh
        ]
        Mediator.objects.bulk_create(posts, batch_size=1000)
        # Specialties: industry organisations their field; others two or three common kinds.
        through = Mediator.specialties.through
        links = []
        by_industry = {t.industry: t for t in self.types.values() if t.industry}
        common = [self.types[c] for c in ("neighbours", "marriage", "land", "property", "wages") if c in self.types]
        for post in Mediator.objects.select_related("organisation").filter(specialties__isnull=True):
            org = post.organisation
            if org.kind == Organisation.Kind.INDUSTRY and org.industry in by_industry:
                chosen = [by_industry[org.industry]]
            else:
                chosen = self.rnd.sample(common, k=min(len(common), self.rnd.choice((1, 2, 3))))
            links += [through(mediator_id=post.pk, disputetype_id=t.pk) for t in chosen]
        through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
        # An organisation the centre can hand cases to needs a head who assigns them: its first member.
        heads = []
        for org in Organisation.objects.filter(leader__isnull=True).prefetch_related("members"):
            first = min(org.members.all(), key=lambda m: m.pk, default=None)
            if first is not None:
                org.leader_id = first.user_id
                heads.append(org)
        Organisation.objects.bulk_update(heads, ["leader"], batch_size=1000)
        return len(posts)


def generate_disputes(*, rng_seed: int, months: int = 6, per_community: int = 12, stdout: Any = None) -> int:
    """Create organisations, mediators and ``per_community`` cases per community over ``months``; returns the
    number of cases created."""
    rnd = random.Random(rng_seed)
    now = timezone.now()

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    load_catalogue()
    builder = _Builder(rnd, now)
    with transaction.atomic():
        found = builder.organisations()
        posts = builder.mediators()
    say(f"  调解组织 {Organisation.objects.count():,} 个，新增调解员 {posts:,} 名")
    communities: list[GridNode] = found["communities"]
    if not communities:
        return 0
    grids_of: dict[int, list[GridNode]] = defaultdict(list)
    for g in GridNode.objects.filter(level=Level.GRID).only("id", "path", "parent_id", "code"):
        grids_of[g.parent_id or 0].append(g)
    mediators = list(Mediator.objects.select_related("organisation__node", "user").prefetch_related("specialties"))
    serving: dict[str, list[Mediator]] = defaultdict(list)
    for m in mediators:
        serving[m.organisation.node_path].append(m)
    type_codes = [c for c in TYPE_WEIGHTS if c in builder.types]
    weights = [TYPE_WEIGHTS[c] for c in type_codes]
    context = _Context(
        leaders=_street_leaders(),
        referrers={(r.node_path, r.source): r for r in Referrer.objects.all()},
        # A second run goes on numbering where the first stopped: references stay unique per channel.
        serial=defaultdict(
            int,
            Dispute.objects.filter(referrer__isnull=False)
            .values_list("referrer_id")
            .annotate(n=Count("pk"))
            .values_list("referrer_id", "n"),
        ),
    )
    ctype = ContentType.objects.get_for_model(Dispute)
    taken = set(Dispute.objects.values_list("tracking_code", flat=True))
    span = dt.timedelta(days=30 * months)
    total = 0
    for chunk_start in range(0, len(communities), 200):
        chunk = communities[chunk_start : chunk_start + 200]
        plans = []
        for community in chunk:
            grids = grids_of.get(community.pk) or [community]
            ancestors = [p for p in _prefixes(community.path)]
            pool = [m for p in ancestors for m in serving.get(p, [])]
            for _ in range(per_community):
                entered = now - span * (rnd.random() ** 1.3)  # more recent cases than old ones
                type_ = builder.types[rnd.choices(type_codes, weights)[0]]
                plans.append(_plan(rnd, now, entered, type_, rnd.choice(grids), pool, context, taken))
        total += _write(plans, ctype)
        say(f"  演示纠纷 {total:,} 件")
    workload = _workload(rnd, now, builder.types, grids_of, taken)
    if workload:
        total += _write(workload, ctype)
        say(f"  演示调解员 mediator 的在办案件 {len(workload)} 件")
    return total


# The documented `mediator` login's desk: a few cases in hand at each working stage, one of them late for its first
# update (orange), so the workspace shows a day's work instead of an empty list.
WORKLOAD = (  # (state, hours since assignment, sessions held)
    ("assigned", 2, 0),
    ("assigned", 30, 0),  # no first update within the 24-hour clock: orange
    ("accepted", 20, 0),
    ("mediating", 50, 1),
    ("mediating", 120, 2),
)


def _workload(
    rnd: random.Random,
    now: dt.datetime,
    types: dict[str, DisputeType],
    grids_of: dict[int, list[GridNode]],
    taken: set[str],
) -> list[dict[str, Any]]:
    """Open cases assigned to the demo `mediator` login, in grids their organisation serves."""
    post = (
        Mediator.objects.filter(user__username="mediator", active=True)
        .select_related("organisation__node", "user")
        .first()
    )
    if post is None:
        return []
    area = post.organisation.node_path
    grids = [g for gs in grids_of.values() for g in gs if g.path.startswith(area)]
    # Types whose first tier takes this mediator's kind (a people's mediator: neighbours, marriage, land ...).
    kinds = [
        t
        for code, t in types.items()
        if code in ("neighbours", "marriage", "land", "construction") and tiers.tier(0, t.ladder).accepts(post.kind)
    ]
    if not grids or not kinds:
        return []
    h = dt.timedelta(hours=1)
    plans = []
    for state, hours, held in WORKLOAD:
        assigned = now - h * hours
        entered = assigned - h * rnd.uniform(2, 10)
        type_ = rnd.choice(kinds)
        d = Dispute(
            tracking_code=_code(rnd, entered, taken),
            grid=(grid := rnd.choice(grids)),
            grid_path=grid.path,
            source=Source.WALK_IN,
            type=type_,
            ladder=tiers.ladder_code(type_.ladder),
            summary=rnd.choice(SUMMARIES.get(type_.code, SUMMARIES["other"])) + "，申请调解。",
            people_involved=2,
            risk=Risk.BLUE,
            entered_at=entered,
            registered_at=entered + h,
            mediator=post,
            organisation=post.organisation,
            assigned_at=assigned,
        )
        steps: list[tuple[str, dt.datetime, str, str, str, Mediator | None]] = [
            ("submit", entered, "", "submitted", "", None),
            ("register", entered + h, "submitted", "registered", "", None),
            ("assign", assigned, "registered", "assigned", "", post),
        ]
        DISPUTE_CLOCKS.start(d, CREATE, entered)
        DISPUTE_CLOCKS.start(d, "register", entered + h)
        DISPUTE_CLOCKS.start(d, "assign", assigned)
        d.state = "assigned"
        sessions: list[Session] = []
        if state != "assigned":
            at = assigned + h * min(4, hours / 4)
            steps.append(("accept", at, "assigned", "accepted", "", post))
            DISPUTE_CLOCKS.start(d, "accept", at)
            d.state, d.accepted_at, d.first_update_at = "accepted", at, at
            for k in range(held):
                at = at + h * (hours - 4) / (held + 1)
                steps.append(("record_session", at, d.state, "mediating", "组织双方当事人面对面调解", post))
                DISPUTE_CLOCKS.start(d, "record_session", at)
                d.state = "mediating"
                d.first_session_at = d.first_session_at or at
                sessions.append(
                    Session(
                        held_at=at,
                        place=f"{post.organisation.name}调解室",
                        participants="双方当事人、调解员",
                        notes="听取双方陈述，释法说理。" if k == 0 else "双方意见逐步接近，约定再次调解。",
                        tier=d.tier,
                        recorded_by_id=post.user_id,
                        recorded_at=at,
                    )
                )
        plans.append({"d": d, "steps": steps, "sessions": sessions, "agreement": None})
    return plans


def _prefixes(path: str) -> list[str]:
    return ancestor_paths(path)


@dataclass
class _Context:
    """What every case's story may draw on: the street leaders who take charge of red cases, the referring bodies
    by (district path, source), and a counter per referrer for their reference numbers."""

    leaders: dict[str, int]
    referrers: dict[tuple[str, str], Referrer]
    serial: dict[int, int]


def _street_leaders() -> dict[str, int]:
    """Each street's first leader (包案领导 of its red-risk cases), by the street's path."""
    out: dict[str, int] = {}
    for path, user_id in (
        Membership.objects.filter(role=Role.LEADER, active=True, node__level=Level.STREET)
        .order_by("pk")
        .values_list("node_path", "user_id")
    ):
        out.setdefault(path, user_id)
    return out


def _refer_in(rnd: random.Random, d: Dispute, context: _Context) -> None:
    """A case handed in by police, court, petition office, hotline or procuratorate carries its sender's reference."""
    if d.source not in REFERRERS:
        return
    district = next((p for p in ancestor_paths(d.grid_path) if p.count("/") == 2), "")
    referrer = context.referrers.get((district, d.source))
    if referrer is None:
        return
    context.serial[referrer.pk] += 1
    pattern = REFERRERS[Source(d.source)][1]
    d.referrer = referrer
    d.source_ref = pattern.format(
        code=district.strip("/").split("/")[-1],
        year=timezone.localtime(d.entered_at).year,
        n=context.serial[referrer.pk],
    )


def _plan(
    rnd: random.Random,
    now: dt.datetime,
    entered: dt.datetime,
    type_: DisputeType,
    grid: GridNode,
    pool: list[Mediator],
    context: _Context,
    taken: set[str],
) -> dict[str, Any]:
    """One case's whole story, cut off at ``now``: on its type's ladder, each tier served by its kind of mediator."""
    h = dt.timedelta(hours=1)
    people = rnd.choice((2, 2, 2, 3, 4)) if rnd.random() > 0.06 else rnd.randint(5, 40)
    risk = Risk.RED if rnd.random() < 0.03 else (Risk.YELLOW if people >= 5 or rnd.random() < 0.12 else Risk.BLUE)
    d = Dispute(
        tracking_code=_code(rnd, entered, taken),
        grid=grid,
        grid_path=grid.path,
        source=rnd.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0],
        type=type_,
        summary=rnd.choice(SUMMARIES.get(type_.code, SUMMARIES["other"])) + "，申请调解。",
        claim="请求依法调解，赔偿损失" if rnd.random() < 0.5 else "",
        amount=rnd.choice([None, None, 500, 2000, 8000, 35000, 120000]),
        people_involved=people,
        is_group=people >= tiers.group_threshold(),
        risk=risk,
        risk_reason="群体性纠纷" if people >= 5 else ("矛盾有激化苗头" if risk == Risk.RED else ""),
        ladder=tiers.ladder_code(type_.ladder),
        entered_at=entered,
    )
    ladder = tiers.tiers(d.ladder)
    d.tier = tiers.township_tier(d.ladder).index if risk == Risk.RED else 0
    _refer_in(rnd, d, context)
    DISPUTE_CLOCKS.start(d, CREATE, entered)  # the clocks run exactly as the workflow would run them
    steps: list[tuple[str, dt.datetime, str, str, str, Mediator | None]] = [
        ("submit", entered, "", "submitted", "", None)
    ]
    sessions: list[Session] = []
    agreement: Agreement | None = None

    def step(verb: str, at: dt.datetime, frm: str, to: str, note: str = "") -> bool:
        if at > now:
            return False
        steps.append((verb, at, frm, to, note, d.mediator))
        d.state = to
        DISPUTE_CLOCKS.start(d, verb, at)
        return True

    t = entered + h * rnd.uniform(0.2, 6)
    if not step("register", t, "submitted", "registered"):
        return {"d": d, "steps": steps, "sessions": sessions, "agreement": agreement}
    d.registered_at = t
    notes: list[LeaderNote] = []
    if d.risk == Risk.RED or d.is_group:  # 包案领导 with 一案一策; police and the stability office told at once
        street = next((p for p in ancestor_paths(d.grid_path) if p.count("/") == 3), "")
        leader = context.leaders.get(street)
        d.alerted_at = t + dt.timedelta(seconds=rnd.uniform(1, 20))
        if leader is not None:
            d.leader_id = leader
            d.plan = "包案领导牵头，派出所、司法所、村（社区）联动，三日内组织双方见面，稳控情绪、依法化解。"
            if t + dt.timedelta(days=2) < now:
                notes.append(
                    LeaderNote(
                        author_id=leader,
                        text="已听取化解进展汇报，要求加快推进、防止激化。",
                        at=t + dt.timedelta(days=2),
                    )
                )

    def fit(tier_index: int) -> list[Mediator]:
        """Mediators of this tier's kinds; the type's specialists first when there are any."""
        kinds = set(ladder[tier_index].kinds)
        right = [m for m in pool if m.kind in kinds] or pool
        return [m for m in right if type_ in m.specialties.all()] or right

    candidates = fit(d.tier)
    while True:
        late = rnd.random() < 0.08
        t = t + h * (rnd.uniform(24, 40) if late else rnd.uniform(0.3, 16))
        if not candidates or not step("assign", t, "registered", "assigned"):
            break
        mediator = rnd.choice(candidates)
        d.mediator, d.organisation, d.assigned_at = mediator, mediator.organisation, t
        t = t + h * (rnd.uniform(25, 48) if rnd.random() < 0.06 else rnd.uniform(0.2, 12))
        if not step("accept", t, "assigned", "accepted"):
            break
        d.accepted_at = d.first_update_at = t
        for _ in range(rnd.choice((1, 1, 2, 3))):
            t = t + dt.timedelta(days=rnd.uniform(0.3, 6))
            if not step("record_session", t, d.state, "mediating", "组织双方当事人面对面调解"):
                break
            d.first_session_at = d.first_session_at or t
            sessions.append(
                Session(
                    held_at=t,
                    place=f"{mediator.organisation.name}调解室",
                    online=(online := rnd.random() < 0.1),
                    meeting_link=f"https://meeting.tencent.com/dm/{rnd.randrange(10**9):09d}" if online else "",
                    participants="双方当事人、调解员",
                    notes="听取双方陈述，释法说理，引导双方互谅互让。",
                    tier=d.tier,
                    recorded_by_id=mediator.user_id,
                    recorded_at=t,
                )
            )
        if d.state != "mediating":
            break
        t = t + dt.timedelta(days=rnd.uniform(0.2, 4) if rnd.random() > 0.05 else rnd.uniform(25, 40))
        roll = rnd.random()
        if roll < 0.02:
            if step("withdraw", t, "mediating", "withdrawn", "当事人自行和解"):
                d.concluded_at = t
            break
        if roll < 0.93 or d.tier + 1 >= len(ladder):
            if step("resolve", t, "mediating", "resolved"):
                d.result = "双方达成调解协议，当场履行" if rnd.random() < 0.5 else "双方达成调解协议，约定分期履行"
                d.concluded_at = t
                if rnd.random() < 0.7:  # the applicant rates it (as events are rated)
                    d.stars = rnd.choice((5, 5, 5, 5, 4, 4, 3))
                    d.rated_at = t + dt.timedelta(hours=rnd.uniform(1, 48))
                if d.referrer_id is not None:  # the outcome goes back to whoever sent it
                    d.feedback_letter = f"贵单位移交的{d.source_ref}号纠纷已调解成功：{d.result}。"
                    d.feedback_sent_at = t + h
                if rnd.random() < 0.6:
                    agreement = Agreement(
                        version=1,
                        facts=d.summary,
                        terms="双方互谅互让，自愿达成协议：" + d.result,
                        performance="自协议签订之日起十五日内履行完毕",
                        created_by_id=mediator.user_id,
                        created_at=t,
                    )
                revisit_days, _unit = clocks.duration("revisit")(d)
                rv = t + dt.timedelta(days=rnd.uniform(1, revisit_days * 1.3))
                if step("revisit", rv, "resolved", "revisited", "当事人表示协议已履行"):
                    d.revisited_at = rv
                    d.revisit_note = "协议已履行"
                    if step("close", rv + h, "revisited", "closed"):
                        d.closed_at = rv + h
            break
        if roll < 0.98 and step("fail", t, "mediating", "unresolved", "双方分歧较大"):
            if rnd.random() < 0.25:
                if step("refer", t + h, "unresolved", "referred", "移送人民法院"):
                    d.referral_to, d.concluded_at = "court", t + h
                    d.referral_letter = "经多次调解未能达成协议，现移送人民法院依法处理。"
                break
            if not step("escalate", t + h, "unresolved", "registered", ""):
                break
            d.tier += 1
            d.mediator = d.organisation = None
            d.first_update_at = None
            candidates = fit(d.tier)
            t = t + h
            continue
        break
    return {"d": d, "steps": steps, "sessions": sessions, "agreement": agreement, "notes": notes}


def _parties(rnd: random.Random, d: Dispute) -> list[Party]:
    area = d.grid_path.split("/")[1] if d.grid_path.count("/") > 1 else "410100"
    rows = []
    for role, order in ((Party.Role.APPLICANT, 1), (Party.Role.RESPONDENT, 1)):
        organisation = role == Party.Role.RESPONDENT and d.type.code in ("property", "wages", "medical", "consumer")
        name = (
            rnd.choice(["某物业服务有限公司", "某建筑劳务有限公司", "某商贸有限公司", "某医院"])
            if organisation
            else _name(rnd)
        )
        phone = _phone(rnd)
        id_number = "" if organisation else _id_number(rnd, area)
        rows.append(
            Party(
                dispute=d,
                role=role,
                kind=Party.Kind.ORGANISATION if organisation else Party.Kind.PERSON,
                name=name,
                phone=phone,
                phone_index=pii.blind_index(phone),
                id_number=id_number,
                id_index=pii.blind_index(id_number) if id_number else "",
                order=order,
            )
        )
    return rows


MEDIATOR_VERBS = ("accept", "record_session", "resolve", "fail", "refer", "revisit")


def _actor_name(verb: str, mediator_user: Any) -> str:
    if verb in ("submit", "withdraw"):
        return ""
    if verb in MEDIATOR_VERBS and mediator_user is not None:
        return str(mediator_user.display_name)
    return "综治中心"


def _write(plans: list[dict[str, Any]], ctype: ContentType) -> int:
    rnd = random.Random(len(plans))
    with transaction.atomic():
        Dispute.objects.bulk_create([p["d"] for p in plans], batch_size=1000)
        parties: list[Party] = []
        sessions: list[Session] = []
        agreements: list[Agreement] = []
        actions: list[Action] = []
        for p in plans:
            d: Dispute = p["d"]
            parties += _parties(rnd, d)
            for s in p["sessions"]:
                s.dispute = d
                sessions.append(s)
            if p["agreement"] is not None:
                p["agreement"].dispute = d
                agreements.append(p["agreement"])
            for verb, at, frm, to, note, acting in p["steps"]:
                actor = acting.user if acting is not None else None
                actions.append(
                    Action(
                        at=at,
                        actor=actor if verb in MEDIATOR_VERBS else None,
                        actor_name=_actor_name(verb, actor),
                        verb=verb,
                        content_type=ctype,
                        object_id=str(d.pk),
                        object_repr=d.tracking_code,
                        workflow="dispute",
                        from_state=frm,
                        to_state=to,
                        note=note,
                        data={},
                        grid_path=d.grid_path,
                    )
                )
        Party.objects.bulk_create(parties, batch_size=1000)
        Session.objects.bulk_create(sessions, batch_size=1000)
        Agreement.objects.bulk_create(agreements, batch_size=1000)
        notes: list[LeaderNote] = []
        for p in plans:
            for note in p.get("notes", ()):
                note.dispute = p["d"]
                notes.append(note)
        LeaderNote.objects.bulk_create(notes, batch_size=1000)
        Action.objects.bulk_create(actions, batch_size=2000)
    return len(plans)
