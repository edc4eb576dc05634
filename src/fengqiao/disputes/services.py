"""Commands of dispute mediation. Each checks its input, runs in one transaction and writes the audit trail.

Every command takes the actor first and ``now`` last (default: the clock), so tests can run the "13710"
deadlines on a controlled clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership, Role, User
from fengqiao.accounts.selectors import members_above
from fengqiao.core import audit, codes, intake, receipts, scoping
from fengqiao.core.attachments import attach, read_uploads
from fengqiao.core.deadlines import CREATE
from fengqiao.core.errors import CoreErrorCode, DomainError, OutsideJurisdiction, WorkflowError
from fengqiao.core.scoping import ancestor_paths
from fengqiao.core.signals import notify
from fengqiao.disputes import referrals, tiers
from fengqiao.disputes.clocks import DISPUTE_CLOCKS
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import (
    Agreement,
    Dispute,
    DisputeType,
    Mediator,
    Organisation,
    Party,
    Referral,
    Referrer,
    Risk,
    Session,
    Source,
    Update,
)
from fengqiao.disputes.validation import IntakeError, clean_id_number, clean_phone
from fengqiao.disputes.workflow import DISPUTE_FLOW, WITH_MEDIATOR, centre, mediator_or_centre, organisation_leader
from fengqiao.grids import locator
from fengqiao.grids.coords import PositionError, parse_position
from fengqiao.grids.models import GridNode, Level

MAX_TEXT = 2000
MAX_PHOTOS = 9


@dataclass
class PartyData:
    """One party as typed at intake."""

    role: str
    name: str
    kind: str = Party.Kind.PERSON
    phone: str = ""
    id_number: str = ""
    address: str = ""


def _text(value: str, *, label: str, minimum: int, maximum: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise IntakeError(
            _("请填写%(label)s，至少 %(n)s 个字。") % {"label": label, "n": minimum}, code=DisputeErrorCode.TOO_SHORT
        )
    if len(value) > maximum:
        raise IntakeError(
            _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": maximum}, code=DisputeErrorCode.TOO_LONG
        )
    return value


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise IntakeError(_("涉及金额必须是数字。"), code=DisputeErrorCode.BAD_AMOUNT) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise IntakeError(_("涉及金额应在 0 到 1 万亿元之间。"), code=DisputeErrorCode.BAD_AMOUNT)
    return amount.quantize(Decimal("0.01"))


def _position(lon: Any, lat: Any) -> tuple[float | None, float | None]:
    try:
        return parse_position(lon, lat)
    except PositionError as exc:
        raise IntakeError(str(exc), code=CoreErrorCode.BAD_POSITION) from None


def locate_grid(lon: float | None, lat: float | None, *, grid: GridNode | None) -> GridNode:
    """The finest grid at the position; the poster's community when the position is unknown or outside it."""
    if lon is not None and lat is not None:
        found = locator.locate(lon, lat)
        if found.node_id is not None:
            node = GridNode.objects.get(pk=found.node_id)
            if grid is None or node.path.startswith(grid.path):
                return node
    if grid is not None:
        return grid
    raise IntakeError(
        _("请提供纠纷发生的位置，或从社区的“一码解纠纷”二维码进入。"), code=CoreErrorCode.POSITION_REQUIRED
    )


