"""即报即办 (小事网格办): a grid worker reports a small matter already solved, with a photo before and after; it is
entered, registered, handled and closed at once through the event workflow, every step by the worker. A share of
them (``FENGQIAO_SPOT_CHECK_SHARE``, default 10%) is drawn for the centre to check (抽查): it confirms, or sends the
event back to registered with a reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import WORKER_ROLES, Role, User
from fengqiao.core.attachments import attach, read_uploads
from fengqiao.core.errors import CoreErrorCode, WorkflowError
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import Category, Event, Source, SpotCheck
from fengqiao.events.services import MAX_PHOTOS, ReportError, report_event
from fengqiao.events.workflow import EVENT_FLOW
from fengqiao.grids.models import GridNode

SPOT_ROLES = WORKER_ROLES - {Role.INFORMANT}


def check_share() -> float:
    return float(getattr(settings, "FENGQIAO_SPOT_CHECK_SHARE", 0.10))


def drawn(code: str, share: float | None = None) -> bool:
    """Whether the event with this tracking code is drawn for 抽查: a hash of the code against the share, so the
    draw is fixed per event (nobody can redraw it by retrying) and the share holds over many events."""
    share = check_share() if share is None else share
    value = int(hashlib.sha256(f"spot-check:{code}".encode()).hexdigest()[:12], 16) / float(16**12)
    return value < share


def may_solve_on_the_spot(actor: Any) -> bool:
    """A full-time or part-time grid worker or a grid leader (not an informant)."""
    return getattr(actor, "is_authenticated", False) and any(m.role in SPOT_ROLES for m in actor.active_memberships)


def solve_on_the_spot(
    *,
    actor: User,
    description: str,
    result: str,
    before: Iterable[Any],
    after: Iterable[Any],
    category: Category | None = None,
    lon: Any = None,
    lat: Any = None,
    grid: GridNode | None = None,
    address: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """即报即办: enter the event and close it at once (上报 → 立案 → 网格处置 → 办结), all by the worker, the tier the
    grid, counted as 小事网格办; drawn for 抽查 by the share."""
    if not may_solve_on_the_spot(actor):
        raise WorkflowError(_("只有网格员、网格长可以即报即办。"), code=CoreErrorCode.NOT_PERMITTED)
    before_list, after_list = list(before), list(after)
    if not before_list or not after_list:
        raise ReportError(_("请上传处置前和处置后的照片。"), code=EventErrorCode.SPOT_PHOTOS_REQUIRED)
    if len(before_list) + len(after_list) > MAX_PHOTOS:
        raise ReportError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code=CoreErrorCode.TOO_MANY_PHOTOS)
    result = (result or "").strip()
    if len(result) < 2:
        raise ReportError(_("请填写处置情况，至少 2 个字。"), code=EventErrorCode.DESCRIPTION_REQUIRED)
    before_images = read_uploads(before_list)  # every photo is checked before anything is written
    after_images = read_uploads(after_list)
    now = now or timezone.now()
    with transaction.atomic():
        event = report_event(
            actor=actor,
            source=Source.PATROL,
            description=description,
            category=category,
            lon=lon,
            lat=lat,
            grid=grid,
            address=address,
            idempotency_key=idempotency_key,
            now=now,
        )
        if event.on_the_spot or event.state != "reported":
            return event  # a retry of the same form: the first answer stands
        event.on_the_spot = True
        event.spot_check = SpotCheck.PENDING if drawn(event.tracking_code) else SpotCheck.NONE
        Event.objects.filter(pk=event.pk).update(on_the_spot=True, spot_check=event.spot_check)
        attach(actor=actor, target=event, images=before_images, purpose="before")
        EVENT_FLOW.apply(event, "spot_register", actor=actor, now=now)
        EVENT_FLOW.apply(event, "handle_in_grid", actor=actor, now=now, result=result)
        attach(actor=actor, target=event, images=after_images, purpose="after")
        EVENT_FLOW.apply(event, "spot_close", actor=actor, now=now)
    return event


def confirm_spot_check(*, actor: User, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """抽查通过."""
    return EVENT_FLOW.apply(event, "spot_confirm", actor=actor, now=now, note=note)


def reopen_spot_check(*, actor: User, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    """抽查退回: the event goes back to registered, with the reason, and the ordinary loop takes it on."""
    return EVENT_FLOW.apply(event, "spot_reopen", actor=actor, now=now, note=note)
