"""Commands of residents' participation (居民参与): a community's scheme, rules and supermarket items, residents'
registration, awards and reversals on the append-only ledger, and redemptions in the love supermarket.

Every change of a balance is one conditional UPDATE in the same transaction as its ledger entry: concurrent
awards, reversals and redemptions serialise on the participant's row, and a redemption or reversal that the
balance does not cover changes nothing (the database's CHECK constraint is the last guard).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core import audit
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.attachments import attach, read_uploads
from fengqiao.core.errors import CoreErrorCode, DomainError, NotFound, OutsideJurisdiction
from fengqiao.core.validators import PhoneError, normalise_phone
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import selectors
from fengqiao.participation.errors import ParticipationErrorCode as Code
from fengqiao.participation.models import (
    Claim,
    Entry,
    Item,
    Participant,
    Redemption,
    Review,
    Rule,
    Scheme,
    Task,
    Team,
)

PURPOSE_TEXT = gettext_lazy(
    "您填写的姓名和手机号仅用于本社区居民积分登记、积分兑换和积分榜（积分榜只显示姓氏），"
    "由社区综治中心按《个人信息保护法》保管，不向无关第三方提供。"
)

audit.register_verbs(
    {
        "points_scheme_open": gettext_lazy("开通社区积分"),
        "points_rule_add": gettext_lazy("新增积分规则"),
        "points_rule_toggle": gettext_lazy("启用或停用积分规则"),
        "points_item_add": gettext_lazy("爱心超市上架商品"),
        "points_item_restock": gettext_lazy("爱心超市补货"),
        "points_register": gettext_lazy("居民扫码登记积分"),
        "points_reissue": gettext_lazy("补办个人积分码"),
        "points_award": gettext_lazy("确认积分"),
        "points_reverse": gettext_lazy("冲正积分"),
        "points_redeem": gettext_lazy("爱心超市兑换"),
        "points_team_add": gettext_lazy("组建志愿队伍"),
        "points_team_members": gettext_lazy("调整志愿队伍队员"),
        "points_task_post": gettext_lazy("发布志愿任务或巡逻班次"),
        "points_task_claim": gettext_lazy("居民认领任务"),
        "points_task_cancel": gettext_lazy("居民取消认领"),
        "points_task_record": gettext_lazy("记录群防巡逻或志愿任务"),
        "points_party_review": gettext_lazy("党员双报到季度评议"),
    }
)


def _require_centre(actor: Caller, community_path: str) -> None:
    if not (signed_in(actor) and selectors.is_centre(actor, community_path)):
        raise OutsideJurisdiction(_("积分规则和爱心超市商品由社区综治中心管理。"), code=Code.NOT_COMMUNITY_STAFF)


def _require_staff(actor: Caller, community_path: str) -> None:
    if not (signed_in(actor) and selectors.serves(actor, community_path)):
        raise OutsideJurisdiction(_("只有本社区的网格员或社区综治中心可以办理。"), code=Code.NOT_COMMUNITY_STAFF)


def may_confirm(actor: Caller, rule: Rule) -> bool:
    if not signed_in(actor):
        return False
    if selectors.is_centre(actor, rule.community_path):
        return True
    return rule.confirmer == Rule.Confirmer.GRID and selectors.is_field(actor, rule.community_path)


# The centre's settings.


def open_scheme(*, actor: Caller, community: GridNode) -> Scheme:
    """开通: the centre opens its community's points scheme, with the QR code for the notice board."""
    if community.level != Level.COMMUNITY:
        raise DomainError(_("积分制按社区（村）开通。"))
    _require_centre(actor, community.path)
    with transaction.atomic():
        scheme, created = Scheme.objects.get_or_create(
            community=community, defaults={"token": secrets.token_urlsafe(12)}
        )
        if created:
            audit.record(actor=actor, verb="points_scheme_open", target=scheme)
    return scheme


def add_rule(
    *, actor: Caller, scheme: Scheme, label: str, points: int, confirmer: str, period: str, limit: int
) -> Rule:
    _require_centre(actor, scheme.community_path)
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(_("请填写积分事项。"))
    if not 1 <= points <= 1000 or not 1 <= limit <= 100:
        raise DomainError(_("积分应在 1 到 1000 之间，每周期次数在 1 到 100 之间。"), code=Code.BAD_QUANTITY)
    if confirmer not in Rule.Confirmer.values or period not in Rule.Period.values:
        raise DomainError(_("请选择确认人和限次周期。"))
    with transaction.atomic():
        rule = Rule(scheme=scheme, label=label[:100], points=points, confirmer=confirmer, period=period, limit=limit)
        rule.save()
        audit.record(actor=actor, verb="points_rule_add", target=rule, data={"points": points, "limit": limit})
    return rule


