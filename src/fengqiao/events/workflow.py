"""The event closed loop (事件闭环) as a state table on the core workflow engine.

reported → registered (核实立案) | not_registered | merged
registered → handled (小事网格办) | routed (分流交办, 吹哨报到)
routed → signed (签收) | registered (退回)
signed → in_progress → handled | registered one tier up (escalate)
handled → verified (核查, with acceptance for hazards) → closed (办结) ; handled/verified → registered (reopen)
即报即办: reported → registered → handled → closed by the worker at once; a sampled one is confirmed or sent back
(closed → registered) by the centre (抽查)
closed → closed: rated by the reporter (评价), return visit (回访)
Each stage's deadline is set on entering it; terminal states stop the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import WORKER_ROLES, Membership, Role
from fengqiao.core import scoping
from fengqiao.core.workflow import Transition, Workflow
from fengqiao.events import tiers
from fengqiao.events.errors import EventErrorCode

STATES = {
    "reported": _("待核实"),
    "registered": _("已立案"),
    "not_registered": _("不予立案"),
    "merged": _("已合并"),
    "routed": _("已交办"),
    "signed": _("已签收"),
    "in_progress": _("处置中"),
    "handled": _("已处置"),
    "verified": _("已核查"),
    "closed": _("已办结"),
}
OPEN_STATES = ("reported", "registered", "routed", "signed", "in_progress", "handled", "verified")
TERMINAL_STATES = ("not_registered", "merged", "closed")


# Guards: who may act, always inside their jurisdiction.
def dispatcher(actor: Any, event: Any) -> bool:
    """A dispatcher (or administrator) of a centre whose jurisdiction covers the event, posted at the event's
    owning centre or above it (四事分办: a lower centre sees a higher tier's event read-only; events.tiers)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return (
        actor.has_role(Role.DISPATCHER, Role.ADMIN)
        and scoping.covers(actor, event.grid_path)
        and tiers.may_act_at_level(actor, event)
    )


def grid_staff(actor: Any, event: Any) -> bool:
    """The centre, or a grid worker or grid leader of the event's grid or above it (not an informant)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if dispatcher(actor, event):
        return True
    return any(
        m.role in WORKER_ROLES - {Role.INFORMANT} and event.grid_path.startswith(m.node.path)
        for m in actor.active_memberships
    )


def lead_handler(actor: Any, event: Any) -> bool:
    """A handler of the lead department the event was routed to."""
    if not getattr(actor, "is_authenticated", False) or event.lead_department_id is None:
        return False
    return Membership.objects.filter(
        user=actor, role=Role.HANDLER, department_id=event.lead_department_id, active=True
    ).exists()


def reporter(actor: Any, event: Any) -> bool:
    """The reporter: the signed-in user who reported it, or whoever holds the receipt's private link."""
    return actor is None or not getattr(actor, "is_authenticated", False) or actor.pk == event.reporter_id


# Effects: what each step writes besides the state. The stage clock is declared in ``events.clocks`` and started
# and stopped by the engine after the effect; ``values["now"]`` is the engine's clock (controllable in tests).
def staff_or_lead_handler(actor: Any, event: Any) -> bool:
    """Grid staff of the event's grid, or a handler of its lead department."""
    return grid_staff(actor, event) or lead_handler(actor, event)


def on_register(event: Any, values: Mapping[str, Any]) -> None:
    if values.get("category") is not None:
        event.category = values["category"]
    event.registered_at = event.registered_at or values["now"]
    event.reason = ""
    cat = event.category
    if cat is not None and values.get("tier") is None and not event.lead_department_id:
        event.tier = cat.tier
    _own_by_tier(event)


def _own_by_tier(event: Any) -> None:
    """The owning centre follows the tier (四事分办)."""
    event.owner_node = tiers.owning_centre(event.grid_path, event.tier) or event.owner_node


def on_route(event: Any, values: Mapping[str, Any]) -> None:
    event.lead_department = values["department"]


def on_return(event: Any, values: Mapping[str, Any]) -> None:
    event.reason = values.get("note", "")
    event.lead_department = None
    # 首接负责制: unsigned, it goes back to whoever first received it (their centre), else the tier's centre.
    event.owner_node = values.get("owner") or tiers.owner_after_return(event) or event.owner_node


def on_handled(event: Any, values: Mapping[str, Any]) -> None:
    event.result = values["result"]
    event.handled_at = values["now"]


def on_escalate(event: Any, values: Mapping[str, Any]) -> None:
    event.tier = values["tier"]
    event.lead_department = None
    _own_by_tier(event)


def on_verify(event: Any, values: Mapping[str, Any]) -> None:
    cat = event.category
    if cat is not None and cat.requires_acceptance and not str(values.get("acceptance") or "").strip():
        from fengqiao.core.errors import WorkflowError

        raise WorkflowError(
            str(_("安全隐患类事件核查时必须填写现场验收意见。")), code=EventErrorCode.ACCEPTANCE_REQUIRED
        )
    event.acceptance = values.get("acceptance") or ""


