"""Commands of 指挥调度: send instructions, receipts (read, 签收, 反馈), reminders, patrols, visits, diaries, inbox.

Each command takes the actor first, runs in one transaction, writes the audit trail, and tells the live-push hub
after commit. Sending to a whole city is one instruction row, a few target rows and one NOTIFY.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Role, User
from fengqiao.core import audit, links, scoping
from fengqiao.core.attachments import attach
from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction
from fengqiao.core.signals import notify
from fengqiao.core.uploads import CheckedImage
from fengqiao.dispatch import selectors
from fengqiao.dispatch.errors import DispatchErrorCode
from fengqiao.dispatch.models import (
    AcknowledgementsDue,
    Diary,
    Instruction,
    InstructionTarget,
    Notification,
    Patrol,
    PatrolPoint,
    Receipt,
    Screening,
    Visit,
    check_point,
)
from fengqiao.dispatch.pubsub import publish_on_commit
from fengqiao.grids.coords import distance_metres
from fengqiao.grids.models import GridNode

REMIND_INTERVAL = dt.timedelta(minutes=5)
MAX_POINTS_PER_CALL = 500


class NotPermitted(DomainError):
    status = 403


def _common_path(paths: Sequence[str]) -> str:
    parts = [p.split("/")[:-1] for p in paths]
    common: list[str] = []
    for codes in zip(*parts, strict=False):
        if len(set(codes)) != 1:
            break
        common.append(codes[0])
    return "".join(f"{c}/" for c in common)


def send_instruction(
    *,
    actor: User,
    title: str,
    nodes: Sequence[GridNode],
    body: str = "",
    roles: Iterable[str] = (),
    kind: str = Instruction.Kind.INSTRUCTION,
    priority: int = Instruction.Priority.NORMAL,
    deadline: dt.datetime | None = None,
    requires_ack: bool = True,
    requires_report: bool = False,
    images: Sequence[tuple[str, CheckedImage]] = (),
) -> Instruction:
    """下达指令: one row for every addressee under ``nodes`` (optionally only ``roles``), pushed live after commit."""
    if not selectors.can_send(actor):
        raise NotPermitted(_("只有综治中心调度员、领导或管理员可以下达指令。"), code=DispatchErrorCode.NOT_SENDER)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写指令标题。"), code=DispatchErrorCode.TITLE_REQUIRED)
    if not nodes:
        raise DomainError(_("请选择发送范围（至少一个网格或区域）。"), code=DispatchErrorCode.NODES_REQUIRED)
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise DomainError(_("未知的角色：%(roles)s") % {"roles": "、".join(unknown)}, code=DispatchErrorCode.BAD_ROLE)
    if kind not in Instruction.Kind.values:
        raise DomainError(_("未知的指令类型。"), code=DispatchErrorCode.BAD_KIND)
    if priority not in Instruction.Priority.values:
        raise DomainError(_("未知的紧急程度。"), code=DispatchErrorCode.BAD_PRIORITY)
    if deadline is not None and deadline <= timezone.now():
        raise DomainError(_("完成期限必须晚于现在。"), code=DispatchErrorCode.DEADLINE_PAST)
    for node in nodes:
        if not scoping.covers(actor, node.path):
            raise OutsideJurisdiction(_("“%(node)s”不在您的管辖范围内，不能向其下达指令。") % {"node": node.name})
    # Drop nodes already inside another chosen node: each addressee is reached once.
    chosen = {n.path: n for n in nodes}
    kept = [chosen[p] for p in scoping.minimal_paths(chosen)]
    with transaction.atomic():
        instruction = Instruction.objects.create(
            sender=actor,
            sender_name=audit.actor_label(actor),
            kind=kind,
            title=title[:120],
            body=body,
            priority=priority,
            deadline=deadline,
            requires_ack=requires_ack,
            requires_report=requires_report,
            roles=roles,
            scope_path=_common_path([n.path for n in kept]),
            target_names="、".join(n.name for n in kept)[:500],
        )
        InstructionTarget.objects.bulk_create(
            InstructionTarget(instruction=instruction, node=node, path=node.path, role=role)
            for node in kept
            for role in (roles or [""])
        )
        if images:
            attach(actor=actor, target=instruction, images=list(images), purpose="instruction")
        audit.record(
            actor=actor,
            verb="send_instruction",
            target=instruction,
            data={"nodes": [n.code for n in kept], "roles": roles, "priority": priority},
        )
        message = {
            "t": "i",
            "id": instruction.pk,
            "sender": actor.pk,
            "targets": sorted({(n.path, r) for n in kept for r in (roles or [""])}),
            "event": selectors.instruction_event(instruction),
        }
        publish_on_commit(message)
    return instruction


def _receipt(actor: User, instruction: Instruction) -> Receipt:
    if not selectors.is_addressee(actor, instruction):
        raise NotPermitted(_("这条指令不是发给您的。"), code=DispatchErrorCode.NOT_ADDRESSEE)
    receipt, _created = Receipt.objects.get_or_create(
        instruction=instruction,
        user=actor,
        defaults={"node_path": selectors.addressed_path(actor, instruction)},
    )
    return receipt


def _changed(actor: User, instruction: Instruction) -> None:
    publish_on_commit({"t": "r", "users": [actor.pk]})
    publish_on_commit({"t": "k", "users": [instruction.sender_id], "instruction": instruction.pk})


def mark_read(*, actor: User, instruction: Instruction) -> Receipt | None:
    """Opening an instruction marks it read for an addressee (no audit row: reading changes nothing)."""
    if not selectors.is_addressee(actor, instruction):
        return None
    with transaction.atomic():
        receipt = _receipt(actor, instruction)
        if receipt.read_at is None:
            receipt.read_at = timezone.now()
            Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=receipt.read_at)
            _changed(actor, instruction)
    return receipt


def _locked_receipt(actor: User, instruction: Instruction) -> Receipt:
    """The addressee's receipt, created if need be, locked for this transaction (call inside one).

    One ``INSERT … ON CONFLICT DO NOTHING`` and one locking read: no read first and no savepoint, which is what a
    city-wide acknowledgement storm pays for every addressee. Concurrent calls for the same person meet on the unique
    constraint and the row lock. A new receipt carries nothing yet, so the counters' signals have nothing to miss.
    """
    if not selectors.is_addressee(actor, instruction):
        raise NotPermitted(_("这条指令不是发给您的。"), code=DispatchErrorCode.NOT_ADDRESSEE)
    Receipt.objects.bulk_create(
        [Receipt(instruction=instruction, user=actor, node_path=selectors.addressed_path(actor, instruction))],
        ignore_conflicts=True,
    )
    return Receipt.objects.select_for_update().get(instruction=instruction, user=actor)


def acknowledge(*, actor: User, instruction: Instruction) -> Receipt:
    """签收: once per addressee; acknowledging again changes nothing."""
    with transaction.atomic():
        receipt = _locked_receipt(actor, instruction)
        if receipt.acknowledged_at is None:
            now = timezone.now()
            receipt.acknowledged_at = now
            receipt.read_at = receipt.read_at or now
            # save(), not update(): the assessment counters (metrics) follow receipts through their signals.
            receipt.save(update_fields=["acknowledged_at", "read_at"])
            audit.record(actor=actor, verb="acknowledge", target=instruction, grid_path=receipt.node_path)
            _changed(actor, instruction)
    return receipt


def report_completion(*, actor: User, instruction: Instruction, report: str) -> Receipt:
    """反馈办理情况: the addressee reports the task done (acknowledging it too if they had not)."""
    report = (report or "").strip()
    if not report:
        raise DomainError(_("请填写办理情况。"), code=DispatchErrorCode.REPORT_REQUIRED)
    with transaction.atomic():
        receipt = _receipt(actor, instruction)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.completed_at is not None:
            raise DomainError(_("您已反馈过办理情况。"), code=DispatchErrorCode.ALREADY_COMPLETED)
        now = timezone.now()
        receipt.read_at = receipt.read_at or now
        receipt.acknowledged_at = receipt.acknowledged_at or now
        receipt.completed_at = now
        receipt.report = report
        receipt.save()
        audit.record(
            actor=actor, verb="report_completion", target=instruction, note=report, grid_path=receipt.node_path
        )
        _changed(actor, instruction)
    return receipt


def remind(*, actor: User, instruction: Instruction) -> int:
    """催办: a notification to every addressee who has not yet done what the instruction asks; returns how many."""
    if not selectors.can_track(actor, instruction):
        raise OutsideJurisdiction()
    now = timezone.now()
    with transaction.atomic():
        locked = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if locked.reminded_at and now - locked.reminded_at < REMIND_INTERVAL:
            raise DomainError(_("刚刚已催办，请五分钟后再试。"), code=DispatchErrorCode.REMIND_TOO_SOON)
        user_ids = sorted(set(selectors.pending_memberships(instruction).values_list("user_id", flat=True)))
        Instruction.objects.filter(pk=instruction.pk).update(reminded_at=now, reminders=F("reminders") + 1)
        audit.record(actor=actor, verb="remind", target=instruction, data={"users": len(user_ids)})
        if user_ids:
            title = _("催办：%(title)s") % {"title": instruction.title}
            url = reverse("dispatch:detail", args=[instruction.pk])
            transaction.on_commit(
                lambda: notify.send(
                    sender=Instruction,
                    recipients=User.objects.filter(pk__in=user_ids),
                    kind="reminder",
                    title=title,
                    body=instruction.body[:200],
                    url=url,
                    target=instruction,
                )
            )
    instruction.refresh_from_db()
    return len(user_ids)


# --- notifications centre -------------------------------------------------------------------------------------------


def deliver_notifications(
    *, recipients: Iterable[Any], kind: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Put one message in each recipient's inbox (bulk) and push it live."""
    ids = sorted({getattr(r, "pk", r) for r in recipients if r is not None})
    if not ids:
        return []
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            Notification(recipient_id=i, kind=kind[:32], title=str(title)[:200], body=str(body), url=str(url)[:300])
            for i in ids
        )
        last = max((r.pk for r in rows if r.pk is not None), default=0)
        if not last:  # backends that do not return ids from bulk inserts
            last = Notification.objects.filter(recipient_id__in=ids).order_by("-id").values_list("id", flat=True)[0]
        publish_on_commit({"t": "n", "users": ids, "id": last})
    return rows