def set_rule_active(*, actor: Caller, rule: Rule, active: bool) -> Rule:
    _require_centre(actor, rule.community_path)
    with transaction.atomic():
        Rule.objects.filter(pk=rule.pk).update(active=active)
        rule.active = active
        audit.record(actor=actor, verb="points_rule_toggle", target=rule, data={"active": active})
    return rule


def add_item(*, actor: Caller, scheme: Scheme, name: str, price: int, stock: int) -> Item:
    _require_centre(actor, scheme.community_path)
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("请填写商品名称。"))
    if not 1 <= price <= 100000 or not 0 <= stock <= 100000:
        raise DomainError(_("兑换积分应为正数，库存不能为负数。"), code=Code.BAD_QUANTITY)
    with transaction.atomic():
        item = Item(scheme=scheme, name=name[:100], price=price, stock=stock)
        item.save()
        audit.record(actor=actor, verb="points_item_add", target=item, data={"price": price, "stock": stock})
    return item


def restock(*, actor: Caller, item: Item, quantity: int) -> Item:
    _require_centre(actor, item.community_path)
    if not 1 <= quantity <= 100000:
        raise DomainError(_("补货数量应在 1 到 100000 之间。"), code=Code.BAD_QUANTITY)
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(stock=F("stock") + quantity)
        item.refresh_from_db(fields=["stock"])
        audit.record(actor=actor, verb="points_item_restock", target=item, data={"quantity": quantity})
    return item


# Residents.


@dataclass(frozen=True)
class ParticipantForm:
    name: str
    phone: str
    kind: str
    party_unit: str
    consent: bool


def register_participant(
    *, scheme: Scheme, data: ParticipantForm, now: dt.datetime | None = None
) -> tuple[Participant, str]:
    """居民扫码登记: a resident joins the community's scheme with no account. Returns the participant and the
    personal code that opens their page (shown once; only its digest is kept)."""
    now = now or timezone.now()
    if not data.consent:
        raise DomainError(_("请阅读并勾选同意个人信息处理说明后再提交。"), code=Code.CONSENT_REQUIRED)
    name = " ".join((data.name or "").split())
    if not name or len(name) > 50:
        raise DomainError(_("请填写您的姓名（50 字以内）。"))
    try:
        phone = normalise_phone(data.phone)
    except PhoneError:
        raise DomainError(
            _("联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。"), code=CoreErrorCode.BAD_PHONE
        ) from None
    if not phone:
        raise DomainError(_("请填写您的手机号。"), code=CoreErrorCode.PHONE_REQUIRED)
    if data.kind not in Participant.Kind.values:
        raise DomainError(_("请选择您的身份。"))
    party_unit = " ".join((data.party_unit or "").split())[:100] if data.kind == Participant.Kind.PARTY_MEMBER else ""
    code, digest = selectors.new_code()
    participant = Participant(
        scheme=scheme,
        name=name,
        phone=phone,
        kind=data.kind,
        party_unit=party_unit,
        code_index=digest,
        consented_at=now,
        registered_at=now,
    )
    try:
        with transaction.atomic():
            participant.save()
            audit.record(actor=None, verb="points_register", target=participant, data={"kind": data.kind})
    except IntegrityError:
        raise DomainError(
            _("这个手机号已在本社区登记过积分。如忘记个人积分码，请到社区综治中心补办。"),
            code=Code.PARTICIPANT_EXISTS,
        ) from None
    return participant, code


def reissue_code(*, actor: Caller, participant: Participant) -> str:
    """补办积分码: the centre gives a resident who lost their code a new one (shown once); the old one stops working."""
    _require_centre(actor, participant.community_path)
    code, digest = selectors.new_code()
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(code_index=digest)
        participant.code_index = digest
        audit.record(actor=actor, verb="points_reissue", target=participant)
    return code


# The ledger.


