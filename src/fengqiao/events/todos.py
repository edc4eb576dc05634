"""The home page's event counts: what waits for the centre, for a department's handlers and for a grid's staff.

Each count is read from the same selector as the list it links to, with the same filter, so the two always agree;
the colours and their words come from the event's declared clock (events.clocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.core.sla import Colour
from fengqiao.events.clocks import EVENT_CLOCKS
from fengqiao.events.selectors import OWN, QueueFilters, department_queue, event_queue
from fengqiao.events.workflow import STATES
from fengqiao.grids.home import Todo, register_todos

NOUN = _("事件")
WORKER_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.PART_TIME_WORKER)


def clock_label(colour: Colour) -> Any:
    """The word the event clock gives a colour ("临期", "超期")."""
    return next(s.label for _c, s in EVENT_CLOCKS.signals if s.colour == colour)


def _link(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query, doseq=True)}"


def _queue(user: Any, now: dt.datetime, order: int, label: Any, tone: str = "", **filters: Any) -> Todo:
    count = event_queue(actor=user, filters=QueueFilters(**filters), now=now).count()
    return Todo(label, count, _link("events:queue", **filters), colour=tone, noun=NOUN, order=order)


def _department(
    user: Any, now: dt.datetime, order: int, label: Any, *, states: tuple[str, ...] = (), colour: str = ""
) -> Todo:
    count = department_queue(actor=user, states=states, colour=colour, now=now).count()
    query: dict[str, Any] = {"state": list(states)} if states else {"colour": colour}
    return Todo(label, count, _link("events:department", **query), colour=colour, noun=NOUN, order=order)


@register_todos
def event_todos(user: Any, now: dt.datetime) -> list[Todo]:
    red, orange = Colour.RED.value, Colour.ORANGE.value
    todos: list[Todo] = []
    if user.has_role(Role.DISPATCHER):
        # The centre's own level (本级待办), as its queue shows by default.
        todos += [
            _queue(user, now, 10, STATES["reported"], state="reported", scope=OWN),
            _queue(user, now, 11, clock_label(Colour.ORANGE), orange, colour=orange, scope=OWN),
            _queue(user, now, 12, clock_label(Colour.RED), red, colour=red, scope=OWN),
        ]
    elif user.has_role(*WORKER_ROLES):
        todos += [
            # 小事网格办: registered events of the worker's grid that grid staff may settle on the spot.
            _queue(user, now, 20, _("待处置"), state="registered"),
            _queue(user, now, 21, clock_label(Colour.RED), red, colour=red),
        ]
    if user.has_role(Role.HANDLER):
        todos += [
            _department(user, now, 30, _("待签收"), states=("routed",)),
            _department(user, now, 31, _("办理中"), states=("signed", "in_progress")),
            _department(user, now, 32, clock_label(Colour.RED), colour=red),
        ]
    return todos