def on_notify(sender: Any, **kwargs: Any) -> None:
    """Receiver for :data:`fengqiao.core.signals.notify`."""
    deliver_notifications(
        recipients=kwargs.get("recipients") or [],
        kind=kwargs.get("kind", "notice"),
        title=kwargs.get("title", ""),
        body=kwargs.get("body", ""),
        url=kwargs.get("url", ""),
    )


def mark_notification_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotPermitted(_("这不是您的消息。"), code=DispatchErrorCode.NOT_RECIPIENT)
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
            publish_on_commit({"t": "r", "users": [actor.pk]})
    return notification


def mark_all_read(*, actor: User) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            publish_on_commit({"t": "r", "users": [actor.pk]})
    return count


# --- patrols, visits, diaries ---------------------------------------------------------------------------------------


def _worker_grid(actor: User, grid: GridNode | None) -> GridNode:
    if grid is None:
        grid = selectors.worker_grid(actor)
        if grid is None:
            raise NotPermitted(_("您没有任职网格，不能登记巡查、走访或日志。"), code=DispatchErrorCode.NO_GRID)
    scoping.require(actor, grid.path)
    return grid


def _point(lon: Any, lat: Any) -> tuple[float, float]:
    try:
        return check_point(lon, lat)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code=DispatchErrorCode.BAD_POINT) from None