def _credit(participant: Participant, points: int) -> None:
    """Add ``points`` (negative to take) to the balance, refusing to go below zero: one conditional UPDATE."""
    rows = Participant.objects.filter(pk=participant.pk)
    if points < 0:
        rows = rows.filter(balance__gte=-points)
    if not rows.update(balance=F("balance") + points):
        raise DomainError(
            _("积分余额不足：当前余额不够扣减 %(n)s 分。") % {"n": -points}, code=Code.INSUFFICIENT_POINTS
        )


def _award_entry(*, participant: Participant, rule: Rule, confirmer_id: int, note: str, now: dt.datetime) -> Entry:
    """The award's ledger entry and balance, within the rule's period limit (call inside a transaction)."""
    # The balance update first: it locks the participant's row, so two awards at once count each other.
    _credit(participant, rule.points)
    if selectors.awards_in_period(participant, rule, now) >= rule.limit:
        raise DomainError(
            _("“%(rule)s”%(period)s最多 %(n)s 次，本周期已达上限。")
            % {"rule": rule.label, "period": rule.get_period_display(), "n": rule.limit},
            code=Code.PERIOD_LIMIT,
        )
    return Entry.objects.create(
        participant=participant,
        kind=Entry.Kind.AWARD,
        points=rule.points,
        rule=rule,
        note=" ".join((note or "").split())[:200],
        confirmer_id=confirmer_id,
        at=now,
    )


def award(
    *, actor: Caller, participant: Participant, rule: Rule, note: str = "", now: dt.datetime | None = None
) -> Entry:
    """确认积分: a confirmer of the community awards points under one of its rules, within the rule's limit."""
    now = now or timezone.now()
    _require_staff(actor, participant.community_path)
    if rule.scheme_id != participant.scheme_id or not rule.active:
        raise NotFound(_("没有找到这条积分规则。"))
    if not may_confirm(actor, rule):
        raise OutsideJurisdiction(_("这条规则须由社区综治中心确认。"), code=Code.NOT_COMMUNITY_STAFF)
    assert signed_in(actor)
    with transaction.atomic():
        entry = _award_entry(participant=participant, rule=rule, confirmer_id=actor.pk, note=note, now=now)
        audit.record(
            actor=actor, verb="points_award", target=participant, data={"entry": entry.pk, "points": rule.points}
        )
    participant.refresh_from_db(fields=["balance"])
    return entry


def reverse_entry(*, actor: Caller, entry: Entry, reason: str, now: dt.datetime | None = None) -> Entry:
    """冲正: an award given in error is taken back by a negative entry pointing at it, once, with the reason; the
    balance must still cover it (points already spent cannot be taken back)."""
    now = now or timezone.now()
    _require_staff(actor, entry.community_path)
    if entry.kind != Entry.Kind.AWARD or entry.rule is None:
        raise DomainError(_("只有获得积分的记录可以冲正。"), code=Code.NOT_REVERSIBLE)
    if not may_confirm(actor, entry.rule):
        raise OutsideJurisdiction(_("这条规则须由社区综治中心确认。"), code=Code.NOT_COMMUNITY_STAFF)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("请填写冲正原因。"), code=CoreErrorCode.NOTE_REQUIRED)
    assert signed_in(actor)
    participant = entry.participant
    already = DomainError(_("这条记录已经冲正过，不能重复冲正。"), code=Code.ALREADY_REVERSED)
    if Entry.objects.filter(reverses=entry).exists():
        raise already
    try:
        with transaction.atomic():
            _credit(participant, -entry.points)
            reversal = Entry.objects.create(
                participant=participant,
                kind=Entry.Kind.REVERSAL,
                points=-entry.points,
                rule=entry.rule,
                note=reason[:200],
                confirmer_id=actor.pk,
                reverses=entry,
                at=now,
            )
            audit.record(
                actor=actor,
                verb="points_reverse",
                target=participant,
                note=reason[:200],
                data={"entry": entry.pk, "reversal": reversal.pk, "points": -entry.points},
            )
    except IntegrityError:  # another reversal of the same entry got there first (the pointer is unique)
        raise already from None
    return reversal


# The love supermarket.


