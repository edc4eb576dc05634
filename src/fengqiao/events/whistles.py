"""吹哨报到 (the grid blows the whistle, departments report back): the commands of a whistle and of each summoned
department's three steps (签收, 安排到场, 报到反馈). The rows are ``events.Summons``; their steps are the table
``events.workflow.SUMMONS_FLOW`` and their clocks ``events.clocks.SUMMONS_CLOCKS``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Department, Role, User
from fengqiao.accounts.selectors import handlers_of
from fengqiao.core import audit
from fengqiao.core.deadlines import CREATE
from fengqiao.core.errors import CoreErrorCode, WorkflowError
from fengqiao.core.signals import notify
from fengqiao.events.clocks import SUMMONS_CLOCKS
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import Event, Summons
from fengqiao.events.workflow import EVENT_FLOW, SUMMONS_FLOW, dispatcher

# Events a whistle may be blown on: registered and not yet handled.
WHISTLE_STATES = ("registered", "routed", "signed", "in_progress")
MAX_ATTENDEE = 100
MAX_REPORT = 2000


def may_whistle(actor: Any, event: Event) -> bool:
    """The centre (district, street or community) over the event, or a grid leader of its grid or above."""
    if not getattr(actor, "is_authenticated", False) or event.state not in WHISTLE_STATES:
        return False
    if dispatcher(actor, event):
        return True
    return any(m.role == Role.GRID_LEADER and event.grid_path.startswith(m.node.path) for m in actor.active_memberships)


def _check_departments(event: Event, departments: Sequence[Department]) -> None:
    for dept in departments:
        if not dept.active or not event.grid_path.startswith(dept.node_path):
            raise WorkflowError(
                _("部门“%(d)s”不负责该事件所在区域。") % {"d": dept.name}, code=EventErrorCode.DEPARTMENT_OUTSIDE_AREA
            )


def summon(
    *, actor: User, event: Event, departments: Sequence[Department], note: str = "", now: dt.datetime | None = None
) -> list[Summons]:
    """Open a report-back row for each department not yet called to this event (inside the caller's transaction),
    with its clocks started, one audit row each, and its handlers told after commit."""
    now = now or timezone.now()
    already = set(Summons.objects.filter(event=event).values_list("department_id", flat=True))
    made: list[Summons] = []
    for dept in departments:
        if dept.pk in already:
            continue
        already.add(dept.pk)
        row = Summons(event=event, department=dept, grid_path=event.grid_path, summoned_by=actor, summoned_at=now)
        SUMMONS_CLOCKS.start(row, CREATE, now)
        row.save()
        audit.record(
            actor=actor,
            verb="summon",
            target=row,
            note=note,
            data={"event": event.tracking_code, "department": dept.name},
            workflow=SUMMONS_FLOW.name,
            to_state=row.state,
        )
        made.append(row)
    url = reverse("events:detail", args=[event.tracking_code])
    title = _("吹哨报到：事件 %(code)s，请签收并到场") % {"code": event.tracking_code}
    recipients = [user for row in made for user in handlers_of(row.department)]

    def tell() -> None:
        notify.send(sender=Summons, recipients=recipients, kind="assignment", title=title, url=url, target=event)

    if recipients:
        transaction.on_commit(tell)
    return made


def blow_whistle(
    *, actor: User, event: Event, departments: Sequence[Department], note: str = "", now: dt.datetime | None = None
) -> list[Summons]:
    """网格吹哨: the centre or a grid leader calls departments to a registered event; each must report back."""
    if not may_whistle(actor, event):
        raise WorkflowError(_("您无权对该事件吹哨。"), code=CoreErrorCode.NOT_PERMITTED)
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise WorkflowError(_("请选择要吹哨的部门。"), code=EventErrorCode.DEPARTMENT_REQUIRED)
    _check_departments(event, departments)
    with transaction.atomic():
        made = summon(actor=actor, event=event, departments=departments, note=note, now=now)
        if not made:
            raise WorkflowError(_("所选部门均已被吹哨。"), code=EventErrorCode.ALREADY_SUMMONED)
        # A summoned department reaches the event as a co-handler (events.selectors).
        event.co_departments.add(*[row.department for row in made if row.department_id != event.lead_department_id])
        audit.record(
            actor=actor,
            verb="whistle",
            target=event,
            note=note,
            data={"departments": [row.department.name for row in made]},
            workflow=EVENT_FLOW.name,
        )
    return made


def sign_summons(*, actor: User, summons: Summons, now: dt.datetime | None = None) -> Summons:
    """部门签收."""
    return SUMMONS_FLOW.apply(summons, "sign", actor=actor, now=now)


def arrange_summons(
    *, actor: User, summons: Summons, attendee: str, arrive_at: Any, now: dt.datetime | None = None
) -> Summons:
    """到场安排: who comes and when."""
    attendee = (attendee or "").strip()
    if len(attendee) > MAX_ATTENDEE:
        raise WorkflowError(
            _("到场人员不能超过 %(n)s 字。") % {"n": MAX_ATTENDEE}, code=EventErrorCode.ATTENDEE_TOO_LONG
        )
    when = arrive_at if isinstance(arrive_at, dt.datetime) else parse_datetime(str(arrive_at or ""))
    if arrive_at and when is None:
        raise WorkflowError(_("到场时间格式不正确。"), code=EventErrorCode.BAD_ARRIVAL)
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    return SUMMONS_FLOW.apply(summons, "arrange", actor=actor, now=now, attendee=attendee, arrive_at=when)


def report_summons(*, actor: User, summons: Summons, report: str, now: dt.datetime | None = None) -> Summons:
    """报到反馈: what the department did."""
    report = (report or "").strip()
    if len(report) > MAX_REPORT:
        raise WorkflowError(
            _("反馈内容不能超过 %(n)s 字。") % {"n": MAX_REPORT}, code=EventErrorCode.DESCRIPTION_TOO_LONG
        )
    return SUMMONS_FLOW.apply(summons, "report", actor=actor, now=now, report=report)