def start_patrol(
    *, actor: User, grid: GridNode | None = None, lon: float | None = None, lat: float | None = None
) -> Patrol:
    """开始巡查."""
    grid = _worker_grid(actor, grid)
    first = _point(lon, lat) if lon is not None or lat is not None else None
    if selectors.open_patrol(actor=actor) is not None:
        raise DomainError(_("您有一次巡查尚未结束，请先结束它。"), code=DispatchErrorCode.PATROL_OPEN)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(worker=actor, grid=grid)
            if first is not None:
                PatrolPoint.objects.create(patrol=patrol, lon=first[0], lat=first[1])
                patrol.points_count = 1
                patrol.save(update_fields=["points_count"])
            audit.record(actor=actor, verb="start_patrol", target=patrol)
    except IntegrityError:
        raise DomainError(_("您有一次巡查尚未结束，请先结束它。"), code=DispatchErrorCode.PATROL_OPEN) from None
    return patrol


def _own_open(actor: User, patrol: Patrol) -> Patrol:
    locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if locked.worker_id != actor.pk:
        raise NotPermitted(_("只能记录自己的巡查。"), code=DispatchErrorCode.NOT_OWN_PATROL)
    if locked.ended_at is not None:
        raise DomainError(_("这次巡查已经结束。"), code=DispatchErrorCode.PATROL_ENDED)
    return locked