def redeem(
    *, actor: Caller, participant: Participant, item: Item, quantity: int, now: dt.datetime | None = None
) -> Redemption:
    """爱心超市兑换: all or nothing — the balance and the stock are taken by conditional UPDATEs, the ledger entry,
    the redemption and the audit row are written, or nothing is."""
    now = now or timezone.now()
    _require_staff(actor, participant.community_path)
    if item.scheme_id != participant.scheme_id:
        raise NotFound(_("没有找到这件商品。"))
    if not 1 <= quantity <= 99:
        raise DomainError(_("兑换数量应在 1 到 99 之间。"), code=Code.BAD_QUANTITY)
    assert signed_in(actor)
    with transaction.atomic():
        cost = item.price * quantity
        _credit(participant, -cost)
        if not Item.objects.filter(pk=item.pk, active=True, stock__gte=quantity).update(stock=F("stock") - quantity):
            raise DomainError(_("“%(item)s”库存不足。") % {"item": item.name}, code=Code.OUT_OF_STOCK)
        redemption = Redemption.objects.create(
            participant=participant,
            community_path=participant.community_path,
            item=item,
            quantity=quantity,
            cost=cost,
            shopkeeper_id=actor.pk,
            at=now,
        )
        Entry.objects.create(
            participant=participant,
            kind=Entry.Kind.REDEMPTION,
            points=-cost,
            note=f"{item.name} × {quantity}",
            confirmer_id=actor.pk,
            redemption=redemption,
            at=now,
        )
        audit.record(
            actor=actor,
            verb="points_redeem",
            target=participant,
            data={"redemption": redemption.pk, "item": item.name, "quantity": quantity, "cost": cost},
        )
    participant.refresh_from_db(fields=["balance"])
    item.refresh_from_db(fields=["stock"])
    return redemption


# Teams (队伍).


def add_team(*, actor: Caller, scheme: Scheme, name: str, kind: str) -> Team:
    """组建队伍: the community's staff set up a volunteer team."""
    _require_staff(actor, scheme.community_path)
    name = " ".join((name or "").split())
    if not name or len(name) > 60:
        raise DomainError(_("请填写队伍名称（60 字以内）。"))
    if kind not in Team.Kind.values:
        raise DomainError(_("请选择队伍类型。"))
    try:
        with transaction.atomic():
            team = Team(scheme=scheme, name=name, kind=kind)
            team.save()
            audit.record(actor=actor, verb="points_team_add", target=team, data={"kind": kind})
    except IntegrityError:
        raise DomainError(_("本社区已有同名的队伍。")) from None
    return team


def set_team_members(*, actor: Caller, team: Team, members: Sequence[int], leader: int | None) -> Team:
    """队员和队长: every member must be a participant of the team's community; the leader is one of them."""
    _require_staff(actor, team.community_path)
    wanted = set(members) | ({leader} if leader else set())
    found = {p.pk: p for p in Participant.objects.filter(scheme_id=team.scheme_id, pk__in=wanted)}
    if set(found) != wanted:
        raise NotFound(_("没有找到所选的参与者。"))
    with transaction.atomic():
        team.members.set(list(found.values()))
        Team.objects.filter(pk=team.pk).update(leader_id=leader or None)
        team.leader_id = leader or None
        audit.record(
            actor=actor, verb="points_team_members", target=team, data={"members": len(found), "leader": leader}
        )
    return team


# Tasks and patrol slots (志愿任务、巡逻班次).


@dataclass(frozen=True)
class TaskForm:
    kind: str
    title: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    places: int
    grid: GridNode
    rule: Rule
    team: Team | None = None


def post_task(*, actor: Caller, scheme: Scheme, data: TaskForm, now: dt.datetime | None = None) -> Task:
    """发布: the community's staff post a volunteer task or a patrol slot (十人一组、三天一巡) in one of its grids."""
    now = now or timezone.now()
    _require_staff(actor, scheme.community_path)
    if data.grid.level != Level.GRID or not data.grid.path.startswith(scheme.community_path):
        raise NotFound(_("没有找到这个网格。"))
    if data.rule.scheme_id != scheme.pk or not data.rule.active:
        raise NotFound(_("没有找到这条积分规则。"))
    if data.team is not None and data.team.scheme_id != scheme.pk:
        raise NotFound(_("没有找到这支队伍。"))
    if data.kind not in Task.Kind.values:
        raise DomainError(_("请选择任务类型。"))
    title = " ".join((data.title or "").split())
    if not title or len(title) > 100:
        raise DomainError(_("请填写标题（100 字以内）。"))
    if not 1 <= data.places <= 200:
        raise DomainError(_("名额应在 1 到 200 之间。"), code=Code.BAD_QUANTITY)
    if data.ends_at <= data.starts_at or data.ends_at - data.starts_at > dt.timedelta(days=7):
        raise DomainError(_("结束时间应晚于开始时间，且不超过 7 天。"))
    if data.starts_at <= now:
        raise DomainError(_("开始时间应晚于现在。"))
    assert signed_in(actor)
    with transaction.atomic():
        task = Task(
            scheme=scheme,
            grid=data.grid,
            kind=data.kind,
            title=title,
            place=" ".join((data.place or "").split())[:100],
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            places=data.places,
            rule=data.rule,
            team=data.team,
            posted_by_id=actor.pk,
            posted_at=now,
        )
        task.save()
        audit.record(actor=actor, verb="points_task_post", target=task, data={"kind": data.kind, "places": data.places})
    return task


