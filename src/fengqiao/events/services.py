"""Commands of the event closed loop. Each checks its input, runs in one transaction and writes the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.ops import nearest_points

from fengqiao.accounts.models import Department, Role, User
from fengqiao.accounts.selectors import handlers_of, members_above
from fengqiao.core import audit, codes, conversions, intake, receipts, scoping
from fengqiao.core.attachments import attach, read_uploads
from fengqiao.core.deadlines import CREATE
from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction, WorkflowError
from fengqiao.core.signals import notify
from fengqiao.core.validators import PhoneError, normalise_phone
from fengqiao.events import tiers
from fengqiao.events.clocks import EVENT_CLOCKS
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.models import TIER_ORDER, Category, Event, Extension, Source, Supervision
from fengqiao.events.whistles import summon
from fengqiao.events.workflow import EVENT_FLOW, OPEN_STATES
from fengqiao.grids import locator
from fengqiao.grids.coords import PositionError, distance_metres, parse_position
from fengqiao.grids.geometry import GeometryError, parse
from fengqiao.grids.models import GridNode

MAX_TEXT = 2000
MAX_PHOTOS = 9


class ReportError(DomainError):
    """A report that cannot be accepted as it is."""


def clean_phone(phone: str, *, required: bool) -> str:
    """The reporter's phone by the platform's one rule (core.validators)."""
    try:
        phone = normalise_phone(phone)
    except PhoneError:
        raise ReportError(
            _("联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。"), code=CoreErrorCode.BAD_PHONE
        ) from None
    if not phone and required:
        raise ReportError(_("请填写联系电话，以便反馈处理结果。"), code=CoreErrorCode.PHONE_REQUIRED)
    return phone


def _position(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    try:
        return parse_position(lon, lat)
    except PositionError as exc:
        raise ReportError(str(exc), code=CoreErrorCode.BAD_POSITION) from None


def locate_grid(
    lon: float | None, lat: float | None, *, grid: GridNode | None = None, may_choose: bool = False
) -> GridNode:
    """The finest grid for a position; else the grid given (a QR code's, or one the worker chose); else the fallback
    grid if set. ``may_choose`` says the reporter can pick a grid on the form, which the refusal then tells them."""
    if lon is not None and lat is not None:
        found = locator.locate(lon, lat)
        node = found.node()
        if node is not None:
            return node
        if grid is not None:
            return grid
        fallback = settings.FENGQIAO_FALLBACK_GRID
        if fallback:
            node = GridNode.objects.filter(code=fallback).first()
            if node is not None:
                return node
        hint = ""
        if found.suggestion_code:
            near = GridNode.objects.filter(code=found.suggestion_code).first()
            if near is not None:
                hint = _("最近的网格是“%(name)s”，约 %(m)s 米。") % {
                    "name": near.name,
                    "m": int(found.suggestion_metres or 0),
                }
        if may_choose:
            hint += _("请在“所属网格”中选择网格后重新提交。")
        raise ReportError(_("该位置不在任何网格范围内。") + hint, code=EventErrorCode.OUTSIDE_GRIDS)
    if grid is not None:
        return grid
    if may_choose:
        raise ReportError(
            _("未能获取定位：请在“所属网格”中选择网格，并填写地址。"), code=CoreErrorCode.POSITION_REQUIRED
        )
    raise ReportError(
        _("请提供位置（定位或在地图上选点），或从网格二维码进入上报。"), code=CoreErrorCode.POSITION_REQUIRED
    )


def metres_from_grid(node: GridNode, lon: float, lat: float) -> float | None:
    """How far a point lies outside a grid's boundary (0 inside it); from its centre when it has no boundary; None
    when the grid has neither."""
    if node.geometry:
        try:
            shape = parse(node.geometry)
        except GeometryError:
            shape = None
        if shape is not None:
            point = shapely.Point(lon, lat)
            if shape.covers(point):
                return 0.0
            near = nearest_points(shape, point)[0]
            return distance_metres((lon, lat), (near.x, near.y))
    if node.centroid_lon is not None and node.centroid_lat is not None:
        return distance_metres((lon, lat), (node.centroid_lon, node.centroid_lat))
    return None


def position_mismatch(node: GridNode, lon: float | None, lat: float | None) -> int | None:
    """The metres to flag when a report's position lies far outside the grid it is filed in, else None."""
    if lon is None or lat is None:
        return None
    metres = metres_from_grid(node, lon, lat)
    if metres is None or metres <= settings.FENGQIAO_POSITION_MISMATCH_METRES:
        return None
    return round(metres)


def scoped_key(*, source: str, caller: str, key: str) -> str:
    """The stored idempotency key: the channel and the caller are part of it, so a key only ever finds the event its
    own caller filed; nobody can choose another channel's or another caller's key."""
    return hashlib.sha256(f"{source}\0{caller}\0{key}".encode()).hexdigest()


def _caller(actor: User | None, caller: str | None) -> str | None:
    if caller:
        return caller
    if actor is not None and actor.is_authenticated:
        return f"user:{actor.pk}"
    return None  # an anonymous call with nobody to scope the key to: the key is ignored


def report_event(
    *,
    actor: User | None,
    source: str,
    description: str,
    category: Category | None = None,
    lon: Any = None,
    lat: Any = None,
    grid: GridNode | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    hotline_kind: str = "",
    photos: Iterable[Any] = (),
    idempotency_key: str | None = None,
    caller: str | None = None,
    external_id: str = "",
    recent_codes: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Event:
    """信息上报: create an event from any channel. A retry by the same caller (the signed-in user, or ``caller``: an
    API client, a device, a resident's browser session) with the same idempotency key returns the first event.

    A resident's report from the public page gets a receipt secret: ``event.reporter_secret`` holds it on the returned
    object only, to be shown once; the tracking code alone never lets anyone act on the event.

    The same text sent again from the same place by the same reporter within minutes (the back button and a fresh
    form, so a new key) is the same report: the first event answers. The reporter is the signed-in user, or for a
    resident the events their own browser session filed (``recent_codes``, kept server-side by the page)."""
    now = now or timezone.now()
    who = _caller(actor, caller)
    idempotency_key = scoped_key(source=source, caller=who, key=idempotency_key) if idempotency_key and who else None
    anonymous = not getattr(actor, "is_authenticated", False)
    if idempotency_key:
        existing = Event.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _retried(existing, receipt=anonymous and source == Source.RESIDENT)
    if source not in Source.values:
        raise ReportError(_("未知的来源：%(s)s") % {"s": source}, code=CoreErrorCode.BAD_SOURCE)
    description = (description or "").strip()
    if len(description) < 2:
        raise ReportError(_("请描述问题，至少 2 个字。"), code=EventErrorCode.DESCRIPTION_REQUIRED)
    if len(description) > MAX_TEXT:
        raise ReportError(_("描述不能超过 %(n)s 字。") % {"n": MAX_TEXT}, code=EventErrorCode.DESCRIPTION_TOO_LONG)
    if category is not None and (not category.active or not category.is_leaf):
        raise ReportError(_("请选择一个具体的小类。"), code=EventErrorCode.BAD_CATEGORY)
    phone = clean_phone(reporter_phone, required=source in (Source.RESIDENT, Source.HOTLINE))
    photo_list = list(photos)
    if len(photo_list) > MAX_PHOTOS:
        raise ReportError(_("最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, code=CoreErrorCode.TOO_MANY_PHOTOS)
    images = read_uploads(photo_list)  # every photo is checked before anything is written
    lon_f, lat_f = _position(lon, lat)
    if lon_f is None:
        gps = next(((img.lon, img.lat) for _, img in images if img.lon is not None), None)
        if gps is not None:
            lon_f, lat_f = gps
    node = locate_grid(lon_f, lat_f, grid=grid, may_choose=not anonymous and source == Source.PATROL)
    if not anonymous and source == Source.PATROL and not scoping.covers(actor, node.path):
        raise OutsideJurisdiction(_("该位置不在您负责的网格内，请确认定位。"))
    again = _resubmitted(
        actor=None if anonymous else actor,
        recent_codes=recent_codes,
        source=source,
        description=description,
        node=node,
        lon=lon_f,
        lat=lat_f,
        now=now,
    )
    if again is not None:
        return _retried(again, receipt=anonymous and source == Source.RESIDENT)
    event = Event(
        tracking_code=codes.tracking_code("E"),
        grid=node,
        category=category,
        source=source,
        hotline_kind=hotline_kind if source == Source.HOTLINE else "",
        description=description,
        address=(address or "").strip()[:200],
        lon=lon_f,
        lat=lat_f,
        position_mismatch_m=position_mismatch(node, lon_f, lat_f),
        reporter=None if anonymous else actor,
        reporter_name=(reporter_name or "").strip()[:50]
        or (actor.display_name if actor is not None and not anonymous else ""),
        reporter_phone=phone,
        tier=category.tier if category else "community",
        idempotency_key=idempotency_key or None,
        external_id=external_id[:64],
        reported_at=now,
    )
    # 四事分办 and 首接负责制: the tier's centre owns it; staff who take a matter in answer for it until it is signed.
    event.owner_node = tiers.owning_centre(node.path, event.tier)
    if not anonymous and source in FIRST_RECEIVING:
        event.first_receiver = actor
        event.first_receiver_node = tiers.receiving_post(actor, node.path)
    secret = ""
    if anonymous and source == Source.RESIDENT:
        secret, event.reporter_secret_index = receipts.issue()
    EVENT_CLOCKS.start(event, CREATE, now)

    def retry_won() -> Event | None:
        # A concurrent retry with the same key won the race: answer with its event.
        return Event.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None

    saved = intake.enter(
        event,
        actor=actor,
        verb="report",
        workflow=EVENT_FLOW,
        prefix="E",
        images=images,
        purpose="report",
        data={
            "source": source,
            "category": category.code if category else None,
            "owner": event.owner_node.code if event.owner_node else None,
            "first_receiver": event.first_receiver.username if event.first_receiver else None,
        },
        retried=retry_won,
    )
    if saved is not event:
        return _retried(saved, receipt=bool(secret))
    # No inbox message per new report: the centre's workbench shows it, and a busy city files thousands a day.
    event.reporter_secret = secret  # type: ignore[attr-defined]  # shown once on the receipt, never stored plain
    return event


# Channels where a member of staff takes the matter in and becomes its first receiver (首接): a worker on patrol, the
# window or hotline, a signed-in user of the API. Residents' reports, Open311 and sensors have none: 兜底 is the centre.
FIRST_RECEIVING = (Source.PATROL, Source.HOTLINE, Source.API)

RESUBMIT_METRES = 30.0  # a second report of the same words further away than this is another problem


def _resubmitted(
    *,
    actor: User | None,
    recent_codes: Sequence[str],
    source: str,
    description: str,
    node: GridNode,
    lon: float | None,
    lat: float | None,
    now: dt.datetime,
) -> Event | None:
    """The event this report repeats: same reporter, channel, text and grid, within minutes, at the same spot. Only
    the two form channels: API clients send keys, and an operator may type one text for two callers."""
    if source not in (Source.PATROL, Source.RESIDENT):
        return None
    if actor is not None:
        mine = Event.objects.filter(reporter=actor)
    elif recent_codes:
        mine = Event.objects.filter(tracking_code__in=list(recent_codes)[-20:])
    else:
        return None
    since = now - dt.timedelta(minutes=settings.FENGQIAO_RESUBMIT_MINUTES)
    for earlier in mine.filter(
        source=source, grid=node, description=description, reported_at__range=(since, now), merged_into__isnull=True
    ).order_by("reported_at"):
        if lon is None or earlier.lon is None:
            if lon is None and earlier.lon is None:
                return earlier
            continue
        if (
            lat is not None
            and earlier.lat is not None
            and distance_metres((lon, lat), (earlier.lon, earlier.lat)) <= RESUBMIT_METRES
        ):
            return earlier
    return None


def _retried(event: Event, *, receipt: bool) -> Event:
    """The event a caller's retry finds. Its receipt secret is drawn afresh (only a hash was kept): the retry's
    answer is the one the resident sees, and the key was scoped to their own browser, so nobody else gets here."""
    secret = ""
    if receipt and event.stars is None:
        secret, event.reporter_secret_index = receipts.issue()
        Event.objects.filter(pk=event.pk).update(reporter_secret_index=event.reporter_secret_index)
    event.reporter_secret = secret  # type: ignore[attr-defined]
    return event


def _url(event: Event) -> str:
    return reverse("events:detail", args=[event.tracking_code])


def dispatchers_for(event: Event) -> list[User]:
    """Dispatchers whose jurisdiction covers the event, nearest centre first."""
    return members_above(event.grid_path, [Role.DISPATCHER])


def _apply(
    event: Event, name: str, *, actor: User | None, note: str = "", now: dt.datetime | None = None, **values: Any
) -> Event:
    refuse_below_owner(actor, event, name)
    return EVENT_FLOW.apply(event, name, actor=actor, note=note, now=now, **values)


def refuse_below_owner(actor: User | None, event: Event, name: str) -> None:
    """A centre below the owning one asking for a step the table refuses it gets the precise answer (本级只读) rather
    than a bare "not permitted"; a step the table allows it (grid staff work) goes on."""
    row = EVENT_FLOW.by_name.get(name)
    if row is not None and event.state in row.source and not row.allowed(actor, event):
        tiers.refuse_if_read_only(actor, event)


def register_event(
    *, actor: User, event: Event, category: Category | None = None, note: str = "", now: dt.datetime | None = None
) -> Event:
    """核实立案."""
    category = category or event.category
    if category is not None and not category.is_leaf:
        raise WorkflowError(_("请选择一个具体的小类。"), code=EventErrorCode.BAD_CATEGORY)
    return _apply(event, "register", actor=actor, now=now, note=note, category=category)


def reject_event(*, actor: User, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    """不予立案, with the reason."""
    return _apply(event, "reject", actor=actor, now=now, note=note)


def merge_event(*, actor: User, event: Event, into: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """Merge a duplicate into the event that goes on."""
    if into.pk == event.pk or into.state not in OPEN_STATES or into.merged_into_id:
        raise WorkflowError(_("只能合并到另一个未办结的事件。"), code=EventErrorCode.BAD_MERGE_TARGET)
    scoping.require(actor, into.grid_path)
    return _apply(event, "merge", actor=actor, now=now, note=note, into=into)


def convert_to_dispute(*, actor: User, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """转为矛盾纠纷: the centre moves a 矛盾纠纷 event (family 01) into the mediation ledger in one step. The dispute
    is entered through the disputes app's normal intake (reached through ``core.conversions``, as the two apps do not
    import each other) and the event closes with its code, in one transaction: both or neither."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the event row only: PostgreSQL refuses FOR UPDATE on the nullable side of the category join.
        locked = Event.objects.select_for_update(of=("self",)).select_related("category").get(pk=event.pk)
        if locked.state != event.state:
            raise WorkflowError(_("该记录已被他人处理，请刷新后重试。"), code=CoreErrorCode.STALE)
        # The table's own checks (state, who may) come first, so nothing is entered for a refused step.
        refuse_below_owner(actor, locked, "to_dispute")
        EVENT_FLOW.check(locked, "to_dispute", actor=actor, note=note, values={"dispute": "-"})
        code = conversions.convert(
            "event_to_dispute",
            actor=actor,
            event_code=locked.tracking_code,
            category_name=locked.category.name if locked.category else "",
            description=locked.description,
            grid=locked.grid,
            lon=locked.lon,
            lat=locked.lat,
            address=locked.address,
            reporter_name=locked.reporter_name,
            reporter_phone=locked.reporter_phone,
            now=now,
        )
        return _apply(event, "to_dispute", actor=actor, now=now, note=note, dispute=code)


def handle_in_grid(
    *, actor: User, event: Event, result: str, photos: Iterable[Any] = (), now: dt.datetime | None = None
) -> Event:
    """小事网格办: the grid handles it on the spot."""
    images = read_uploads(list(photos))
    with transaction.atomic():
        event = _apply(event, "handle_in_grid", actor=actor, now=now, result=(result or "").strip())
        attach(actor=actor, target=event, images=images, purpose="result")
    return event


def route_event(
    *,
    actor: User,
    event: Event,
    department: Department,
    co_departments: Sequence[Department] = (),
    note: str = "",
    now: dt.datetime | None = None,
) -> Event:
    """分流交办: send a registered event to its lead department (and co-handlers, 吹哨报到)."""
    for dept in (department, *co_departments):
        if not dept.active or not event.grid_path.startswith(dept.node_path):
            raise WorkflowError(
                _("部门“%(d)s”不负责该事件所在区域。") % {"d": dept.name}, code=EventErrorCode.DEPARTMENT_OUTSIDE_AREA
            )
    with transaction.atomic():
        event = _apply(event, "route", actor=actor, now=now, note=note, department=department)
        co = [d for d in co_departments if d.pk != department.pk]
        event.co_departments.set(co)
        if co:  # 吹哨报到: each co-handling department signs, comes and reports back on its own row
            summon(actor=actor, event=event, departments=co, note=note, now=now)
    recipients = handlers_of(department)
    transaction.on_commit(
        lambda: notify.send(
            sender=Event,
            recipients=recipients,
            kind="assignment",
            title=_("新交办事件 %(code)s") % {"code": event.tracking_code},
            url=_url(event),
            target=event,
        )
    )
    return event


def sign_event(*, actor: User, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """签收."""
    return _apply(event, "sign", actor=actor, now=now, note=note)


def return_event(*, actor: User, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    """退回: a wrong dispatch goes back to the dispatcher with the reason."""
    # The owner it goes back to is named in the audit row with the step.
    event = _apply(event, "return", actor=actor, now=now, note=note, owner=tiers.owner_after_return(event))
    transaction.on_commit(lambda: _tell_of_return(event))
    return event


def _tell_of_return(event: Event) -> None:
    """首接负责制: the first receiver is told by name, and the centre the event is back with; never nobody."""
    receiver = event.first_receiver
    centre = tiers.centre_dispatchers(event.owner_node)
    if receiver is not None:
        notify.send(
            sender=Event,
            recipients=[receiver],
            kind="event",
            title=_("%(name)s：您首接的事件 %(code)s 被部门退回，请重新分派")
            % {"name": receiver.display_name, "code": event.tracking_code},
            body=event.reason,
            url=_url(event),
            target=event,
        )
    others = [u for u in centre if receiver is None or u.pk != receiver.pk]
    if others or receiver is None:
        notify.send(
            sender=Event,
            recipients=others or dispatchers_for(event),
            kind="event",
            title=_("事件 %(code)s 被退回") % {"code": event.tracking_code},
            body=event.reason,
            url=_url(event),
            target=event,
        )


def start_event(*, actor: User, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    return _apply(event, "start", actor=actor, now=now, note=note)


def handle_event(
    *, actor: User, event: Event, result: str, photos: Iterable[Any] = (), now: dt.datetime | None = None
) -> Event:
    """处置反馈: the department reports what it did, with photos."""
    images = read_uploads(list(photos))
    with transaction.atomic():
        event = _apply(event, "handle", actor=actor, now=now, result=(result or "").strip())
        attach(actor=actor, target=event, images=images, purpose="result")
    return event


def escalate_event(
    *, actor: User, event: Event, note: str, skip: bool = False, now: dt.datetime | None = None
) -> Event:
    """上报上级: hand the event one tier up (two where the category allows skipping a level)."""
    position = TIER_ORDER.index(event.tier) if event.tier in TIER_ORDER else 1
    step = 2 if skip else 1
    if skip and not (event.category and event.category.allows_skip_level):
        raise WorkflowError(_("该类事件不允许越级上报。"), code=EventErrorCode.SKIP_NOT_ALLOWED)
    if position + step >= len(TIER_ORDER):
        raise WorkflowError(_("已是最高处置层级，无法继续上报。"), code=CoreErrorCode.TOP_TIER)
    tier = TIER_ORDER[position + step]
    owner = tiers.owning_centre(event.grid_path, tier)
    event = _apply(event, "escalate", actor=actor, now=now, note=note, tier=tier, owner=owner)
    # The new owning centre is told, not the one it left (四事分办).
    transaction.on_commit(
        lambda: notify.send(
            sender=Event,
            recipients=tiers.centre_dispatchers(event.owner_node) or dispatchers_for(event),
            kind="event",
            title=_("事件 %(code)s 上报至上级") % {"code": event.tracking_code},
            url=_url(event),
            target=event,
        )
    )
    return event


def verify_event(
    *, actor: User, event: Event, acceptance: str = "", note: str = "", now: dt.datetime | None = None
) -> Event:
    """核查 (with on-site acceptance for hazards)."""
    return _apply(event, "verify", actor=actor, now=now, note=note, acceptance=(acceptance or "").strip())


def close_event(*, actor: User, event: Event, note: str = "", now: dt.datetime | None = None) -> Event:
    """办结."""
    return _apply(event, "close", actor=actor, now=now, note=note)


def reopen_event(*, actor: User, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    return _apply(event, "reopen", actor=actor, now=now, note=note)


def rate_event(
    *,
    actor: User | None,
    event: Event,
    stars: Any,
    comment: str = "",
    secret: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """评价: 1–5 stars by the reporter, once: the signed-in user who reported it, or whoever holds the receipt secret
    (the tracking code alone is not enough: anyone may have been told it)."""
    if not getattr(actor, "is_authenticated", False) and not receipts.matches(event.reporter_secret_index, secret):
        raise WorkflowError(_("请通过提交时获得的专属链接进行评价。"), code=CoreErrorCode.SECRET_REQUIRED)
    try:
        stars_i = int(stars)
    except (TypeError, ValueError):
        stars_i = 0
    if not 1 <= stars_i <= 5:
        raise WorkflowError(_("请选择 1 到 5 星。"), code=EventErrorCode.BAD_STARS)
    if event.stars is not None:
        raise WorkflowError(_("该事件已评价，感谢您的反馈。"), code=EventErrorCode.ALREADY_RATED)
    if len(comment or "") > 500:
        raise WorkflowError(_("评价意见不能超过 500 字。"), code=EventErrorCode.COMMENT_TOO_LONG)
    return _apply(event, "rate", actor=actor, now=now, stars=stars_i, comment=(comment or "").strip())


def record_revisit(*, actor: User, event: Event, note: str, now: dt.datetime | None = None) -> Event:
    """回访."""
    return _apply(event, "revisit", actor=actor, now=now, note=note)


def supervise_event(*, actor: User, event: Event, note: str) -> Supervision:
    """督办: an order from a dispatcher or leader to hurry an open event."""
    if not actor.has_role(Role.DISPATCHER, Role.LEADER, Role.ADMIN):
        raise WorkflowError(_("只有综治中心和领导可以督办。"), code=CoreErrorCode.NOT_PERMITTED)
    scoping.require(actor, event.grid_path)
    tiers.refuse_if_read_only(actor, event)  # 督办 comes from above the owning centre, never from below it
    if event.state not in OPEN_STATES:
        raise WorkflowError(_("只能督办未办结的事件。"), code=EventErrorCode.NOT_OPEN)
    if not (note or "").strip():
        raise WorkflowError(_("请填写督办意见。"), code=CoreErrorCode.NOTE_REQUIRED)
    with transaction.atomic():
        order = Supervision.objects.create(event=event, issued_by=actor, note=note.strip())
        Event.objects.filter(pk=event.pk).update(supervised=True)
        event.supervised = True
        audit.record(actor=actor, verb="supervise", target=event, note=note.strip(), workflow=EVENT_FLOW.name)
    recipients = handlers_of(event.lead_department) or dispatchers_for(event)
    transaction.on_commit(
        lambda: notify.send(
            sender=Event,
            recipients=recipients,
            kind="supervision",
            title=_("督办：%(code)s") % {"code": event.tracking_code},
            body=note.strip(),
            url=_url(event),
            target=event,
        )
    )
    return order


def request_extension(*, actor: User, event: Event, hours: Any, reason: str) -> Extension:
    """延期申请 by the lead department."""
    from fengqiao.events.workflow import lead_handler

    if not lead_handler(actor, event) or event.state not in ("signed", "in_progress"):
        raise WorkflowError(_("只有牵头部门在办理期间可以申请延期。"), code=CoreErrorCode.NOT_PERMITTED)
    try:
        hours_i = int(hours)
    except (TypeError, ValueError):
        hours_i = 0
    if not 1 <= hours_i <= 24 * 30:
        raise WorkflowError(_("延期时长应为 1 到 720 小时。"), code=EventErrorCode.BAD_HOURS)
    if not (reason or "").strip():
        raise WorkflowError(_("请填写延期理由。"), code=EventErrorCode.REASON_REQUIRED)
    if event.extensions.filter(state=Extension.State.PENDING).exists():
        raise WorkflowError(_("已有待审批的延期申请。"), code=EventErrorCode.PENDING_EXISTS)
    with transaction.atomic():
        ext = Extension.objects.create(event=event, requested_by=actor, hours=hours_i, reason=reason.strip())
        audit.record(actor=actor, verb="extension.request", target=event, note=reason.strip(), data={"hours": hours_i})
    return ext


def decide_extension(*, actor: User, extension: Extension, approve: bool, note: str = "") -> Extension:
    """The dispatcher approves (the deadline moves) or rejects an extension request."""
    from fengqiao.events.workflow import dispatcher

    event = extension.event
    tiers.refuse_if_read_only(actor, event)
    if not dispatcher(actor, event):
        raise WorkflowError(_("只有综治中心可以审批延期。"), code=CoreErrorCode.NOT_PERMITTED)
    if extension.state != Extension.State.PENDING:
        raise WorkflowError(_("该申请已审批。"), code=EventErrorCode.ALREADY_DECIDED)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        extension.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.save()
        if approve and locked.due_at is not None:
            EVENT_CLOCKS.extend(locked, "stage", dt.timedelta(hours=extension.hours))
            locked.extended = True
            locked.save(update_fields=["due_at", "warn_at", "extended", "updated_at"])
        audit.record(
            actor=actor,
            verb="extension.approve" if approve else "extension.reject",
            target=locked,
            note=note,
            data={"hours": extension.hours},
        )
    return extension
