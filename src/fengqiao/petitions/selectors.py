"""Queries on petitions and joint meetings, always scoped to the caller.

Who sees a petition: the centre's dispatchers, the petition office (handlers of a 信访 department) and leaders, each in
the subtree of their post; administrators everywhere. Other posts reach nothing, so a grid worker, a mediator or a
handler of another department opens no petition (404, like a missing one). Meetings: leaders and dispatchers of the
meeting node's area, and the handlers of a department a meeting gave an order to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fengqiao.accounts.models import Department, Role
from fengqiao.core import scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.petitions.clocks import CASE_CLOCKS, ORDER_CLOCKS, PETITION_CLOCKS
from fengqiao.petitions.models import FollowUpOrder, LeaderCase, Meeting, Petition


def _petition_office(membership: Any) -> Q | None:
    department = membership.department
    if department is None or department.kind != Department.Kind.PETITION:
        return Q(pk__in=[])
    return Q(grid_path__startswith=membership.node.path)


# Every role reaches nothing unless named with its reach here (least privilege).
PETITION_REACH: dict[str, Any] = {role: None for role in Role.values}
PETITION_REACH.pop(Role.DISPATCHER)
PETITION_REACH.pop(Role.LEADER)
PETITION_REACH[Role.HANDLER] = _petition_office


def is_petition_staff(actor: Caller) -> bool:
    """A dispatcher, a leader, a petition office handler or an administrator: who may open the petition pages."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or actor.has_role(Role.DISPATCHER, Role.LEADER) or _petition_handler(actor)


def _petition_handler(actor: Any) -> bool:
    return any(
        m.role == Role.HANDLER and m.department is not None and m.department.kind == Department.Kind.PETITION
        for m in actor.active_memberships
    )