def claim_task(*, participant: Participant, task: Task, now: dt.datetime | None = None) -> Claim:
    """认领: a resident takes a place on their own page; never past the places, never twice, only before the start
    and only in their own community. The place is taken by a conditional UPDATE on the task's row (two claims on
    the last place: one wins), the second live claim of the same resident is refused by a unique index."""
    now = now or timezone.now()
    if task.scheme_id != participant.scheme_id:
        raise NotFound(_("没有找到这项任务。"))
    if task.starts_at <= now or task.recorded_by_id is not None:
        raise DomainError(_("任务已经开始，不能再认领或取消。"), code=Code.TASK_STARTED)
    taken = DomainError(_("您已认领过这项任务。"), code=Code.ALREADY_CLAIMED)
    if Claim.objects.filter(task=task, participant=participant, cancelled_at__isnull=True).exists():
        raise taken
    try:
        with transaction.atomic():
            rows = Task.objects.filter(pk=task.pk, claimed__lt=F("places"), starts_at__gt=now, recorded_by=None)
            if not rows.update(claimed=F("claimed") + 1):
                raise DomainError(_("名额已满。"), code=Code.TASK_FULL)
            claim = Claim(task=task, participant=participant, claimed_at=now)
            claim.save()
            audit.record(actor=None, verb="points_task_claim", target=task, data={"participant": participant.pk})
    except IntegrityError:  # the same resident's other claim got there first
        raise taken from None
    task.refresh_from_db(fields=["claimed"])
    return claim


def cancel_claim(*, participant: Participant, task: Task, now: dt.datetime | None = None) -> Claim:
    """取消认领: only the resident's own live claim, only before the task starts; the place is free again."""
    now = now or timezone.now()
    claim = Claim.objects.filter(task=task, participant=participant, cancelled_at__isnull=True).first()
    if claim is None:
        raise NotFound(_("没有找到您的认领。"))
    if task.starts_at <= now or task.recorded_by_id is not None:
        raise DomainError(_("任务已经开始，不能再认领或取消。"), code=Code.TASK_STARTED)
    with transaction.atomic():
        if not Claim.objects.filter(pk=claim.pk, cancelled_at__isnull=True).update(cancelled_at=now):
            raise NotFound(_("没有找到您的认领。"))
        Task.objects.filter(pk=task.pk, claimed__gt=0).update(claimed=F("claimed") - 1)
        audit.record(actor=None, verb="points_task_cancel", target=task, data={"participant": participant.pk})
    claim.cancelled_at = now
    task.refresh_from_db(fields=["claimed"])
    return claim


@dataclass(frozen=True)
class Recorded:
    task: Task
    present: int
    awarded: int
    over_limit: list[str]


