"""The "13710" clocks of a dispute, declared for ``core.deadlines`` (绿橙红 of mediation).

    red    "超过办结期限"   the case is still open when its close clock (30 days) runs out;
    orange "未按时分配"     it waits for a mediator past its assign clock (24 hours after entry, or after escalation);
    orange "未按时处理纠纷" its mediator posted no first update within the update clock (24 hours after assignment);
    orange "未按时回访"     it was resolved and the return visit (7 days) is late.

Orange here means "an earlier clock was missed". The county sets the four durations in
``settings.FENGQIAO_DISPUTE_CLOCKS``; a dispute type may set its own in the admin.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.selectors import members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Duration, Signal
from fengqiao.core.sla import Colour
from fengqiao.disputes.models import Dispute
from fengqiao.disputes.workflow import OPEN_STATES, WAITING_ASSIGNMENT, WITH_MEDIATOR

# Which DisputeType column overrides which county clock, and in what unit.
_TYPE_FIELDS = {
    "assign": ("assign_hours", "hours"),
    "update": ("first_update_hours", "hours"),
    "close": ("close_days", "days"),
    "revisit": ("revisit_days", "days"),
}


def duration(clock: str) -> deadlines.DurationOf:
    """The clock's duration for a case: its type's own value, else the county's."""

    def of(dispute: Any) -> Duration:
        column, unit = _TYPE_FIELDS[clock]
        own = getattr(dispute.type, column, None) if dispute.type_id else None
        if own is not None:
            return float(own), unit
        return deadlines.parse_duration(settings.FENGQIAO_DISPUTE_CLOCKS[clock])

    return of


def _mediator(dispute: Any) -> list[User]:
    return [dispute.mediator.user] if dispute.mediator_id and dispute.mediator else []


def _centre(dispute: Any) -> list[User]:
    """The centre: dispatchers whose jurisdiction covers the case, nearest first."""
    return members_above(dispute.grid_path, [Role.DISPATCHER])


def _centre_and_mediator(dispute: Any) -> list[User]:
    """The mediator, and the centre."""
    return _mediator(dispute) + _centre(dispute)


def _up_the_line(dispute: Any) -> list[User]:
    """The centre and the leaders above it, and the mediator."""
    return members_above(dispute.grid_path, [Role.DISPATCHER, Role.LEADER]) + _mediator(dispute)


def _url(dispute: Any) -> str:
    return reverse("disputes:detail", args=[dispute.tracking_code])


DISPUTE_CLOCKS = deadlines.register(
    CaseClocks(
        model=Dispute,
        workflow="dispute",
        noun=_("纠纷"),
        url=_url,
        clocks=[
            Clock(
                "close",
                due_field="close_due_at",
                starts={CREATE: duration("close")},
                running=Q(state__in=OPEN_STATES),
                signals=[Signal("late_close", Colour.RED, _("超过办结期限"), _up_the_line, kind="dispute_red")],
            ),
            Clock(
                "assign",
                due_field="assign_due_at",
                starts={CREATE: duration("assign"), "escalate": duration("assign")},
                running=Q(state__in=WAITING_ASSIGNMENT),
                signals=[Signal("late_assign", Colour.ORANGE, _("未按时分配"), _centre, kind="dispute_orange")],
            ),
            Clock(
                "update",
                due_field="update_due_at",
                starts={"assign": duration("update"), "seat_panel": duration("update")},
                stops=frozenset({"decline", "recall", "escalate"}),
                running=Q(state__in=WITH_MEDIATOR, first_update_at__isnull=True),
                signals=[
                    Signal(
                        "late_update", Colour.ORANGE, _("未按时处理纠纷"), _centre_and_mediator, kind="dispute_orange"
                    )
                ],
            ),
            Clock(
                "revisit",
                due_field="revisit_due_at",
                starts={"resolve": duration("revisit")},
                running=Q(state="resolved", revisited_at__isnull=True),
                signals=[
                    Signal("late_revisit", Colour.ORANGE, _("未按时回访"), _centre_and_mediator, kind="dispute_orange")
                ],
            ),
        ],
    )
)
FLAG_LABELS = DISPUTE_CLOCKS.labels
