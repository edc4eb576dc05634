"""Demo base data: for the first grids of the demo city, buildings with rooms and their residents, places and
facilities on the three maps, organisations; for the documented `worker` login's grid, key persons on their visit
clocks (some nearly due, one missed) and rentals with tenants waiting to be verified or already holding a door code.

Bulk rows are written with ``bulk_create`` (encrypted fields are encrypted on the way in, blind indexes set here);
the key persons and rentals of the demo worker's grid go through the real commands, so their audit trail and
clocks are what the pages expect.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import Membership, Role, User
from fengqiao.core import pii
from fengqiao.core.validators import id_check_digit
from fengqiao.grids.models import GridNode, Level
from fengqiao.people import keypersons, rentals
from fengqiao.people.models import (
    Building,
    KeyCategory,
    KeyPerson,
    Organisation,
    Person,
    Place,
    Residence,
    Risk,
    Room,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉志文春梅海燕红淑珍"
PLACES = [
    ("hydrant", Place.Layer.PROTECTION, "室外消防栓"),
    ("extinguisher", Place.Layer.PROTECTION, "微型消防站"),
    ("aed", Place.Layer.PROTECTION, "AED 急救设备"),
    ("shelter", Place.Layer.PROTECTION, "应急避难场所"),
    ("camera", Place.Layer.SERVICE, "视频监控点"),
    ("gas_station", Place.Layer.HAZARD, "加油加气站"),
    ("flood", Place.Layer.HAZARD, "易涝点"),
    ("shop", Place.Layer.HAZARD, "九小场所"),
]
ORGANISATIONS = [
    ("property", "物业服务有限公司"),
    ("shop", "便民超市"),
    ("school", "幼儿园"),
    ("social", "志愿服务队"),
    ("enterprise", "商贸有限公司"),
]


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def _id_number(rnd: random.Random, area: str, serial: int) -> str:
    born = dt.date(1945, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 70))
    first17 = f"{area[:6]:0<6}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def _phone(rnd: random.Random) -> str:
    return f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}"


def generate_people(*, seed: int, grids: int = 12, stdout: Any = None) -> int:
    """Base data for the first ``grids`` grids (the demo worker's grid first); returns the persons written."""
    rnd = random.Random(seed + 16)
    worker = User.objects.filter(username="worker").first()
    first = (
        Membership.objects.filter(user=worker, role=Role.GRID_WORKER, active=True).select_related("node").first()
        if worker is not None
        else None
    )
    nodes = list(GridNode.objects.filter(level=Level.GRID).order_by("path")[: grids * 2])
    if first is not None:
        nodes = [first.node] + [n for n in nodes if n.pk != first.node.pk]
    nodes = nodes[:grids]
    if not nodes:
        return 0
    taken = set(Person.objects.values_list("id_index", flat=True))
    written = 0
    with transaction.atomic():
        for node in nodes:
            written += _grid(rnd, node, taken)
        if first is not None and worker is not None:
            _worker_desk(rnd, first.node, worker)
    if stdout is not None:
        stdout.write(f"  基础数据：{len(nodes)} 个网格，人员 {written:,} 人")
    return written


def _grid(rnd: random.Random, node: GridNode, taken: set[str]) -> int:
    """Three buildings of two units and six floors, two rooms a floor; two or three residents a room."""
    lon = node.centroid_lon if node.centroid_lon is not None else 113.65
    lat = node.centroid_lat if node.centroid_lat is not None else 34.75
    area = node.path.strip("/").split("/")[1] if node.path.count("/") > 2 else "410100"
    buildings = [
        Building(
            grid=node,
            grid_path=node.path,
            code=f"{node.code}-B{k}",
            name=f"{k}号楼",
            estate=f"{node.name}小区",
            address=f"{node.name}{k}号楼",
            floors=6,
            lon=lon + rnd.uniform(-0.002, 0.002),
            lat=lat + rnd.uniform(-0.002, 0.002),
        )
        for k in (1, 2, 3)
        if not Building.objects.filter(code=f"{node.code}-B{k}").exists()
    ]
    Building.objects.bulk_create(buildings)
    rooms = [
        Room(
            grid=node,
            grid_path=node.path,
            building=b,
            code=f"{b.code}-{unit}-{floor}0{door}",
            unit=f"{unit}单元",
            number=f"{floor}0{door}",
            area_m2=rnd.choice((68, 89, 96, 120, 135)),
            use=rnd.choices(list(Room.Use.values), weights=(70, 18, 8, 4))[0],
        )
        for b in buildings
        for unit in (1, 2)
        for floor in range(1, 7)
        for door in (1, 2)
    ]
    Room.objects.bulk_create(rooms)
    persons: list[Person] = []
    homes: list[tuple[int, Room, str]] = []
    serial = 0
    for room in rooms:
        if room.use == Room.Use.VACANT:
            continue
        for k in range(rnd.choice((1, 2, 2, 3, 3, 4))):
            serial += 1
            id_number = _id_number(rnd, area, serial + rnd.randrange(1000))
            index = pii.blind_index(id_number)
            if index in taken:
                continue
            taken.add(index)
            phone = _phone(rnd)
            year = int(id_number[6:10])
            persons.append(
                Person(
                    grid=node,
                    grid_path=node.path,
                    name=_name(rnd),
                    id_number=id_number,
                    id_index=index,
                    phone=phone,
                    phone_index=pii.blind_index(phone),
                    address=f"河南省郑州市{node.name}{room}",
                    kind=Person.Kind.FLOATING if room.use == Room.Use.RENTED else Person.Kind.REGISTERED,
                    gender="male" if int(id_number[16]) % 2 else "female",
                    birth_year=year,
                )
            )
            relation = (
                Residence.Relation.TENANT
                if room.use == Room.Use.RENTED
                else (Residence.Relation.OWNER if k == 0 else Residence.Relation.FAMILY)
            )
            homes.append((len(persons) - 1, room, relation))
    Person.objects.bulk_create(persons, batch_size=1000)
    Residence.objects.bulk_create(
        [
            Residence(
                person=persons[i],
                room=room,
                relation=relation,
                since=timezone.localdate() - dt.timedelta(days=rnd.randrange(30, 3000)),
            )
            for i, room, relation in homes
        ],
        batch_size=1000,
    )
    Place.objects.bulk_create(
        [
            Place(
                grid=node,
                grid_path=node.path,
                kind=kind,
                layer=layer,
                name=f"{node.name}{label}",
                lon=lon + rnd.uniform(-0.003, 0.003),
                lat=lat + rnd.uniform(-0.003, 0.003),
            )
            for kind, layer, label in rnd.sample(PLACES, k=5)
        ]
    )
    Organisation.objects.bulk_create(
        [
            Organisation(
                grid=node,
                grid_path=node.path,
                kind=kind,
                name=f"{node.name}{label}",
                contact_name=_name(rnd),
                contact_phone=(phone := _phone(rnd)),
                contact_phone_index=pii.blind_index(phone),
                employees=rnd.randint(3, 60),
            )
            for kind, label in rnd.sample(ORGANISATIONS, k=3)
        ]
    )
    return len(persons)


def _worker_desk(rnd: random.Random, node: GridNode, worker: User) -> None:
    """The demo worker's key persons (listed days ago, so one visit is nearly due and one missed) and two rentals:
    one with a tenant waiting to be verified, one with a verified tenant holding a door code."""
    leader = (
        Membership.objects.filter(role=Role.GRID_LEADER, active=True, node_path__in=_ancestors(node.path))
        .select_related("user")
        .first()
    )
    actor = leader.user if leader is not None else worker
    if KeyPerson.objects.filter(worker=worker).exists():  # the desk is laid already
        return
    now = timezone.now()
    residents = list(Person.objects.filter(grid=node, key_records__isnull=True).order_by("pk")[:40])
    categories = {c.code: c for c in KeyCategory.objects.filter(active=True)}
    plan = [  # (category, risk, days since listing)
        ("severe_mental_illness", Risk.RED, 6.5),
        ("community_correction", Risk.RED, 9),
        ("released_prisoner", Risk.YELLOW, 12),
        ("lone_elderly", Risk.YELLOW, 27),
        ("left_behind_child", Risk.BLUE, 20),
        ("disabled", Risk.BLUE, 40),
    ]
    for person, (code, risk, days) in zip(residents[::5], plan, strict=False):
        category = categories.get(code) or next(iter(categories.values()), None)
        if category is None:
            return
        keypersons.list_key_person(
            actor=actor,
            person=person,
            category=category,
            risk=risk,
            worker=worker,
            now=now - dt.timedelta(days=days),
        )
    rooms = list(Room.objects.filter(grid=node, use=Room.Use.RENTED, rentals__isnull=True).order_by("pk")[:2])
    for k, room in enumerate(rooms):
        rental = rentals.register_rental(
            actor=worker,
            room=room,
            landlord_name=_name(rnd),
            landlord_id_number=_id_number(rnd, "410105", 900 + k),
            landlord_phone=_phone(rnd),
            max_tenants=3,
            group_link="https://weixin.qq.com/g/demo-micro-grid",
            now=now - dt.timedelta(days=20),
        )
        tenancy, _secret = rentals.register_tenant(
            room_code=room.code,
            data=rentals.TenantForm(
                name=_name(rnd),
                id_number=_id_number(rnd, "410105", 950 + k),
                phone=_phone(rnd),
                move_in=timezone.localdate() - dt.timedelta(days=3),
                consent=True,
            ),
            now=now - dt.timedelta(days=3),
        )
        if k == 1:
            rentals.verify_tenancy(actor=worker, tenancy=tenancy, now=now - dt.timedelta(days=2))
        del rental


def _ancestors(path: str) -> list[str]:
    from fengqiao.core.scoping import ancestor_paths

    return ancestor_paths(path)
