"""Queries over events, always scoped to the actor's jurisdiction (or department, for handlers)."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from fengqiao.accounts.models import Role, User
from fengqiao.core import scoping, sla, tracking
from fengqiao.core.codes import normalise
from fengqiao.core.models import Action
from fengqiao.events.clocks import EVENT_CLOCKS, SUMMONS_CLOCKS
from fengqiao.events.models import Category, Event, SpotCheck, Summons, SummonsState
from fengqiao.events.workflow import EVENT_FLOW, OPEN_STATES, SUMMONS_OPEN
from fengqiao.grids.coords import distance_metres
from fengqiao.grids.models import GridNode


def with_colour(qs: QuerySet[Event], now: dt.datetime | None = None) -> QuerySet[Event]:
    """``colour``, ``flag`` and ``urgency`` from the event's declared clock (events.clocks)."""
    return EVENT_CLOCKS.annotate(qs, now)


def _routed_to(membership: Any) -> Q:
    """Events whose lead department, or one of whose co-handling departments (吹哨报到), is the membership's."""
    if not membership.department_id:
        return Q(pk__in=[])
    co = Event.co_departments.through.objects.filter(department_id=membership.department_id).values("event_id")
    return Q(lead_department_id=membership.department_id) | Q(pk__in=co)


# Least privilege: who reaches which events. Roles not named here reach their node's subtree (grid workers, grid
# leaders, informants, dispatchers, leaders, administrators); a handler reaches only what is routed to the
# department; mediators and the security and audit administrators (三员分立) have no business with events.
EVENT_REACH: dict[str, scoping.RoleReach] = {
    Role.HANDLER: _routed_to,
    Role.MEDIATOR: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}


def visible_events(*, actor: User) -> QuerySet[Event]:
    """Events the actor may see: by role (see EVENT_REACH); every list, page, count and export reads through here."""
    return scoping.scope_by_role(Event.objects.all(), actor, by_role=EVENT_REACH)


def department_ids(actor: User) -> list[int]:
    if not getattr(actor, "is_authenticated", False):
        return []
    return [m.department_id for m in actor.active_memberships if m.role == Role.HANDLER and m.department_id]


def department_queue(
    *, actor: User, states: Sequence[str] = (), colour: str = "", now: dt.datetime | None = None
) -> QuerySet[Event]:
    """The handler's list: open events routed to their departments, as lead or co-handler, most urgent first;
    narrowed to some open ``states`` (待签收 is ``routed``) or one deadline ``colour`` when asked."""
    routed = Q(pk__in=[])
    for membership in actor.active_memberships if getattr(actor, "is_authenticated", False) else ():
        if membership.role == Role.HANDLER:
            routed |= _routed_to(membership)
    wanted = [s for s in states if s in OPEN_STATES] or OPEN_STATES
    qs = with_colour(Event.objects.filter(routed, state__in=wanted), now)
    if colour:
        qs = qs.filter(colour=colour)  # type: ignore[misc]
    return qs.select_related("category", "grid").order_by("urgency", "due_at")


@dataclass
class QueueFilters:
    state: str = ""
    category: str = ""
    grid: str = ""
    colour: str = ""
    source: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""
    open_only: bool = False
    # "own": 本级待办, what the actor's own centres own (events.tiers); anything else: the whole jurisdiction.
    scope: str = ""


OWN = "own"


def owned_here(actor: User) -> Q | None:
    """The events owned by the actor's own dispatcher centres (本级待办); None for someone with no dispatcher post,
    whose queue is their whole reach."""
    if not getattr(actor, "is_authenticated", False):
        return None
    nodes = [m.node_id for m in actor.active_memberships if m.role == Role.DISPATCHER]
    return Q(owner_node_id__in=nodes) if nodes else None


def _own_level(qs: QuerySet[Event], actor: User, scope: str) -> QuerySet[Event]:
    if scope != OWN:
        return qs
    own = owned_here(actor)
    return qs if own is None else qs.filter(own)


