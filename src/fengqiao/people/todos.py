"""The home page's key-person counts: the visits a worker owes now (orange or red on the visit clock), and for a grid
leader or the centre the missed visits in their grids; each read from the selector of the list it links to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.grids.home import Todo, register_todos
from fengqiao.people import keypersons

NOUN = _("人")


@register_todos
def key_person_todos(user: Any, now: dt.datetime) -> list[Todo]:
    found: list[Todo] = []
    if user.has_role(Role.GRID_WORKER, Role.GRID_LEADER) and not user.is_superuser:
        count = keypersons.visits_due_count(actor=user, now=now)
        if count:
            found.append(
                Todo(_("待走访重点人员"), count, reverse("people:key_mine"), colour="orange", noun=NOUN, order=8)
            )
    if user.has_role(Role.GRID_LEADER, Role.DISPATCHER) and not user.is_superuser:
        count = keypersons.key_persons_in_scope(actor=user, overdue=True, now=now).count()
        if count:
            found.append(
                Todo(
                    _("走访超期重点人员"),
                    count,
                    f"{reverse('people:key_list')}?overdue=1",
                    colour="red",
                    noun=NOUN,
                    order=9,
                )
            )
    return found
