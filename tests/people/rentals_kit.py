"""A letting in 甲一网格 with its worker, a tenant's form and a gate of 甲社区, built through the rental commands."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fengqiao.core.validators import id_check_digit
from fengqiao.people import rentals
from fengqiao.people.models import Building, Room

DAY0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def id_number(serial: int, born: str = "19900101") -> str:
    first17 = f"410105{born}{serial:03d}"
    return first17 + id_check_digit(first17)


def make_room(grid: Any, *, code: str = "R-A1-101", number: str = "101") -> Room:
    building, _ = Building.objects.get_or_create(
        code=f"B-{grid.code}", defaults={"name": "幸福里3号楼", "grid": grid, "estate": "幸福里小区"}
    )
    room = Room(building=building, grid=grid, code=code, unit="1单元", number=number)
    room.save()
    return room


def let(worker: Any, room: Room, *, max_tenants: int = 4, now: dt.datetime | None = None) -> Any:
    return rentals.register_rental(
        actor=worker,
        room=room,
        landlord_name="王房东",
        landlord_id_number=id_number(1, "19700101"),
        landlord_phone="13800000001",
        max_tenants=max_tenants,
        group_link="https://weixin.qq.com/g/example-micro-grid",
        now=now,
    )


def form(serial: int = 2, *, name: str = "刘租客", move_in: dt.date | None = None) -> rentals.TenantForm:
    return rentals.TenantForm(
        name=name,
        id_number=id_number(serial),
        phone=f"139000000{serial:02d}",
        move_in=move_in or timezone.localdate(),
        consent=True,
    )
