"""Exporting the persons of the caller's own grids as XLSX, in the import template's columns.

Masked by default (张*, 4101**********123X, 138****5678, the birth year only). Unmasked only for the roles that
may see a whole register, with a reason from :class:`core.reveal.RevealForm`; every export, masked or not, writes
one audit row (who, how many, which area, unmasked and why). Rows are read in keyset pages and written by a
write-only workbook, so a large grid does not fill memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role
from fengqiao.core import audit, pii, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.grids.models import GridNode
from fengqiao.grids.selectors import widest_node
from fengqiao.people import importer
from fengqiao.people.errors import PeopleErrorCode
from fengqiao.people.models import Person, Residence

# Who may export the register of their area at all, and who may export it unmasked (with a reason).
EXPORT_ROLES = (
    Role.GRID_LEADER,
    Role.GRID_WORKER,
    Role.PART_TIME_WORKER,
    Role.DISPATCHER,
    Role.LEADER,
    Role.ADMIN,
)
UNMASK_ROLES = (Role.GRID_LEADER, Role.DISPATCHER, Role.ADMIN)
PAGE = 2_000


def may_export(actor: Caller) -> bool:
    return signed_in(actor) and actor.has_role(*EXPORT_ROLES)


def may_unmask(actor: Caller) -> bool:
    return signed_in(actor) and actor.has_role(*UNMASK_ROLES)


def persons_of(*, actor: Caller, node: GridNode | None = None) -> QuerySet[Person]:
    """The persons the actor's jurisdiction holds (under ``node`` when given), erased records left out."""
    queryset = scoping.scope(Person.objects.filter(erased_at__isnull=True), actor)
    if node is not None:
        scoping.require(actor, node.path)
        queryset = queryset.filter(grid_path__startswith=node.path)
    return queryset


def _pages(queryset: QuerySet[Person]) -> Iterator[list[Person]]:
    last = 0
    while True:
        page = list(queryset.filter(pk__gt=last).select_related("grid").order_by("pk")[:PAGE])
        if not page:
            return
        yield page
        last = page[-1].pk


def _row(person: Person, home: Residence | None, unmasked: bool) -> list[Any]:
    birth = ""
    if person.id_number and len(person.id_number) == 18 and person.id_number[:17].isdigit():
        birth = f"{person.id_number[6:10]}-{person.id_number[10:12]}-{person.id_number[12:14]}"
    if not unmasked:
        birth = str(person.birth_year or "")
    room = home.room if home is not None else None
    return [
        person.name if unmasked else person.name_masked,
        person.id_number if unmasked else person.id_masked,
        person.get_gender_display() if person.gender else "",
        birth or (str(person.birth_year) if person.birth_year else ""),
        person.phone if unmasked else person.phone_masked,
        person.address if unmasked else pii.mask(person.address),
        person.grid.code,
        room.building.name if room is not None else "",
        room.unit if room is not None else "",
        room.number if room is not None else "",
        home.get_relation_display() if home is not None else "",
        person.get_kind_display(),
    ]


def write_export(
    *,
    actor: Caller,
    stream: IO[bytes],
    node: GridNode | None = None,
    unmasked: bool = False,
    reason: str = "",
    note: str = "",
) -> int:
    """导出人员台账 into ``stream``; returns how many persons were written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fengqiao.core.exports import append_row

    if not may_export(actor):
        raise OutsideJurisdiction(_("您的角色不能导出人员信息。"))
    if unmasked:
        if not may_unmask(actor):
            raise OutsideJurisdiction(_("只有网格长、调度员和管理员可以导出完整的人员信息。"))
        if not reason:
            raise DomainError(_("导出完整的人员信息须说明理由。"), code=PeopleErrorCode.REASON_REQUIRED)
    queryset = persons_of(actor=actor, node=node)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("人员信息"))
    append_row(sheet, importer.HEADERS, font=Font(bold=True))
    count = 0
    for page in _pages(queryset):
        homes: dict[int, Residence] = {}
        for residence in (
            Residence.objects.filter(person_id__in=[p.pk for p in page], until__isnull=True)
            .select_related("room__building")
            .order_by("person_id", "-since", "-pk")
        ):
            homes.setdefault(residence.person_id, residence)
        for person in page:
            append_row(sheet, _row(person, homes.get(person.pk), unmasked))
            count += 1
    workbook.save(stream)
    target = node or widest_node(actor)
    if target is not None:
        audit.record(
            actor=actor,
            verb="export_persons",
            target=target,
            grid_path=target.path,
            note=note,
            data={
                "count": count,
                "unmasked": unmasked,
                "reason": reason,
                "note": note,
                "fields": ["name", "id_number", "phone", "address"] if unmasked else [],
            },
        )
    return count
