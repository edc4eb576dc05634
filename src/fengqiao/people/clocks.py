"""The visit clock of a key person (重点人员走访), declared for ``core.deadlines``.

A record is due for a visit its category's interval for its risk level (e.g. red weekly, yellow monthly) after the
last visit, or after it was listed. It turns orange when only ``settings.FENGQIAO_ORANGE_SHARE`` of the interval is
left and the responsible worker is told ("即将到期"); red once the day has passed, and the grid leaders of the grid
are told ("走访超期"). A visit or a change of risk restarts it; ending the listing stops it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.selectors import members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CREATE, CaseClocks, Clock, Duration, Signal
from fengqiao.core.sla import Colour
from fengqiao.people import keyflow
from fengqiao.people.models import KeyPerson, Risk


def interval_days(record: Any) -> int:
    """Days between visits for the record's category and risk level."""
    column = {Risk.RED: "red_days", Risk.YELLOW: "yellow_days"}.get(record.risk, "blue_days")
    return int(getattr(record.category, column))


def _interval(record: Any) -> Duration:
    return float(interval_days(record)), "days"


def _worker(record: Any) -> list[User]:
    """The responsible worker."""
    return [record.worker] if record.worker_id else []


def _grid_leaders(record: Any) -> list[User]:
    """The grid leaders of the record's grid."""
    return members_above(record.grid_path, [Role.GRID_LEADER])


def _url(record: Any) -> str:
    return reverse("people:key_detail", args=[record.pk])


KEY_CLOCKS = deadlines.register(
    CaseClocks(
        model=KeyPerson,
        workflow=keyflow.NAME,
        noun=_("重点人员走访"),
        url=_url,
        code_field="pk",  # the notification names the record by number, never the person
        clocks=[
            Clock(
                "visit",
                due_field="visit_due_at",
                warn_field="visit_warn_at",
                starts={CREATE: _interval, "visit": _interval, "change_risk": _interval},
                stops=frozenset({"end"}),
                running=Q(state=keyflow.ACTIVE),
                signals=[
                    Signal(
                        "visit_missed",
                        Colour.RED,
                        _("走访超期"),
                        _grid_leaders,
                        notice=_("走访超期"),
                        kind="deadline_red",
                    ),
                    Signal(
                        "visit_nearly_due",
                        Colour.ORANGE,
                        _("即将到期"),
                        _worker,
                        notice=_("即将到期，请按时走访"),
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            )
        ],
    )
)
