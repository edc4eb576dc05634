"""督导督办 with 追责问责: supervision orders from the centre or a leader about a case (event, dispute, petition) or a
unit in general, the responsible unit's rectification on its clock, the accountability outcome a leader decides, and
the unit's assessment (单位考核) for a period.

Who sees an order: leaders and dispatchers whose area contains the responsible unit (a street leader sees the units
of the street), and the handlers of the responsible department (read, and report the rectification). Nobody else:
an order out of reach answers exactly like a missing one. An outcome is decided once; changing it takes a new,
audited correction that names the decision it corrects (both rows are kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.core import audit, codes, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.deadlines import CREATE
from fengqiao.core.errors import DomainError
from fengqiao.grids.models import GridNode
from fengqiao.petitions import caselinks, workflow
from fengqiao.petitions.clocks import SUPERVISION_CLOCKS, deduction_points
from fengqiao.petitions.duty import CENTRE_LEVELS
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import AccountabilityDecision, Outcome, SupervisionOrder
from fengqiao.petitions.workflow import SUPERVISION_FLOW


def _own_department(membership: Any) -> Q:
    return Q(department_id=membership.department_id) if membership.department_id else Q(pk__in=[])


# Least privilege: leaders and dispatchers reach their subtree, handlers their own department's orders, others none.
REACH: dict[str, Any] = {role: None for role in Role.values}
REACH.pop(Role.LEADER)
REACH.pop(Role.DISPATCHER)
REACH[Role.HANDLER] = _own_department


def is_supervisor(actor: Caller) -> bool:
    """A leader, a dispatcher or an administrator: who may issue orders."""
    return signed_in(actor) and (bool(actor.is_superuser) or actor.has_role(Role.LEADER, Role.DISPATCHER))


def is_reader(actor: Caller) -> bool:
    """Supervisors, and the handlers of a department (their unit's orders): who may open the supervision pages."""
    if not signed_in(actor):
        return False
    posts: list[Any] = list(actor.active_memberships)
    return is_supervisor(actor) or any(m.role == Role.HANDLER and m.department is not None for m in posts)


def visible_orders(*, actor: Caller) -> QuerySet[SupervisionOrder]:
    reached = scoping.reach(actor, field="node_path", by_role=REACH)
    qs = SupervisionOrder.objects.all()
    return qs if reached is None else qs.filter(reached)


def order_list(*, actor: Caller, now: dt.datetime | None = None) -> QuerySet[SupervisionOrder]:
    qs = visible_orders(actor=actor).select_related("department", "node", "person")
    return SUPERVISION_CLOCKS.annotate(qs, now or timezone.now()).order_by("urgency", "-ordered_at")


def order_detail(*, actor: Caller, pk: int, now: dt.datetime | None = None) -> SupervisionOrder:
    qs = visible_orders(actor=actor).select_related("department", "node", "person", "issued_by")
    found = SUPERVISION_CLOCKS.annotate(qs, now or timezone.now()).filter(pk=pk).first()
    if found is None:
        raise SupervisionOrder.DoesNotExist()
    return found


def find_subject(code: str, actor: Caller) -> tuple[str, str] | None:
    """A petition, event or dispute with ``code`` in the actor's area, as (kind, code); None when missing or foreign."""
    from fengqiao.petitions.selectors import visible_petitions

    code = codes.normalise(code)
    if not code:
        return None
    if visible_petitions(actor=actor).filter(tracking_code=code).exists():
        return "petition", code
    found = caselinks.find(code, actor)
    return (found.kind, found.code) if found else None


def _belongs(person: User, department: Department | None, node: GridNode) -> bool:
    posts = Membership.objects.filter(user=person, active=True)
    if department is not None:
        return posts.filter(department=department).exists()
    return posts.filter(node_path__startswith=node.path).exists()


def issue_order(
    *,
    actor: Caller,
    finding: str,
    person: User | None,
    department: Department | None = None,
    node: GridNode | None = None,
    code: str = "",
    now: dt.datetime | None = None,
) -> SupervisionOrder:
    """督导/督办: name the responsible unit (a department, or the centre of a node) and person, the finding, and start
    the rectification clock."""
    now = now or timezone.now()
    if department is not None:
        node = department.node
        if not department.active:
            department = None
            node = None
    if node is None or (department is None and node.level not in CENTRE_LEVELS):
        raise DomainError(_("请选择责任单位（职能部门或综治中心）。"), code=PetitionErrorCode.SUPERVISION_INVALID)
    path = department.node_path if department is not None else node.path
    if not workflow.supervisor_at(actor, path):
        raise DomainError(_("该责任单位不在您的辖区内。"), code=PetitionErrorCode.SUPERVISION_INVALID)
    if person is None or not person.is_active or not _belongs(person, department, node):
        raise DomainError(_("责任人须是责任单位的在岗人员。"), code=PetitionErrorCode.SUPERVISION_INVALID)
    finding = (finding or "").strip()
    if not finding:
        raise DomainError(_("请写明督导发现的问题。"), code=PetitionErrorCode.SUPERVISION_INVALID)
    subject = None
    if (code or "").strip():
        subject = find_subject(code, actor)
        if subject is None:
            raise DomainError(_("查询码不存在或不在您的辖区内。"), code=PetitionErrorCode.PETITION_LINK_NOT_FOUND)
    with transaction.atomic():
        order = SupervisionOrder(
            code=codes.tracking_code("DD"),
            node=node,
            department=department,
            person=person,
            link_kind=subject[0] if subject else "",
            link_code=subject[1] if subject else "",
            finding=finding,
            issued_by=actor if isinstance(actor, User) else None,
            ordered_at=now,
        )
        SUPERVISION_CLOCKS.start(order, CREATE, now)
        order.deadline_at = order.due_at
        order.save()
        audit.record(
            actor=actor,
            verb="supervise",
            target=order,
            workflow=workflow.SUPERVISION_NAME,
            to_state=workflow.SUP_OPEN,
            grid_path=order.node_path,
            data={"unit": order.unit_name, "person": person.display_name, "subject": order.subject},
        )
    return order


def rectify(*, actor: Caller, order: SupervisionOrder, report: str, now: dt.datetime | None = None) -> SupervisionOrder:
    """The responsible unit reports its rectification (整改情况); the clock stops."""
    return SUPERVISION_FLOW.apply(order, "rectify", actor=actor, note=(report or "").strip(), now=now)


def _check_decision(actor: Caller, order: SupervisionOrder, outcome: str, reason: str) -> User:
    if not isinstance(actor, User) or not workflow.leader_at(actor, order.node_path):
        raise DomainError(_("追责问责须由覆盖该单位的领导决定。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_INVALID)
    reason = (reason or "").strip()
    if outcome not in Outcome.values or not reason:
        raise DomainError(_("请选择追责结果并写明理由。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_INVALID)
    return actor


def decide_outcome(
    *, actor: Caller, order: SupervisionOrder, outcome: str, reason: str, now: dt.datetime | None = None
) -> AccountabilityDecision:
    """追责问责: a leader covering the unit decides the outcome, once."""
    leader = _check_decision(actor, order, outcome, reason)
    reason = reason.strip()
    try:
        with transaction.atomic():
            locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
            if locked.decisions.exists():
                raise IntegrityError("decided")
            decision = AccountabilityDecision.objects.create(
                order=locked, outcome=outcome, reason=reason, decided_by=leader, decided_at=now or timezone.now()
            )
            SupervisionOrder.objects.filter(pk=order.pk).update(outcome=outcome)
            audit.record(
                actor=actor,
                verb="decide_outcome",
                target=locked,
                note=reason,
                grid_path=locked.node_path,
                data={"outcome": decision.get_outcome_display()},
            )
    except IntegrityError:
        raise DomainError(
            _("该督导已作出追责决定；如需改变，请作出更正决定。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_SET
        ) from None
    order.outcome = outcome
    return decision


def correct_outcome(
    *, actor: Caller, order: SupervisionOrder, outcome: str, reason: str, now: dt.datetime | None = None
) -> AccountabilityDecision:
    """更正追责决定: a new decision that names the one it corrects; the earlier one stays on record."""
    leader = _check_decision(actor, order, outcome, reason)
    reason = reason.strip()
    try:
        with transaction.atomic():
            locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
            last = locked.decisions.order_by("-decided_at", "-id").first()
            if last is None:
                raise DomainError(
                    _("该督导尚未作出追责决定，无可更正。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_INVALID
                )
            if last.outcome == outcome:
                raise DomainError(_("更正后的结果与原决定相同。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_INVALID)
            decision = AccountabilityDecision.objects.create(
                order=locked,
                outcome=outcome,
                reason=reason,
                corrects=last,
                decided_by=leader,
                decided_at=now or timezone.now(),
            )
            SupervisionOrder.objects.filter(pk=order.pk).update(outcome=outcome)
            audit.record(
                actor=actor,
                verb="correct_outcome",
                target=locked,
                note=reason,
                grid_path=locked.node_path,
                data={"from": last.get_outcome_display(), "to": decision.get_outcome_display()},
            )
    except IntegrityError:
        raise DomainError(
            _("该决定已被更正，请在最新决定的基础上更正。"), code=PetitionErrorCode.SUPERVISION_OUTCOME_SET
        ) from None
    order.outcome = outcome
    return decision


@dataclass
class UnitRow:
    """One unit's line in the assessment (单位考核) for a period."""

    unit: str
    orders: int = 0
    on_time: int = 0
    late: int = 0  # rectified after the deadline, or still open past it
    talk: int = 0
    notice: int = 0
    account: int = 0
    deduction: float = 0.0


def unit_assessment(*, actor: Caller, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> list[UnitRow]:
    """Per responsible unit the actor may see: the orders issued from ``start`` to ``end`` (inclusive), rectified on
    time, late, each outcome, and the deduction (``FENGQIAO_SUPERVISION_POINTS``), highest deduction first."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    points = deduction_points()
    rows: dict[tuple[str, int], UnitRow] = {}
    orders = visible_orders(actor=actor).filter(ordered_at__gte=since, ordered_at__lt=until)
    for order in orders.select_related("department", "node"):
        key = ("d", order.department_id) if order.department_id else ("n", order.node_id)
        row = rows.setdefault(key, UnitRow(unit=order.unit_name))
        row.orders += 1
        if order.on_time:
            row.on_time += 1
        elif order.deadline_at is not None and (order.rectified_at or now) > order.deadline_at:
            row.late += 1
        if order.outcome == Outcome.TALK:
            row.talk += 1
        elif order.outcome == Outcome.NOTICE:
            row.notice += 1
        elif order.outcome == Outcome.ACCOUNT:
            row.account += 1
    for row in rows.values():
        row.deduction = round(
            row.talk * points[Outcome.TALK]
            + row.notice * points[Outcome.NOTICE]
            + row.account * points[Outcome.ACCOUNT]
            + row.late * points["late"],
            2,
        )
    return sorted(rows.values(), key=lambda r: (-r.deduction, r.unit))
