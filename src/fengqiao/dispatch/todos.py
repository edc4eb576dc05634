"""The home page's dispatch count: instructions the worker has yet to acknowledge (待签收), read from the inbox's
own selector so the count and the list agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fengqiao.dispatch.selectors import inbox
from fengqiao.grids.home import Todo, register_todos


@register_todos
def dispatch_todos(user: Any, now: dt.datetime) -> list[Todo]:
    if not user.active_memberships:
        return []
    count = inbox(actor=user, pending=True).count()
    if not count:
        return []  # everyone with a membership has an inbox; show the count only when something waits
    return [Todo(_("待签收指令"), count, f"{reverse('dispatch:inbox')}?pending=1", noun=_("指令"), order=5)]