def _clean_parties(parties: Sequence[PartyData], *, source: str) -> list[Party]:
    rows: list[Party] = []
    counts: dict[str, int] = {Party.Role.APPLICANT.value: 0, Party.Role.RESPONDENT.value: 0}
    for data in parties:
        if data.role not in counts:
            raise IntakeError(_("当事人身份无效。"), code=DisputeErrorCode.BAD_PARTY)
        if data.kind not in Party.Kind.values:
            raise IntakeError(_("当事人类别无效。"), code=DisputeErrorCode.BAD_PARTY)
        counts[data.role] += 1
        role_label = str(Party.Role(data.role).label)
        who = f"{role_label}{counts[data.role] if counts[data.role] > 1 else ''}"
        name = (data.name or "").strip()
        if not name:
            raise IntakeError(
                _("请填写%(who)s的姓名或名称。") % {"who": who}, code=DisputeErrorCode.PARTY_NAME_REQUIRED
            )
        if len(name) > 100:
            raise IntakeError(_("%(who)s的姓名或名称过长。") % {"who": who}, code=DisputeErrorCode.PARTY_NAME_TOO_LONG)
        organisation = data.kind == Party.Kind.ORGANISATION
        phone_needed = data.role == Party.Role.APPLICANT and counts[data.role] == 1 and source == Source.QR
        rows.append(
            Party(
                role=data.role,
                kind=data.kind,
                name=name,
                phone=clean_phone(data.phone, required=phone_needed, who=who),
                id_number=clean_id_number(data.id_number, organisation=organisation, who=who),
                address=(data.address or "").strip()[:200],
                order=counts[data.role],
            )
        )
    if source == Source.EVENT:
        return rows  # an event names at most its reporter: the parties are completed when the case is registered
    if counts[Party.Role.APPLICANT] == 0:
        raise IntakeError(_("请至少填写一名申请人。"), code=DisputeErrorCode.APPLICANT_REQUIRED)
    if counts[Party.Role.RESPONDENT] == 0:
        raise IntakeError(_("请至少填写一名被申请人（对方当事人）。"), code=DisputeErrorCode.RESPONDENT_REQUIRED)
    return rows


def submit_dispute(
    *,
    actor: User | None,
    source: str,
    type: DisputeType,
    summary: str,
    parties: Sequence[PartyData],
    claim: str = "",
    amount: Any = None,
    people_involved: int = 2,
    risk: str = "",
    risk_reason: str = "",
    lon: Any = None,
    lat: Any = None,
    grid: GridNode | None = None,
    address: str = "",
    photos: Iterable[Any] = (),
    source_ref: str = "",
    extra_data: dict[str, Any] | None = None,
    referrer: Referrer | None = None,
    now: dt.datetime | None = None,
) -> Dispute:
    """纠纷录入: a new case from any channel; the "13710" clocks start at entry. ``source_ref`` is the sender's own
    reference (an event's tracking code), kept on the case and in its first history row; ``extra_data`` adds the
    caller's context to that row (the patrol a grid worker found it on), never overriding what is recorded here."""
    now = now or timezone.now()
    if source not in Source.values:
        raise IntakeError(_("未知的来源：%(s)s") % {"s": source}, code=CoreErrorCode.BAD_SOURCE)
    if type is None or not type.active:
        raise IntakeError(_("请选择纠纷类型。"), code=DisputeErrorCode.TYPE_REQUIRED)
    if risk and risk not in Risk.values:
        raise IntakeError(_("风险等级无效。"), code=DisputeErrorCode.BAD_RISK)
    summary = _text(summary, label=_("纠纷简要情况"), minimum=5)
    claim = (claim or "").strip()
    if len(claim) > MAX_TEXT:
        raise IntakeError(_("诉求不能超过 %(n)s 字。") % {"n": MAX_TEXT}, code=DisputeErrorCode.TOO_LONG)
    try:
        people = int(people_involved)
    except (TypeError, ValueError):
        raise IntakeError(_("涉及人数必须是整数。"), code=DisputeErrorCode.BAD_PEOPLE) from None
    if not 1 <= people <= 100_000:
        raise IntakeError(_("涉及人数应在 1 到 100000 之间。"), code=DisputeErrorCode.BAD_PEOPLE)
    party_rows = _clean_parties(parties, source=source)
    photo_list = list(photos)
    if len(photo_list) > MAX_PHOTOS:
        raise IntakeError(_("最多上传 %(n)s 张证据照片。") % {"n": MAX_PHOTOS}, code=CoreErrorCode.TOO_MANY_PHOTOS)
    images = read_uploads(photo_list)  # every photo is checked before anything is written
    lon_f, lat_f = _position(lon, lat)
    node = locate_grid(lon_f, lat_f, grid=grid)
    anonymous = not getattr(actor, "is_authenticated", False)
    if not anonymous and source != Source.QR and not scoping.covers(actor, node.path):
        raise OutsideJurisdiction(_("该纠纷发生地不在您的管辖范围内。"))
    referrals.check_intake(source=source, source_ref=source_ref, referrer=referrer, grid=node)
    is_group = people >= tiers.group_threshold()
    if not risk:
        risk = Risk.YELLOW if is_group else Risk.BLUE
        risk_reason = risk_reason or (_("群体性纠纷（涉及 %(n)s 人）") % {"n": people} if is_group else "")
    dispute = Dispute(
        tracking_code=codes.tracking_code("D"),
        grid=node,
        source=source,
        source_ref=(source_ref or "").strip()[:64],
        referrer=referrer,
        duplicate_of=referrals.find_duplicate(type=type, grid=node, parties=party_rows, now=now),
        type=type,
        summary=summary,
        claim=claim,
        amount=_amount(amount),
        people_involved=people,
        is_group=is_group,
        risk=risk,
        risk_reason=(risk_reason or "").strip()[:200],
        ladder=tiers.ladder_code(type.ladder),
        address=(address or "").strip()[:200],
        lon=lon_f,
        lat=lat_f,
        entered_by=None if anonymous else actor,
        entered_at=now,
    )
    DISPUTE_CLOCKS.start(dispute, CREATE, now)
    if risk == Risk.RED:
        dispute.tier = tiers.township_tier(dispute.ladder).index
    secret = ""
    if anonymous:  # the applicant's receipt: only they may withdraw from the public page
        secret, dispute.applicant_secret_index = receipts.issue()

    def save_parties(case: Dispute) -> None:
        for row in party_rows:
            row.pk, row._state.adding = None, True  # a second draw of the code saves them afresh
            row.dispute = case
            row.save()

    intake.enter(
        dispute,
        actor=actor,
        verb="submit",
        workflow=DISPUTE_FLOW,
        prefix="D",
        images=images,
        purpose="evidence",
        data={
            **(extra_data or {}),
            "source": source,
            "type": type.code,
            "risk": risk,
            **({"source_ref": source_ref} if source_ref else {}),
            **({"referrer": referrer.name} if referrer else {}),
        },
        with_case=save_parties,
    )
    transaction.on_commit(lambda: _tell_centre(dispute, _("新的矛盾纠纷 %(code)s") % {"code": dispute.tracking_code}))
    if risk == Risk.RED or is_group:
        transaction.on_commit(lambda: _alert_township(dispute))
    dispute.applicant_secret = secret  # type: ignore[attr-defined]  # shown once, never stored plain
    return dispute


