"""社会稳定风险评估 (稳评): before a decision or project (旧改征迁, a price change ...) the centre records the
matter and the deciding unit, the four standard dimensions (合法性, 合理性, 可行性, 可控性) with their findings, and
the risk grade.

The grade carries its rule: high → do not decide (暂缓, or reassess once the risk is reduced); medium → decide only
after the conditions (整改/化解 measures, each with who and by when) are all met; low → may decide. Recording the
decision as taken is refused while the grade is high or any condition is open. The life of an assessment is a table
on the core workflow engine (``workflow.RISK_FLOW``); every step is audited. Who sees one: leaders and dispatchers of
its area, and the handlers of the deciding department (read only); nobody else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import Department, Role, User
from fengqiao.core import audit, codes, scoping
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import DomainError
from fengqiao.grids.models import GridNode
from fengqiao.petitions import workflow
from fengqiao.petitions.duty import CENTRE_LEVELS
from fengqiao.petitions.errors import PetitionErrorCode
from fengqiao.petitions.models import RiskAssessment, RiskCondition, RiskGrade
from fengqiao.petitions.workflow import RISK_FLOW

RULES: dict[str, Any] = {
    RiskGrade.HIGH: gettext_lazy("高风险：不得作出决策，应暂缓或调整方案后重新评估"),
    RiskGrade.MEDIUM: gettext_lazy("中风险：落实全部化解措施后方可决策"),
    RiskGrade.LOW: gettext_lazy("低风险：可以决策"),
}

DIMENSION_LABELS: dict[str, Any] = {
    "legality": gettext_lazy("合法性"),
    "rationality": gettext_lazy("合理性"),
    "feasibility": gettext_lazy("可行性"),
    "controllability": gettext_lazy("可控性"),
}


def _deciding_department(membership: Any) -> Q:
    return Q(department_id=membership.department_id) if membership.department_id else Q(pk__in=[])


REACH: dict[str, Any] = {role: None for role in Role.values}
REACH.pop(Role.LEADER)
REACH.pop(Role.DISPATCHER)
REACH[Role.HANDLER] = _deciding_department


def is_staff(actor: Caller) -> bool:
    """A leader, a dispatcher or an administrator: who may register and assess."""
    return signed_in(actor) and (bool(actor.is_superuser) or actor.has_role(Role.LEADER, Role.DISPATCHER))


def is_reader(actor: Caller) -> bool:
    if not signed_in(actor):
        return False
    posts: list[Any] = list(actor.active_memberships)
    return is_staff(actor) or any(m.role == Role.HANDLER and m.department is not None for m in posts)


def visible_assessments(*, actor: Caller) -> QuerySet[RiskAssessment]:
    reached = scoping.reach(actor, field="node_path", by_role=REACH)
    qs = RiskAssessment.objects.all()
    return qs if reached is None else qs.filter(reached)


def assessment_detail(*, actor: Caller, pk: int) -> RiskAssessment:
    found = visible_assessments(actor=actor).select_related("node", "department").filter(pk=pk).first()
    if found is None:
        raise RiskAssessment.DoesNotExist()
    return found


def rule_of(grade: str) -> str:
    return str(RULES.get(grade, "")) if grade else ""


def register_assessment(
    *,
    actor: Caller,
    node: GridNode | None,
    matter: str,
    department: Department | None,
    description: str = "",
    now: dt.datetime | None = None,
) -> RiskAssessment:
    """登记稳评事项: the matter, the area (a centre's node) and the deciding unit."""
    matter = (matter or "").strip()
    if node is None or node.level not in CENTRE_LEVELS or not workflow.supervisor_at(actor, node.path):
        raise DomainError(_("请选择本辖区内的县、乡镇（街道）或村（社区）。"), code=PetitionErrorCode.RISK_INVALID)
    if (
        department is None
        or not department.active
        or not (node.path.startswith(department.node_path) or department.node_path.startswith(node.path))
    ):
        raise DomainError(_("决策单位须是该区域或其上级的部门。"), code=PetitionErrorCode.RISK_INVALID)
    if not matter:
        raise DomainError(_("请填写评估事项。"), code=PetitionErrorCode.RISK_INVALID)
    with transaction.atomic():
        assessment = RiskAssessment.objects.create(
            code=codes.tracking_code("WP"),
            node=node,
            matter=matter[:200],
            description=(description or "").strip(),
            department=department,
            created_by=actor if isinstance(actor, User) else None,
            created_at=now or timezone.now(),
        )
        audit.record(
            actor=actor,
            verb="register_risk",
            target=assessment,
            workflow=workflow.RISK_NAME,
            to_state=workflow.RISK_DRAFT,
            grid_path=assessment.node_path,
            data={"matter": assessment.matter, "department": department.name},
        )
    return assessment


def assess(
    *, actor: Caller, assessment: RiskAssessment, grade: str, findings: dict[str, str], now: dt.datetime | None = None
) -> RiskAssessment:
    """评定风险等级: the four dimensions' findings and the grade."""
    if grade not in RiskGrade.values:
        raise DomainError(_("请选择风险等级（高、中、低）。"), code=PetitionErrorCode.RISK_INVALID)
    values = {name: (findings.get(name) or "").strip() for name in workflow.DIMENSIONS}
    if not all(values.values()):
        raise DomainError(
            _("合法性、合理性、可行性、可控性四项均须填写评估意见。"), code=PetitionErrorCode.RISK_INVALID
        )
    return RISK_FLOW.apply(assessment, "assess", actor=actor, now=now, grade=grade, **values)


def add_condition(
    *,
    actor: Caller,
    assessment: RiskAssessment,
    measure: str,
    owner: User | None,
    due_on: dt.date | None,
    now: dt.datetime | None = None,
) -> RiskCondition:
    """A condition (整改/化解 measure) with who carries it out and by when."""
    now = now or timezone.now()
    if not workflow.risk_staff(actor, assessment) or assessment.state == workflow.RISK_DECIDED:
        raise DomainError(
            _("只有本辖区的中心或领导可以在决策前增加措施。"), code=PetitionErrorCode.RISK_CONDITION_INVALID
        )
    measure = (measure or "").strip()
    if not measure or owner is None or not owner.is_active or due_on is None or due_on < timezone.localtime(now).date():
        raise DomainError(
            _("请填写措施内容、落实人和不早于今天的落实期限。"), code=PetitionErrorCode.RISK_CONDITION_INVALID
        )
    with transaction.atomic():
        RiskAssessment.objects.select_for_update().filter(pk=assessment.pk).first()
        condition = RiskCondition.objects.create(
            assessment=assessment, measure=measure[:300], owner=owner, due_on=due_on
        )
        audit.record(
            actor=actor,
            verb="add_condition",
            target=assessment,
            note=condition.measure,
            grid_path=assessment.node_path,
            data={"owner": owner.display_name, "due_on": due_on.isoformat()},
        )
    return condition


def complete_condition(
    *, actor: Caller, condition: RiskCondition, note: str = "", now: dt.datetime | None = None
) -> RiskCondition:
    """落实化解措施: the owner (or the centre or a leader of the area) marks the measure met."""
    assessment = condition.assessment
    allowed = signed_in(actor) and (condition.owner_id == actor.pk or workflow.risk_staff(actor, assessment))
    if not allowed or condition.done_at is not None:
        raise DomainError(
            _("只有落实人或本辖区的中心、领导可以完成未完成的措施。"), code=PetitionErrorCode.RISK_CONDITION_INVALID
        )
    with transaction.atomic():
        updated = RiskCondition.objects.filter(pk=condition.pk, done_at__isnull=True).update(
            done_at=now or timezone.now(), done_by=actor, done_note=(note or "").strip()
        )
        if not updated:  # someone else completed it meanwhile
            raise DomainError(_("该措施已落实。"), code=PetitionErrorCode.RISK_CONDITION_INVALID)
        condition.refresh_from_db()
        audit.record(
            actor=actor,
            verb="condition_done",
            target=assessment,
            note=condition.measure,
            grid_path=assessment.node_path,
        )
    return condition


def decide(
    *, actor: Caller, assessment: RiskAssessment, decision: str, now: dt.datetime | None = None
) -> RiskAssessment:
    """决策: record the decision as taken, refused while the grade is high or a condition is open."""
    with transaction.atomic():
        locked = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.grade == RiskGrade.HIGH:
            raise DomainError(
                _("高风险事项不得决策，请暂缓决策或调整方案后重新评估。"), code=PetitionErrorCode.RISK_HIGH_GRADE
            )
        if locked.grade == RiskGrade.MEDIUM and not locked.conditions.exists():
            raise DomainError(
                _("中风险事项须先制定化解措施，落实后方可决策。"), code=PetitionErrorCode.RISK_CONDITIONS_OPEN
            )
        left = workflow.open_conditions(locked)
        if left:
            raise DomainError(
                _("尚有 %(n)s 项化解措施未落实，不能决策。") % {"n": left}, code=PetitionErrorCode.RISK_CONDITIONS_OPEN
            )
        return RISK_FLOW.apply(locked, "decide", actor=actor, note=(decision or "").strip(), now=now)


def postpone(
    *, actor: Caller, assessment: RiskAssessment, reason: str, now: dt.datetime | None = None
) -> RiskAssessment:
    """暂缓决策 (what a high grade calls for)."""
    return RISK_FLOW.apply(assessment, "postpone", actor=actor, note=(reason or "").strip(), now=now)


def reassess(
    *, actor: Caller, assessment: RiskAssessment, reason: str, now: dt.datetime | None = None
) -> RiskAssessment:
    """重新评估: back to assessment (after the plan changed); the grade is set again."""
    return RISK_FLOW.apply(assessment, "reassess", actor=actor, note=(reason or "").strip(), now=now)
