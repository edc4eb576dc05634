"""Commands of residents' participation (居民参与): a community's scheme, rules and supermarket items, residents'
registration, awards and reversals on the append-only ledger, and redemptions in the love supermarket.

Every change of a balance is one conditional UPDATE in the same transaction as its ledger entry: concurrent
awards, reversals and redemptions serialise on the participant's row, and a redemption or reversal that the
balance does not cover changes nothing (the database's CHECK constraint is the last guard).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core import audit
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import CoreErrorCode, DomainError, NotFound, OutsideJurisdiction
from fengqiao.core.validators import PhoneError, normalise_phone
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import selectors
from fengqiao.participation.errors import ParticipationErrorCode as Code
from fengqiao.participation.models import Entry, Item, Participant, Redemption, Rule, Scheme

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
        # The balance update first: it locks the participant's row, so two awards at once count each other.
        _credit(participant, rule.points)
        if selectors.awards_in_period(participant, rule, now) >= rule.limit:
            raise DomainError(
                _("“%(rule)s”%(period)s最多 %(n)s 次，本周期已达上限。")
                % {"rule": rule.label, "period": rule.get_period_display(), "n": rule.limit},
                code=Code.PERIOD_LIMIT,
            )
        entry = Entry.objects.create(
            participant=participant,
            kind=Entry.Kind.AWARD,
            points=rule.points,
            rule=rule,
            note=" ".join((note or "").split())[:200],
            confirmer_id=actor.pk,
            at=now,
        )
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