def _retry_key(kind: str, actor: User, key: str | None) -> str | None:
    """A phone's idempotency key as stored: scoped to the kind of write and the worker, so one worker's key never
    finds another's row (the same rule as events' report keys)."""
    if not key:
        return None
    return hashlib.sha256(f"{kind}\0user:{actor.pk}\0{key}".encode()).hexdigest()


def add_patrol_points(
    *,
    actor: User,
    patrol: Patrol,
    points: Sequence[tuple[Any, Any] | tuple[Any, Any, Any]],
    batch_key: str | None = None,
) -> Patrol:
    """记录轨迹: append GPS points (lon, lat[, accuracy]); one bad point refuses the whole batch. A batch sent again
    with the same ``batch_key`` (a phone retrying after a lost answer) adds nothing."""
    if not points:
        raise DomainError(_("没有收到轨迹点。"), code=DispatchErrorCode.NO_POINTS)
    if len(points) > MAX_POINTS_PER_CALL:
        raise DomainError(
            _("一次最多提交 %(n)s 个轨迹点。") % {"n": MAX_POINTS_PER_CALL}, code=DispatchErrorCode.TOO_MANY_POINTS
        )
    cleaned = []
    for point in points:
        lon, lat = _point(point[0], point[1])
        accuracy = float(point[2]) if len(point) > 2 and point[2] is not None else None
        cleaned.append((lon, lat, accuracy))
    batch = _retry_key("patrol_points", actor, batch_key) or ""
    with transaction.atomic():
        locked = _own_open(actor, patrol)  # the row lock also serialises retries of one batch
        if batch and locked.points.filter(batch=batch).exists():
            patrol.refresh_from_db()
            return patrol
        last = locked.points.order_by("-recorded_at", "-id").values_list("lon", "lat").first()
        distance = 0.0
        for lon, lat, _accuracy in cleaned:
            if last is not None:
                distance += distance_metres(last, (lon, lat))
            last = (lon, lat)
        now = timezone.now()
        PatrolPoint.objects.bulk_create(
            PatrolPoint(patrol=locked, lon=lon, lat=lat, accuracy=acc, recorded_at=now, batch=batch)
            for lon, lat, acc in cleaned
        )
        Patrol.objects.filter(pk=locked.pk).update(
            points_count=F("points_count") + len(cleaned), distance_m=F("distance_m") + distance
        )
    patrol.refresh_from_db()
    return patrol


def add_patrol_point(*, actor: User, patrol: Patrol, lon: Any, lat: Any, accuracy: float | None = None) -> Patrol:
    return add_patrol_points(actor=actor, patrol=patrol, points=[(lon, lat, accuracy)])


def end_patrol(*, actor: User, patrol: Patrol, note: str = "") -> Patrol:
    """结束巡查."""
    with transaction.atomic():
        locked = _own_open(actor, patrol)
        locked.ended_at = timezone.now()
        locked.note = note.strip()
        locked.save(update_fields=["ended_at", "note"])
        audit.record(
            actor=actor,
            verb="end_patrol",
            target=locked,
            note=locked.note,
            data={"points": locked.points_count, "metres": round(locked.distance_m)},
        )
    patrol.refresh_from_db()
    return patrol


