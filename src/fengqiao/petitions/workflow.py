"""The life of a petition (信访件) as a state table on the core engine.

registered → accepted (受理) or not_accepted (不予受理, with its reason); accepted → handled (办理: the written opinion,
处理意见书) → closed (办结). While accepted, the petition office may ask once for an extension (延期, up to
``FENGQIAO_PETITION_CLOCKS["max_extension"]`` days, with a reason) and a leader covering the area approves it, which
moves the handling clock. Within 30 days of the opinion the petitioner's review request (复查) reopens the case.
The engine writes each step's audit row and starts or stops the clocks declared in ``petitions.clocks``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.accounts.models import Department, Role
from fengqiao.core import deadlines
from fengqiao.core.actors import signed_in
from fengqiao.core.workflow import Transition, Workflow

NAME = "petition"
REGISTERED, ACCEPTED, NOT_ACCEPTED, HANDLED, CLOSED = "registered", "accepted", "not_accepted", "handled", "closed"
STATES = {
    REGISTERED: _("已登记"),
    ACCEPTED: _("已受理"),
    NOT_ACCEPTED: _("不予受理"),
    HANDLED: _("已出具意见"),
    CLOSED: _("已办结"),
}
OPEN_STATES = (REGISTERED, ACCEPTED, HANDLED)
REVIEW_DAYS = 30  # 复查: within 30 days of receiving the written opinion


def _posts(actor: Any, path: str, roles: Iterable[str]) -> bool:
    """Whether ``actor`` holds one of ``roles`` on a node whose subtree contains ``path``."""
    if not signed_in(actor) or not path:
        return False
    wanted = set(roles)
    return any(m.role in wanted and path.startswith(m.node.path) for m in actor.active_memberships)


def petition_office_at(actor: Any, path: str) -> bool:
    """A handler of a petition department (信访) posted on a node whose subtree contains ``path``."""
    if not signed_in(actor) or not path:
        return False
    posts: list[Any] = list(actor.active_memberships)
    return any(
        m.role == Role.HANDLER
        and m.department is not None
        and m.department.kind == Department.Kind.PETITION
        and path.startswith(m.node.path)
        for m in posts
    )


def posts_at(actor: Any, path: str, roles: Iterable[str]) -> bool:
    """Whether ``actor`` holds one of ``roles`` on a node whose subtree contains ``path``."""
    return _posts(actor, path, roles)


def office_at(actor: Any, path: str) -> bool:
    """The centre (a dispatcher) or the petition office whose area contains ``path``; an administrator anywhere."""
    if not signed_in(actor):
        return False
    if actor.is_superuser:
        return True
    return _posts(actor, path, (Role.DISPATCHER,)) or petition_office_at(actor, path)


def leader_at(actor: Any, path: str) -> bool:
    """A leader whose area contains ``path``; an administrator anywhere."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or _posts(actor, path, (Role.LEADER,))


# Guards: who may take a step, always inside their jurisdiction.
def office(actor: Any, petition: Any) -> bool:
    """The centre or the petition office covering the petition's grid."""
    return office_at(actor, petition.grid_path)


def office_may_ask_extension(actor: Any, petition: Any) -> bool:
    """The centre or petition office, once per petition."""
    return petition.extension_requested_at is None and office(actor, petition)


def leader_may_approve(actor: Any, petition: Any) -> bool:
    """A leader covering the petition, once an extension is asked and not yet granted."""
    return (
        petition.extension_requested_at is not None
        and petition.extended_at is None
        and leader_at(actor, petition.grid_path)
    )


def within_review_window(petition: Any, now: dt.datetime | None = None) -> bool:
    if petition.handled_at is None:
        return False
    return (now or timezone.now()) <= petition.handled_at + dt.timedelta(days=REVIEW_DAYS)


def office_within_review_window(actor: Any, petition: Any) -> bool:
    """The centre or petition office, within 30 days of the written opinion."""
    return within_review_window(petition) and office(actor, petition)


def _now(values: Mapping[str, Any]) -> dt.datetime:
    return values.get("now") or timezone.now()


def _accepted(p: Any, values: Mapping[str, Any]) -> None:
    p.accepted_at = _now(values)


def _not_accepted(p: Any, values: Mapping[str, Any]) -> None:
    p.not_accepted_reason = values["note"]
    p.closed_at = _now(values)


def _extension_asked(p: Any, values: Mapping[str, Any]) -> None:
    p.extension_days = int(values["days"])
    p.extension_reason = values["note"]
    p.extension_requested_at = _now(values)


def _extension_granted(p: Any, values: Mapping[str, Any]) -> None:
    p.extended_at = _now(values)
    p.extension_approved_by = values.get("approver")
    clocks = deadlines.for_workflow(NAME)
    if clocks is not None:
        clocks.extend(p, "handle", dt.timedelta(days=p.extension_days))


