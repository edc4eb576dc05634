"""Commands of dispute routing: where a registered case goes besides one mediator, and how red-risk cases go up.

The centre may keep a case and assign it (``services.assign``), hand it to an industry organisation or a township
committee whose leader then assigns one of its members (``hand_to_organisation``), or seat a panel of one lead and
further members (``seat_panel``). A red-risk or group case alerts the leaders, the police and the stability office at
once (``raise_alarm``), gets a responsible leader and a plan (包案领导, 一案一策: ``take_charge``), and the leader
records supervision (``supervise``). Same conventions as ``services``: actor first, ``now`` last, one transaction,
every change audited through the workflow table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Department, Membership, Role, User
from fengqiao.accounts.selectors import handlers_of, members_above
from fengqiao.core import audit
from fengqiao.core.errors import CoreErrorCode, DomainError, WorkflowError
from fengqiao.core.scoping import ancestor_paths
from fengqiao.core.signals import notify
from fengqiao.disputes import tiers
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Dispute, LeaderNote, Mediator, MediatorKind, Organisation, PanelSeat, Risk
from fengqiao.disputes.services import _url, serves, township_leaders
from fengqiao.disputes.validation import IntakeError
from fengqiao.disputes.workflow import DISPUTE_FLOW, OPEN_STATES, centre, organisation_leader

# Who may sit on a panel besides the kinds the tier takes (the lead always fits the tier, as in assignment).
PANEL_EXTRA_KINDS = (MediatorKind.JUDGE, MediatorKind.JUSTICE, MediatorKind.LAWYER, MediatorKind.ELDER)
MAX_PANEL_MEMBERS = 6
HANDED_KINDS = (Organisation.Kind.INDUSTRY, Organisation.Kind.TOWNSHIP)
MAX_PLAN = 4000


def needs_leader(dispute: Dispute) -> bool:
    """Red-risk and group disputes get a responsible leader and a plan (包案领导, 一案一策)."""
    return dispute.risk == Risk.RED or dispute.is_group


def _tell(dispute: Dispute, recipients: Sequence[User | None], *, kind: str, title: str, body: str = "") -> None:
    people = list({u.pk: u for u in recipients if u is not None}.values())
    if people:
        notify.send(
            sender=Dispute,
            recipients=people,
            kind=kind,
            title=title,
            body=body or dispute.summary[:100],
            url=_url(dispute),
            target=dispute,
        )


# Handing on.
def hand_to_organisation(
    *, actor: User, dispute: Dispute, organisation: Organisation, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """交办调解组织: the centre hands a registered case to an industry organisation or a township committee serving
    its area; the organisation's leader then assigns one of its members."""
    if organisation is None:
        raise IntakeError(_("请选择调解组织。"), code=DisputeErrorCode.ORGANISATION_REQUIRED)
    if (
        not organisation.active
        or organisation.kind not in HANDED_KINDS
        or not dispute.grid_path.startswith(organisation.node_path)
    ):
        raise DomainError(
            _("“%(org)s”不是服务于该纠纷所在区域的行业性专业性调解组织或乡镇（街道）调解委员会。")
            % {"org": organisation.name},
            code=DisputeErrorCode.ORGANISATION_OUTSIDE,
        )
    if organisation.leader_id is None:
        raise DomainError(
            _("“%(org)s”尚未设置负责人，无人可以分派调解员，请先在调解组织中设置负责人。") % {"org": organisation.name},
            code=DisputeErrorCode.ORGANISATION_OUTSIDE,
        )
    with transaction.atomic():
        DISPUTE_FLOW.apply(dispute, "hand_off", actor=actor, note=note, organisation=organisation, now=now)
    members = [m.user for m in organisation.members.filter(active=True).select_related("user")]
    leader = organisation.leader
    transaction.on_commit(
        lambda: _tell(
            dispute,
            [leader, *members],
            kind="dispute_handed",
            title=_("综治中心将纠纷 %(code)s 交由%(org)s调解，请负责人分派调解员")
            % {"code": dispute.tracking_code, "org": organisation.name},
        )
    )
    return dispute


def _panel_fits(mediator: Mediator, tier: tiers.Tier) -> bool:
    return tier.accepts(mediator.kind) or mediator.kind in PANEL_EXTRA_KINDS


