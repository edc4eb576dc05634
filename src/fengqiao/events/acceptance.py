"""现场验收 of a safety hazard by the grid's worker: the centre assigns a handled hazard's acceptance to a worker of
its grid, who confirms it on site with a photo; the phone's position must lie at the event's grid (within
``FENGQIAO_POSITION_MISMATCH_METRES`` of its boundary), as the report forms check it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.accounts.models import WORKER_ROLES, Membership, Role, User
from fengqiao.core import audit
from fengqiao.core.attachments import attach, read_uploads
from fengqiao.core.errors import CoreErrorCode, DomainError, WorkflowError
from fengqiao.core.signals import notify
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import Event
from fengqiao.events.services import MAX_PHOTOS, _position, metres_from_grid
from fengqiao.events.workflow import EVENT_FLOW, dispatcher

FIELD_ROLES = WORKER_ROLES - {Role.INFORMANT}


def is_worker_of(user: Any, event: Event) -> bool:
    """Whether ``user`` is a grid worker or grid leader (not an informant) of the event's grid or above it."""
    return Membership.objects.filter(
        user=user, active=True, role__in=list(FIELD_ROLES), node_path__in=_ancestors(event)
    ).exists()


def _ancestors(event: Event) -> list[str]:
    from fengqiao.core.scoping import ancestor_paths

    return ancestor_paths(event.grid_path)


def may_assign(actor: Any, event: Event) -> bool:
    """The centre over a handled hazard (a category that needs on-site acceptance)."""
    category = event.category
    return (
        event.state == "handled" and category is not None and category.requires_acceptance and dispatcher(actor, event)
    )


def assign_acceptance(*, actor: User, event: Event, worker: User | None, note: str = "") -> Event:
    """指派现场验收: the centre hands a handled hazard's acceptance to a worker of its grid."""
    if not may_assign(actor, event):
        raise WorkflowError(_("只有综治中心可以为已处置的安全隐患指派现场验收。"), code=EventErrorCode.NOT_A_HAZARD)
    if worker is None or not is_worker_of(worker, event):
        raise WorkflowError(_("请选择该网格的网格员。"), code=EventErrorCode.WORKER_NOT_OF_GRID)
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(acceptance_worker=worker)
        event.acceptance_worker = worker
        audit.record(
            actor=actor,
            verb="acceptance.assign",
            target=event,
            note=note,
            data={"worker": worker.display_name},
            workflow=EVENT_FLOW.name,
        )
        url = reverse("events:detail", args=[event.tracking_code])
        transaction.on_commit(
            lambda: notify.send(
                sender=Event,
                recipients=[worker],
                kind="assignment",
                title=_("请到现场验收安全隐患 %(code)s") % {"code": event.tracking_code},
                url=url,
                target=event,
            )
        )
    return event


def accept_on_site(
    *,
    actor: User,
    event: Event,
    acceptance: str,
    photos: Iterable[Any],
    lon: Any,
    lat: Any,
    now: dt.datetime | None = None,
) -> Event:
    """现场验收: the assigned worker confirms at the place, with a photo; the event is then verified (核查)."""
    if not EVENT_FLOW.allows(event, "accept_on_site", actor=actor):
        raise WorkflowError(_("您无权执行“现场验收”。"), code=CoreErrorCode.NOT_PERMITTED)
    photo_list = list(photos)
    if not photo_list:
        raise DomainError(_("请拍摄现场照片。"), code=EventErrorCode.ACCEPTANCE_PHOTO_REQUIRED)
    if len(photo_list) > MAX_PHOTOS:
        raise DomainError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code=CoreErrorCode.TOO_MANY_PHOTOS)
    lon_f, lat_f = _position(lon, lat)
    if lon_f is None or lat_f is None:
        raise DomainError(_("未能获取定位：请允许定位后在现场提交。"), code=CoreErrorCode.POSITION_REQUIRED)
    metres = metres_from_grid(event.grid, lon_f, lat_f)
    if metres is not None and metres > settings.FENGQIAO_POSITION_MISMATCH_METRES:
        raise DomainError(
            _("定位不在事件所在网格（相距约 %(m)s 米），请到现场验收。") % {"m": round(metres)},
            code=EventErrorCode.ACCEPTANCE_TOO_FAR,
        )
    images = read_uploads(photo_list)
    with transaction.atomic():
        event = EVENT_FLOW.apply(
            event,
            "accept_on_site",
            actor=actor,
            now=now,
            acceptance=(acceptance or "").strip(),
            lon=lon_f,
            lat=lat_f,
        )
        attach(actor=actor, target=event, images=images, purpose="acceptance")
    return event