def _handled(p: Any, values: Mapping[str, Any]) -> None:
    p.handled_at = _now(values)


def _closed(p: Any, values: Mapping[str, Any]) -> None:
    p.closed_at = _now(values)


def _reviewed(p: Any, values: Mapping[str, Any]) -> None:
    p.reviewed_at = _now(values)
    p.review_reason = values["note"]
    p.closed_at = None


PETITION_FLOW = Workflow(
    name=NAME,
    states=STATES,
    initial=REGISTERED,
    transitions=[
        Transition("accept", REGISTERED, ACCEPTED, label=_("受理"), allowed=office, effect=_accepted),
        Transition(
            "not_accept",
            REGISTERED,
            NOT_ACCEPTED,
            label=_("不予受理"),
            allowed=office,
            note_required=True,
            effect=_not_accepted,
        ),
        Transition(
            "request_extension",
            ACCEPTED,
            ACCEPTED,
            label=_("申请延期"),
            allowed=office_may_ask_extension,
            requires=("days",),
            note_required=True,
            effect=_extension_asked,
        ),
        Transition(
            "approve_extension",
            ACCEPTED,
            ACCEPTED,
            label=_("批准延期"),
            allowed=leader_may_approve,
            effect=_extension_granted,
        ),
        Transition(
            "handle",
            ACCEPTED,
            HANDLED,
            label=_("出具处理意见"),
            allowed=office,
            requires=("opinion",),
            sets=("opinion",),
            effect=_handled,
        ),
        Transition("close", HANDLED, CLOSED, label=pgettext_lazy("action", "办结"), allowed=office, effect=_closed),
        Transition(
            "review",
            (HANDLED, CLOSED),
            ACCEPTED,
            label=_("复查（重新办理）"),
            allowed=office_within_review_window,
            note_required=True,
            effect=_reviewed,
        ),
    ],
    verbs={
        "register": (_("登记信访件"), None),
        "link_case": (_("关联事件/纠纷"), None),
        "hold_meeting": (_("提交信访联席会议研究"), None),
        "assign_leader": (_("领导包案"), None),
    },
)


# -- follow-up orders of a joint meeting (会议督办事项) ---------------------------------------------------------
ORDER_NAME = "petition_order"
ORDER_OPEN, ORDER_DONE = "open", "done"
ORDER_STATES = {ORDER_OPEN: _("督办中"), ORDER_DONE: _("已完成")}


def meeting_staff_at(actor: Any, path: str) -> bool:
    """A leader or centre dispatcher whose area contains the meeting's node; an administrator anywhere."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or _posts(actor, path, (Role.LEADER, Role.DISPATCHER))


def order_owner(actor: Any, order: Any) -> bool:
    """A handler of the responsible department, or a leader or dispatcher covering the meeting."""
    if meeting_staff_at(actor, order.node_path):
        return True
    if not signed_in(actor):
        return False
    posts: list[Any] = list(actor.active_memberships)
    return any(m.role == Role.HANDLER and m.department_id == order.department_id for m in posts)


def _order_done(order: Any, values: Mapping[str, Any]) -> None:
    order.done_at = _now(values)
    order.result = values["note"]


ORDER_FLOW = Workflow(
    name=ORDER_NAME,
    states=ORDER_STATES,
    initial=ORDER_OPEN,
    transitions=[
        Transition(
            "complete",
            ORDER_OPEN,
            ORDER_DONE,
            label=_("完成督办事项"),
            allowed=order_owner,
            note_required=True,
            effect=_order_done,
        ),
    ],
    verbs={"order": (_("下达督办事项"), None), "hold_meeting": (_("召开信访联席会议"), None)},
)


# -- leaders' cases (领导包案) ----------------------------------------------------------------------------------------
CASE_NAME = "leader_case"
CASE_OPEN, CASE_CLOSED = "open", "closed"
CASE_STATES = {CASE_OPEN: _("包案化解中"), CASE_CLOSED: _("已化解")}


def the_leader(actor: Any, case: Any) -> bool:
    """The leader who owns the case."""
    return signed_in(actor) and case.leader_id == actor.pk


def _case_closed(case: Any, values: Mapping[str, Any]) -> None:
    case.closed_at = _now(values)
    case.result = values["note"]


CASE_FLOW = Workflow(
    name=CASE_NAME,
    states=CASE_STATES,
    initial=CASE_OPEN,
    transitions=[
        Transition(
            "resolve",
            CASE_OPEN,
            CASE_CLOSED,
            label=_("包案化解"),
            allowed=the_leader,
            note_required=True,
            effect=_case_closed,
        ),
    ],
    verbs={"assign_leader": (_("领导包案"), None), "milestone_done": (_("完成包案节点"), None)},
)


# -- supervision orders (督导督办) with accountability (追责问责) -----------------------------------------------------
SUPERVISION_NAME = "supervision_order"
SUP_OPEN, SUP_RECTIFIED = "open", "rectified"
SUPERVISION_STATES = {SUP_OPEN: _("整改中"), SUP_RECTIFIED: _("已整改")}


def supervisor_at(actor: Any, path: str) -> bool:
    """The centre (a dispatcher) or a leader whose area contains ``path``; an administrator anywhere."""
    if not signed_in(actor):
        return False
    return bool(actor.is_superuser) or _posts(actor, path, (Role.LEADER, Role.DISPATCHER))


def responsible_unit(actor: Any, order: Any) -> bool:
    """The responsible unit: a handler of its department, the responsible person, or (a centre as the unit) the
    dispatchers of that centre's area."""
    if not signed_in(actor):
        return False
    if actor.pk == order.person_id or actor.is_superuser:
        return True
    posts: list[Any] = list(actor.active_memberships)
    if order.department_id is not None:
        return any(m.role == Role.HANDLER and m.department_id == order.department_id for m in posts)
    return _posts(actor, order.node_path, (Role.DISPATCHER,))