def seat_panel(
    *,
    actor: User,
    dispute: Dispute,
    lead: Mediator,
    members: Sequence[Mediator],
    note: str = "",
    now: dt.datetime | None = None,
) -> Dispute:
    """组成调解团队 (1 lead + N): the lead becomes the case's mediator (the mediator's steps are theirs); the members,
    each of a kind the tier takes or a judge, judicial-office mediator, lawyer or elder, may read the case."""
    if lead is None:
        raise WorkflowError(_("请选择主调调解员。"), code=DisputeErrorCode.MEDIATOR_REQUIRED)
    members = list(members)
    if not members:
        raise DomainError(_("调解团队至少需要一名主调之外的成员。"), code=DisputeErrorCode.PANEL_INVALID)
    if len(members) > MAX_PANEL_MEMBERS:
        raise DomainError(
            _("调解团队除主调外最多 %(n)s 人。") % {"n": MAX_PANEL_MEMBERS}, code=DisputeErrorCode.PANEL_INVALID
        )
    if len({m.pk for m in members} | {lead.pk}) != len(members) + 1:
        raise DomainError(_("调解团队成员不能重复，主调也不能兼任成员。"), code=DisputeErrorCode.PANEL_INVALID)
    current = tiers.tier(dispute.tier, dispute.ladder)
    tiers.require_kind(dispute, lead)
    for m in [lead, *members]:
        if not serves(m, dispute):
            raise DomainError(
                _("调解员 %(m)s 不服务于该纠纷所在区域。") % {"m": m.user}, code=DisputeErrorCode.MEDIATOR_OUTSIDE
            )
        if (
            not centre(actor, dispute)
            and organisation_leader(actor, dispute)
            and m.organisation_id != dispute.organisation_id
        ):
            raise DomainError(
                _("只能从本调解组织的调解员中组成调解团队。"), code=DisputeErrorCode.NOT_ORGANISATION_MEMBER
            )
    for m in members:
        if not _panel_fits(m, current):
            raise DomainError(
                _(
                    "%(m)s（%(kind)s）不能进入“%(tier)s”的调解团队：成员须为%(kinds)s，或法官、司法所调解员、律师、五老乡贤。"
                )
                % {"m": m.user, "kind": m.get_kind_display(), "tier": current.name, "kinds": current.kind_names},
                code=DisputeErrorCode.MEDIATOR_WRONG_KIND,
            )
    now = now or timezone.now()
    with transaction.atomic():
        DISPUTE_FLOW.apply(
            dispute, "seat_panel", actor=actor, note=note, lead=lead, members=[str(m) for m in members], now=now
        )
        dispute.panel.all().delete()
        PanelSeat.objects.create(dispute=dispute, mediator=lead, lead=True, seated_at=now)
        for m in members:
            PanelSeat.objects.create(dispute=dispute, mediator=m, lead=False, seated_at=now)
    transaction.on_commit(
        lambda: _tell(
            dispute,
            [lead.user],
            kind="assignment",
            title=_("您被指定为纠纷 %(code)s 调解团队的主调，请在 24 小时内接受并更新进度")
            % {"code": dispute.tracking_code},
        )
    )
    transaction.on_commit(
        lambda: _tell(
            dispute,
            [m.user for m in members],
            kind="dispute_panel",
            title=_("您已加入纠纷 %(code)s 的调解团队") % {"code": dispute.tracking_code},
        )
    )
    return dispute


# Red risk goes up.
def _covering_departments(dispute: Dispute, kind: str) -> list[Department]:
    return list(Department.objects.filter(kind=kind, active=True, node_path__in=ancestor_paths(dispute.grid_path)))


def alarm_recipients(dispute: Dispute) -> list[User]:
    """Beyond the township's leaders: the leaders above the case, the handlers of the police and of the stability
    office (维稳) whose area covers it."""
    people = members_above(dispute.grid_path, [Role.LEADER])
    for kind in (Department.Kind.POLICE, Department.Kind.STABILITY):
        for department in _covering_departments(dispute, kind):
            people.extend(handlers_of(department))
    return people


def raise_alarm(dispute: Dispute, *, now: dt.datetime | None = None) -> bool:
    """红色预警通报: tell the township's leaders, the leaders above, the police and the stability office of a
    red-risk or group case, once (``alerted_at`` is stamped); call it after commit. Returns whether it was sent."""
    if not needs_leader(dispute):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        if not Dispute.objects.filter(pk=dispute.pk, alerted_at__isnull=True).update(alerted_at=now):
            return False
        dispute.alerted_at = now
        township = township_leaders(dispute)
        others = [u for u in alarm_recipients(dispute) if u.pk not in {t.pk for t in township}]
        audit.record(
            actor=None,
            verb="red_alert",
            target=dispute,
            note=_("已通报 %(n)s 人（乡镇领导、公安、维稳）") % {"n": len(township) + len(others)},
            workflow=DISPUTE_FLOW.name,
            data={"recipients": [u.pk for u in [*township, *others]]},
        )
    what = _("红色风险") if dispute.risk == Risk.RED else _("群体性")
    _tell(
        dispute,
        township,
        kind="dispute_red",
        title=_("红色风险矛盾纠纷 %(code)s 已直接提级到乡镇（街道）") % {"code": dispute.tracking_code}
        if dispute.risk == Risk.RED
        else _("群体性矛盾纠纷 %(code)s，请确定包案领导") % {"code": dispute.tracking_code},
        body=f"{dispute.risk_reason} {dispute.summary[:80]}",
    )
    _tell(
        dispute,
        others,
        kind="dispute_red",
        title=_("%(what)s矛盾纠纷 %(code)s 预警通报") % {"what": what, "code": dispute.tracking_code},
        body=f"{dispute.risk_reason} {dispute.summary[:80]}",
    )
    return True


