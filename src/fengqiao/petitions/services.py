"""Commands on petitions, joint meetings and their follow-up orders: one function per use case, each in a
transaction, each writing the audit trail (the workflow engine writes it for state changes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Department, Role, User
from fengqiao.core import audit, codes, scoping
from fengqiao.core.actors import Caller
from fengqiao.core.deadlines import CREATE
from fengqiao.core.errors import CoreErrorCode, DomainError
from fengqiao.core.validators import PhoneError, is_valid_id_number, normalise_phone
from fengqiao.grids.models import GridNode, Level
from fengqiao.petitions import caselinks, duty, workflow
from fengqiao.petitions.clocks import CASE_CLOCKS, ORDER_CLOCKS, PETITION_CLOCKS, max_extension_days
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import (
    AgendaItem,
    Category,
    FollowUpOrder,
    Form,
    LeaderCase,
    LinkedCase,
    Meeting,
    Milestone,
    Petition,
)
from fengqiao.petitions.workflow import CASE_FLOW, ORDER_FLOW, PETITION_FLOW

REPEAT_WINDOW = dt.timedelta(days=365)  # 重复信访: the same petitioner and category within 12 months
MEETING_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)  # 县、乡、村三级


@dataclass
class PetitionData:
    form: str
    name: str
    category: str
    matter: str
    received_on: dt.date
    id_number: str = ""
    phone: str = ""
    address: str = ""
    petitioners: int = 1
    links: Sequence[str] = field(default_factory=list)


def _clean(data: PetitionData, now: dt.datetime) -> PetitionData:
    if data.form not in Form.values:
        raise DomainError(_("请选择信访形式。"), code=PetitionErrorCode.PETITION_BAD_FORM)
    if data.category not in Category.values:
        raise DomainError(_("请选择问题类别。"), code=PetitionErrorCode.PETITION_BAD_CATEGORY)
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        raise DomainError(_("请填写信访人姓名（不超过50字）。"), code=PetitionErrorCode.PETITION_NAME_REQUIRED)
    matter = (data.matter or "").strip()
    if len(matter) < 5:
        raise DomainError(_("请写明信访事项（至少5个字）。"), code=PetitionErrorCode.PETITION_MATTER_REQUIRED)
    if not isinstance(data.petitioners, int) or not 1 <= data.petitioners <= 10000:
        raise DomainError(_("信访人数应为1至10000的整数。"), code=PetitionErrorCode.PETITION_BAD_COUNT)
    if data.received_on is None or data.received_on > timezone.localtime(now).date():
        raise DomainError(_("收到日期不能为空，也不能晚于今天。"), code=PetitionErrorCode.PETITION_BAD_DATE)
    id_number = (data.id_number or "").strip().upper()
    if id_number and not is_valid_id_number(id_number):
        raise DomainError(_("身份证号码不正确，请核对。"), code=CoreErrorCode.BAD_ID_NUMBER)
    try:
        phone = normalise_phone(data.phone or "")
    except PhoneError:
        raise DomainError(_("联系电话不正确，请核对。"), code=CoreErrorCode.BAD_PHONE) from None
    return PetitionData(
        form=data.form,
        name=name,
        category=data.category,
        matter=matter,
        received_on=data.received_on,
        id_number=id_number,
        phone=phone,
        address=(data.address or "").strip()[:200],
        petitioners=data.petitioners,
        links=[c for c in (str(x).strip() for x in data.links) if c],
    )


def earlier_petition(*, id_number: str, phone: str, category: str, received_on: dt.date) -> Petition | None:
    """The latest petition by the same petitioner (ID number or phone) on the same category in the 12 months before
    ``received_on`` (unscoped: the flag is a fact, the link is shown only to those who may open it)."""
    from django.db.models import Q

    from fengqiao.core import pii

    match = Q(pk__in=[])
    if id_number:
        match |= Q(id_index=pii.blind_index(id_number))
    if phone:
        match |= Q(phone_index=pii.blind_index(phone))
    if not (id_number or phone):
        return None
    return (
        Petition.objects.filter(match, category=category, received_on__gte=received_on - REPEAT_WINDOW)
        .filter(received_on__lte=received_on)
        .order_by("-received_on", "-pk")
        .first()
    )


def register_petition(
    *, actor: Caller, grid: GridNode | None, data: PetitionData, now: dt.datetime | None = None
) -> Petition:
    """登记信访件: the centre or petition office registers a petition for a grid node in its area."""
    now = now or timezone.now()
    if grid is None or not workflow.office_at(actor, grid.path):
        raise DomainError(_("所选网格不存在或不在您的辖区内，不能登记。"), code=PetitionErrorCode.PETITION_GRID_OUTSIDE)
    data = _clean(data, now)
    found = []
    for code in data.links:
        hit = caselinks.find(code, actor)
        if hit is None:
            raise DomainError(
                _("关联的事件或纠纷“%(code)s”不存在或不在您的辖区内。") % {"code": code[:20]},
                code=PetitionErrorCode.PETITION_LINK_NOT_FOUND,
            )
        found.append(hit)
    with transaction.atomic():
        earlier = earlier_petition(
            id_number=data.id_number, phone=data.phone, category=data.category, received_on=data.received_on
        )
        petition = Petition(
            grid=grid,
            tracking_code=codes.tracking_code("X"),
            form=data.form,
            petitioner_name=data.name,
            petitioner_id_number=data.id_number,
            petitioner_phone=data.phone,
            petitioner_address=data.address,
            petitioners=data.petitioners,
            category=data.category,
            matter=data.matter,
            received_on=data.received_on,
            is_repeat=earlier is not None,
            repeat_of=earlier,
            registered_by=actor if isinstance(actor, User) else None,
            registered_at=now,
        )
        PETITION_CLOCKS.start(petition, CREATE, now)
        petition.save()
        for hit in found:
            LinkedCase.objects.get_or_create(petition=petition, kind=hit.kind, code=hit.code)
        audit.record(
            actor=actor,
            verb="register",
            target=petition,
            workflow=workflow.NAME,
            to_state=workflow.REGISTERED,
            data={
                "form": data.form,
                "category": data.category,
                "petitioners": data.petitioners,
                "repeat_of": earlier.tracking_code if earlier else "",
                "links": [f"{h.kind}:{h.code}" for h in found],
            },
        )
    return petition


def accept(*, actor: Caller, petition: Petition, note: str = "", now: dt.datetime | None = None) -> Petition:
    """受理: accept the petition (and tell the petitioner); the 60-day handling clock starts."""
    return PETITION_FLOW.apply(petition, "accept", actor=actor, note=note, now=now)


def not_accept(*, actor: Caller, petition: Petition, reason: str, now: dt.datetime | None = None) -> Petition:
    """不予受理: refuse the petition, with the reason told to the petitioner."""
    return PETITION_FLOW.apply(petition, "not_accept", actor=actor, note=reason, now=now)


def request_extension(
    *, actor: Caller, petition: Petition, days: int, reason: str, now: dt.datetime | None = None
) -> Petition:
    """申请延期: ask once for up to the county's maximum days more, with a reason."""
    limit = max_extension_days()
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise DomainError(
            _("延期天数应为1至%(max)d天。") % {"max": limit}, code=PetitionErrorCode.PETITION_BAD_EXTENSION
        )
    return PETITION_FLOW.apply(petition, "request_extension", actor=actor, note=reason, days=days, now=now)


