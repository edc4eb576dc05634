"""Demo petitions: in each district, a handful of petitions registered by the district centre through the real
commands (so their history and clocks are what the pages expect): one repeat (the same petitioner on the same matter),
one group petition, one overdue (acknowledgement missed), one handled, plus one joint meeting of the district with a
follow-up order on its clock."""

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
    if stdout is not None:
        stdout.write(f"  信访件：{written} 件（含重复信访、集体访、超期件各一）")
    return written


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
