"""Commands that change the base data (人地事物组织): buildings, rooms, persons and where they live, households,
places and organisations. Each takes the actor first, runs in one transaction and writes the audit trail.

Only the grid's own workers and leaders keep its base data (``selectors.may_edit``); the centre reads. A person is
one row across grids, found by the keyed hash of the ID number: registering an ID number that is already known links
to that person instead of creating a second one, and when they now live in another grid the person moves there (the
old residences end, a new one starts). The answer never tells the worker anything of the grid they came from.
The audit rows carry which fields changed, never their values.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.core import audit, pii
from fengqiao.core.actors import Caller
from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction
from fengqiao.core.validators import PhoneError, is_valid_credit_code, is_valid_id_number, normalise_phone
from fengqiao.grids.models import GridNode, Level
from fengqiao.people.errors import PeopleErrorCode
from fengqiao.people.models import Building, Household, Organisation, Person, Place, Residence, Room
from fengqiao.people.selectors import may_edit, may_read


class PeopleError(DomainError):
    """Base data that cannot be accepted as it is."""


# Which map layer a kind of place belongs to when the worker does not say.
LAYER_OF_KIND = {
    Place.Kind.HYDRANT: Place.Layer.PROTECTION,
    Place.Kind.EXTINGUISHER: Place.Layer.PROTECTION,
    Place.Kind.AED: Place.Layer.PROTECTION,
    Place.Kind.SHELTER: Place.Layer.PROTECTION,
    Place.Kind.CAMERA: Place.Layer.PROTECTION,
    Place.Kind.GAS_STATION: Place.Layer.HAZARD,
    Place.Kind.HAZMAT: Place.Layer.HAZARD,
    Place.Kind.FLOOD: Place.Layer.HAZARD,
    Place.Kind.SHOP: Place.Layer.SERVICE,
    Place.Kind.OTHER: Place.Layer.SERVICE,
}


# Checks and normalisation of what people type.


def require_edit(actor: Caller, path: str) -> None:
    if not may_edit(actor, path):
        raise OutsideJurisdiction(
            _("只有本网格的网格员和网格长可以维护这里的基础数据。"), code=PeopleErrorCode.NOT_EDITABLE
        )


def _grid(grid: GridNode) -> GridNode:
    if grid.level < Level.GRID:
        raise PeopleError(
            _("基础数据要登记到具体的网格或微网格，“%(name)s”是上级区域。") % {"name": grid.name},
            code=PeopleErrorCode.NOT_A_GRID,
        )
    return grid


def clean_name(value: str, *, label: str, limit: int = 100) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise PeopleError(_("请填写%(label)s。") % {"label": label}, code=PeopleErrorCode.NAME_REQUIRED)
    if len(value) > limit:
        raise PeopleError(
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit}, code=PeopleErrorCode.NAME_REQUIRED
        )
    return value


def clean_id_number(value: str) -> str:
    """A resident ID number as stored (no spaces, upper-case X), ``""`` when none; wrong ones are refused."""
    value = "".join((value or "").split()).upper()
    if value and not is_valid_id_number(value):
        raise PeopleError(
            _("身份证号不正确：请核对 18 位号码，出生日期和最后一位校验码都要正确。"),
            code=CoreErrorCode.BAD_ID_NUMBER,
        )
    return value


def clean_phone(value: str) -> str:
    from fengqiao.core.errors import CoreErrorCode

    try:
        return normalise_phone(value)
    except PhoneError:
        raise PeopleError(
            _("联系电话不正确：请填写 11 位手机号，或带区号的固定电话。"), code=CoreErrorCode.BAD_PHONE
        ) from None


def clean_credit_code(value: str) -> str:
    value = "".join((value or "").split()).upper()
    if value and not is_valid_credit_code(value):
        raise PeopleError(_("统一社会信用代码不正确，请核对 18 位代码。"), code=CoreErrorCode.BAD_CREDIT_CODE)
    return value


def born_of(id_number: str) -> tuple[str, int | None]:
    """Gender and birth year read from an ID number (GB 11643: the 17th digit is odd for men)."""
    if not id_number:
        return "", None
    gender = Person.Gender.MALE if int(id_number[16]) % 2 else Person.Gender.FEMALE
    return str(gender), int(id_number[6:10])


def _new_code(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6).upper()}"


def _changes(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields whose value changed (for the audit row, no values)."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name, None) != value:  # an unset foreign key reads as None
            setattr(obj, name, value)
            changed.append(name)
    return changed


# 地: buildings and rooms.


def save_building(
    *,
    actor: Caller,
    grid: GridNode,
    name: str,
    kind: str = Building.Kind.RESIDENTIAL,
    address: str = "",
    floors: int | None = None,
    estate: str = "",
    lon: float | None = None,
    lat: float | None = None,
    building: Building | None = None,
) -> Building:
    """登记/修改楼栋: a building in one of the actor's grids (moving it needs both grids to be theirs)."""
    _grid(grid)
    require_edit(actor, grid.path)
    if building is not None:
        require_edit(actor, building.grid_path)
    if floors is not None and not 0 < floors <= 200:
        raise PeopleError(_("层数应在 1 到 200 之间。"), code=PeopleErrorCode.BAD_YEAR)
    values = {
        "grid": grid,
        "name": clean_name(name, label=_("楼栋名称")),
        "kind": kind,
        "address": (address or "").strip()[:200],
        "floors": floors,
        "estate": (estate or "").strip()[:100],
        "lon": lon,
        "lat": lat,
    }
    with transaction.atomic():
        created = building is None
        building = building or Building(code=_new_code("B"))
        changed = _changes(building, values)
        building.full_clean()
        building.save()
        if created or changed:
            audit.record(
                actor=actor,
                verb="people_building_saved",
                target=building,
                data={"created": created, "fields": changed},
            )
    return building