def approve_extension(*, actor: Caller, petition: Petition, note: str = "", now: dt.datetime | None = None) -> Petition:
    """批准延期: a leader covering the petition grants the extension; the handling clock moves by its days."""
    approver = actor if isinstance(actor, User) else None
    return PETITION_FLOW.apply(petition, "approve_extension", actor=actor, note=note, approver=approver, now=now)


def handle(*, actor: Caller, petition: Petition, opinion: str, now: dt.datetime | None = None) -> Petition:
    """办理: issue the written opinion (处理意见书); the handling clock stops."""
    return PETITION_FLOW.apply(petition, "handle", actor=actor, opinion=(opinion or "").strip(), now=now)


def close(*, actor: Caller, petition: Petition, note: str = "", now: dt.datetime | None = None) -> Petition:
    """办结: close the petition after the opinion."""
    return PETITION_FLOW.apply(petition, "close", actor=actor, note=note, now=now)


def review(*, actor: Caller, petition: Petition, reason: str, now: dt.datetime | None = None) -> Petition:
    """复查: the petitioner's review request, within 30 days of the opinion, reopens the case."""
    if petition.state in (workflow.HANDLED, workflow.CLOSED) and not workflow.within_review_window(petition, now):
        raise DomainError(
            _("复查请求须在收到处理意见之日起30日内提出。"), code=PetitionErrorCode.PETITION_REVIEW_EXPIRED
        )
    return PETITION_FLOW.apply(petition, "review", actor=actor, note=reason, now=now)


# -- joint meetings ----------------------------------------------------------------------------------------------------
@dataclass
class ItemData:
    text: str = ""
    petition: Petition | None = None
    decision: str = ""


@dataclass
class OrderData:
    department: Department | None
    task: str
    due_on: dt.date | None
    item: int | None = None  # the index of the agenda item it follows, if any


