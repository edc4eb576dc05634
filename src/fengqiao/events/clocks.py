"""The clock of an event, declared for ``core.deadlines`` (绿橙红 of the closed loop).

An open event has one clock, for the stage it is in, started by the transition that enters the stage with the time
its category allows (核实立案, 签收, 办理 in hours or working days, 核查). It turns orange when only
``settings.FENGQIAO_ORANGE_SHARE`` of the stage's time is left, and the holder of the event is told ("即将超期");
red once the time has run out, and the centre and the leaders above are told ("已超期"). Closing, merging or not
registering stops it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.selectors import handlers_of, members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Duration, Signal
from fengqiao.core.sla import Colour
from fengqiao.events.models import Event
from fengqiao.events.workflow import OPEN_STATES


def _hours(column: str, default: float) -> deadlines.DurationOf:
    def of(event: Any) -> Duration:
        category = event.category
        return (float(getattr(category, column)) if category is not None else default), "hours"

    return of


def _handling(event: Any) -> Duration:
    category = event.category
    if category is None:
        return 3.0, "workdays"
    return float(category.handle_amount), str(category.handle_unit)


_REGISTER = _hours("register_hours", 2)


def _holders(event: Any) -> list[User]:
    """Whoever holds the event now: the lead department's handlers, or the centre."""
    if event.lead_department_id:
        return handlers_of(event.lead_department)
    return members_above(event.grid_path, [Role.DISPATCHER])


def _supervisors(event: Any) -> list[User]:
    """The centre and the leaders above it."""
    return members_above(event.grid_path, [Role.DISPATCHER]) + members_above(event.grid_path, [Role.LEADER])


def _url(event: Any) -> str:
    return reverse("events:detail", args=[event.tracking_code])


EVENT_CLOCKS = deadlines.register(
    CaseClocks(
        model=Event,
        workflow="event",
        noun=_("事件"),
        url=_url,
        idle="green",
        clocks=[
            Clock(
                "stage",
                due_field="due_at",
                warn_field="warn_at",
                started_field="stage_started_at",
                starts={
                    CREATE: _REGISTER,
                    "register": _handling,
                    "route": _hours("sign_hours", 2),
                    "return": _REGISTER,
                    "sign": _handling,
                    "handle_in_grid": _hours("verify_hours", 24),
                    "handle": _hours("verify_hours", 24),
                    "escalate": _REGISTER,
                    "verify": lambda event: (24.0, "hours"),
                    "reopen": _handling,
                },
                stops=frozenset({"close", "reject", "merge", "to_dispute"}),
                running=Q(state__in=OPEN_STATES),
                signals=[
                    Signal("overdue", Colour.RED, _("超期"), _supervisors, notice=_("已超期"), kind="deadline_red"),
                    Signal(
                        "nearly_due",
                        Colour.ORANGE,
                        _("临期"),
                        _holders,
                        notice=_("即将超期"),
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            )
        ],
    )
)
