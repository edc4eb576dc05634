"""The dispute workflow (矛盾纠纷化解流程) as a state table on the core engine.

submitted → registered (受理) → assigned (分配) → accepted (接受) | registered (拒绝, with reason)
accepted/mediating → mediating (sessions recorded) → resolved (调解成功) | unresolved (调解未成功)
unresolved → registered one tier up (逐级递进) | referred (移送法院/仲裁)
any open state → withdrawn (申请人撤回)
resolved → confirming (申请司法确认) → resolved (确认结果) ; resolved → revisited (回访) → closed (结案)
Effects stamp every time point; the "13710" clocks are declared in ``disputes.clocks`` and started and stopped by
the engine; ``now`` may be passed for a controlled clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role
from fengqiao.core import scoping
from fengqiao.core.errors import CoreErrorCode, WorkflowError
from fengqiao.core.workflow import Transition, Workflow
from fengqiao.disputes import tiers
from fengqiao.disputes.models import Risk

STATES = {
    "submitted": _("已提交"),
    "registered": _("待分配"),
    "assigned": _("已分派"),
    "accepted": _("已接受"),
    "mediating": _("调解中"),
    "resolved": _("调解成功"),
    "unresolved": _("调解未成功"),
    "referred": _("已移送"),
    "withdrawn": _("已撤回"),
    "confirming": _("司法确认中"),
    "revisited": _("已回访"),
    "closed": _("已结案"),
}
# The 30-day clock runs in these states; it stops once the case is resolved, referred or withdrawn.
OPEN_STATES = ("submitted", "registered", "assigned", "accepted", "mediating", "unresolved")
WAITING_ASSIGNMENT = ("submitted", "registered")
WITH_MEDIATOR = ("assigned", "accepted", "mediating")
RESOLVED_STATES = ("resolved", "confirming", "revisited", "closed")


def now_of(values: Mapping[str, Any]) -> dt.datetime:
    return values.get("now") or timezone.now()


# Guards: who may act, always inside their jurisdiction.
def centre(actor: Any, dispute: Any) -> bool:
    """A dispatcher (or administrator) of a centre whose jurisdiction covers the case."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return actor.has_role(Role.DISPATCHER, Role.ADMIN) and scoping.covers(actor, dispute.grid_path)


def mediator(actor: Any, dispute: Any) -> bool:
    """The mediator the case is assigned to."""
    if not getattr(actor, "is_authenticated", False) or dispute.mediator_id is None:
        return False
    return bool(dispute.mediator.user_id == actor.pk)


def organisation_leader(actor: Any, dispute: Any) -> bool:
    """The leader of the organisation the centre handed the case to: they assign one of its own members."""
    if not getattr(actor, "is_authenticated", False) or dispute.organisation_id is None:
        return False
    return bool(dispute.organisation.leader_id == actor.pk)


def centre_or_organisation_leader(actor: Any, dispute: Any) -> bool:
    """The centre, or the leader of the organisation the case was handed to."""
    return centre(actor, dispute) or organisation_leader(actor, dispute)


def mediator_or_centre(actor: Any, dispute: Any) -> bool:
    """The assigned mediator, or the centre."""
    return mediator(actor, dispute) or centre(actor, dispute)


def referring_court(actor: Any, dispute: Any) -> bool:
    """The court that referred the case (诉前委派), sending back its outcome through its API key."""
    referrer = getattr(actor, "referrer", None)
    return referrer is not None and referrer.source == "court" and dispute.referrer_id == referrer.pk


def mediator_centre_or_court(actor: Any, dispute: Any) -> bool:
    """The assigned mediator, the centre, or the court that referred the case."""
    return mediator_or_centre(actor, dispute) or referring_court(actor, dispute)


def applicant_or_centre(actor: Any, dispute: Any) -> bool:
    """The applicant on the public page (with the private link from the receipt), or the centre on their behalf."""
    return actor is None or not getattr(actor, "is_authenticated", False) or centre(actor, dispute)