def on_close(event: Any, values: Mapping[str, Any]) -> None:
    event.closed_at = values["now"]


def on_terminal(event: Any, values: Mapping[str, Any]) -> None:
    if "note" in values:
        event.reason = values["note"]


def on_merge(event: Any, values: Mapping[str, Any]) -> None:
    event.merged_into = values["into"]


def on_reopen(event: Any, values: Mapping[str, Any]) -> None:
    event.lead_department = None
    event.handled_at = None
    _own_by_tier(event)


def on_rate(event: Any, values: Mapping[str, Any]) -> None:
    event.stars = values["stars"]
    event.rating_comment = values.get("comment", "")


def nothing(event: Any, values: Mapping[str, Any]) -> None:
    return None


DISPUTE_FAMILY = "01"  # 矛盾纠纷: the category family that belongs in the mediation ledger


def dispatcher_of_a_dispute(actor: Any, event: Any) -> bool:
    """The centre, for an event of the 矛盾纠纷 family (01) in its jurisdiction."""
    category = event.category
    return category is not None and str(category.code).startswith(DISPUTE_FAMILY) and dispatcher(actor, event)


def on_to_dispute(event: Any, values: Mapping[str, Any]) -> None:
    event.result = str(_("已转为矛盾纠纷，纠纷编号 %(code)s") % {"code": values["dispute"]})
    event.closed_at = values["now"]


def spot_worker(actor: Any, event: Any) -> bool:
    """The grid worker or grid leader who reported the event as solved on the spot (即报即办), in its grid.

    Not an informant; not once the centre has sent it back (抽查退回)."""
    if not getattr(actor, "is_authenticated", False) or not event.on_the_spot or actor.pk != event.reporter_id:
        return False
    if event.spot_check == "reopened":  # sent back by the centre: it goes the ordinary way now
        return False
    return any(
        m.role in WORKER_ROLES - {Role.INFORMANT} and event.grid_path.startswith(m.node.path)
        for m in actor.active_memberships
    )


def spot_checker(actor: Any, event: Any) -> bool:
    """The centre, on an event solved on the spot and drawn for verification (抽查)."""
    return event.on_the_spot and event.spot_check == "pending" and dispatcher(actor, event)


def on_spot_register(event: Any, values: Mapping[str, Any]) -> None:
    event.registered_at = values["now"]
    event.tier = "grid"
    _own_by_tier(event)


def on_spot_confirm(event: Any, values: Mapping[str, Any]) -> None:
    event.spot_check = "confirmed"


def on_spot_reopen(event: Any, values: Mapping[str, Any]) -> None:
    event.spot_check = "reopened"
    event.reason = values.get("note", "")
    event.closed_at = None
    event.handled_at = None


def acceptance_worker(actor: Any, event: Any) -> bool:
    """The grid worker a hazard's on-site acceptance is assigned to, while posted to the event's grid."""
    if not getattr(actor, "is_authenticated", False) or actor.pk != event.acceptance_worker_id:
        return False
    return any(
        m.role in WORKER_ROLES - {Role.INFORMANT} and event.grid_path.startswith(m.node.path)
        for m in actor.active_memberships
    )


def on_accept_on_site(event: Any, values: Mapping[str, Any]) -> None:
    event.acceptance = values["acceptance"]


