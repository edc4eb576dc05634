"""指挥调度 endpoints of the native API: inbox, send, receipts, tracking, notifications, patrols, visits, diary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import DomainError, ErrorOut, NotFound
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.errors import DispatchErrorCode
from fengqiao.dispatch.models import Instruction, Notification, Patrol
from fengqiao.grids.models import GridNode

router = Router(tags=["dispatch"])


class InstructionOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    priority: int
    deadline: dt.datetime | None
    sender: str
    created_at: dt.datetime
    requires_ack: bool
    requires_report: bool
    targets: str
    read_at: dt.datetime | None = None
    acknowledged_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None

    @staticmethod
    def of(i: Instruction) -> InstructionOut:
        return InstructionOut(
            id=i.pk,
            kind=i.kind,
            title=i.title,
            body=i.body,
            priority=i.priority,
            deadline=i.deadline,
            sender=i.sender_name,
            created_at=i.created_at,
            requires_ack=i.requires_ack,
            requires_report=i.requires_report,
            targets=i.target_names,
            read_at=getattr(i, "my_read_at", None),
            acknowledged_at=getattr(i, "my_acknowledged_at", None),
            completed_at=getattr(i, "my_completed_at", None),
        )


class SendIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field("", max_length=10000)
    nodes: list[str] = Field(..., min_length=1, max_length=500, description="grid node codes")
    roles: list[str] = Field(default_factory=list)
    kind: str = Instruction.Kind.INSTRUCTION
    priority: int = Field(Instruction.Priority.NORMAL, ge=1, le=3)
    deadline: dt.datetime | None = None
    requires_ack: bool = True
    requires_report: bool = False


class ReceiptOut(Schema):
    instruction: int
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    completed_at: dt.datetime | None
    report: str


class ReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=4000)


class NodeProgressOut(Schema):
    path: str
    name: str
    total: int
    read: int
    acknowledged: int
    completed: int


class PendingOut(Schema):
    user: str
    node: str
    role: str


class TrackingOut(Schema):
    total: int
    read: int
    acknowledged: int
    completed: int
    nodes: list[NodeProgressOut]
    pending_total: int
    pending: list[PendingOut]


class RemindOut(Schema):
    reminded: int


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int


class PointIn(Schema):
    lon: float
    lat: float
    accuracy: float | None = None


class PointsIn(Schema):
    points: list[PointIn] = Field(..., min_length=1, max_length=services.MAX_POINTS_PER_CALL)


class StartPatrolIn(Schema):
    lon: float | None = None
    lat: float | None = None


class EndPatrolIn(Schema):
    note: str = Field("", max_length=4000)


class PatrolOut(Schema):
    id: int
    grid_code: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    points_count: int
    distance_m: float

    @staticmethod
    def of(p: Patrol) -> PatrolOut:
        return PatrolOut(
            id=p.pk,
            grid_code=p.grid.code,
            started_at=p.started_at,
            ended_at=p.ended_at,
            points_count=p.points_count,
            distance_m=p.distance_m,
        )


class VisitIn(Schema):
    address: str = Field(..., min_length=1, max_length=200)
    note: str = Field(..., min_length=1, max_length=4000)
    person_name: str = Field("", max_length=50)
    house_ref: str = Field("", max_length=64)
    person_ref: str = Field("", max_length=64)
    lon: float | None = None
    lat: float | None = None


class CreatedOut(Schema):
    id: int


class DiaryIn(Schema):
    text: str = Field(..., min_length=1, max_length=10000)
    day: dt.date | None = None


def _instruction(request: AuthenticatedRequest, pk: int) -> Instruction:
    try:
        return selectors.instruction_for(actor=request.user, pk=pk)
    except Instruction.DoesNotExist:
        raise NotFound(_("指令不存在。")) from None


def _receipt(r: Any) -> ReceiptOut:
    return ReceiptOut(
        instruction=r.instruction_id,
        read_at=r.read_at,
        acknowledged_at=r.acknowledged_at,
        completed_at=r.completed_at,
        report=r.report,
    )


@router.get("/inbox", response=list[InstructionOut])
def inbox(request: AuthenticatedRequest, limit: int = 50, before: int | None = None) -> list[InstructionOut]:
    """My instructions, newest first; page with ``before`` = the last id seen."""
    qs = selectors.inbox(actor=request.user)
    if before:
        qs = qs.filter(id__lt=before)
    return [InstructionOut.of(i) for i in qs[: max(1, min(limit, 200))]]


@router.get("/unread", response=UnreadOut)
def unread(request: AuthenticatedRequest) -> UnreadOut:
    return UnreadOut(unread=selectors.unread_count(actor=request.user))


@router.post("/instructions", response={201: InstructionOut, 400: ErrorOut, 403: ErrorOut})
def send(request: AuthenticatedRequest, body: SendIn) -> Status[InstructionOut]:
    nodes = list(GridNode.objects.filter(code__in=body.nodes))
    missing = sorted(set(body.nodes) - {n.code for n in nodes})
    if missing:
        raise DomainError(
            _("找不到网格编码：%(codes)s") % {"codes": "、".join(missing)}, code=DispatchErrorCode.UNKNOWN_NODE
        )
    instruction = services.send_instruction(
        actor=request.user,
        title=body.title,
        body=body.body,
        nodes=nodes,
        roles=body.roles,
        kind=body.kind,
        priority=body.priority,
        deadline=body.deadline,
        requires_ack=body.requires_ack,
        requires_report=body.requires_report,
    )
    return Status(201, InstructionOut.of(instruction))


@router.get("/instructions/{pk}", response={200: InstructionOut, 403: ErrorOut, 404: ErrorOut})
def detail(request: AuthenticatedRequest, pk: int) -> InstructionOut:
    instruction = _instruction(request, pk)
    services.mark_read(actor=request.user, instruction=instruction)
    return InstructionOut.of(instruction)


@router.post("/instructions/{pk}/ack", response={200: ReceiptOut, 403: ErrorOut, 404: ErrorOut})
def acknowledge(request: AuthenticatedRequest, pk: int) -> ReceiptOut:
    return _receipt(services.acknowledge(actor=request.user, instruction=_instruction(request, pk)))


@router.post("/instructions/{pk}/complete", response={200: ReceiptOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def complete(request: AuthenticatedRequest, pk: int, body: ReportIn) -> ReceiptOut:
    instruction = _instruction(request, pk)
    return _receipt(services.report_completion(actor=request.user, instruction=instruction, report=body.report))


@router.get("/instructions/{pk}/tracking", response={200: TrackingOut, 403: ErrorOut, 404: ErrorOut})
def tracking(request: AuthenticatedRequest, pk: int) -> TrackingOut:
    t = selectors.tracking(actor=request.user, instruction=_instruction(request, pk))
    return TrackingOut(
        total=t.total,
        read=t.read,
        acknowledged=t.acknowledged,
        completed=t.completed,
        nodes=[NodeProgressOut(**vars(n)) for n in t.nodes],
        pending_total=t.pending_total,
        pending=[PendingOut(user=m.user.display_name, node=m.node.name, role=m.role) for m in t.pending],
    )


@router.post("/instructions/{pk}/remind", response={200: RemindOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def remind(request: AuthenticatedRequest, pk: int) -> RemindOut:
    return RemindOut(reminded=services.remind(actor=request.user, instruction=_instruction(request, pk)))


@router.get("/notifications", response=list[NotificationOut])
def notifications(request: AuthenticatedRequest, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    qs = selectors.notifications(actor=request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs[: max(1, min(limit, 200))])


@router.post("/notifications/{pk}/read", response={200: NotificationOut, 404: ErrorOut})
def read_notification(request: AuthenticatedRequest, pk: int) -> Notification:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    return services.mark_notification_read(actor=request.user, notification=note)


@router.post("/patrols", response={201: PatrolOut, 400: ErrorOut, 403: ErrorOut})
def start_patrol(request: AuthenticatedRequest, body: StartPatrolIn) -> Status[PatrolOut]:
    patrol = services.start_patrol(actor=request.user, lon=body.lon, lat=body.lat)
    return Status(201, PatrolOut.of(patrol))


def _patrol(request: AuthenticatedRequest, pk: int) -> Patrol:
    patrol = Patrol.objects.select_related("grid").filter(pk=pk, worker_id=request.user.pk).first()
    if patrol is None:
        raise NotFound(_("巡查不存在。"))
    return patrol


@router.post("/patrols/{pk}/points", response={200: PatrolOut, 400: ErrorOut, 404: ErrorOut})
def add_points(
    request: AuthenticatedRequest,
    pk: int,
    body: PointsIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
) -> PatrolOut:
    patrol = services.add_patrol_points(
        actor=request.user,
        patrol=_patrol(request, pk),
        points=[(p.lon, p.lat, p.accuracy) for p in body.points],
        batch_key=idempotency_key,
    )
    return PatrolOut.of(patrol)


@router.post("/patrols/{pk}/end", response={200: PatrolOut, 400: ErrorOut, 404: ErrorOut})
def end_patrol(request: AuthenticatedRequest, pk: int, body: EndPatrolIn) -> PatrolOut:
    return PatrolOut.of(services.end_patrol(actor=request.user, patrol=_patrol(request, pk), note=body.note))


@router.post("/visits", response={201: CreatedOut, 400: ErrorOut, 403: ErrorOut})
def record_visit(
    request: AuthenticatedRequest,
    body: VisitIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80),
) -> Status[CreatedOut]:
    visit = services.record_visit(actor=request.user, idempotency_key=idempotency_key, **body.dict())
    return Status(201, CreatedOut(id=visit.pk))


@router.post("/diary", response={200: CreatedOut, 400: ErrorOut, 403: ErrorOut})
def write_diary(request: AuthenticatedRequest, body: DiaryIn) -> CreatedOut:
    return CreatedOut(id=services.write_diary(actor=request.user, text=body.text, day=body.day).pk)
