"""Demo petitions: in each district, a handful of petitions registered by the district centre through the real
commands (so their history and clocks are what the pages expect): one repeat (the same petitioner on the same matter),
one group petition, one overdue (acknowledgement missed), one handled, plus one joint meeting of the district with a
follow-up order on its clock.

The first district's centre also gets its duty rota (坐班) for today and the next 14 days (the demo ``leader``, at city
level and so reaching the centre, is on duty today), a hard case given to the duty leader, supervision orders with
their outcomes, and one 稳评 record per grade."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Department, Membership, Role
from fengqiao.core.validators import id_check_digit
from fengqiao.grids.models import GridNode, Level
from fengqiao.petitions import services
from fengqiao.petitions.models import Category, Form, Petition

MATTERS = [
    (Category.LAND, "反映征地补偿款至今未足额发放，请求督促落实。"),
    (Category.LABOUR, "反映某建筑公司拖欠农民工工资三个月，请求协调支付。"),
    (Category.HOUSING, "反映小区房产证迟迟办不下来，开发商推诿。"),
    (Category.ENVIRONMENT, "反映附近工厂夜间排放异味，影响居民休息。"),
    (Category.CIVIL, "反映低保申请被驳回，认为审核不公。"),
]
NAMES = ["王秀英", "李建国", "张桂兰", "刘志强", "陈海燕", "杨明"]


def _id_number(serial: int) -> str:
    first = f"41010219700101{serial % 1000:03d}"
    return first + id_check_digit(first)


def generate_petitions(*, seed: int, districts: int = 3, stdout: Any = None) -> int:
    """Petitions and a joint meeting for the first ``districts`` districts that have a centre; returns petitions."""
    rnd = random.Random(seed + 120)
    now = timezone.now()
    written = 0
    for district in GridNode.objects.filter(level=Level.DISTRICT).order_by("path")[:districts]:
        centre = (
            Membership.objects.filter(role=Role.DISPATCHER, active=True, node=district).select_related("user").first()
        )
        grids = list(GridNode.objects.filter(level=Level.GRID, path__startswith=district.path).order_by("path")[:6])
        if centre is None or not grids:
            continue
        with transaction.atomic():
            written += _district(rnd, district, centre.user, grids, now)
    first = GridNode.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if first is not None and written:
        with transaction.atomic():
            generate_oversight(district=first, now=now)
    if stdout is not None:
        stdout.write(f"  信访件：{written} 件（含重复信访、集体访、超期件各一）")
    return written


def generate_oversight(*, district: GridNode, now: dt.datetime) -> None:
    """The duty rota, a case on duty, supervision orders with outcomes and 稳评 records for one district's centre."""
    from fengqiao.accounts.models import User
    from fengqiao.petitions import duty, risk, supervision, workflow

    centre = Membership.objects.filter(role=Role.DISPATCHER, active=True, node=district).select_related("user").first()
    leaders = duty.leaders_for(district)
    if centre is None or not leaders:
        return
    demo_leader = User.objects.filter(username="leader").first()
    on_duty = demo_leader if demo_leader is not None and duty.reaches(demo_leader, district) else leaders[0]
    today = timezone.localtime(now).date()
    others = [u for u in leaders if u.pk != on_duty.pk] or [on_duty]
    for n in range(15):  # today and the next 14 days; the demo leader today and every third day
        leader = on_duty if n % 3 == 0 else others[n % len(others)]
        duty.set_duty(actor=centre.user, node=district, day=today + dt.timedelta(days=n), leader=leader, now=now)
    petition = (
        Petition.objects.filter(grid_path__startswith=district.path, state__in=workflow.OPEN_STATES)
        .order_by("registered_at")
        .first()
    )
    if petition is not None:
        services.assign_leader_case(
            actor=centre.user,
            leader=None,
            to_duty=True,
            plan="值班领导接访，约谈信访人，协调责任单位限期答复。",
            due_on=today + dt.timedelta(days=20),
            petition=petition,
            milestones=[services.MilestoneData(title="接访约谈", due_on=today + dt.timedelta(days=3))],
            now=now,
        )
    handler = (
        Membership.objects.filter(role=Role.HANDLER, active=True, department__node=district, department__active=True)
        .select_related("user", "department")
        .first()
    )
    day = dt.timedelta(days=1)
    if handler is not None and handler.department is not None:
        department = handler.department
        orders = [
            supervision.issue_order(
                actor=centre.user, finding=finding, person=handler.user, department=department, now=now - ago * day
            )
            for finding, ago in (
                ("主次干道占道经营反复回潮，整治不彻底。", 30),
                ("群众反映的噪音投诉未按时回复。", 25),
                ("夜间渣土车抛洒问题巡查记录缺失。", 3),
            )
        ]
        supervision.rectify(
            actor=handler.user, order=orders[0], report="已清理摊点并建立长效巡查。", now=now - 20 * day
        )
        supervision.rectify(actor=handler.user, order=orders[1], report="已逐件回复并建立台账。", now=now - 2 * day)
        supervision.decide_outcome(actor=on_duty, order=orders[0], outcome="none", reason="按期整改到位，不予追责。")
        supervision.decide_outcome(actor=on_duty, order=orders[1], outcome="talk", reason="逾期整改，约谈单位负责人。")
    deciding = Department.objects.filter(node=district, active=True).exclude(kind=Department.Kind.CENTRE).first()
    if deciding is None:
        return
    findings = {
        "legality": "符合相关法律法规和政策规定，程序完备。",
        "rationality": "兼顾多数群众利益，补偿标准经听证。",
        "feasibility": "资金已落实，实施方案经专家论证。",
        "controllability": "个别群众有异议，已制定化解预案。",
    }
    for matter, grade in (("老旧小区改造征迁", "high"), ("农贸市场搬迁", "medium"), ("公交线路调整", "low")):
        a = risk.register_assessment(actor=centre.user, node=district, matter=matter, department=deciding, now=now)
        risk.assess(actor=centre.user, assessment=a, grade=grade, findings=findings, now=now)
        if grade == "high":
            risk.postpone(actor=on_duty, assessment=a, reason="高风险，暂缓决策，调整补偿方案后重新评估。", now=now)
        elif grade == "medium":
            done = risk.add_condition(
                actor=centre.user,
                assessment=a,
                measure="逐户走访商户解释政策",
                owner=centre.user,
                due_on=today,
                now=now,
            )
            risk.complete_condition(actor=centre.user, condition=done, note="已走访 86 户。", now=now)
            risk.add_condition(
                actor=centre.user,
                assessment=a,
                measure="新址过渡期租金减免方案公示",
                owner=centre.user,
                due_on=today + 7 * day,
                now=now,
            )
        else:
            risk.decide(actor=on_duty, assessment=a, decision="区政府常务会议研究通过。", now=now)


