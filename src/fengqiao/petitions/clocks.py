"""The statutory clocks of a petition (《信访工作条例》, 2022), declared for ``core.deadlines``.

    acknowledge  告知受理与否: decide whether to accept, and tell the petitioner, within 15 days of registration
                ; orange when only ``FENGQIAO_ORANGE_SHARE`` of the time is left, red when missed;
    handle       办理: handle within 60 days of acceptance, moved by an approved extension of at most
                 30 days (延期, with notice to the petitioner); orange near the end, red when missed.

Orange tells the centre and the petition office; red tells them and the leaders above the petition's grid. The county
sets the durations in ``settings.FENGQIAO_PETITION_CLOCKS`` ("15d", "60d", "30d"; "wd" for working days).

A joint meeting's follow-up order (会议督办事项) runs one clock too: due at the end of its due date, orange near it
(the responsible department is told), red when missed (the leaders above the meeting's node and its chair).

A supervision order (督导督办) runs the rectification clock (整改期限):
``settings.FENGQIAO_SUPERVISION_CLOCKS["rectify"]`` (default "15d") from the order; orange tells the responsible unit
and person, red tells them and the leaders above the unit. The unit's assessment deducts
``settings.FENGQIAO_SUPERVISION_POINTS`` per outcome (约谈, 通报, 问责) and per late or missing rectification.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.accounts.selectors import handlers_of, members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Duration, Signal
from fengqiao.core.scoping import ancestor_paths
from fengqiao.core.sla import Colour
from fengqiao.petitions import workflow
from fengqiao.petitions.models import FollowUpOrder, LeaderCase, Outcome, Petition, SupervisionOrder

DEFAULTS = {"acknowledge": "15d", "handle": "60d", "max_extension": "30d"}


def setting(name: str) -> Duration:
    """One of the county's petition clocks, as ``(amount, unit)``."""
    own = getattr(settings, "FENGQIAO_PETITION_CLOCKS", {}) or {}
    return deadlines.parse_duration(own.get(name, DEFAULTS[name]))


def max_extension_days() -> int:
    amount, _unit = setting("max_extension")
    return int(amount)


def _acknowledge(petition: Any) -> Duration:
    return setting("acknowledge")


def _handle(petition: Any) -> Duration:
    return setting("handle")


def _office(petition: Any) -> list[User]:
    """The centre (dispatchers) and the petition office above the petition's grid."""
    path = petition.grid_path
    office = Membership.objects.filter(
        role=Role.HANDLER,
        active=True,
        department__kind=Department.Kind.PETITION,
        node_path__in=ancestor_paths(path),
    ).select_related("user")
    return members_above(path, [Role.DISPATCHER]) + [m.user for m in office]


def _office_and_leaders(petition: Any) -> list[User]:
    """The centre, the petition office and the leaders above the petition's grid."""
    return _office(petition) + members_above(petition.grid_path, [Role.LEADER])


def _url(petition: Any) -> str:
    return reverse("petitions:detail", args=[petition.tracking_code])