def enter_from_event(
    *,
    actor: User,
    event_code: str,
    category_name: str,
    description: str,
    grid: GridNode,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    now: dt.datetime | None = None,
) -> str:
    """事件转入: a 矛盾纠纷 event enters the ledger through the normal intake (source 事件转入, its tracking code as
    the reference), with the reporter as applicant when known. Runs in the caller's transaction (registered with
    ``core.conversions`` as ``event_to_dispute``); returns the new case's tracking code."""
    if Dispute.objects.filter(source=Source.EVENT, source_ref=event_code).exists():
        raise WorkflowError(_("该事件已转为矛盾纠纷。"), code=CoreErrorCode.STALE)
    types = DisputeType.objects.filter(active=True)
    dispute_type = types.filter(name=category_name).first() or types.filter(code="other").first() or types.first()
    if dispute_type is None:
        raise IntakeError(_("请选择纠纷类型。"), code=DisputeErrorCode.TYPE_REQUIRED)
    name = (reporter_name or "").strip()
    parties = [PartyData(role=Party.Role.APPLICANT, name=name, phone=reporter_phone)] if name else []
    dispute = submit_dispute(
        actor=actor,
        source=Source.EVENT,
        type=dispute_type,
        summary=description if len(description.strip()) >= 5 else f"{category_name}：{description}",
        parties=parties,
        grid=grid,
        lon=lon,
        lat=lat,
        address=address,
        source_ref=event_code,
        now=now,
    )
    return dispute.tracking_code


