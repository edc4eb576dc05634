"""The life of a key-person record (重点人员列管) as a state table on the core engine.

listed (entry) → active; active → active by a visit (走访), a change of risk (调整风险等级) or of the responsible worker
(变更责任人); active → ended (解除列管). The engine writes each step's audit row and starts or stops the visit clock
declared in ``people.clocks``; ``people.keypersons`` holds the commands that call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.core.actors import signed_in
from fengqiao.core.workflow import Transition, Workflow

NAME = "key_person"
ACTIVE = "active"
ENDED = "ended"
STATES = {ACTIVE: _("列管中"), ENDED: _("已解除")}

# Who may be the responsible worker of a record, and who may manage records of a grid.
WORKER_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER)
MANAGER_ROLES = (Role.GRID_LEADER, Role.DISPATCHER)


def serves(actor: Any, path: str, roles: Iterable[str]) -> bool:
    """Whether ``actor`` holds one of ``roles`` on a node whose subtree contains ``path`` (that post itself, not
    another post the same person holds elsewhere)."""
    if not signed_in(actor) or not path:
        return False
    wanted = set(roles)
    return any(m.role in wanted and path.startswith(m.node.path) for m in actor.active_memberships)


def manager(actor: Any, record: Any) -> bool:
    """A grid leader or centre dispatcher whose jurisdiction covers the record's grid."""
    return serves(actor, record.grid_path, MANAGER_ROLES)


def responsible_or_leader(actor: Any, record: Any) -> bool:
    """The responsible worker (still serving the grid), or a grid leader covering it."""
    if signed_in(actor) and record.worker_id == actor.pk and serves(actor, record.grid_path, WORKER_ROLES):
        return True
    return serves(actor, record.grid_path, (Role.GRID_LEADER,))


def _visited(record: Any, values: Mapping[str, Any]) -> None:
    visited_at = values.get("visited_at") or values["now"]
    if record.last_visit_at is None or visited_at > record.last_visit_at:
        record.last_visit_at = visited_at


def _ended(record: Any, values: Mapping[str, Any]) -> None:
    record.ended_at = values.get("ended_at") or timezone.now()


WORKFLOW = Workflow(
    name=NAME,
    states=STATES,
    initial=ACTIVE,
    transitions=[
        Transition("visit", ACTIVE, ACTIVE, label=_("走访"), allowed=responsible_or_leader, effect=_visited),
        Transition(
            "change_risk", ACTIVE, ACTIVE, label=_("调整风险等级"), allowed=manager, requires=("risk",), sets=("risk",)
        ),
        Transition(
            "reassign", ACTIVE, ACTIVE, label=_("变更责任人"), allowed=manager, requires=("worker",), sets=("worker",)
        ),
        Transition("end", ACTIVE, ENDED, label=_("解除列管"), allowed=manager, note_required=True, effect=_ended),
    ],
    verbs={
        "list": (_("列为重点人员"), None),
        "open_record": (_("查看重点人员档案"), None),
    },
)