EVENT_FLOW = Workflow(
    name="event",
    states=STATES,
    initial="reported",
    verbs={
        "report": (_("上报事件"), _("已受理上报")),
        "supervise": (_("督办"), _("上级已督办")),
        "whistle": (_("吹哨报到"), _("已吹哨，相关部门到场报到")),
        "acceptance.assign": (_("指派现场验收"), None),
        "extension.request": (_("申请延期"), None),
        "extension.approve": (_("批准延期"), None),
        "extension.reject": (_("驳回延期"), None),
    },
    transitions=[
        Transition(
            "register",
            "reported",
            "registered",
            label=_("核实立案"),
            public=_("已核实立案"),
            allowed=dispatcher,
            requires=["category"],
            effect=on_register,
        ),
        Transition(
            "reject",
            "reported",
            "not_registered",
            label=_("不予立案"),
            public=_("不予立案"),
            allowed=dispatcher,
            note_required=True,
            effect=on_terminal,
        ),
        Transition(
            "merge",
            "reported",
            "merged",
            label=_("合并重复事件"),
            public=_("已与相同事件合并处理"),
            allowed=dispatcher,
            requires=["into"],
            effect=on_merge,
        ),
        Transition(
            "to_dispute",
            ["reported", "registered"],
            "closed",
            label=_("转为矛盾纠纷"),
            public=_("已转入矛盾纠纷调解"),
            allowed=dispatcher_of_a_dispute,
            requires=["dispute"],
            effect=on_to_dispute,
        ),
        Transition(
            "spot_register",
            "reported",
            "registered",
            label=_("即报即办立案"),
            public=_("网格员已现场处置"),
            allowed=spot_worker,
            effect=on_spot_register,
        ),
        Transition(
            "handle_in_grid",
            "registered",
            "handled",
            label=_("小事网格办"),
            public=_("网格员已现场处置"),
            allowed=grid_staff,
            requires=["result"],
            effect=on_handled,
        ),
        Transition(
            "route",
            "registered",
            "routed",
            label=_("分流交办"),
            public=_("已交办责任部门"),
            allowed=dispatcher,
            requires=["department"],
            effect=on_route,
        ),
        Transition(
            "sign",
            "routed",
            "signed",
            label=_("签收"),
            public=_("责任部门已签收"),
            allowed=lead_handler,
            effect=nothing,
        ),
        Transition(
            "return",
            "routed",
            "registered",
            label=_("退回"),
            public=_("重新分派中"),
            allowed=lead_handler,
            note_required=True,
            effect=on_return,
        ),
        Transition(
            "start",
            "signed",
            "in_progress",
            label=_("开始处置"),
            public=_("正在处置"),
            allowed=lead_handler,
            effect=nothing,
        ),
        Transition(
            "handle",
            ["signed", "in_progress"],
            "handled",
            label=_("处置完毕"),
            public=_("已处置完毕"),
            allowed=lead_handler,
            requires=["result"],
            effect=on_handled,
        ),
        Transition(
            "escalate",
            ["registered", "signed", "in_progress"],
            "registered",
            label=_("上报上级"),
            public=_("已上报上级处理"),
            allowed=staff_or_lead_handler,
            requires=["tier"],
            note_required=True,
            effect=on_escalate,
        ),
        Transition(
            "verify", "handled", "verified", label=_("核查"), public=_("已核查"), allowed=dispatcher, effect=on_verify
        ),
        Transition(
            "accept_on_site",
            "handled",
            "verified",
            label=_("现场验收"),
            public=_("已现场验收"),
            allowed=acceptance_worker,
            requires=["acceptance"],
            effect=on_accept_on_site,
        ),
        Transition(
            "close", "verified", "closed", label=_("办结"), public=_("已办结"), allowed=dispatcher, effect=on_close
        ),
        Transition(
            "reopen",
            ["handled", "verified"],
            "registered",
            label=_("重新办理"),
            public=_("重新办理中"),
            allowed=dispatcher,
            note_required=True,
            effect=on_reopen,
        ),
        Transition(
            "spot_close",
            "handled",
            "closed",
            label=_("即报即办办结"),
            public=_("已办结"),
            allowed=spot_worker,
            effect=on_close,
        ),
        Transition(
            "spot_confirm",
            "closed",
            "closed",
            label=_("抽查通过"),
            allowed=spot_checker,
            effect=on_spot_confirm,
        ),
        Transition(
            "spot_reopen",
            "closed",
            "registered",
            label=_("抽查退回"),
            public=_("重新办理中"),
            allowed=spot_checker,
            note_required=True,
            effect=on_spot_reopen,
        ),
        Transition(
            "rate",
            "closed",
            "closed",
            label=_("评价"),
            public=_("您已评价"),
            allowed=reporter,
            requires=["stars"],
            effect=on_rate,
        ),
        Transition(
            "revisit",
            "closed",
            "closed",
            label=_("回访"),
            public=_("已回访"),
            allowed=dispatcher,
            note_required=True,
            effect=nothing,
        ),
    ],
)


# 吹哨报到: each department a whistle calls has its own row and its own three steps.
SUMMONS_STATES = {
    "summoned": _("待签收"),
    "signed": _("已签收"),
    "arranged": _("已安排到场"),
    "reported": _("已报到反馈"),
}
SUMMONS_OPEN = ("summoned", "signed", "arranged")


def summoned_handler(actor: Any, summons: Any) -> bool:
    """A handler of the summoned department, for an event inside the department's area."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=actor, role=Role.HANDLER, department_id=summons.department_id, active=True
    ).exists() and summons.grid_path.startswith(summons.department.node_path)


def on_summons_sign(summons: Any, values: Mapping[str, Any]) -> None:
    summons.signed_at = values["now"]


def on_summons_arrange(summons: Any, values: Mapping[str, Any]) -> None:
    summons.attendee = values["attendee"]
    summons.arrive_at = values["arrive_at"]


def on_summons_report(summons: Any, values: Mapping[str, Any]) -> None:
    summons.report = values["report"]
    summons.reported_at = values["now"]


SUMMONS_FLOW = Workflow(
    name="summons",
    states=SUMMONS_STATES,
    initial="summoned",
    verbs={"summon": (_("吹哨"), None)},
    transitions=[
        Transition(
            "sign",
            "summoned",
            "signed",
            label=_("部门签收"),
            allowed=summoned_handler,
            effect=on_summons_sign,
        ),
        Transition(
            "arrange",
            ["signed", "arranged"],
            "arranged",
            label=_("安排到场"),
            allowed=summoned_handler,
            requires=["attendee", "arrive_at"],
            effect=on_summons_arrange,
        ),
        Transition(
            "report",
            "arranged",
            "reported",
            label=_("报到反馈"),
            allowed=summoned_handler,
            requires=["report"],
            effect=on_summons_report,
        ),
    ],
)