def is_registrar(actor: Caller) -> bool:
    """A dispatcher, a petition office handler or an administrator: who may register petitions."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or actor.has_role(Role.DISPATCHER) or _petition_handler(actor)


def is_meeting_staff(actor: Caller) -> bool:
    """A leader, a dispatcher or an administrator: who may open and hold joint meetings."""
    return signed_in(actor) and (actor.is_superuser or actor.has_role(Role.LEADER, Role.DISPATCHER))


def visible_petitions(*, actor: Caller) -> QuerySet[Petition]:
    return scoping.scope_by_role(Petition.objects.all(), actor, by_role=PETITION_REACH)


@dataclass
class Filters:
    state: str = ""
    colour: str = ""
    repeat: bool = False
    group: bool = False
    q: str = ""


def petition_list(
    *, actor: Caller, filters: Filters | None = None, now: dt.datetime | None = None
) -> QuerySet[Petition]:
    """The petitions the actor may see, coloured by their clocks, most urgent first."""
    f = filters or Filters()
    qs = PETITION_CLOCKS.annotate(visible_petitions(actor=actor).select_related("grid"), now)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.colour:
        qs = qs.filter(**{"colour": f.colour})  # an annotation of core.deadlines
    if f.repeat:
        qs = qs.filter(is_repeat=True)
    if f.group:
        qs = qs.filter(is_group=True)
    if f.q:
        qs = qs.filter(Q(tracking_code__iexact=f.q.strip()) | Q(matter__icontains=f.q.strip()))
    return qs.order_by("urgency", "-registered_at")


def petition_detail(*, actor: Caller, code: str, now: dt.datetime | None = None) -> Petition:
    """One petition the actor may see (coloured); a foreign one raises DoesNotExist exactly like a missing one."""
    found = PETITION_CLOCKS.annotate(visible_petitions(actor=actor), now).filter(tracking_code=code.strip().upper())
    petition = found.select_related("grid", "repeat_of", "registered_by", "extension_approved_by").first()
    if petition is None:
        raise Petition.DoesNotExist()
    return petition


def may_open_petition(*, actor: Caller, petition: Petition | None) -> bool:
    return petition is not None and visible_petitions(actor=actor).filter(pk=petition.pk).exists()


def visible_meetings(*, actor: Caller) -> QuerySet[Meeting]:
    """Meetings of the leaders' and dispatchers' areas, and those that gave an order to the caller's department; an
    administrator sees all."""
    if not signed_in(actor):
        return Meeting.objects.none()
    if actor.is_superuser:
        return Meeting.objects.all()
    posts: list[Any] = list(actor.active_memberships)
    paths = [m.node.path for m in posts if m.role in (Role.LEADER, Role.DISPATCHER)]
    departments = [m.department_id for m in posts if m.role == Role.HANDLER and m.department_id]
    # A department given an order sees the meeting that gave it (the order's warnings link there).
    reached = scoping.path_q(scoping.minimal_paths(paths), "node_path") | Q(orders__department_id__in=departments)
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(reached).values("pk"))


def meeting_detail(*, actor: Caller, pk: int) -> Meeting:
    meeting = visible_meetings(actor=actor).select_related("node", "chair").filter(pk=pk).first()
    if meeting is None:
        raise Meeting.DoesNotExist()
    return meeting


def meeting_orders(*, meeting: Meeting, now: dt.datetime | None = None) -> QuerySet[FollowUpOrder]:
    return ORDER_CLOCKS.annotate(meeting.orders.select_related("department", "item"), now or timezone.now())


def meeting_candidates(*, actor: Caller) -> dict[str, Any]:
    """What the create form offers: nodes of the three levels, people and departments of the area, open petitions."""
    from fengqiao.accounts.models import User
    from fengqiao.grids.models import GridNode, Level
    from fengqiao.petitions.workflow import OPEN_STATES

    nodes = scoping.scope(
        GridNode.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]), actor, field="path"
    ).order_by("path")[:300]
    paths = scoping.paths_of(actor)
    users = User.objects.filter(is_active=True, memberships__active=True)
    departments = Department.objects.filter(active=True)
    if paths is not None:
        users = users.filter(scoping.path_q(paths, "memberships__node_path"))
        departments = departments.filter(scoping.path_q(paths, "node_path"))
    return {
        "nodes": list(nodes),
        "users": list(users.distinct().order_by("username")[:300]),
        "departments": list(departments.order_by("node_path", "name")[:300]),
        "petitions": list(
            visible_petitions(actor=actor).filter(state__in=OPEN_STATES).order_by("-registered_at")[:200]
        ),
    }


def visible_leader_cases(*, actor: Caller) -> QuerySet[LeaderCase]:
    """The leader's own cases, and those in the grids of the caller's leader, dispatcher or petition-office posts."""
    if not signed_in(actor):
        return LeaderCase.objects.none()
    reached = scoping.reach(actor, field="grid_path", by_role=PETITION_REACH)
    if reached is None:
        return LeaderCase.objects.all()
    return LeaderCase.objects.filter(reached | Q(leader_id=actor.pk))


def my_leader_cases(*, actor: Caller, now: dt.datetime | None = None) -> QuerySet[LeaderCase]:
    """我的包案: the caller's own cases, coloured, open ones most urgent first."""
    if not signed_in(actor):
        return LeaderCase.objects.none()
    qs = CASE_CLOCKS.annotate(LeaderCase.objects.filter(leader_id=actor.pk).select_related("petition"), now)
    return qs.order_by("urgency", "due_on")


def leader_case_detail(*, actor: Caller, pk: int, now: dt.datetime | None = None) -> LeaderCase:
    case = CASE_CLOCKS.annotate(visible_leader_cases(actor=actor), now).select_related("petition", "leader")
    found = case.filter(pk=pk).first()
    if found is None:
        raise LeaderCase.DoesNotExist()
    return found


def leaders_covering(path: str) -> list[Any]:
    from fengqiao.accounts.selectors import members_above

    return members_above(path, [Role.LEADER])