# Effects: time points (the clocks are declared in disputes.clocks).
def on_register(d: Any, values: Mapping[str, Any]) -> None:
    now = now_of(values)
    d.registered_at = now
    if values.get("type") is not None and values["type"] != d.type:
        # A type corrected on registration brings its own ladder; nothing was mediated on the old one yet.
        d.type = values["type"]
        d.ladder = tiers.ladder_code(d.type.ladder)
        d.tier = 0
    if values.get("risk"):
        d.risk = values["risk"]
        d.risk_reason = values.get("risk_reason") or d.risk_reason
    if d.risk == Risk.RED:
        d.tier = max(d.tier, tiers.township_tier(d.ladder).index)


def on_assign(d: Any, values: Mapping[str, Any]) -> None:
    now = now_of(values)
    d.mediator = values["mediator"]
    d.organisation = values["mediator"].organisation
    d.assigned_at = now
    d.first_update_at = None
    d.decline_reason = ""


def on_hand_off(d: Any, values: Mapping[str, Any]) -> None:
    d.organisation = values["organisation"]


def on_seat_panel(d: Any, values: Mapping[str, Any]) -> None:
    on_assign(d, {**values, "mediator": values["lead"]})


def first_update(d: Any, values: Mapping[str, Any]) -> None:
    if d.first_update_at is None:
        d.first_update_at = now_of(values)


def on_accept(d: Any, values: Mapping[str, Any]) -> None:
    d.accepted_at = now_of(values)
    first_update(d, values)


def on_unassign(d: Any, values: Mapping[str, Any]) -> None:
    d.decline_reason = values.get("note", "")
    d.mediator = None
    d.organisation = None
    d.first_update_at = None
    d.panel.all().delete()  # a panel serves one assignment; members lose the case with its lead


def on_session(d: Any, values: Mapping[str, Any]) -> None:
    first_update(d, values)
    if d.first_session_at is None:
        d.first_session_at = values.get("held_at") or now_of(values)


def on_resolve(d: Any, values: Mapping[str, Any]) -> None:
    now = now_of(values)
    first_update(d, values)
    d.result = values["result"]
    d.concluded_at = now


def on_fail(d: Any, values: Mapping[str, Any]) -> None:
    first_update(d, values)
    d.result = values.get("note", "")


def on_escalate(d: Any, values: Mapping[str, Any]) -> None:
    ladder = tiers.tiers(d.ladder)
    if d.tier + 1 >= len(ladder):
        raise WorkflowError(
            str(_("已是最高调解层级（%(tier)s），请移送法院或仲裁。") % {"tier": ladder[-1].name}),
            code=CoreErrorCode.TOP_TIER,
        )
    d.tier += 1
    on_unassign(d, values)
    d.decline_reason = ""  # the next tier gets a new assign clock (disputes.clocks)


def on_refer(d: Any, values: Mapping[str, Any]) -> None:
    d.referral_to = values["referral_to"]
    d.referral_letter = values.get("letter", "")
    d.concluded_at = now_of(values)


def on_withdraw(d: Any, values: Mapping[str, Any]) -> None:
    d.result = values.get("note", "")
    d.concluded_at = now_of(values)


def on_request_confirmation(d: Any, values: Mapping[str, Any]) -> None:
    d.confirmation_requested_at = now_of(values)


def on_confirmation(d: Any, values: Mapping[str, Any]) -> None:
    d.confirmation_outcome = values["outcome"]
    d.confirmed_at = now_of(values)


def on_revisit(d: Any, values: Mapping[str, Any]) -> None:
    d.revisit_note = values.get("note", "")
    d.revisited_at = now_of(values)


def on_close(d: Any, values: Mapping[str, Any]) -> None:
    d.closed_at = now_of(values)


