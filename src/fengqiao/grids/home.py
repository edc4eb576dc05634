"""What each role sees first: figures for their jurisdiction and the work that is theirs to do next.

It lives in grids, not core, because its figures are the grid tree's and core imports no app.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import Role
from fengqiao.core.permissions import may_open
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import Level

# Field work with a page of its own (a third item: its URL name, reversed by name so grids imports no app above it).
FIELD_TASKS: list[tuple[Any, ...]] = [
    (gettext_lazy("上报矛盾纠纷"), gettext_lazy("排查发现的矛盾纠纷，在手机上直接上报。"), "disputes:field_new"),
    (gettext_lazy("矛盾排查"), gettext_lazy("按期填报排查结果，没有发现也要零报告。"), "dispatch:screening"),
    (gettext_lazy("网格基础数据"), gettext_lazy("楼栋、房屋、人员、场所和组织，在手机上随时更新。"), "people:index"),
]

TASKS: dict[str, list[tuple[Any, ...]]] = {
    Role.ADMIN: [
        (gettext_lazy("维护网格与人员"), gettext_lazy("在后台导入网格边界、配置部门和人员任职。")),
        (gettext_lazy("查看操作记录"), gettext_lazy("所有状态变更都记录在审计日志中。")),
    ],
    Role.LEADER: [
        (gettext_lazy("查看辖区一张图"), gettext_lazy("从网格地图逐级查看各街道、社区、网格。")),
    ],
    Role.DISPATCHER: [
        (gettext_lazy("核实立案、分流交办"), gettext_lazy("核实群众和网格员上报的事件，派发到责任部门。")),
        (gettext_lazy("浏览辖区网格"), gettext_lazy("查看网格边界、网格员和职能部门。")),
    ],
    Role.HANDLER: [(gettext_lazy("签收并办理交办事项"), gettext_lazy("按时限签收、处置并反馈结果。"))],
    Role.MEDIATOR: [(gettext_lazy("受理调解案件"), gettext_lazy("接受指派，组织调解，记录调解过程。"))],
    Role.GRID_LEADER: [
        (gettext_lazy("带领网格团队"), gettext_lazy("督促网格员巡查走访，处理上报事项。")),
        *FIELD_TASKS,
    ],
    Role.GRID_WORKER: [
        (gettext_lazy("巡查网格"), gettext_lazy("走访入户，发现问题随手拍上报，小事网格办。")),
        *FIELD_TASKS,
    ],
    Role.PART_TIME_WORKER: [(gettext_lazy("协助巡查"), gettext_lazy("发现问题及时上报。")), *FIELD_TASKS],
    Role.INFORMANT: [(gettext_lazy("信息上报"), gettext_lazy("发现矛盾纠纷和安全隐患及时报告。"))],
}


# Where each role's work list leads.
TASK_URLS = {
    Role.DISPATCHER: "events:queue",
    Role.HANDLER: "events:department",
    Role.MEDIATOR: "disputes:mine",
    Role.GRID_WORKER: "events:report",
    Role.PART_TIME_WORKER: "events:report",
    Role.INFORMANT: "events:report",
    Role.GRID_LEADER: "events:queue",
}


@dataclass(frozen=True)
class Todo:
    """One count on the home page: how many cases wait for this user, linking to the list of exactly those cases."""

    label: Any
    count: int
    url: str
    colour: str = ""  # the deadline colour the cases share (from the case's declared clocks), "" when none
    noun: Any = ""  # what is counted: 事件, 纠纷, 指令
    order: int = 0


# What each app counts for the home page. An app declares a ``todos`` module that calls register_todos; grids cannot
# import the apps above it, so they are found the way Django's admin finds admin modules.
TodoSource = Callable[[Any, dt.datetime], list[Todo]]
_SOURCES: list[TodoSource] = []
_found = threading.Lock()
_discovered = False


def register_todos(source: TodoSource) -> TodoSource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def todos_for(user: Any, *, now: dt.datetime | None = None) -> list[Todo]:
    """Every registered count for ``user`` (each source decides by the user's roles), most pressing first."""
    global _discovered
    with _found:
        if not _discovered:
            autodiscover_modules("todos")
            _discovered = True
    now = now or timezone.now()
    found = [todo for source in _SOURCES for todo in source(user, now)]
    return sorted(found, key=lambda t: t.order)


def for_user(user: Any, *, now: dt.datetime | None = None) -> dict[str, Any]:
    role = user.primary_role
    roots = grid_selectors.jurisdiction_roots(actor=user)
    visible = grid_selectors.visible_nodes(actor=user)
    cards: list[dict[str, Any]] = []
    if roots:
        first = roots[0]
        cards = [
            {
                "title": _("辖区网格"),
                "value": visible.filter(level=Level.GRID).count(),
                "hint": _("含专属网格"),
                "url": reverse("grids:detail", args=[first.code]),
            },
            {
                "title": _("微网格"),
                "value": visible.filter(level=Level.MICRO).count(),
                "hint": _("每个 50–70 户"),
                "url": reverse("grids:detail", args=[first.code]),
            },
            {
                "title": _("户数"),
                "value": sum(r.households for r in roots),
                "hint": _("辖区登记户数"),
                "url": reverse("grids:detail", args=[first.code]),
            },
            {
                "title": _("人口"),
                "value": sum(r.population for r in roots),
                "hint": _("辖区实有人口"),
                "url": reverse("grids:detail", args=[first.code]),
            },
        ]
    tasks = []
    for title, text, *target in TASKS.get(role, []):
        try:
            url = reverse(target[0] if target else "grids:index")
        except NoReverseMatch:  # a part of the platform that is not installed here
            continue
        tasks.append({"title": title, "description": text, "url": url})
    return {
        "role": role,
        "role_label": Role(role).label if role else "",
        "memberships": user.active_memberships,
        "roots": roots,
        # A card or task is offered only where its view lets this user in (the view's own check, core.permissions).
        "cards": [c for c in cards if may_open(user, c["url"])],
        "tasks": [t for t in tasks if may_open(user, t["url"])],
        "todos": [t for t in todos_for(user, now=now) if may_open(user, t.url)] if user.active_memberships else [],
    }
