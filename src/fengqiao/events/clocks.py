"""The clock of an event, declared for ``core.deadlines`` (绿橙红 of the closed loop).

An open event has one clock, for the stage it is in, started by the transition that enters the stage with the time
its category allows (核实立案, 签收, 办理 in hours or working days, 核查). It turns orange when only
``settings.FENGQIAO_ORANGE_SHARE`` of the stage's time is left, and the holder of the event is told ("即将超期");
red once the time has run out, and the centre and the leaders above are told ("已超期"). Closing, merging or not
registering stops it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.selectors import handlers_of, members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Duration, Signal
from fengqiao.core.sla import Colour
from fengqiao.events.models import Event, Summons
from fengqiao.events.workflow import OPEN_STATES, SUMMONS_FLOW


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
                    "accept_on_site": lambda event: (24.0, "hours"),
                    "reopen": _handling,
                    "spot_reopen": _handling,
                },
                stops=frozenset({"close", "reject", "merge", "to_dispute", "spot_close"}),
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


# 吹哨报到: each summoned department's own two clocks, sign (签收) and report back (报到反馈). Durations are settings
# written as "2h" / "3wd"; an empty report setting gives the event's handling time (its category's).
def _summons_sign(summons: Any) -> Duration:
    return deadlines.parse_duration(getattr(settings, "FENGQIAO_WHISTLE_SIGN", "2h") or "2h")


def _summons_report(summons: Any) -> Duration:
    written = getattr(settings, "FENGQIAO_WHISTLE_REPORT", "") or ""
    return deadlines.parse_duration(written) if written else _handling(summons.event)


def _summoned(summons: Any) -> list[User]:
    """The summoned department's handlers."""
    return handlers_of(summons.department)


def _whistler_centre(summons: Any) -> list[User]:
    """The centre above the event, and the one who blew the whistle."""
    users = members_above(summons.grid_path, [Role.DISPATCHER])
    return users + ([summons.summoned_by] if summons.summoned_by_id else [])


def _summons_url(summons: Any) -> str:
    return reverse("events:detail", args=[summons.event.tracking_code])


SUMMONS_CLOCKS = deadlines.register(
    CaseClocks(
        model=Summons,
        workflow=SUMMONS_FLOW.name,
        noun=_("吹哨报到"),
        url=_summons_url,
        code_field="code",
        clocks=[
            Clock(
                "sign",
                due_field="sign_due_at",
                warn_field="sign_warn_at",
                starts={CREATE: _summons_sign},
                # No step clears the due time: the state ends the clock, and the ranking reads whether a department
                # signed and reported within it.
                running=Q(state="summoned"),
                signals=[
                    Signal("sign_overdue", Colour.RED, _("签收超时"), _whistler_centre, kind="deadline_red"),
                    Signal(
                        "sign_nearly_due",
                        Colour.ORANGE,
                        _("即将签收超时"),
                        _summoned,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
            Clock(
                "report",
                due_field="report_due_at",
                warn_field="report_warn_at",
                starts={CREATE: _summons_report},
                running=Q(state__in=["summoned", "signed", "arranged"]),
                signals=[
                    Signal("report_overdue", Colour.RED, _("报到超时"), _whistler_centre, kind="deadline_red"),
                    Signal(
                        "report_nearly_due",
                        Colour.ORANGE,
                        _("即将报到超时"),
                        _summoned,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
        ],
    )
)