def hold_meeting(
    *,
    actor: Caller,
    node: GridNode | None,
    title: str,
    held_on: dt.date,
    chair: User,
    attendees: Sequence[User],
    items: Sequence[ItemData],
    orders: Sequence[OrderData] = (),
    now: dt.datetime | None = None,
) -> Meeting:
    """三级信访联席会议: record a meeting at a county, street or community node, its agenda with the decision per item,
    and the follow-up orders it gives departments of its area (each a small case with its own clock)."""
    now = now or timezone.now()
    if node is None or not workflow.meeting_staff_at(actor, node.path):
        raise DomainError(_("会议所在区域不存在或不在您的辖区内。"), code=PetitionErrorCode.PETITION_MEETING_OUTSIDE)
    if node.level not in MEETING_LEVELS:
        raise DomainError(
            _("联席会议须在县（区）、乡镇（街道）或村（社区）一级召开。"),
            code=PetitionErrorCode.PETITION_MEETING_LEVEL,
        )
    title = (title or "").strip()[:100] or _("信访联席会议")
    cleaned_items = []
    for item in items:
        text = (item.text or "").strip()
        if item.petition is None and not text:
            raise DomainError(_("每个议题须选择信访件或填写议题。"), code=PetitionErrorCode.PETITION_AGENDA_REQUIRED)
        if item.petition is not None and not item.petition.grid_path.startswith(node.path):
            raise DomainError(
                _("议题中的信访件不在本次会议的区域内。"), code=PetitionErrorCode.PETITION_MEETING_OUTSIDE
            )
        cleaned_items.append(ItemData(text=text, petition=item.petition, decision=(item.decision or "").strip()))
    if not cleaned_items:
        raise DomainError(_("会议至少需要一个议题。"), code=PetitionErrorCode.PETITION_AGENDA_REQUIRED)
    for order in orders:
        _check_order(order, node, now, len(cleaned_items))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            node=node,
            title=title,
            held_on=held_on,
            chair=chair,
            created_by=actor if isinstance(actor, User) else None,
            created_at=now,
        )
        meeting.attendees.set({*attendees, chair})
        rows = [
            AgendaItem.objects.create(
                meeting=meeting, petition=item.petition, text=item.text, decision=item.decision, order=n
            )
            for n, item in enumerate(cleaned_items)
        ]
        audit.record(
            actor=actor,
            verb="hold_meeting",
            target=meeting,
            data={"items": len(rows), "orders": len(orders), "node": node.code},
        )
        for item_row in rows:
            if item_row.petition is not None:
                audit.record(
                    actor=actor,
                    verb="hold_meeting",
                    target=item_row.petition,
                    note=item_row.decision,
                    data={"meeting": meeting.pk},
                )
        for order in orders:
            _give_order(actor, meeting, order, rows[order.item] if order.item is not None else None, now)
    return meeting


def _check_order(order: OrderData, node: GridNode, now: dt.datetime, items: int) -> None:
    department = order.department
    if (
        department is None
        or not (department.node_path.startswith(node.path) or node.path.startswith(department.node_path))
        or not (order.task or "").strip()
        or order.due_on is None
        or order.due_on < timezone.localtime(now).date()
        or (order.item is not None and not 0 <= order.item < items)
    ):
        raise DomainError(
            _("督办事项须写明事项，选择本区域的责任单位，并给出不早于今天的完成期限。"),
            code=PetitionErrorCode.PETITION_ORDER_INVALID,
        )


def _give_order(
    actor: Caller, meeting: Meeting, data: OrderData, item: AgendaItem | None, now: dt.datetime
) -> FollowUpOrder:
    assert data.department is not None and data.due_on is not None  # checked by _check_order
    order = FollowUpOrder(
        meeting=meeting,
        item=item,
        code=codes.tracking_code("XD"),
        department=data.department,
        task=data.task.strip(),
        due_on=data.due_on,
        ordered_at=now,
    )
    ORDER_CLOCKS.start(order, CREATE, now)
    order.save()
    audit.record(
        actor=actor,
        verb="order",
        target=order,
        workflow=workflow.ORDER_NAME,
        to_state=workflow.ORDER_OPEN,
        data={"department": data.department.name, "due_on": data.due_on.isoformat()},
    )
    return order


def complete_order(
    *, actor: Caller, order: FollowUpOrder, result: str, now: dt.datetime | None = None
) -> FollowUpOrder:
    """督办事项办结: the responsible department (or the meeting's leaders) reports it done."""
    return ORDER_FLOW.apply(order, "complete", actor=actor, note=result, now=now)


def visible_grid(actor: Caller, code: str) -> GridNode | None:
    """The grid node with ``code`` if the actor's area covers it (a forged code finds nothing)."""
    return scoping.scope(GridNode.objects.all(), actor, field="path").filter(code=code).first()