def may_lead(user: User, dispute: Dispute) -> bool:
    """Whether ``user`` holds an active leader post whose area covers the case."""
    return Membership.objects.filter(
        user=user, role=Role.LEADER, active=True, node_path__in=ancestor_paths(dispute.grid_path)
    ).exists()


def leader_choices(dispute: Dispute) -> list[User]:
    """The leaders who may take charge of the case, nearest first."""
    return members_above(dispute.grid_path, [Role.LEADER])


def take_charge(*, actor: User, dispute: Dispute, leader: User, plan: str, now: dt.datetime | None = None) -> Dispute:
    """包案领导 and 一案一策: the centre names the leader responsible for a red-risk or group case and its plan."""
    if not centre(actor, dispute):
        raise WorkflowError(_("只有综治中心可以确定包案领导。"), code=CoreErrorCode.NOT_PERMITTED)
    if dispute.state not in OPEN_STATES:
        raise WorkflowError(_("该纠纷已办结，不能再确定包案领导。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
    if not needs_leader(dispute):
        raise DomainError(_("只有红色风险或群体性纠纷需要确定包案领导。"), code=DisputeErrorCode.NOT_RED)
    if leader is None:
        raise IntakeError(_("请选择包案领导。"), code=DisputeErrorCode.LEADER_REQUIRED)
    if not may_lead(leader, dispute):
        raise DomainError(
            _("%(u)s 不是该纠纷所在区域的领导，不能包案。") % {"u": leader}, code=DisputeErrorCode.LEADER_OUTSIDE
        )
    plan = (plan or "").strip()
    if len(plan) < 5:
        raise IntakeError(_("请填写化解方案（一案一策），至少 5 个字。"), code=DisputeErrorCode.PLAN_REQUIRED)
    if len(plan) > MAX_PLAN:
        raise IntakeError(_("化解方案不能超过 %(n)s 字。") % {"n": MAX_PLAN}, code=DisputeErrorCode.TOO_LONG)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        locked.leader, locked.plan = leader, plan
        locked.save(update_fields=["leader", "plan", "updated_at"])
        dispute.leader, dispute.plan = leader, plan
        audit.record(
            actor=actor,
            verb="take_charge",
            target=dispute,
            note=plan,
            workflow=DISPUTE_FLOW.name,
            data={"leader": {"pk": leader.pk, "repr": str(leader)}},
        )
    transaction.on_commit(
        lambda: _tell(
            dispute,
            [leader],
            kind="dispute_lead",
            title=_("您已被确定为纠纷 %(code)s 的包案领导") % {"code": dispute.tracking_code},
            body=plan[:100],
        )
    )
    return dispute


def supervise(*, actor: User, dispute: Dispute, text: str, now: dt.datetime | None = None) -> LeaderNote:
    """领导督办: the responsible leader records what they did or ordered; the mediator and the centre are told."""
    if not getattr(actor, "is_authenticated", False) or dispute.leader_id != actor.pk:
        raise WorkflowError(_("只有该纠纷的包案领导可以填写督办意见。"), code=DisputeErrorCode.NOT_THE_LEADER)
    text = (text or "").strip()
    if len(text) < 2:
        raise IntakeError(_("请填写督办意见，至少 2 个字。"), code=DisputeErrorCode.TOO_SHORT)
    if len(text) > MAX_PLAN:
        raise IntakeError(_("督办意见不能超过 %(n)s 字。") % {"n": MAX_PLAN}, code=DisputeErrorCode.TOO_LONG)
    with transaction.atomic():
        note = LeaderNote.objects.create(dispute=dispute, author=actor, text=text, at=now or timezone.now())
        audit.record(actor=actor, verb="supervise", target=dispute, note=text, workflow=DISPUTE_FLOW.name)
    told = members_above(dispute.grid_path, [Role.DISPATCHER])
    if dispute.mediator_id is not None and dispute.mediator is not None:
        told.append(dispute.mediator.user)
    transaction.on_commit(
        lambda: _tell(
            dispute,
            told,
            kind="supervision",
            title=_("包案领导对纠纷 %(code)s 作出督办意见") % {"code": dispute.tracking_code},
            body=text[:100],
        )
    )
    return note