def save_room(
    *,
    actor: Caller,
    building: Building,
    number: str,
    unit: str = "",
    use: str = Room.Use.OWNER,
    area_m2: Decimal | None = None,
    room: Room | None = None,
) -> Room:
    """登记/修改房屋: a room of a building in the actor's grid; unit and number are unique in the building."""
    require_edit(actor, building.grid_path)
    if room is not None and room.building_id != building.pk:
        raise OutsideJurisdiction()
    values = {
        "building": building,
        "grid": building.grid,
        "unit": (unit or "").strip()[:20],
        "number": clean_name(number, label=_("室号"), limit=20),
        "use": use,
        "area_m2": area_m2,
    }
    clash = Room.objects.filter(building=building, unit=values["unit"], number=values["number"])
    if room is not None:
        clash = clash.exclude(pk=room.pk)
    if clash.exists():
        raise PeopleError(
            _("该楼栋已有%(unit)s%(number)s室，请勿重复登记。") % values, code=PeopleErrorCode.ROOM_EXISTS
        )
    with transaction.atomic():
        created = room is None
        room = room or Room(code=_new_code("R"))
        changed = _changes(room, values)
        room.full_clean(validate_unique=False)
        room.save()
        if created or changed:
            audit.record(
                actor=actor, verb="people_room_saved", target=room, data={"created": created, "fields": changed}
            )
    return room


# 人: persons, where they live, households.


@dataclass(frozen=True)
class Registration:
    """What registering a person did: a new row, or the known person linked (and moved here when they lived in
    another grid). ``moved`` says only that much: nothing of the grid they came from."""

    person: Person
    created: bool
    moved: bool


def register_person(
    *,
    actor: Caller,
    grid: GridNode,
    name: str,
    id_number: str = "",
    phone: str = "",
    address: str = "",
    kind: str = Person.Kind.RESIDENT,
    room: Room | None = None,
    relation: str = "",
    now: dt.datetime | None = None,
) -> Registration:
    """登记人员 (one person across grids): a known ID number links to the existing person instead of a duplicate."""
    _grid(grid)
    require_edit(actor, grid.path)
    if room is not None:
        require_edit(actor, room.grid_path)
        grid = room.grid  # a person registered in a room lives in the room's grid
    now = now or timezone.now()
    name = clean_name(name, label=_("姓名"), limit=50)
    id_number = clean_id_number(id_number)
    phone = clean_phone(phone)
    address = (address or "").strip()[:200]
    gender, birth_year = born_of(id_number)
    with transaction.atomic():
        existing = (
            Person.objects.select_for_update().filter(id_index=pii.blind_index(id_number)).first()
            if id_number
            else None
        )
        if existing is None:
            person = Person(
                grid=grid,
                name=name,
                id_number=id_number,
                phone=phone,
                address=address,
                kind=kind,
                gender=gender,
                birth_year=birth_year,
                created_at=now,
            )
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError:  # registered by someone else a moment ago: link to theirs
                return register_person(
                    actor=actor,
                    grid=grid,
                    name=name,
                    id_number=id_number,
                    phone=phone,
                    address=address,
                    kind=kind,
                    room=room,
                    relation=relation,
                    now=now,
                )
            audit.record(actor=actor, verb="people_person_registered", target=person, data={"fields": ["name"]})
            created, moved = True, False
        else:
            person = existing
            from_path = person.grid_path
            moved = not from_path.startswith(grid.path) and not grid.path.startswith(from_path)
            values: dict[str, Any] = {"name": name, "kind": kind}
            if phone:
                values["phone"] = phone
            if address:
                values["address"] = address
            if moved:
                values["grid"] = grid
            changed = _changes(person, values)
            person.save()
            if moved:
                _end_living(person, until=timezone.localdate(now))
            audit.record(
                actor=actor,
                verb="people_person_moved" if moved else "people_person_linked",
                target=person,
                data={"fields": changed, "moved": moved},
            )
            created = False
        if room is not None and relation:
            add_residence(actor=actor, person=person, room=room, relation=relation, since=timezone.localdate(now))
    return Registration(person=person, created=created, moved=moved)