def record_task(
    *,
    actor: Caller,
    task: Task,
    present: Iterable[int],
    seen: str,
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Recorded:
    """记录群防巡逻 / 确认志愿任务: the grid worker of the task's grid (or the centre) marks every claimant present or
    absent, writes what was seen, may add a photo; each one present earns the rule's points on the ledger (the
    confirmer is the recorder; the rule's period limit holds). Once only: the first recording claims the row."""
    now = now or timezone.now()
    if not selectors.may_record(actor, task):
        raise NotFound(_("没有找到这项任务。"))
    if not may_confirm(actor, task.rule):
        raise OutsideJurisdiction(_("这条规则须由社区综治中心确认。"), code=Code.NOT_COMMUNITY_STAFF)
    if task.recorded_by_id is not None:
        raise DomainError(_("这项任务已经记录过，不能重复记录。"), code=Code.ALREADY_RECORDED)
    if task.starts_at > now:
        raise DomainError(_("任务开始后才能记录。"), code=Code.TASK_NOT_STARTED)
    seen = (seen or "").strip()
    if len(seen) > 2000:
        raise DomainError(_("情况说明不超过 2000 字。"))
    if task.kind == Task.Kind.PATROL and len(seen) < 2:
        raise DomainError(_("请填写巡逻中看到的情况，至少 2 个字（没有发现问题也请写明）。"))
    claims = list(task.claims.filter(cancelled_at__isnull=True).select_related("participant"))
    by_participant = {c.participant_id: c for c in claims}
    came = set(present)
    if not came <= set(by_participant):
        raise DomainError(_("到场名单中有未认领本任务的人员，请刷新后重新勾选。"), code=Code.NOT_A_CLAIMANT)
    if len(photos) > 3:
        raise DomainError(_("最多上传 3 张照片。"))
    images = read_uploads(photos)
    assert signed_in(actor)
    over_limit: list[str] = []
    awarded = 0
    with transaction.atomic():
        # The guard: of two recordings at once, the second finds recorded_by set and changes nothing.
        if not Task.objects.filter(pk=task.pk, recorded_by=None).update(recorded_by_id=actor.pk):
            raise DomainError(_("这项任务已经记录过，不能重复记录。"), code=Code.ALREADY_RECORDED)
        task.recorded_by_id = actor.pk
        task.recorded_at = now
        task.seen = seen
        task.save(update_fields=["recorded_at", "seen"])  # a save, so the grid's patrol figures see it
        label = f"{task.get_kind_display()}：{task.title}"
        for claim in claims:
            claim.present = claim.participant_id in came
            if claim.present:
                try:
                    with transaction.atomic():
                        claim.entry = _award_entry(
                            participant=claim.participant,
                            rule=task.rule,
                            confirmer_id=actor.pk,
                            note=label,
                            now=now,
                        )
                    awarded += 1
                except DomainError:  # the rule's limit for the period is reached: present, but no points
                    over_limit.append(claim.participant.name_masked)
            claim.save(update_fields=["present", "entry"])
        if images:
            attach(actor=actor, target=task, images=images, purpose="record")
        audit.record(
            actor=actor,
            verb="points_task_record",
            target=task,
            data={"present": len(came), "absent": len(claims) - len(came), "awarded": awarded},
        )
    return Recorded(task=task, present=len(came), awarded=awarded, over_limit=over_limit)


# Party members' 双报到 reviews (季度议、年底评).


def review_party_member(
    *,
    actor: Caller,
    participant: Participant,
    year: int,
    quarter: int,
    grade: str,
    comment: str,
    now: dt.datetime | None = None,
) -> Review:
    """季度议: the community's centre grades a party member who reported to it for one quarter, with a comment; a
    second review of the same quarter revises the first (both are in the audit trail)."""
    now = now or timezone.now()
    _require_centre(actor, participant.community_path)
    if participant.kind != Participant.Kind.PARTY_MEMBER:
        raise DomainError(_("只评议到社区报到的党员。"), code=Code.NOT_A_PARTY_MEMBER)
    today = timezone.localdate(now)
    current = (today.year, (today.month - 1) // 3 + 1)
    if not 1 <= quarter <= 4 or not year >= 2000 or (year, quarter) > current:
        raise DomainError(_("请选择已经开始的季度。"), code=Code.BAD_PERIOD)
    if grade not in Review.Grade.values:
        raise DomainError(_("请选择评价等次。"))
    comment = " ".join((comment or "").split())
    if len(comment) > 300:
        raise DomainError(_("评语不超过 300 字。"))
    assert signed_in(actor)
    with transaction.atomic():
        review, created = Review.objects.update_or_create(
            participant=participant,
            year=year,
            quarter=quarter,
            defaults={"grade": grade, "comment": comment, "reviewer_id": actor.pk, "at": now},
        )
        audit.record(
            actor=actor,
            verb="points_party_review",
            target=participant,
            note=comment,
            data={"year": year, "quarter": quarter, "grade": grade, "revised": not created},
        )
    return review
