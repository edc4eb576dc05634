"""坐班: the duty rota of a centre (综治中心 of a district, street or community) — which leader is on duty on which
date — and the lookups that give a hard case to the leader on duty (交值班领导).

One leader per centre per day (a unique row). The leader must reach the centre: a leader post at that node or above.
The rota is kept by the centre's dispatchers (and an administrator); every change is audited. Days already past are
history and are not changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role, User
from fengqiao.core import audit
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import DomainError
from fengqiao.core.scoping import ancestor_paths
from fengqiao.grids.models import GridNode, Level
from fengqiao.petitions import workflow
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import DutyShift

CENTRE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
HORIZON_DAYS = 62  # how far ahead a rota may be filled


def keeper_at(actor: Caller, path: str) -> bool:
    """The centre's dispatcher (posted at the node or above), or an administrator."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or workflow.posts_at(actor, path, (Role.DISPATCHER,))


def is_keeper(actor: Caller) -> bool:
    """Who may open the rota page: a dispatcher or an administrator."""
    return signed_in(actor) and (bool(actor.is_superuser) or actor.has_role(Role.DISPATCHER))


def reaches(leader: Any, node: GridNode) -> bool:
    """A leader post at the centre's node or above it."""
    return leader is not None and leader.is_active and workflow.posts_at(leader, node.path, (Role.LEADER,))


def centres(*, actor: Caller) -> QuerySet[GridNode]:
    """The centres whose rota the actor keeps."""
    qs = GridNode.objects.filter(level__in=CENTRE_LEVELS).order_by("path")
    if not signed_in(actor):
        return qs.none()
    if actor.is_superuser:
        return qs
    from fengqiao.core.scoping import minimal_paths, path_q

    paths = [m.node.path for m in actor.active_memberships if m.role == Role.DISPATCHER]
    if not paths:
        return qs.none()
    return qs.filter(path_q(minimal_paths(paths), "path"))


def leaders_for(node: GridNode) -> list[User]:
    """The leaders who may be on duty at the centre: posted at the node or above, nearest first."""
    from fengqiao.accounts.selectors import members_above

    return [u for u in members_above(node.path, [Role.LEADER]) if u.is_active]


def set_duty(
    *, actor: Caller, node: GridNode, day: dt.date, leader: User | None, now: dt.datetime | None = None
) -> DutyShift:
    """Put ``leader`` on duty at the centre ``node`` on ``day`` (replacing whoever was there), audited."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if node.level not in CENTRE_LEVELS or not keeper_at(actor, node.path):
        raise DomainError(_("该综治中心不在您的辖区内。"), code=PetitionErrorCode.PETITION_DUTY_OUTSIDE)
    if day < today or day > today + dt.timedelta(days=HORIZON_DAYS):
        raise DomainError(
            _("值班日期须在今天至 %(days)s 天之内。") % {"days": HORIZON_DAYS},
            code=PetitionErrorCode.PETITION_DUTY_DATE,
        )
    if not reaches(leader, node):
        raise DomainError(_("值班领导须是在本中心或上级任职的领导。"), code=PetitionErrorCode.PETITION_DUTY_LEADER)
    assert leader is not None
    with transaction.atomic():
        shift = DutyShift.objects.select_for_update().filter(node=node, day=day).first()
        if shift is None:
            # Two keepers filling the same empty day at once: the second insert loses to the unique rule and
            # becomes a replacement of the first, like any other.
            try:
                with transaction.atomic():
                    shift = DutyShift.objects.create(
                        node=node, day=day, leader=leader, set_by=actor if isinstance(actor, User) else None, set_at=now
                    )
            except IntegrityError:
                shift = DutyShift.objects.select_for_update().get(node=node, day=day)
            else:
                audit.record(
                    actor=actor,
                    verb="set_duty",
                    target=shift,
                    grid_path=node.path,
                    data={"centre": node.name, "day": day.isoformat(), "leader": leader.display_name, "before": ""},
                )
                return shift
        if shift.leader_id == leader.pk:
            return shift
        before = shift.leader.display_name
        shift.leader = leader
        shift.set_by = actor if isinstance(actor, User) else None
        shift.set_at = now
        shift.save()
        audit.record(
            actor=actor,
            verb="set_duty",
            target=shift,
            grid_path=node.path,
            data={"centre": node.name, "day": day.isoformat(), "leader": leader.display_name, "before": before},
        )
    return shift


def rota(*, node: GridNode, start: dt.date, days: int) -> list[tuple[dt.date, DutyShift | None]]:
    """The centre's rota from ``start`` for ``days`` days, a row per day (None: nobody on duty yet)."""
    shifts = {
        s.day: s
        for s in DutyShift.objects.filter(
            node=node, day__gte=start, day__lt=start + dt.timedelta(days=days)
        ).select_related("leader")
    }
    return [(start + dt.timedelta(days=n), shifts.get(start + dt.timedelta(days=n))) for n in range(days)]


def on_duty_for(*, actor: Caller, path: str, day: dt.date) -> DutyShift | None:
    """The duty leader of the nearest centre above ``path`` that the actor works for (as its centre or a leader)."""
    rows = DutyShift.objects.filter(day=day, node_path__in=ancestor_paths(path)).select_related("leader", "node")
    for shift in rows.order_by("-node_path"):
        if workflow.office_at(actor, shift.node_path) or workflow.leader_at(actor, shift.node_path):
            return shift
    return None


def today_for(*, actor: Caller, now: dt.datetime | None = None) -> list[DutyShift]:
    """今日值班领导: today's duty leaders at the centres at or above the actor's posts, nearest first."""
    if not signed_in(actor):
        return []
    day = timezone.localtime(now or timezone.now()).date()
    paths: set[str] = set()
    for m in actor.active_memberships:
        paths.update(ancestor_paths(m.node.path))
    rows = DutyShift.objects.filter(day=day, node_path__in=paths).select_related("leader", "node")
    return list(rows.order_by("-node_path")[:3])