DISPUTE_FLOW = Workflow(
    name="dispute",
    states=STATES,
    initial="submitted",
    verbs={
        "submit": (_("提交纠纷"), _("纠纷已提交")),
        "red_alert": (_("红色预警通报"), None),
        "take_charge": (_("确定包案领导"), None),
        "supervise": (_("领导督办"), None),
        "update": (_("调解进展"), _("调解员更新了进度")),
        "agreement": (_("生成调解协议"), _("已形成调解协议书")),
        "agreement_signed": (_("上传签字协议"), _("调解协议书已签署")),
        "agreement_download": (_("下载调解协议"), None),
        "referral_download": (_("下载移送函"), None),
        "duplicate_cleared": (_("解除疑似重复"), None),
        "feedback_download": (_("下载结果反馈函"), None),
        "party_link": (_("发送当事人链接"), None),
        "party_link_revoked": (_("作废当事人链接"), None),
        "session_scheduled": (_("安排线上调解"), _("已安排线上视频调解")),
        "session_joined": (_("当事人进入线上调解"), None),
        "signed": (_("当事人在线签名"), None),
        "agreement_esigned": (_("当事人签署协议"), _("调解协议书已由当事人签署")),
        "rate": (_("申请人评价"), _("申请人已评价")),
    },
    transitions=[
        Transition(
            "register",
            "submitted",
            "registered",
            label=_("受理"),
            public=_("综治中心已受理"),
            allowed=centre,
            effect=on_register,
        ),
        Transition(
            "assign",
            "registered",
            "assigned",
            label=_("分配调解员"),
            public=_("已分派调解员"),
            allowed=centre_or_organisation_leader,
            requires=["mediator"],
            effect=on_assign,
        ),
        Transition(
            "hand_off",
            "registered",
            "registered",
            label=_("移交调解组织"),
            public=_("已移交专业调解组织"),
            allowed=centre,
            requires=["organisation"],
            effect=on_hand_off,
        ),
        Transition(
            "seat_panel",
            "registered",
            "assigned",
            label=_("组成调解团队"),
            public=_("已组成调解团队"),
            allowed=centre_or_organisation_leader,
            requires=["lead"],
            effect=on_seat_panel,
        ),
        Transition(
            "accept",
            "assigned",
            "accepted",
            label=_("接受"),
            public=_("调解员已接单"),
            allowed=mediator,
            effect=on_accept,
        ),
        Transition(
            "decline",
            "assigned",
            "registered",
            label=_("拒绝"),
            public=_("正在重新分派调解员"),
            allowed=mediator,
            note_required=True,
            effect=on_unassign,
        ),
        Transition(
            "recall",
            ["assigned", "accepted"],
            "registered",
            label=_("收回重新分配"),
            public=_("正在重新分派调解员"),
            allowed=centre,
            note_required=True,
            effect=on_unassign,
        ),
        Transition(
            "record_session",
            ["accepted", "mediating"],
            "mediating",
            label=_("记录调解"),
            public=_("已开展调解"),
            allowed=mediator,
            requires=["participants", "notes"],
            effect=on_session,
        ),
        Transition(
            "resolve",
            "mediating",
            "resolved",
            label=_("调解成功"),
            public=_("调解成功"),
            allowed=mediator,
            requires=["result"],
            effect=on_resolve,
        ),
        Transition(
            "fail",
            ["accepted", "mediating"],
            "unresolved",
            label=_("调解未成功"),
            public=_("本级调解未成功"),
            allowed=mediator,
            note_required=True,
            effect=on_fail,
        ),
        Transition(
            "escalate",
            "unresolved",
            "registered",
            label=_("升级调解"),
            public=_("已升级调解"),
            allowed=mediator_or_centre,
            effect=on_escalate,
        ),
        Transition(
            "refer",
            "unresolved",
            "referred",
            label=_("移送法院/仲裁"),
            public=_("已移送法院/仲裁机构"),
            allowed=mediator_or_centre,
            requires=["referral_to"],
            effect=on_refer,
        ),
        Transition(
            "withdraw",
            list(OPEN_STATES),
            "withdrawn",
            label=_("撤回申请"),
            public=_("申请已撤回"),
            allowed=applicant_or_centre,
            note_required=True,
            effect=on_withdraw,
        ),
        Transition(
            "request_confirmation",
            "resolved",
            "confirming",
            label=_("申请司法确认"),
            public=_("已申请司法确认"),
            allowed=mediator_or_centre,
            effect=on_request_confirmation,
        ),
        Transition(
            "record_confirmation",
            "confirming",
            "resolved",
            label=_("登记司法确认结果"),
            public=_("司法确认已有结果"),
            allowed=mediator_centre_or_court,
            requires=["outcome"],
            effect=on_confirmation,
        ),
        Transition(
            "revisit",
            "resolved",
            "revisited",
            label=_("回访"),
            public=_("已回访"),
            allowed=mediator_or_centre,
            note_required=True,
            effect=on_revisit,
        ),
        Transition(
            "close", "revisited", "closed", label=_("结案"), public=_("已结案"), allowed=centre, effect=on_close
        ),
    ],
)