PETITION_CLOCKS = deadlines.register(
    CaseClocks(
        model=Petition,
        workflow=workflow.NAME,
        noun=_("信访件"),
        url=_url,
        clocks=[
            Clock(
                "acknowledge",
                due_field="ack_due_at",
                warn_field="ack_warn_at",
                starts={CREATE: _acknowledge},
                stops=frozenset({"accept", "not_accept"}),
                running=Q(state=workflow.REGISTERED),
                signals=[
                    Signal("ack_missed", Colour.RED, _("超期未告知受理"), _office_and_leaders, kind="deadline_red"),
                    Signal(
                        "ack_nearly_due",
                        Colour.ORANGE,
                        _("受理告知即将到期"),
                        _office,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
            Clock(
                "handle",
                due_field="handle_due_at",
                warn_field="handle_warn_at",
                starts={"accept": _handle, "review": _handle},
                stops=frozenset({"handle"}),
                running=Q(state=workflow.ACCEPTED),
                signals=[
                    Signal("handle_missed", Colour.RED, _("超期未办结"), _office_and_leaders, kind="deadline_red"),
                    Signal(
                        "handle_nearly_due",
                        Colour.ORANGE,
                        _("办理即将到期"),
                        _office,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
        ],
    )
)
FLAG_LABELS = PETITION_CLOCKS.labels


def order_due_at(order: Any) -> dt.datetime:
    """The end of the order's due date, in local time."""
    day_after = dt.datetime.combine(order.due_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(day_after) if timezone.is_naive(day_after) else day_after


def _order_time(order: Any) -> Duration:
    hours = (order_due_at(order) - order.ordered_at).total_seconds() / 3600
    return max(hours, 0.0), "hours"


def _department(order: Any) -> list[User]:
    """The handlers of the responsible department."""
    return handlers_of(order.department)


def _leaders_and_chair(order: Any) -> list[User]:
    """The leaders above the meeting's node, and the meeting's chair."""
    return [*members_above(order.node_path, [Role.LEADER]), order.meeting.chair]


def _order_url(order: Any) -> str:
    return reverse("petitions:meeting_detail", args=[order.meeting_id])


ORDER_CLOCKS = deadlines.register(
    CaseClocks(
        model=FollowUpOrder,
        workflow=workflow.ORDER_NAME,
        noun=_("联席会议督办事项"),
        url=_order_url,
        code_field="code",
        idle="",
        clocks=[
            Clock(
                "due",
                due_field="due_at",
                warn_field="warn_at",
                starts={CREATE: _order_time},
                stops=frozenset({"complete"}),
                running=Q(state=workflow.ORDER_OPEN),
                signals=[
                    Signal("order_overdue", Colour.RED, _("督办超期"), _leaders_and_chair, kind="deadline_red"),
                    Signal(
                        "order_nearly_due",
                        Colour.ORANGE,
                        _("督办即将到期"),
                        _department,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            )
        ],
    )
)


def _case_time(case: Any) -> Duration:
    day_after = dt.datetime.combine(case.due_on + dt.timedelta(days=1), dt.time.min)
    end = timezone.make_aware(day_after) if timezone.is_naive(day_after) else day_after
    return max((end - case.assigned_at).total_seconds() / 3600, 0.0), "hours"


def _the_leader(case: Any) -> list[User]:
    """The leader who owns the case."""
    return [case.leader]


def _leader_and_centre(case: Any) -> list[User]:
    """The leader who owns the case, and the centre above its grid."""
    return [case.leader, *members_above(case.grid_path, [Role.DISPATCHER])]


def _case_url(case: Any) -> str:
    return reverse("petitions:case_detail", args=[case.pk])


CASE_CLOCKS = deadlines.register(
    CaseClocks(
        model=LeaderCase,
        workflow=workflow.CASE_NAME,
        noun=_("领导包案"),
        url=_case_url,
        code_field="code",
        clocks=[
            Clock(
                "due",
                due_field="due_at",
                warn_field="warn_at",
                starts={CREATE: _case_time},
                stops=frozenset({"resolve"}),
                running=Q(state=workflow.CASE_OPEN),
                signals=[
                    Signal("case_overdue", Colour.RED, _("包案超期"), _leader_and_centre, kind="deadline_red"),
                    Signal(
                        "case_nearly_due",
                        Colour.ORANGE,
                        _("包案即将到期"),
                        _the_leader,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            )
        ],
    )
)


# -- supervision orders (督导督办) ---------------------------------------------------------------------------------
SUPERVISION_DEFAULTS = {"rectify": "15d"}
POINTS_DEFAULTS = {Outcome.TALK: 1.0, Outcome.NOTICE: 2.0, Outcome.ACCOUNT: 5.0, "late": 0.5}


def supervision_setting(name: str) -> Duration:
    own = getattr(settings, "FENGQIAO_SUPERVISION_CLOCKS", {}) or {}
    return deadlines.parse_duration(own.get(name, SUPERVISION_DEFAULTS[name]))


def deduction_points() -> dict[str, float]:
    """Points deducted from a unit's assessment per outcome and per late (or missing) rectification."""
    own = getattr(settings, "FENGQIAO_SUPERVISION_POINTS", {}) or {}
    return {key: float(own.get(key, default)) for key, default in POINTS_DEFAULTS.items()}


def _rectify(order: Any) -> Duration:
    return supervision_setting("rectify")


def _unit(order: Any) -> list[User]:
    """The responsible person and the unit: its department's handlers, or the centre's dispatchers."""
    unit = handlers_of(order.department) if order.department_id else members_above(order.node_path, [Role.DISPATCHER])
    return [order.person, *unit]


def _unit_and_leaders(order: Any) -> list[User]:
    return [*_unit(order), *members_above(order.node_path, [Role.LEADER])]


def _supervision_url(order: Any) -> str:
    return reverse("petitions:supervision_detail", args=[order.pk])


SUPERVISION_CLOCKS = deadlines.register(
    CaseClocks(
        model=SupervisionOrder,
        workflow=workflow.SUPERVISION_NAME,
        noun=_("督导督办"),
        url=_supervision_url,
        code_field="code",
        idle="",
        clocks=[
            Clock(
                "rectify",
                due_field="due_at",
                warn_field="warn_at",
                starts={CREATE: _rectify},
                stops=frozenset({"rectify"}),
                running=Q(state=workflow.SUP_OPEN),
                signals=[
                    Signal("rectify_overdue", Colour.RED, _("整改超期"), _unit_and_leaders, kind="deadline_red"),
                    Signal(
                        "rectify_nearly_due",
                        Colour.ORANGE,
                        _("整改即将到期"),
                        _unit,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            )
        ],
    )
)