def record_visit(
    *,
    actor: User,
    address: str,
    note: str,
    person_name: str = "",
    house_ref: str = "",
    person_ref: str = "",
    grid: GridNode | None = None,
    lon: float | None = None,
    lat: float | None = None,
    idempotency_key: str | None = None,
) -> Visit:
    """入户走访. A visit sent again with the same ``idempotency_key`` (queued offline, retried) returns the first."""
    key = _retry_key("visit", actor, idempotency_key)
    if key:
        existing = Visit.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    grid = _worker_grid(actor, grid)
    # A person of the base data, named by reference: only one the worker may see; shown masked, never copied.
    person = links.resolve_person(person_ref, actor) if person_ref.strip() else None
    if person_ref.strip() and person is None:
        raise DomainError(
            _("走访对象不在您所在网格的基础数据中，请从人员页面发起走访。"), code=DispatchErrorCode.VISIT_PERSON_UNKNOWN
        )
    if person is not None:
        person_ref, person_name = person.ref, person_name.strip() or person.label
        address = address.strip() or person.address
    if not address.strip():
        raise DomainError(_("请填写走访地址。"), code=DispatchErrorCode.ADDRESS_REQUIRED)
    if not note.strip():
        raise DomainError(_("请填写走访情况。"), code=CoreErrorCode.NOTE_REQUIRED)
    point = _point(lon, lat) if lon is not None or lat is not None else (None, None)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                worker=actor,
                grid=grid,
                address=address.strip()[:200],
                note=note.strip(),
                person_name=person_name.strip()[:50],
                house_ref=house_ref.strip()[:64],
                person_ref=person_ref.strip()[:64],
                lon=point[0],
                lat=point[1],
                idempotency_key=key,
            )
            audit.record(actor=actor, verb="record_visit", target=visit)
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its visit.
        existing = Visit.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    return visit


def write_diary(*, actor: User, text: str, day: dt.date | None = None, grid: GridNode | None = None) -> Diary:
    """民情日志: one per day; writing again the same day replaces that day's text."""
    grid = _worker_grid(actor, grid)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写日志内容。"), code=DispatchErrorCode.TEXT_REQUIRED)
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(_("不能填写未来日期的日志。"), code=DispatchErrorCode.FUTURE_DAY)
    with transaction.atomic():
        diary, created = Diary.objects.select_for_update().get_or_create(
            worker=actor, day=day, defaults={"grid": grid, "text": text}
        )
        if not created:
            diary.text = text
            diary.written_at = timezone.now()
            diary.save(update_fields=["text", "written_at"])
        audit.record(actor=actor, verb="write_diary", target=diary, data={"day": day.isoformat()})
    return diary


# --- screening (矛盾纠纷排查) ----------------------------------------------------------------------------------------

MAX_SCREENING_DAYS = 366


def _screening_grid(actor: User, grid: GridNode | None) -> GridNode:
    """A grid the worker serves in a screening role: picked from their own memberships, never from the tree."""
    grids = selectors.screening_grids(actor)
    if not grids:
        raise NotPermitted(_("您没有任职网格，不能填报矛盾排查。"), code=DispatchErrorCode.NO_GRID)
    if grid is None:
        return grids[0]
    if grid.pk not in {g.pk for g in grids}:
        raise OutsideJurisdiction(
            _("只能为您任职的网格填报排查结果，“%(grid)s”不在其中。") % {"grid": grid.name},
            code=DispatchErrorCode.SCREENING_GRID,
        )
    return grid