def event_queue(*, actor: User, filters: QueueFilters | None = None, now: dt.datetime | None = None) -> QuerySet[Event]:
    """The workbench queue: scoped, filtered, each row with its colour, most urgent first."""
    f = filters or QueueFilters()
    qs = _own_level(visible_events(actor=actor), actor, f.scope)
    if f.state:
        qs = qs.filter(state=f.state)
    elif f.open_only:
        qs = qs.filter(state__in=OPEN_STATES)
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.grid:
        node = scoping.scope(GridNode.objects.all(), actor).filter(code=f.grid).first()
        qs = qs.filter(grid_path__startswith=node.path) if node else qs.none()
    if f.source:
        qs = qs.filter(source=f.source)
    if f.since:
        qs = qs.filter(reported_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(reported_at__date__lte=f.until)
    if f.q:
        qs = qs.filter(Q(tracking_code__icontains=f.q.strip()) | Q(description__icontains=f.q.strip()))
    qs = with_colour(qs, now)
    if f.colour:
        qs = qs.filter(colour=f.colour)  # type: ignore[misc]
    # Deadline order is urgency order (overdue first, then due soon); finished events, with no clock, come last.
    return qs.select_related("category", "category__parent", "grid", "lead_department", "owner_node").order_by(
        F("due_at").asc(nulls_last=True), "-reported_at"
    )


def colour_counts(*, actor: User, now: dt.datetime | None = None, scope: str = "") -> dict[str, int]:
    """Open events per colour in the actor's jurisdiction, or only those their own centre owns (``scope="own"``),
    in one grouped query."""
    qs = with_colour(_own_level(visible_events(actor=actor), actor, scope).filter(state__in=OPEN_STATES), now)
    counts = {c.value: 0 for c in sla.Colour}
    for row in qs.values("colour").annotate(n=Count("id")).order_by():  # type: ignore[misc]
        counts[row["colour"]] = row["n"]
    return counts


def event_detail(*, actor: User, code: str) -> Event:
    code = normalise(code)
    qs = Event.objects.select_related(
        "category",
        "category__parent",
        "grid",
        "lead_department",
        "merged_into",
        "owner_node",
        "first_receiver",
        "first_receiver_node",
    )
    event = visible_events(actor=actor).filter(tracking_code=code).first()
    if event is None:
        raise Event.DoesNotExist()  # foreign or missing: the same answer, so codes cannot be probed
    return with_colour(qs.filter(pk=event.pk)).get()


def my_events(*, actor: User) -> QuerySet[Event]:
    return with_colour(Event.objects.filter(reporter=actor)).select_related("category", "grid").order_by("-reported_at")


def timeline(event: Event) -> list[Action]:
    """The audit trail of one event, each row labelled by the workflow table; residents report and rate unnamed."""
    return tracking.timeline(event, EVENT_FLOW, by_public=("report", "rate"))


def available_actions(*, actor: User, event: Event) -> list[str]:
    names = [t.name for t in EVENT_FLOW.available(event, actor) if t.name not in ("rate",)]
    return names


def possible_duplicates(*, event: Event, limit: int = 10) -> list[tuple[Event, float]]:
    """Open events of the same category near this one in space and time, nearest first, with distance in metres."""
    if event.lon is None or event.lat is None or event.category_id is None:
        return []
    radius = settings.FENGQIAO_DUPLICATE_METRES
    window = dt.timedelta(hours=settings.FENGQIAO_DUPLICATE_HOURS)
    dlat = radius / 111_320.0
    dlon = radius / (111_320.0 * max(math.cos(math.radians(event.lat)), 0.1))
    candidates = Event.objects.filter(
        category_id=event.category_id,
        state__in=OPEN_STATES,
        merged_into__isnull=True,
        lon__range=(event.lon - dlon, event.lon + dlon),
        lat__range=(event.lat - dlat, event.lat + dlat),
        reported_at__range=(event.reported_at - window, event.reported_at + window),
    ).exclude(pk=event.pk)
    found = []
    for other in candidates[:200]:
        metres = distance_metres((event.lon, event.lat), (other.lon or 0, other.lat or 0))
        if metres <= radius:
            found.append((other, metres))
    return sorted(found, key=lambda p: p[1])[:limit]


def departments_for(*, event: Event) -> QuerySet[Any]:
    """Departments that may be given this event: those whose area contains its grid."""
    from fengqiao.accounts.models import Department

    paths = scoping.ancestor_paths(event.grid_path)
    return (
        Department.objects.filter(active=True, node_path__in=paths)
        .select_related("node")
        .order_by("-node_path", "name")
    )


_CATEGORY_CACHE: dict[str, tuple[float, Category | None]] = {}
CATEGORY_CACHE_SECONDS = 30.0


def leaf_category(code: str) -> Category | None:
    """An active leaf category by code, remembered for a few seconds: intake asks for it on every report."""
    now = time.monotonic()
    hit = _CATEGORY_CACHE.get(code)
    if hit is not None and now - hit[0] < CATEGORY_CACHE_SECONDS:
        return hit[1]
    category = Category.objects.filter(code=code, active=True, parent__isnull=False).select_related("parent").first()
    _CATEGORY_CACHE[code] = (now, category)
    return category


def forget_categories(*args: Any, **kwargs: Any) -> None:
    _CATEGORY_CACHE.clear()


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent").order_by("code")


def public_tracking(*, code: str) -> tuple[Event, list[tracking.PublicStage]]:
    """What a resident may see by tracking code: the workflow's public stages and times, never people's names or
    phones; the only notes are why it was not registered and which department handles it."""
    event = Event.objects.select_related("category", "grid", "lead_department").get(tracking_code=normalise(code))
    notes = {
        "reject": lambda action: action.note,
        "route": lambda action: event.lead_department.name if event.lead_department else "",
    }
    return event, tracking.public_stages(event, EVENT_FLOW, notes=notes)


# -- 吹哨报到 ------------------------------------------------------------------------------------------------
def summonses_of(*, event: Event, now: dt.datetime | None = None) -> list[Summons]:
    """The departments a whistle called to this event, each with its colour (green / orange / red) and the signal
    that paints it (签收超时, 即将报到超时 …); the caller has already been allowed to see the event."""
    qs = SUMMONS_CLOCKS.annotate(Summons.objects.filter(event=event), now)
    rows = list(qs.select_related("department", "department__node", "event").order_by("summoned_at", "pk"))
    labels = SUMMONS_CLOCKS.labels
    for row in rows:
        row.flag_label = str(labels.get(row.flag, "")) if row.flag else ""  # type: ignore[attr-defined]
    return rows


def whistle_answered(*, event: Event) -> bool | None:
    """Whether every summoned department has reported back; None when no whistle was blown."""
    states = list(Summons.objects.filter(event=event).values_list("state", flat=True))
    if not states:
        return None
    return all(state == SummonsState.REPORTED for state in states)


def my_summonses(*, actor: User, now: dt.datetime | None = None) -> QuerySet[Summons]:
    """The handler's whistles: open report-back rows of their departments, most urgent first."""
    ids = department_ids(actor)
    qs = Summons.objects.filter(department_id__in=ids, state__in=SUMMONS_OPEN)
    return (
        SUMMONS_CLOCKS.annotate(qs, now)
        .select_related("event", "event__category", "department")
        .order_by("urgency", "report_due_at")
    )


RANKING_ROLES = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


@dataclass
class DepartmentScore:
    """One department's answer to whistles over a period (报到率, timeliness)."""

    department: Any
    summoned: int
    reported: int
    on_time: int
    hours_to_report: float | None  # mean, over the reported rows

    @property
    def report_rate(self) -> float:
        return self.reported / self.summoned if self.summoned else 0.0

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.summoned if self.summoned else 0.0


def whistle_ranking(*, actor: User, since: dt.date, until: dt.date) -> list[DepartmentScore]:
    """Departments ranked by 报到率, then on-time rate, then mean time to report, over whistles blown on events in
    the actor's jurisdiction from ``since`` to ``until`` (inclusive). On time: reported within the report clock."""
    if not actor.has_role(*RANKING_ROLES):
        return []
    rows = scoping.scope(Summons.objects.all(), actor).filter(
        summoned_at__date__gte=since, summoned_at__date__lte=until
    )
    counted = (
        rows.values("department_id")
        .annotate(
            summoned=Count("id"),
            reported=Count("id", filter=Q(state=SummonsState.REPORTED)),
            timely=Count(
                "id",
                filter=Q(state=SummonsState.REPORTED)
                & (Q(report_due_at__isnull=True) | Q(reported_at__lte=F("report_due_at"))),
            ),
        )
        .order_by()
    )
    hours: dict[int, list[float]] = {}
    for dept_id, summoned_at, reported_at in rows.filter(reported_at__isnull=False).values_list(
        "department_id", "summoned_at", "reported_at"
    ):
        if reported_at is not None:
            hours.setdefault(dept_id, []).append((reported_at - summoned_at).total_seconds() / 3600)
    from fengqiao.accounts.models import Department

    departments = Department.objects.select_related("node").in_bulk([row["department_id"] for row in counted])
    scores = [
        DepartmentScore(
            department=departments[row["department_id"]],
            summoned=row["summoned"],
            reported=row["reported"],
            on_time=row["timely"],
            hours_to_report=(
                sum(hours[row["department_id"]]) / len(hours[row["department_id"]])
                if hours.get(row["department_id"])
                else None
            ),
        )
        for row in counted
    ]
    return sorted(
        scores,
        key=lambda s: (
            -s.report_rate,
            -s.on_time_rate,
            s.hours_to_report if s.hours_to_report is not None else math.inf,
            s.department.name,
        ),
    )


# -- 即报即办 抽查 --------------------------------------------------------------------------------------------
def spot_checks(*, actor: User) -> QuerySet[Event]:
    """Events solved on the spot and drawn for 抽查 that the centre has still to check, in its jurisdiction."""
    if not actor.has_role(Role.DISPATCHER, Role.ADMIN):
        return Event.objects.none()
    return (
        visible_events(actor=actor)
        .filter(on_the_spot=True, spot_check=SpotCheck.PENDING, state="closed")
        .select_related("category", "grid", "reporter")
        .order_by("closed_at")
    )


def acceptance_workers(*, event: Event) -> list[User]:
    """Grid workers and grid leaders (not informants) of the event's grid or above it: who may be sent to accept a
    hazard on site, nearest post first."""
    from fengqiao.accounts.selectors import members_above

    return members_above(event.grid_path, [Role.GRID_WORKER, Role.PART_TIME_WORKER, Role.GRID_LEADER])