def _rectified(order: Any, values: Mapping[str, Any]) -> None:
    order.rectified_at = _now(values)
    order.rectification = values["note"]


SUPERVISION_FLOW = Workflow(
    name=SUPERVISION_NAME,
    states=SUPERVISION_STATES,
    initial=SUP_OPEN,
    transitions=[
        Transition(
            "rectify",
            SUP_OPEN,
            SUP_RECTIFIED,
            label=_("报送整改情况"),
            allowed=responsible_unit,
            note_required=True,
            effect=_rectified,
        ),
    ],
    verbs={
        "supervise": (_("下达督导"), None),
        "decide_outcome": (_("作出追责决定"), None),
        "correct_outcome": (_("更正追责决定"), None),
    },
)


# -- social stability risk assessments (稳评) --------------------------------------------------------------------
RISK_NAME = "risk_assessment"
RISK_DRAFT, RISK_ASSESSED, RISK_DECIDED, RISK_POSTPONED = "draft", "assessed", "decided", "postponed"
RISK_STATES = {
    RISK_DRAFT: _("评估中"),
    RISK_ASSESSED: _("已定级"),
    RISK_DECIDED: _("已决策"),
    RISK_POSTPONED: _("暂缓决策"),
}
DIMENSIONS = ("legality", "rationality", "feasibility", "controllability")  # 合法性 合理性 可行性 可控性


def risk_staff(actor: Any, assessment: Any) -> bool:
    """The centre or a leader whose area contains the assessment's node; an administrator anywhere."""
    return supervisor_at(actor, assessment.node_path)


def open_conditions(assessment: Any) -> int:
    return int(assessment.conditions.filter(done_at__isnull=True).count())


def may_decide(actor: Any, assessment: Any) -> bool:
    """A leader covering the node, once the grade is not high and no condition is open (the rule of the grade)."""
    return (
        leader_at(actor, assessment.node_path)
        and assessment.grade in ("low", "medium")
        and open_conditions(assessment) == 0
    )


def leader_of_area(actor: Any, assessment: Any) -> bool:
    """A leader covering the assessment's node."""
    return leader_at(actor, assessment.node_path)


def _assessed(a: Any, values: Mapping[str, Any]) -> None:
    a.assessed_at = _now(values)


def _decided(a: Any, values: Mapping[str, Any]) -> None:
    a.decided_at = _now(values)
    a.decision = values["note"]


def _reopened(a: Any, values: Mapping[str, Any]) -> None:
    a.assessed_at = None
    a.grade = ""


RISK_FLOW = Workflow(
    name=RISK_NAME,
    states=RISK_STATES,
    initial=RISK_DRAFT,
    transitions=[
        Transition(
            "assess",
            RISK_DRAFT,
            RISK_ASSESSED,
            label=_("评定风险等级"),
            allowed=risk_staff,
            requires=("grade", *DIMENSIONS),
            sets=("grade", *DIMENSIONS),
            effect=_assessed,
        ),
        Transition(
            "decide",
            RISK_ASSESSED,
            RISK_DECIDED,
            label=_("作出决策"),
            allowed=may_decide,
            note_required=True,
            effect=_decided,
        ),
        Transition(
            "postpone",
            RISK_ASSESSED,
            RISK_POSTPONED,
            label=_("暂缓决策"),
            allowed=leader_of_area,
            note_required=True,
        ),
        Transition(
            "reassess",
            (RISK_ASSESSED, RISK_POSTPONED),
            RISK_DRAFT,
            label=_("重新评估"),
            allowed=risk_staff,
            note_required=True,
            effect=_reopened,
        ),
    ],
    verbs={
        "register_risk": (_("登记稳评事项"), None),
        "add_condition": (_("增加化解措施"), None),
        "condition_done": (_("落实化解措施"), None),
    },
)