def _end_living(person: Person, *, until: dt.date, keep_room: Room | None = None) -> int:
    """End the person's open living (not ownership) residences: one lives in one place at a time."""
    rows = person.residences.filter(until__isnull=True).exclude(relation=Residence.Relation.OWNER)
    if keep_room is not None:
        rows = rows.exclude(room=keep_room)
    return rows.update(until=until)


def edit_person(
    *,
    actor: Caller,
    person: Person,
    name: str,
    phone: str = "",
    address: str = "",
    kind: str = Person.Kind.RESIDENT,
    id_number: str | None = None,
) -> Person:
    """修改人员信息 in the actor's grid; an erased record stays erased."""
    require_edit(actor, person.grid_path)
    if person.erased_at is not None:
        raise PeopleError(_("该人员信息已依申请删除，不能再修改。"), code=PeopleErrorCode.ERASED)
    values: dict[str, Any] = {
        "name": clean_name(name, label=_("姓名"), limit=50),
        "phone": clean_phone(phone),
        "address": (address or "").strip()[:200],
        "kind": kind,
    }
    if id_number is not None:
        number = clean_id_number(id_number)
        if number and Person.objects.filter(id_index=pii.blind_index(number)).exclude(pk=person.pk).exists():
            raise PeopleError(
                _("该身份证号已登记为另一人员，请用“登记人员”关联，不要重复登记。"),
                code=CoreErrorCode.BAD_ID_NUMBER,
            )
        values["id_number"] = number
        values["gender"], values["birth_year"] = born_of(number) if number else (person.gender, person.birth_year)
    with transaction.atomic():
        changed = _changes(person, values)
        if changed:
            person.save()
            audit.record(actor=actor, verb="people_person_edited", target=person, data={"fields": changed})
    return person


def add_residence(
    *,
    actor: Caller,
    person: Person,
    room: Room,
    relation: str,
    household: Household | None = None,
    since: dt.date | None = None,
) -> Residence:
    """登记居住关系 (产权人、居住、租住、家庭成员). Living in a room ends living anywhere else (ownership stays), and a
    person who now lives in another grid moves there."""
    require_edit(actor, room.grid_path)
    if not may_read(actor, person.grid_path):
        # A person is reached by pk only through the actor's own grids; anything else is a forged request, answered
        # like a missing person (no oracle of which records exist elsewhere).
        raise Person.DoesNotExist()
    if person.erased_at is not None:
        raise PeopleError(_("该人员信息已依申请删除，不能再登记。"), code=PeopleErrorCode.ERASED)
    if relation not in Residence.Relation.values:
        raise PeopleError(_("请选择与房屋的关系。"), code=PeopleErrorCode.NAME_REQUIRED)
    if household is not None and household.room_id != room.pk:
        raise PeopleError(_("所选的户不在这间房屋。"), code=PeopleErrorCode.NAME_REQUIRED)
    since = since or timezone.localdate()
    with transaction.atomic():
        same = person.residences.filter(room=room, relation=relation, until__isnull=True).first()
        if same is not None:
            return same
        if relation != Residence.Relation.OWNER:
            _end_living(person, until=since, keep_room=room)
            if person.grid_id != room.grid_id:  # they live here now
                person.grid = room.grid
                person.save()
        residence = Residence.objects.create(
            person=person, room=room, household=household, relation=relation, since=since
        )
        audit.record(
            actor=actor,
            verb="people_residence_started",
            target=person,
            data={"room": room.pk, "relation": relation},
            grid_path=room.grid_path,
        )
    return residence