def _url(dispute: Dispute) -> str:
    return reverse("disputes:detail", args=[dispute.tracking_code])


def centre_staff(dispute: Dispute) -> list[User]:
    return members_above(dispute.grid_path, [Role.DISPATCHER])


def township_leaders(dispute: Dispute) -> list[User]:
    """The leader of the township's people's mediation committee, else the street's leaders."""
    paths = ancestor_paths(dispute.grid_path)
    leaders = [
        org.leader
        for org in Organisation.objects.filter(
            kind=Organisation.Kind.TOWNSHIP, active=True, node_path__in=paths, leader__isnull=False
        ).select_related("leader")
        if org.leader is not None
    ]
    if leaders:
        return leaders
    street = GridNode.objects.filter(path__in=paths, level=Level.STREET).first()
    if street is None:
        return []
    return [
        m.user for m in Membership.objects.filter(node=street, role=Role.LEADER, active=True).select_related("user")
    ]


def _tell_centre(dispute: Dispute, title: str) -> None:
    recipients = centre_staff(dispute)
    if recipients:
        notify.send(
            sender=Dispute,
            recipients=recipients,
            kind="dispute",
            title=title,
            body=dispute.summary[:100],
            url=_url(dispute),
            target=dispute,
        )


def _alert_township(dispute: Dispute) -> None:
    """Red-class and group disputes go up: the township's leaders, the leaders above, the police and the stability
    office are told at once (disputes.routing.raise_alarm)."""
    from fengqiao.disputes.routing import raise_alarm

    raise_alarm(dispute)


