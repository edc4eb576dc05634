"""Template context shared by every page: the navigation for the signed-in user's roles.

Each item names the audience it is meant for (so a worker's menu is not a dispatcher's), and is shown only when its
view would also let the user in: the view's own check (core.permissions) decides, never a second list here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.permissions import may_open

STAFF = {"admin", "dispatcher", "leader"}
WORKERS = {"grid_leader", "grid_worker", "part_time_worker", "informant"}

# (label, url name, roles it is meant for; None = everyone signed in). Who may open it is the view's to say.
NAV: list[tuple[Any, str, set[str] | None]] = [
    (_("首页"), "home", None),
    (_("事件工作台"), "events:queue", STAFF | {"grid_leader"}),
    (_("部门待办"), "events:department", {"handler"}),
    (_("上报"), "events:report", WORKERS | {"dispatcher"}),
    (_("我的上报"), "events:mine", WORKERS),
    (_("即报即办"), "events:spot", WORKERS - {"informant"}),
    (_("吹哨报到"), "events:whistles", {"handler"}),
    (_("矛盾纠纷"), "disputes:queue", STAFF | {"mediator"}),
    (_("信访"), "petitions:list", STAFF | {"handler"}),  # the view admits only the petition office of handlers
    (_("我的包案"), "petitions:my_cases", {"leader"}),
    (_("值班排班"), "petitions:duty", {"dispatcher", "admin"}),
    (_("督导督办"), "petitions:supervision", STAFF | {"handler"}),  # handlers: their own department's orders
    (_("稳评"), "petitions:risk", STAFF | {"handler"}),
    (_("我的重点人员"), "people:key_mine", {"grid_worker"}),
    (_("重点人员"), "people:key_list", {"grid_leader", "dispatcher"}),
    (_("居民积分"), "participation:index", {"dispatcher", "admin", "grid_leader", "grid_worker", "part_time_worker"}),
    (_("议事协商"), "deliberation:index", {"dispatcher", "admin", "grid_leader", "grid_worker", "part_time_worker"}),
    (_("指挥调度"), "dispatch:inbox", None),
    (_("一张图"), "dashboard:map", STAFF),
    (_("基础数据"), "people:index", STAFF | {"grid_leader", "grid_worker", "part_time_worker"}),
    (_("网格"), "grids:index", None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user: Caller = getattr(request, "user", None)
    if not signed_in(user):
        return {"nav_items": []}
    roles = set(user.roles()) | ({"admin"} if user.is_superuser else set())
    items = []
    for label, name, allowed in NAV:
        if allowed is not None and not (roles & allowed):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a part of the platform that is not installed here
            continue
        if not may_open(user, url):
            continue
        items.append({"label": label, "url": url, "active": False})
    # One entry is the current one: the longest whose address starts the page's (信访 /petitions/ and 我的包案
    # /petitions/mine/ both match the latter's pages).
    matching = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