def _register(actor: Any, grid: GridNode, n: int, now: dt.datetime, **overrides: Any) -> Petition:
    category, matter = MATTERS[n % len(MATTERS)]
    values: dict[str, Any] = {
        "form": list(Form.values)[n % len(Form.values)],
        "name": NAMES[n % len(NAMES)],
        "id_number": _id_number(grid.pk * 10 + n),
        "phone": f"139{(grid.pk * 10 + n) % 100000000:08d}",
        "address": f"{grid.name}附近{n + 1}号",
        "category": category,
        "matter": matter,
        "received_on": timezone.localtime(now).date(),
    }
    values.update(overrides)
    return services.register_petition(actor=actor, grid=grid, data=services.PetitionData(**values), now=now)


def _district(rnd: random.Random, district: GridNode, centre: Any, grids: list[GridNode], now: dt.datetime) -> int:
    day = dt.timedelta(days=1)
    ages = [rnd.randint(1, 5), rnd.randint(1, 5), 75, 55]  # days since registration
    petitions = [_register(centre, grids[n % len(grids)], n, now - ages[n] * day) for n in range(4)]
    first = petitions[0]
    # The same petitioner on the same matter two months later: a repeat petition.
    petitions.append(
        _register(
            centre,
            first.grid,
            0,
            now - day,
            id_number=first.petitioner_id_number,
            phone=first.petitioner_phone,
            name=first.petitioner_name,
            matter="再次反映征地补偿款未发放问题，此前答复未落实。",
        )
    )
    petitions.append(_register(centre, grids[-1], 1, now - 2 * day, petitioners=12))  # 集体访
    petitions.append(_register(centre, grids[0], 2, now - 20 * day))  # acknowledgement missed: red
    handled = petitions[1]
    services.accept(actor=centre, petition=handled, now=now - 4 * day)
    services.handle(actor=centre, petition=handled, opinion="经调查核实，已协调相关单位于本月底前解决。", now=now)
    late = petitions[2]
    services.accept(actor=centre, petition=late, now=now - 70 * day)  # handling clock missed: red
    services.accept(actor=centre, petition=petitions[3], now=now - 50 * day)  # nearly due: orange
    leader = Membership.objects.filter(role=Role.LEADER, active=True, node=district).select_related("user").first()
    department = Department.objects.filter(node=district, active=True).exclude(kind=Department.Kind.CENTRE).first()
    if department is not None:
        services.hold_meeting(
            actor=centre,
            node=district,
            title=f"{district.name}信访联席会议",
            held_on=timezone.localtime(now).date(),
            chair=leader.user if leader is not None else centre,
            attendees=[centre],
            items=[
                services.ItemData(petition=late, decision="由责任单位限期办结，领导包案督办。"),
                services.ItemData(text="重复信访件梳理", decision="逐件复核，防止再次重复信访。"),
            ],
            orders=[
                services.OrderData(
                    department=department,
                    task="十日内答复信访人并报送办理结果",
                    due_on=timezone.localtime(now).date() + dt.timedelta(days=10),
                    item=0,
                )
            ],
            now=now,
        )
    return len(petitions)