def end_residence(*, actor: Caller, residence: Residence, until: dt.date | None = None) -> Residence:
    """迁出/解除: the residence ends (kept as history)."""
    require_edit(actor, residence.room.grid_path)
    with transaction.atomic():
        if residence.until is None:
            residence.until = until or timezone.localdate()
            residence.save(update_fields=["until"])
            audit.record(
                actor=actor,
                verb="people_residence_ended",
                target=residence.person,
                data={"room": residence.room_id, "relation": residence.relation},
                grid_path=residence.room.grid_path,
            )
    return residence


def save_household(
    *, actor: Caller, room: Room, head: Person | None = None, household: Household | None = None
) -> Household:
    """立户/变更户主: a household of a room, headed by someone who lives there."""
    require_edit(actor, room.grid_path)
    if household is not None and household.room_id != room.pk:
        raise OutsideJurisdiction()
    if head is not None and not head.residences.filter(room=room, until__isnull=True).exists():
        raise PeopleError(_("户主须是在这间房屋居住的人员。"), code=PeopleErrorCode.NAME_REQUIRED)
    with transaction.atomic():
        created = household is None
        household = household or Household(room=room, grid=room.grid)
        household.head = head
        household.save()
        if head is not None:
            head.residences.filter(room=room, until__isnull=True, household__isnull=True).update(household=household)
        audit.record(actor=actor, verb="people_household_saved", target=household, data={"created": created})
    return household


# 物 and 组织: places and organisations.


def save_place(
    *,
    actor: Caller,
    grid: GridNode,
    kind: str,
    name: str,
    layer: str = "",
    address: str = "",
    note: str = "",
    lon: float | None = None,
    lat: float | None = None,
    checked_at: dt.datetime | None = None,
    place: Place | None = None,
) -> Place:
    """登记场所设施 (消防栓、加油站、监控、九小场所 …) on one of the three map layers."""
    _grid(grid)
    require_edit(actor, grid.path)
    if place is not None:
        require_edit(actor, place.grid_path)
    if kind not in Place.Kind.values:
        raise PeopleError(_("请选择场所设施类型。"), code=PeopleErrorCode.NAME_REQUIRED)
    values = {
        "grid": grid,
        "kind": kind,
        "layer": layer if layer in Place.Layer.values else LAYER_OF_KIND[Place.Kind(kind)],
        "name": clean_name(name, label=_("名称")),
        "address": (address or "").strip()[:200],
        "note": (note or "").strip()[:2000],
        "lon": lon,
        "lat": lat,
        "checked_at": checked_at,
    }
    with transaction.atomic():
        created = place is None
        place = place or Place()
        changed = _changes(place, values)
        place.full_clean()
        place.save()
        if created or changed:
            audit.record(
                actor=actor, verb="people_place_saved", target=place, data={"created": created, "fields": changed}
            )
    return place


def save_organisation(
    *,
    actor: Caller,
    grid: GridNode,
    kind: str,
    name: str,
    credit_code: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    employees: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    organisation: Organisation | None = None,
) -> Organisation:
    """登记组织 (企业、学校、个体工商户、社会组织、物业 …) with its contact person."""
    _grid(grid)
    require_edit(actor, grid.path)
    if organisation is not None:
        require_edit(actor, organisation.grid_path)
    if kind not in Organisation.Kind.values:
        raise PeopleError(_("请选择组织类型。"), code=PeopleErrorCode.NAME_REQUIRED)
    values = {
        "grid": grid,
        "kind": kind,
        "name": clean_name(name, label=_("组织名称"), limit=150),
        "credit_code": clean_credit_code(credit_code),
        "address": (address or "").strip()[:200],
        "contact_name": " ".join((contact_name or "").split())[:50],
        "contact_phone": clean_phone(contact_phone),
        "employees": employees,
        "lon": lon,
        "lat": lat,
    }
    with transaction.atomic():
        created = organisation is None
        organisation = organisation or Organisation()
        changed = _changes(organisation, values)
        organisation.full_clean()
        organisation.save()
        if created or changed:
            audit.record(
                actor=actor,
                verb="people_organisation_saved",
                target=organisation,
                data={"created": created, "fields": changed},
            )
    return organisation