def record_screening(
    *,
    actor: User,
    found: int,
    none_found: bool,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    grid: GridNode | None = None,
    instruction: Instruction | None = None,
    note: str = "",
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Screening:
    """矛盾纠纷排查: one grid's result for one period; nothing found must be an explicit zero report (零报告).

    Answering a campaign (专项排查) completes the worker's receipt with the result as the report, in the same
    transaction. A record sent again with the same ``idempotency_key`` (queued offline, retried) returns the first.
    """
    now = now or timezone.now()
    key = _retry_key("screening", actor, idempotency_key)
    if key:
        existing = Screening.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    grid = _screening_grid(actor, grid)
    if instruction is not None:
        if instruction.kind != Instruction.Kind.SCREENING:
            raise DomainError(
                _("这条指令不是专项排查，请按指令要求反馈办理情况。"), code=DispatchErrorCode.NOT_SCREENING
            )
        if not selectors.is_addressee(actor, instruction):
            raise NotPermitted(_("这条指令不是发给您的。"), code=DispatchErrorCode.NOT_ADDRESSEE)
    today = timezone.localdate(now)
    default_start, default_end = selectors.screening_period(today, instruction=instruction)
    period_start = period_start or default_start
    period_end = period_end or default_end
    if period_end < period_start or (period_end - period_start).days >= MAX_SCREENING_DAYS:
        raise DomainError(
            _("排查期不正确：排查期止不能早于排查期起，且一期不超过一年。"), code=DispatchErrorCode.BAD_PERIOD
        )
    if period_start > today:
        raise DomainError(_("排查期不能从未来的日期开始。"), code=DispatchErrorCode.FUTURE_PERIOD)
    try:
        found = int(found)
    except (TypeError, ValueError):
        found = -1
    if found < 0:
        raise DomainError(_("发现矛盾纠纷件数必须是不小于 0 的整数。"), code=CoreErrorCode.INVALID)
    if found == 0 and not none_found:
        raise DomainError(
            _("未发现矛盾纠纷时须勾选“零报告”，不能空着不报。"), code=DispatchErrorCode.ZERO_REPORT_REQUIRED
        )
    if found > 0 and none_found:
        raise DomainError(
            _("已发现 %(n)s 件矛盾纠纷，不能同时勾选“零报告”。") % {"n": found},
            code=DispatchErrorCode.ZERO_REPORT_CONFLICT,
        )
    note = (note or "").strip()
    duplicate = DomainError(
        _("您已填报过“%(grid)s”%(start)s 起这一期的排查结果，不能重复填报。")
        % {"grid": grid.name, "start": period_start.strftime("%Y-%m-%d")},
        code=DispatchErrorCode.SCREENING_EXISTS,
    )
    same = Screening.objects.filter(worker=actor, grid=grid, period_start=period_start, instruction=instruction)
    if same.exists():
        raise duplicate
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                worker=actor,
                grid=grid,
                period_start=period_start,
                period_end=period_end,
                instruction=instruction,
                found=found,
                none_found=bool(none_found),
                note=note,
                recorded_at=now,
                idempotency_key=key,
            )
            audit.record(
                actor=actor,
                verb="record_screening",
                target=screening,
                note=note,
                data={
                    "found": found,
                    "none_found": bool(none_found),
                    "period": [period_start.isoformat(), period_end.isoformat()],
                    **({"instruction": instruction.pk} if instruction is not None else {}),
                },
            )
            if instruction is not None:
                receipt = _receipt(actor, instruction)
                if receipt.completed_at is None:  # a worker with two grids completes the campaign once
                    report_completion(actor=actor, instruction=instruction, report=screening_report(screening))
    except IntegrityError:
        existing = Screening.objects.filter(idempotency_key=key).first() if key else None
        if existing is not None:
            return existing  # a concurrent retry with the same key won the race
        raise duplicate from None
    return screening


def screening_report(screening: Screening) -> str:
    """The completion report a screening writes on its campaign's receipt."""
    if screening.none_found:
        text = _("%(grid)s：零报告，未发现矛盾纠纷。") % {"grid": screening.grid.name}
    else:
        text = _("%(grid)s：发现矛盾纠纷 %(n)s 件。") % {"grid": screening.grid.name, "n": screening.found}
    return f"{text}{screening.note}" if screening.note else text


# --- acknowledgements due (for the assessment) ---------------------------------------------------------------------

# Sent after acknowledgements-due rows are written in bulk (no per-row signals): the assessment counts them.
acknowledgements_due_counted = Signal()


def count_acknowledgements_due(*, now: dt.datetime | None = None, limit: int = 20) -> int:
    """At each passed deadline, record once how many addressees under each node owed an acknowledgement.

    Runs as a periodic job; returns the instructions counted. The addressees are those reached when the deadline
    passed (memberships change later; the snapshot keeps the figure stable and lets a rebuild reproduce it).
    """
    now = now or timezone.now()
    pending = Instruction.objects.filter(
        requires_ack=True, deadline__isnull=False, deadline__lte=now, due_counted_at__isnull=True
    ).order_by("deadline")[:limit]
    counted = 0
    for instruction in pending:
        deadline = instruction.deadline
        assert deadline is not None  # filtered above
        with transaction.atomic():
            locked = Instruction.objects.select_for_update().filter(pk=instruction.pk, due_counted_at__isnull=True)
            if not locked.exists():
                continue  # another worker counted it
            per_node = (
                selectors.addressees(instruction)
                .values("node_path")
                .annotate(n=Count("user_id", distinct=True))
                .order_by()
            )
            rows = [
                AcknowledgementsDue(
                    instruction=instruction,
                    node_path=row["node_path"],
                    deadline=deadline,
                    addressees=row["n"],
                )
                for row in per_node
            ]
            AcknowledgementsDue.objects.bulk_create(rows, batch_size=5000)
            Instruction.objects.filter(pk=instruction.pk).update(due_counted_at=now)
            acknowledgements_due_counted.send(sender=AcknowledgementsDue, rows=rows)
        counted += 1
    return counted