# -- leaders' cases (领导包案) ----------------------------------------------------------------------------------------
@dataclass
class MilestoneData:
    title: str
    due_on: dt.date | None


def assign_leader_case(
    *,
    actor: Caller,
    leader: User | None,
    plan: str,
    due_on: dt.date | None,
    petition: Petition | None = None,
    code: str = "",
    milestones: Sequence[MilestoneData] = (),
    to_duty: bool = False,
    now: dt.datetime | None = None,
) -> LeaderCase:
    """领导包案: give a petition (or a dispute or event by its tracking code) in the caller's area to a leader covering
    it, with a plan (一案一策), milestones and a deadline on its own clock. ``to_duty`` (交值班领导) gives it to the
    leader on duty today at the centre instead of a named one; with nobody on duty nothing is written."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    link = None
    if petition is not None:
        path = petition.grid_path
    else:
        link = caselinks.find(code, actor) if code.strip() else None
        if link is None:
            raise DomainError(
                _("请选择信访件，或填写本辖区内事件或纠纷的查询码。"), code=PetitionErrorCode.PETITION_LINK_NOT_FOUND
            )
        path = link.path
    if not (workflow.office_at(actor, path) or workflow.leader_at(actor, path)):
        raise DomainError(_("该案件不在您的辖区内。"), code=PetitionErrorCode.PETITION_GRID_OUTSIDE)
    on_duty = False
    if to_duty:  # 交值班领导: the leader on duty today at the nearest centre the caller works for
        shift = duty.on_duty_for(actor=actor, path=path, day=today)
        if shift is None:
            raise DomainError(
                _("今天本中心没有排班的值班领导，请先排班或指定包案领导。"),
                code=PetitionErrorCode.PETITION_NO_DUTY_LEADER,
            )
        leader, on_duty = shift.leader, True
    if leader is None or not workflow.posts_at(leader, path, (Role.LEADER,)):
        raise DomainError(_("包案领导须是覆盖该案件区域的领导。"), code=PetitionErrorCode.PETITION_CASE_INVALID)
    plan = (plan or "").strip()
    steps = [m for m in milestones if (m.title or "").strip()]
    if (
        not plan
        or due_on is None
        or due_on < today
        or any(m.due_on is None or m.due_on < today or m.due_on > due_on for m in steps)
    ):
        raise DomainError(
            _("包案须写明化解方案，给出不早于今天的化解期限，各节点期限须在化解期限之内。"),
            code=PetitionErrorCode.PETITION_CASE_INVALID,
        )
    with transaction.atomic():
        case = LeaderCase(
            code=codes.tracking_code("XB"),
            leader=leader,
            petition=petition,
            link_kind=link.kind if link else "",
            link_code=link.code if link else "",
            grid_path=path,
            plan=plan,
            due_on=due_on,
            assigned_by=actor if isinstance(actor, User) else None,
            assigned_at=now,
            on_duty=on_duty,
        )
        CASE_CLOCKS.start(case, CREATE, now)
        case.save()
        for step in steps:
            assert step.due_on is not None
            Milestone.objects.create(case=case, title=step.title.strip()[:200], due_on=step.due_on)
        audit.record(
            actor=actor,
            verb="assign_leader",
            target=case,
            workflow=workflow.CASE_NAME,
            to_state=workflow.CASE_OPEN,
            data={
                "leader": leader.display_name,
                "subject": case.subject,
                "due_on": due_on.isoformat(),
                "on_duty": on_duty,
            },
        )
        if petition is not None:
            audit.record(actor=actor, verb="assign_leader", target=petition, data={"leader": leader.display_name})
    return case


def complete_milestone(*, actor: Caller, milestone: Milestone, now: dt.datetime | None = None) -> Milestone:
    """The owning leader marks one step of the plan done."""
    case = milestone.case
    if not workflow.the_leader(actor, case) or case.state != workflow.CASE_OPEN or milestone.done_at is not None:
        raise DomainError(_("只有包案领导可以完成未完成的节点。"), code=PetitionErrorCode.PETITION_CASE_INVALID)
    with transaction.atomic():
        milestone.done_at = now or timezone.now()
        milestone.save(update_fields=["done_at"])
        audit.record(actor=actor, verb="milestone_done", target=case, note=milestone.title)
    return milestone


def resolve_leader_case(*, actor: Caller, case: LeaderCase, result: str, now: dt.datetime | None = None) -> LeaderCase:
    """包案化解: the owning leader reports the case resolved; its clock stops."""
    return CASE_FLOW.apply(case, "resolve", actor=actor, note=result, now=now)
