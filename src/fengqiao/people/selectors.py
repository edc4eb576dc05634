"""Reading the base data (人地事物组织), always scoped to what the caller may see.

Who reads: grid workers and grid leaders their grids (a leader's membership node is their subtree), the centre's
dispatchers and leaders their jurisdiction, the platform administrator everything. Department handlers, mediators,
informants and the security and audit administrators read no base data: personal records are need-to-know.
Who writes: only the grid's own workers and leaders (:func:`may_edit`); dispatchers read.

Nothing here loads every person of a grid: the profile page is counts (one aggregate query per kind) and paginated
lists; a person is found by the keyed hash of the ID number (``id_index``), one indexed equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, Model, Q, QuerySet
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.core import audit, links, pii, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.grids.models import GridNode
from fengqiao.people.models import Building, Household, Organisation, Person, Place, Rental, Residence, Room

M = TypeVar("M", bound=Model)

READ_ROLES = frozenset(
    {Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER, Role.DISPATCHER, Role.LEADER, Role.ADMIN}
)
EDIT_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER, Role.PART_TIME_WORKER})
# Least privilege: the roles not named in READ_ROLES reach no base data at all.
BASE_REACH: dict[str, scoping.RoleReach] = {role: None for role in Role.values if role not in READ_ROLES}
PAGE_SIZE = 20


def readable(queryset: QuerySet[M], actor: Caller) -> QuerySet[M]:
    """``queryset`` restricted to the grids the actor reads base data in (see the module's first paragraph)."""
    return scoping.scope_by_role(queryset, actor, by_role=BASE_REACH)


def _paths(actor: Caller, roles: frozenset[str]) -> list[str] | None:
    if not signed_in(actor):
        return []
    if actor.is_superuser:
        return None
    return [m.node.path for m in actor.active_memberships if m.role in roles]


def may_read(actor: Caller, path: str) -> bool:
    paths = _paths(actor, READ_ROLES)
    return paths is None or any(path.startswith(p) for p in paths)


def may_edit(actor: Caller, path: str) -> bool:
    """Whether the actor keeps the base data at ``path``: a worker their grids, a grid leader their subtree."""
    paths = _paths(actor, EDIT_ROLES)
    return paths is None or any(path.startswith(p) for p in paths)


def may_visit(actor: Caller, path: str) -> bool:
    """Whether the actor walks the grid at ``path`` and records household visits there (a worker or grid leader by
    membership; the superuser keeps no grid)."""
    if not signed_in(actor):
        return False
    return any(m.role in EDIT_ROLES and path.startswith(m.node.path) for m in actor.active_memberships)


def may_handle_pii(actor: Caller, path: str) -> bool:
    """Export and erasure are the centre's: a dispatcher whose jurisdiction covers the person."""
    paths = _paths(actor, frozenset({Role.DISPATCHER}))
    return paths is not None and any(path.startswith(p) for p in paths)


def may_use_base_data(actor: Caller) -> bool:
    """The menu check: the actor holds a role that reads base data somewhere."""
    return signed_in(actor) and (actor.is_superuser or actor.has_role(*READ_ROLES))


def my_grids(*, actor: Caller) -> list[GridNode]:
    """The nodes the actor reads base data under, as their memberships name them (top first)."""
    if not signed_in(actor):
        return []
    if actor.is_superuser:
        return list(GridNode.objects.filter(depth=0).order_by("code"))
    seen: dict[int, GridNode] = {}
    for m in actor.active_memberships:
        if m.role in READ_ROLES:
            seen.setdefault(m.node.pk, m.node)  # type: ignore[attr-defined,arg-type]
    return sorted(seen.values(), key=lambda n: n.path)


def grid_for(*, actor: Caller, code: str) -> GridNode:
    """A node the actor reads base data in; one outside is refused like a missing one (404, no oracle)."""
    node = GridNode.objects.filter(code=code).first()
    if node is None or not may_read(actor, node.path):
        raise GridNode.DoesNotExist()
    return node


def get_readable(queryset: QuerySet[M], actor: Caller, **lookup: Any) -> M:
    obj = readable(queryset, actor).filter(**lookup).first()
    if obj is None:
        raise queryset.model.DoesNotExist()  # type: ignore[attr-defined]
    return obj


# The grid profile (网格画像): counts at a glance, then one page of one list.


@dataclass
class Profile:
    node: GridNode
    buildings: int = 0
    rooms: int = 0
    rooms_by_use: dict[str, int] = field(default_factory=dict)
    persons: int = 0
    persons_by_kind: dict[str, int] = field(default_factory=dict)
    households: int = 0
    places_by_layer: dict[str, int] = field(default_factory=dict)
    organisations_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def places(self) -> int:
        return sum(self.places_by_layer.values())

    @property
    def organisations(self) -> int:
        return sum(self.organisations_by_kind.values())


def _grouped(queryset: QuerySet[Any], column: str) -> dict[str, int]:
    return {row[column]: row["n"] for row in queryset.values(column).annotate(n=Count("id")).order_by()}


def grid_profile(*, actor: Caller, code: str) -> Profile:
    """网格画像: how many buildings, rooms, persons (by kind), households, places (by layer) and organisations (by
    kind) live under the node; one grouped count per kind over the ``grid_path`` prefix index, never the rows."""
    node = grid_for(actor=actor, code=code)
    under = {"grid_path__startswith": node.path}
    persons = _grouped(Person.objects.filter(erased_at__isnull=True, **under), "kind")
    rooms = _grouped(Room.objects.filter(**under), "use")
    return Profile(
        node=node,
        buildings=Building.objects.filter(**under).count(),
        rooms=sum(rooms.values()),
        rooms_by_use=rooms,
        persons=sum(persons.values()),
        persons_by_kind=persons,
        households=Household.objects.filter(**under).count(),
        places_by_layer=_grouped(Place.objects.filter(**under), "layer"),
        organisations_by_kind=_grouped(Organisation.objects.filter(**under), "kind"),
    )


TABS = ("buildings", "persons", "places", "organisations")


def profile_rows(*, actor: Caller, node: GridNode, tab: str, page: int = 1, kind: str = "") -> Page[Any]:
    """One page of one list under the node (``tab`` is one of :data:`TABS`); ``kind`` narrows by kind or layer."""
    under = {"grid_path__startswith": node.path}
    rows: QuerySet[Any]
    if tab == "persons":
        # In registration order: the primary key pages a street of 150,000 persons in a millisecond, where ordering by
        # path would sort them all first.
        rows = Person.objects.filter(erased_at__isnull=True, **under).order_by("id")
        if kind:
            rows = rows.filter(kind=kind)
    elif tab == "places":
        rows = Place.objects.filter(**under).order_by("layer", "name", "id")
        if kind:
            rows = rows.filter(layer=kind)
    elif tab == "organisations":
        rows = Organisation.objects.filter(**under).order_by("kind", "name", "id")
        if kind:
            rows = rows.filter(kind=kind)
    else:
        rows = Building.objects.filter(**under).annotate(room_count=Count("rooms")).order_by("name", "id")
    rows = readable(rows, actor).select_related("grid")
    return Paginator(rows, PAGE_SIZE).get_page(page)


def building_detail(*, actor: Caller, pk: int) -> Building:
    return get_readable(Building.objects.select_related("grid"), actor, pk=pk)


def rooms_of(*, building: Building) -> QuerySet[Room]:
    """The building's rooms with how many people live in each now (one grouped query)."""
    return building.rooms.annotate(
        living=Count("residences", filter=Q(residences__until__isnull=True), distinct=True)
    ).order_by("unit", "number")


def room_detail(*, actor: Caller, pk: int) -> Room:
    return get_readable(Room.objects.select_related("building", "grid"), actor, pk=pk)


def residents_of(*, room: Room, current: bool = True) -> QuerySet[Residence]:
    rows = room.residences.select_related("person", "household")
    return rows.filter(until__isnull=True) if current else rows.order_by("-since", "-id")


def person_detail(*, actor: Caller, pk: int) -> Person:
    return get_readable(Person.objects.select_related("grid"), actor, pk=pk)


def residence_history(*, person: Person) -> QuerySet[Residence]:
    """Where the person lived or owned, newest first (rooms in other grids included: the history moves with them)."""
    return person.residences.select_related("room", "room__building", "room__grid").order_by("-since", "-id")


def households_of(*, room: Room) -> QuerySet[Household]:
    return room.households.select_related("head")


def cases_of(*, actor: Caller, person: Person) -> list[links.CaseLink]:
    """The cases (事) naming the person that the viewer may open, from every app that registered with core.links."""
    return links.cases_of_person(person.id_index, actor)


def find_person(*, actor: Caller, id_number: str) -> Person | None:
    """Find a person by ID number: the keyed hash, one indexed equality, within the actor's reach.

    Every lookup is written to the audit trail (who looked up, whether a record in reach was found), as searching
    by an identifier is processing it. A person outside the actor's reach is answered exactly like no person.
    """
    index = pii.blind_index(id_number)
    person = readable(Person.objects.filter(id_index=index, erased_at__isnull=True), actor).first()
    target: Any = person if person is not None else actor
    if signed_in(actor):
        audit.record(
            actor=actor,
            verb="people_lookup",
            target=target,
            data={"found": person is not None},
            grid_path=None if person is not None else "",
        )
    return person


def places_of(*, actor: Caller, node: GridNode, page: int = 1, layer: str = "") -> Page[Any]:
    return profile_rows(actor=actor, node=node, tab="places", page=page, kind=layer)


def organisations_of(*, actor: Caller, node: GridNode, page: int = 1, kind: str = "") -> Page[Any]:
    return profile_rows(actor=actor, node=node, tab="organisations", page=page, kind=kind)


def place_detail(*, actor: Caller, pk: int) -> Place:
    return get_readable(Place.objects.select_related("grid"), actor, pk=pk)


def organisation_detail(*, actor: Caller, pk: int) -> Organisation:
    return get_readable(Organisation.objects.select_related("grid"), actor, pk=pk)


def editable_grids(*, actor: Caller, under: GridNode | None = None) -> list[GridNode]:
    """The grid and micro-grid nodes the actor may put base data in (optionally under one node), by path."""
    from fengqiao.grids.models import Level

    if not signed_in(actor):
        return []
    nodes = GridNode.objects.filter(level__gte=Level.GRID).order_by("path")
    paths = _paths(actor, EDIT_ROLES)
    if paths is not None:
        nodes = nodes.filter(scoping.path_q(paths, "path"))
    if under is not None:
        nodes = nodes.filter(path__startswith=under.path)
    return list(nodes[:200])


def layer_counts(*, actor: Caller, paths: list[str]) -> dict[str, dict[str, int]]:
    """The map's base-data layers per area (counts only, never points to people): active rentals, organisations,
    hazards and protective facilities (the seeds' risk and protection maps). Areas the actor does not read base data
    in are left out."""
    wanted = [p for p in paths if may_read(actor, p)]
    out: dict[str, dict[str, int]] = {}
    for path in wanted:
        under = Q(grid_path__startswith=path)
        places = Place.objects.filter(under).aggregate(
            hazards=Count("pk", filter=Q(layer=Place.Layer.HAZARD)),
            protections=Count("pk", filter=Q(layer=Place.Layer.PROTECTION)),
        )
        out[path] = {
            "rentals": Rental.objects.filter(under, ended_at__isnull=True).count(),
            "organisations": Organisation.objects.filter(under).count(),
            **{k: int(v or 0) for k, v in places.items()},
        }
    return out


def person_ref(*, ref: str, actor: Caller) -> links.PersonRef | None:
    """A person named by another app's record (``P`` and the record's number), as ``actor`` may see them: masked,
    with where they live now; ``None`` alike for a malformed, unknown, erased or out-of-reach reference."""
    if not ref.startswith("P") or not ref[1:].isdigit() or len(ref) > 20:
        return None
    person = readable(Person.objects.filter(pk=int(ref[1:]), erased_at__isnull=True), actor).first()
    if person is None:
        return None
    home = (
        person.residences.filter(until__isnull=True).select_related("room", "room__building").order_by("-since").first()
    )
    return links.PersonRef(
        ref=f"P{person.pk}",
        label=person.name_masked,
        grid_path=person.grid_path,
        url=reverse("people:person", args=[person.pk]),
        address=str(home.room) if home is not None else "",
    )