def register(
    *,
    actor: User,
    dispute: Dispute,
    type: DisputeType | None = None,
    risk: str = "",
    risk_reason: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Dispute:
    """受理: the centre checks the case, may correct its type and risk class."""
    if risk and risk not in Risk.values:
        raise IntakeError(_("风险等级无效。"), code=DisputeErrorCode.BAD_RISK)
    if risk == Risk.RED and not (risk_reason or dispute.risk_reason).strip():
        raise IntakeError(_("研判为红色风险时须填写理由。"), code=DisputeErrorCode.RISK_REASON_REQUIRED)
    was_red = dispute.risk == Risk.RED
    with transaction.atomic():
        DISPUTE_FLOW.apply(
            dispute,
            "register",
            actor=actor,
            note=note,
            type=type,
            risk=risk,
            risk_reason=risk_reason,
            now=now,
        )
    if (dispute.risk == Risk.RED and not was_red) or dispute.is_group:
        transaction.on_commit(lambda: _alert_township(dispute))  # once: raise_alarm stamps alerted_at
    return dispute


def serves(mediator: Mediator, dispute: Dispute) -> bool:
    """Whether the mediator's organisation serves the grid the case is in."""
    return (
        mediator.active
        and mediator.organisation.active
        and dispute.grid_path.startswith(mediator.organisation.node_path)
    )


def assign(
    *, actor: User, dispute: Dispute, mediator: Mediator, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """分配: the centre gives the case to a mediator serving its area."""
    if mediator is None:
        raise WorkflowError(_("请选择调解员。"), code=DisputeErrorCode.MEDIATOR_REQUIRED)
    if not serves(mediator, dispute):
        raise DomainError(
            _("调解员 %(m)s 不服务于该纠纷所在区域。") % {"m": mediator.user}, code=DisputeErrorCode.MEDIATOR_OUTSIDE
        )
    tiers.require_kind(dispute, mediator)
    if (
        not centre(actor, dispute)
        and organisation_leader(actor, dispute)
        and mediator.organisation_id != dispute.organisation_id
    ):
        raise DomainError(  # an organisation's leader assigns within their organisation only
            _("只能分派本调解组织的调解员。"), code=DisputeErrorCode.NOT_ORGANISATION_MEMBER
        )
    with transaction.atomic():
        DISPUTE_FLOW.apply(dispute, "assign", actor=actor, note=note, mediator=mediator, now=now)
    transaction.on_commit(
        lambda: notify.send(
            sender=Dispute,
            recipients=[mediator.user],
            kind="assignment",
            title=_("新的调解案件 %(code)s，请在 24 小时内接受并更新进度") % {"code": dispute.tracking_code},
            body=dispute.summary[:100],
            url=_url(dispute),
            target=dispute,
        )
    )
    return dispute


def accept(*, actor: User, dispute: Dispute, note: str = "", now: dt.datetime | None = None) -> Dispute:
    """接受: the mediator takes the case."""
    return DISPUTE_FLOW.apply(dispute, "accept", actor=actor, note=note, now=now)


def decline(*, actor: User, dispute: Dispute, reason: str, now: dt.datetime | None = None) -> Dispute:
    """拒绝: the mediator gives the case back with a reason; the centre assigns again."""
    with transaction.atomic():
        DISPUTE_FLOW.apply(dispute, "decline", actor=actor, note=reason, now=now)
    transaction.on_commit(
        lambda: _tell_centre(dispute, _("调解员拒绝了 %(code)s，请重新分配") % {"code": dispute.tracking_code})
    )
    return dispute


def recall(*, actor: User, dispute: Dispute, reason: str, now: dt.datetime | None = None) -> Dispute:
    """收回: the centre takes the case back from a mediator to assign it again."""
    return DISPUTE_FLOW.apply(dispute, "recall", actor=actor, note=reason, now=now)


def record_session(
    *,
    actor: User,
    dispute: Dispute,
    held_at: dt.datetime | None,
    participants: str,
    notes: str,
    place: str = "",
    online: bool = False,
    now: dt.datetime | None = None,
) -> Session:
    """调解记录: one session (date, place or online, participants, notes)."""
    now = now or timezone.now()
    held_at = held_at or now
    if held_at > now + dt.timedelta(minutes=5):
        raise IntakeError(_("调解时间不能晚于现在。"), code=DisputeErrorCode.SESSION_IN_FUTURE)
    participants = (participants or "").strip()[:500]
    notes = (notes or "").strip()
    if len(notes) > MAX_TEXT * 2:
        raise IntakeError(_("调解情况不能超过 %(n)s 字。") % {"n": MAX_TEXT * 2}, code=DisputeErrorCode.TOO_LONG)
    if not online and not (place or "").strip():
        raise IntakeError(_("请填写调解地点，或选择线上远程调解。"), code=DisputeErrorCode.PLACE_REQUIRED)
    with transaction.atomic():
        DISPUTE_FLOW.apply(
            dispute,
            "record_session",
            actor=actor,
            participants=participants,
            notes=notes,
            held_at=held_at,
            now=now,
        )
        return Session.objects.create(
            dispute=dispute,
            held_at=held_at,
            place=(place or "").strip()[:200],
            online=online,
            participants=participants,
            notes=notes,
            tier=dispute.tier,
            recorded_by=actor,
            recorded_at=now,
        )


def post_update(
    *, actor: User, dispute: Dispute, text: str, photos: Iterable[Any] = (), now: dt.datetime | None = None
) -> Update:
    """更新进度 (and upload evidence): the mediator's note; the first one stops the 24-hour clock."""
    now = now or timezone.now()
    if dispute.state not in (*WITH_MEDIATOR, "unresolved") or not mediator_or_centre(actor, dispute):
        raise WorkflowError(_("只有承办调解员可以在调解过程中更新进度。"), code=CoreErrorCode.NOT_PERMITTED)
    photo_list = list(photos)
    text = (text or "").strip()
    if not text and not photo_list:
        raise IntakeError(_("请填写进度内容或上传证据。"), code=DisputeErrorCode.UPDATE_EMPTY)
    if len(photo_list) > MAX_PHOTOS:
        raise IntakeError(_("最多上传 %(n)s 张证据照片。") % {"n": MAX_PHOTOS}, code=CoreErrorCode.TOO_MANY_PHOTOS)
    images = read_uploads(photo_list)
    with transaction.atomic():
        update = Update.objects.create(
            dispute=dispute, author=actor, text=text[: MAX_TEXT * 2] or _("上传证据"), at=now
        )
        attach(actor=actor, target=dispute, images=images, purpose="evidence")
        if dispute.mediator is not None and dispute.mediator.user_id == actor.pk:
            Dispute.objects.filter(pk=dispute.pk, first_update_at__isnull=True).update(first_update_at=now)
        audit.record(actor=actor, verb="update", target=dispute, note=update.text, workflow=DISPUTE_FLOW.name)
    dispute.refresh_from_db()
    return update


def resolve(*, actor: User, dispute: Dispute, result: str, now: dt.datetime | None = None) -> Dispute:
    """调解成功: agreement reached; the return-visit clock starts."""
    result = _text(result, label=_("调解结果"), minimum=2)
    return referrals.conclude(dispute, "resolve", actor=actor, result=result, now=now)


def fail(*, actor: User, dispute: Dispute, reason: str, now: dt.datetime | None = None) -> Dispute:
    """调解未成功: the next step is escalation to the next tier or referral."""
    return DISPUTE_FLOW.apply(dispute, "fail", actor=actor, note=reason, now=now)


def escalate(*, actor: User, dispute: Dispute, note: str = "", now: dt.datetime | None = None) -> Dispute:
    """逐级递进: to the next tier of the ladder, to be assigned again there."""
    with transaction.atomic():
        DISPUTE_FLOW.apply(dispute, "escalate", actor=actor, note=note, tier=dispute.tier + 1, now=now)
    transaction.on_commit(
        lambda: _tell_centre(
            dispute,
            _("%(code)s 已升级至“%(tier)s”，请分配调解员") % {"code": dispute.tracking_code, "tier": dispute.tier_name},
        )
    )
    return dispute


def referral_letter(dispute: Dispute, referral_to: str, note: str) -> str:
    """移送函: the text of the letter sent with the case file.

    The text is kept on the case and in its audit row, so it names the parties masked (张*); the full names are
    printed only on the letter itself, from the encrypted party rows (documents.referral_pdf).
    """
    applicants = "、".join(p.name_masked for p in dispute.applicants())
    respondents = "、".join(p.name_masked for p in dispute.respondents())
    letter = _(
        "%(to)s：\n"
        "申请人%(a)s与被申请人%(r)s之间的%(type)s纠纷（查询码 %(code)s），经%(tier)s等调解未能达成协议。"
        "根据当事人意愿，现将该纠纷移送贵单位依法处理。\n"
        "纠纷简要情况：%(summary)s\n"
        "当事人诉求：%(claim)s\n"
        "移送说明：%(note)s\n"
        "附：调解记录 %(sessions)s 份。"
    ) % {
        "to": Referral(referral_to).label,
        "a": applicants,
        "r": respondents,
        "type": dispute.type.name,
        "code": dispute.tracking_code,
        "tier": dispute.tier_name,
        "summary": dispute.summary,
        "claim": dispute.claim or _("（未填写）"),
        "note": note or _("无"),
        "sessions": dispute.sessions.count(),
    }
    return str(audit.conceal(letter, dispute.audit_masks()))  # a name typed into the summary or note, too


def refer(
    *, actor: User, dispute: Dispute, referral_to: str, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """移送: to a court (诉调对接) or an arbitration commission, with a referral letter."""
    if referral_to not in Referral.values:
        raise IntakeError(_("请选择移送的法院或仲裁机构。"), code=DisputeErrorCode.REFERRAL_REQUIRED)
    letter = referral_letter(dispute, referral_to, note)
    return referrals.conclude(dispute, "refer", actor=actor, note=note, referral_to=referral_to, letter=letter, now=now)


def withdraw(
    *, actor: User | None, dispute: Dispute, reason: str, secret: str | None = None, now: dt.datetime | None = None
) -> Dispute:
    """撤回: the applicant withdraws the request, from the public page with the secret on their receipt (the
    tracking code alone is not enough: it is printed on agreements and letters the other party gets), or the
    centre on their behalf."""
    if not getattr(actor, "is_authenticated", False) and not receipts.matches(dispute.applicant_secret_index, secret):
        raise WorkflowError(_("请通过提交时获得的专属链接撤回申请。"), code=CoreErrorCode.SECRET_REQUIRED)
    return referrals.conclude(dispute, "withdraw", actor=actor, note=reason, now=now)


def request_confirmation(*, actor: User, dispute: Dispute, note: str = "", now: dt.datetime | None = None) -> Dispute:
    """申请司法确认: the parties ask a court to confirm the agreement (optional)."""
    if not dispute.agreements.exists():
        raise WorkflowError(
            _("申请司法确认需要书面调解协议书，请先起草协议书。"), code=DisputeErrorCode.AGREEMENT_REQUIRED
        )
    return DISPUTE_FLOW.apply(dispute, "request_confirmation", actor=actor, note=note, now=now)


def record_confirmation(
    *, actor: User, dispute: Dispute, outcome: str, note: str = "", now: dt.datetime | None = None
) -> Dispute:
    """司法确认结果: what the court decided."""
    outcome = _text(outcome, label=_("司法确认结果"), minimum=2)
    return referrals.conclude(dispute, "record_confirmation", actor=actor, note=note, outcome=outcome, now=now)


def record_revisit(*, actor: User, dispute: Dispute, note: str, now: dt.datetime | None = None) -> Dispute:
    """回访: how the agreement is being kept."""
    return DISPUTE_FLOW.apply(dispute, "revisit", actor=actor, note=note, now=now)


def close(*, actor: User, dispute: Dispute, note: str = "", now: dt.datetime | None = None) -> Dispute:
    """结案."""
    return referrals.conclude(dispute, "close", actor=actor, note=note, now=now)


def draft_agreement(
    *,
    actor: User,
    dispute: Dispute,
    facts: str,
    terms: str,
    performance: str,
    now: dt.datetime | None = None,
) -> Agreement:
    """调解协议书: a new version of the agreement text."""
    if dispute.state not in ("mediating", "resolved") or not mediator_or_centre(actor, dispute):
        raise WorkflowError(
            _("只有调解中或调解成功的案件可以由承办调解员起草协议书。"), code=CoreErrorCode.NOT_PERMITTED
        )
    facts = _text(facts, label=_("纠纷事实"), minimum=2)
    terms = _text(terms, label=_("协议内容"), minimum=2)
    performance = _text(performance, label=_("履行方式和期限"), minimum=2)
    with transaction.atomic():
        Dispute.objects.select_for_update().filter(pk=dispute.pk).first()
        last = dispute.agreements.aggregate(v=Max("version"))["v"] or 0
        agreement = Agreement.objects.create(
            dispute=dispute,
            version=last + 1,
            facts=facts,
            terms=terms,
            performance=performance,
            created_by=actor,
            created_at=now or timezone.now(),
        )
        audit.record(
            actor=actor,
            verb="agreement",
            target=dispute,
            note=_("调解协议书第 %(v)s 版") % {"v": agreement.version},
            workflow=DISPUTE_FLOW.name,
            data={"version": agreement.version},
        )
    return agreement


def upload_signed_agreement(
    *, actor: User, agreement: Agreement, scans: Sequence[Any], now: dt.datetime | None = None
) -> Agreement:
    """The signed scan of one version, uploaded back (images, checked like every upload)."""
    dispute = agreement.dispute
    if not mediator_or_centre(actor, dispute):
        raise WorkflowError(_("只有承办调解员或综治中心可以上传签字协议书。"), code=CoreErrorCode.NOT_PERMITTED)
    if not scans:
        raise IntakeError(_("请选择签字协议书的扫描件或照片。"), code=DisputeErrorCode.SCAN_REQUIRED)
    images = read_uploads(scans)
    with transaction.atomic():
        attach(actor=actor, target=agreement, images=images, purpose="signed")
        agreement.signed_at = now or timezone.now()
        agreement.save(update_fields=["signed_at"])
        audit.record(
            actor=actor,
            verb="agreement_signed",
            target=dispute,
            note=_("上传第 %(v)s 版签字协议书") % {"v": agreement.version},
            workflow=DISPUTE_FLOW.name,
        )
    return agreement
