"""The home page's dispute counts: cases waiting for the centre and the mediator's own cases that need work.

Each count is read from the same selector as the list it links to, with the same filter; the colours and their words
come from the dispute's declared "13710" clocks (disputes.clocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.core.sla import Colour
from fengqiao.disputes.clocks import DISPUTE_CLOCKS
from fengqiao.disputes.online import awaiting_revisit
from fengqiao.disputes.selectors import QueueFilters, dispute_queue, my_cases
from fengqiao.grids.home import Todo, register_todos

NOUN = _("纠纷")


def _signal(name: str) -> tuple[Any, str]:
    """(label, colour) of one of the dispute clocks' signals."""
    signal = next(s for _c, s in DISPUTE_CLOCKS.signals if s.name == name)
    return signal.label, signal.colour.value


def _link(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _queue(user: Any, now: dt.datetime, order: int, label: Any, tone: str = "", **filters: Any) -> Todo:
    count = dispute_queue(actor=user, filters=QueueFilters(**filters), now=now).count()
    return Todo(label, count, _link("disputes:queue", **filters), colour=tone, noun=NOUN, order=order)


def _mine(user: Any, now: dt.datetime, order: int, label: Any, colour: str = "") -> Todo:
    count = my_cases(actor=user, colour=colour, now=now).count()
    query = {"colour": colour} if colour else {}
    return Todo(label, count, _link("disputes:mine", **query), colour=colour, noun=NOUN, order=order)


@register_todos
def dispute_todos(user: Any, now: dt.datetime) -> list[Todo]:
    todos: list[Todo] = []
    if user.has_role(Role.DISPATCHER):
        late_assign, orange = _signal("late_assign")
        late_close, red = _signal("late_close")
        todos += [
            _queue(user, now, 13, _("待分配纠纷"), state="registered"),
            _queue(user, now, 14, late_assign, orange, flag="late_assign"),
            _queue(user, now, 15, late_close, red, flag="late_close"),
        ]
    if user.has_role(Role.MEDIATOR):
        todos += [
            _mine(user, now, 40, _("待办案件")),
            _mine(user, now, 41, _("橙色预警"), Colour.ORANGE.value),
            _mine(user, now, 42, _signal("late_close")[0], Colour.RED.value),
            Todo(
                _("待回访"),
                awaiting_revisit(actor=user).count(),
                _link("disputes:mine", todo="revisit"),
                noun=NOUN,
                order=43,
            ),
        ]
    return todos
