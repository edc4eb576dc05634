"""Commands of online mediation (线上远程调解): the parties' private links, online sessions and who joined them,
signatures drawn on the phone (调解笔录 and 调解协议书), and the applicant's rating at the end.

Same conventions as ``disputes.services``: the actor first, ``now`` last, one transaction, every step audited. A
party acting through their link has no account: the audit row names no one (the party appears masked in its note),
and the link's token is never written anywhere but the one page that shows it to the mediator.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.core import audit, crypto, receipts
from fengqiao.core.errors import CoreErrorCode, DomainError, WorkflowError
from fengqiao.core.signals import notify
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import Agreement, Attendance, Dispute, Party, PartyLink, Session, Signature
from fengqiao.disputes.validation import IntakeError
from fengqiao.disputes.workflow import DISPUTE_FLOW, RESOLVED_STATES, mediator, mediator_or_centre

# A link stops working once the case reaches one of these; a resolved case still needs its agreement signed.
LINK_DEAD_STATES = ("closed", "withdrawn", "referred")
# The applicant may rate once the case has ended one way or the other (not withdrawn: they ended it themselves).
RATABLE_STATES = (*RESOLVED_STATES, "referred")
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIGNATURE_SIZE = (2000, 1000)
DATA_URL_PREFIX = "data:image/png;base64,"
INK_LEVEL = 160  # a pixel darker than this (0-255, on white) is ink
MIN_INK_PIXELS = 30  # fewer is a tap or a speck, not a signature
MAX_COMMENT = 500


def _token_index(token: str) -> str:
    # 192 random bits: an unkeyed digest is enough, and no key rotation can strand a party's link.
    return crypto.fingerprint(token.strip(), purpose="party-link")


def link_days() -> int:
    return int(getattr(settings, "FENGQIAO_PARTY_LINK_DAYS", 30))


def _notify(recipients: list[Any], dispute: Dispute, title: str, kind: str = "dispute") -> None:
    if recipients:
        notify.send(
            sender=Dispute,
            recipients=recipients,
            kind=kind,
            title=title,
            body=dispute.summary[:100],
            url=reverse("disputes:detail", args=[dispute.tracking_code]),
            target=dispute,
        )


# Party links -------------------------------------------------------------------------------------------------


def issue_party_link(*, actor: User, party: Party, now: dt.datetime | None = None) -> tuple[PartyLink, str]:
    """发送当事人链接: a new private link for one party (the older one stops working); returns the row and the token,
    which is shown once to the mediator and stored only as a digest."""
    now = now or timezone.now()
    dispute = party.dispute
    if not mediator_or_centre(actor, dispute):
        raise WorkflowError(_("只有承办调解员或综治中心可以发送当事人链接。"), code=CoreErrorCode.NOT_PERMITTED)
    if dispute.mediator_id is None or dispute.state in LINK_DEAD_STATES:
        raise WorkflowError(_("案件分派调解员后、办结之前才能发送当事人链接。"), code=DisputeErrorCode.LINK_NOT_ALLOWED)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        revoked = PartyLink.objects.filter(party=party, revoked_at__isnull=True).update(revoked_at=now)
        link = PartyLink.objects.create(
            party=party,
            token_index=_token_index(token),
            created_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(days=link_days()),
        )
        audit.record(
            actor=actor,
            verb="party_link",
            target=dispute,
            note=_("向%(role)s%(name)s发送专属链接") % {"role": party.get_role_display(), "name": party.name_masked},
            workflow=DISPUTE_FLOW.name,
            data={"party": party.pk, "link": link.pk, "expires_at": link.expires_at.isoformat(), "revoked": revoked},
        )
    return link, token


def revoke_party_link(*, actor: User, link: PartyLink, now: dt.datetime | None = None) -> PartyLink:
    """作废当事人链接: the link stops working at once (a lost phone, a wrong number)."""
    now = now or timezone.now()
    dispute = link.party.dispute
    if not mediator_or_centre(actor, dispute):
        raise WorkflowError(_("只有承办调解员或综治中心可以作废当事人链接。"), code=CoreErrorCode.NOT_PERMITTED)
    with transaction.atomic():
        if PartyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
            audit.record(
                actor=actor,
                verb="party_link_revoked",
                target=dispute,
                note=_("作废%(role)s%(name)s的专属链接")
                % {"role": link.party.get_role_display(), "name": link.party.name_masked},
                workflow=DISPUTE_FLOW.name,
                data={"party": link.party_id, "link": link.pk},
            )
    link.refresh_from_db()
    return link


def party_for_token(token: str, *, now: dt.datetime | None = None) -> Party | None:
    """The party whose live link this is: not revoked, not expired, its case not closed; None otherwise."""
    if not token or len(token) > 100:
        return None
    now = now or timezone.now()
    link = (
        PartyLink.objects.select_related("party__dispute")
        .filter(token_index=_token_index(token), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if link is None or link.party.dispute.state in LINK_DEAD_STATES:
        return None
    return link.party


def live_links(dispute: Dispute, *, now: dt.datetime | None = None) -> dict[int, PartyLink]:
    """Each party's live link (the mediator's panel shows when it expires), by party id."""
    now = now or timezone.now()
    rows = PartyLink.objects.filter(party__dispute=dispute, revoked_at__isnull=True, expires_at__gt=now)
    return {row.party_id: row for row in rows.order_by("created_at")}


# Online sessions ---------------------------------------------------------------------------------------------


def clean_meeting_link(value: str) -> str:
    """An http(s) address of an existing video service; anything else (javascript:, data:, a bare word) is refused."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if (
        len(value) > 200
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        raise IntakeError(
            _("视频会议链接须为以 http:// 或 https:// 开头的网址。"), code=DisputeErrorCode.BAD_MEETING_LINK
        )
    return value


def schedule_online_session(
    *,
    actor: User,
    dispute: Dispute,
    held_at: dt.datetime | None,
    meeting_link: str,
    participants: str = "",
    now: dt.datetime | None = None,
) -> Session:
    """安排线上调解: a session on an existing video service, shown on each party's link page; its notes are written
    when it has been held (``write_up_session``), which records it like any session."""
    now = now or timezone.now()
    if not mediator(actor, dispute) or dispute.state not in ("accepted", "mediating"):
        raise WorkflowError(_("只有承办调解员可以在调解过程中安排线上调解。"), code=CoreErrorCode.NOT_PERMITTED)
    link = clean_meeting_link(meeting_link)
    held_at = held_at or now
    with transaction.atomic():
        session = Session.objects.create(
            dispute=dispute,
            held_at=held_at,
            online=True,
            meeting_link=link,
            participants=(participants or "").strip()[:500],
            notes="",
            tier=dispute.tier,
            recorded_by=actor,
            recorded_at=now,
        )
        audit.record(
            actor=actor,
            verb="session_scheduled",
            target=dispute,
            note=_("线上调解时间 %(t)s") % {"t": timezone.localtime(held_at).strftime("%Y-%m-%d %H:%M")},
            workflow=DISPUTE_FLOW.name,
            data={"session": session.pk, "held_at": held_at.isoformat()},
        )
    return session


def write_up_session(
    *, actor: User, session: Session, participants: str, notes: str, now: dt.datetime | None = None
) -> Session:
    """调解笔录 of a scheduled online session once held: the same step as recording a session (accepted or mediating
    → mediating); the parties may then read and sign the notes through their links."""
    from fengqiao.disputes.services import MAX_TEXT

    now = now or timezone.now()
    dispute = session.dispute
    if not session.online or session.notes:
        raise WorkflowError(_("该场次不是待填写笔录的线上调解。"), code=DisputeErrorCode.SESSION_NOT_SCHEDULED)
    if session.held_at > now + dt.timedelta(minutes=5):
        raise IntakeError(_("调解时间未到，不能填写笔录。"), code=DisputeErrorCode.SESSION_IN_FUTURE)
    participants = (participants or session.participants or "").strip()[:500]
    notes = (notes or "").strip()
    if len(notes) > MAX_TEXT * 2:
        raise IntakeError(_("调解情况不能超过 %(n)s 字。") % {"n": MAX_TEXT * 2}, code=DisputeErrorCode.TOO_LONG)
    with transaction.atomic():
        DISPUTE_FLOW.apply(
            dispute,
            "record_session",
            actor=actor,
            participants=participants,
            notes=notes,
            held_at=session.held_at,
            now=now,
        )
        updated = Session.objects.filter(pk=session.pk, notes="").update(participants=participants, notes=notes)
        if not updated:
            raise WorkflowError(_("该记录已被他人处理，请刷新后重试。"), code=CoreErrorCode.STALE)
    session.refresh_from_db()
    return session


def upcoming_sessions(dispute: Dispute) -> QuerySet[Session]:
    """Online sessions a party may still join: with a meeting link and no notes yet."""
    return dispute.sessions.filter(online=True, notes="").exclude(meeting_link="").order_by("held_at")


def join_session(*, party: Party, session: Session, ip: str = "", now: dt.datetime | None = None) -> str:
    """进入视频调解: the party's attendance is recorded (once, the first time) and the meeting address returned."""
    now = now or timezone.now()
    if session.dispute_id != party.dispute_id:
        raise DomainError(_("该调解场次不存在。"), code=CoreErrorCode.NOT_FOUND)
    if not session.online or not session.meeting_link or session.notes:
        raise WorkflowError(_("该线上调解已结束或没有会议链接。"), code=DisputeErrorCode.SESSION_NOT_OPEN)
    with transaction.atomic():
        attendance, created = Attendance.objects.get_or_create(
            session=session, party=party, defaults={"joined_at": now, "ip": ip[:64]}
        )
        if created:
            audit.record(
                actor=None,
                verb="session_joined",
                target=party.dispute,
                note=_("%(role)s%(name)s进入线上调解") % {"role": party.get_role_display(), "name": party.name_masked},
                workflow=DISPUTE_FLOW.name,
                data={"session": session.pk, "party": party.pk, "ip": attendance.ip},
            )
    return session.meeting_link


# Signatures --------------------------------------------------------------------------------------------------


def clean_signature(data_url: str) -> bytes:
    """The drawn signature as clean PNG bytes: a PNG data URL within the size limits, with some ink on it,
    re-encoded (grey on white, no metadata, nothing but pixels survives)."""
    from PIL import Image, UnidentifiedImageError

    bad = IntakeError(_("签名图像无效，请在签名框内重新手写签名后提交。"), code=DisputeErrorCode.BAD_SIGNATURE)
    data_url = (data_url or "").strip()
    if not data_url:
        raise IntakeError(_("请先在签名框内手写签名。"), code=DisputeErrorCode.BLANK_SIGNATURE)
    if not data_url.startswith(DATA_URL_PREFIX):
        raise bad
    encoded = data_url[len(DATA_URL_PREFIX) :]
    if len(encoded) > (MAX_SIGNATURE_BYTES * 4) // 3 + 4:
        raise IntakeError(
            _("签名图像过大（不能超过 %(n)s KB），请清除后重新签名。") % {"n": MAX_SIGNATURE_BYTES // 1024},
            code=DisputeErrorCode.BAD_SIGNATURE,
        )
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(raw) > MAX_SIGNATURE_BYTES or not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise bad
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise bad
            width, height = image.size  # read from the header, before any pixel is decoded
            if not (0 < width <= MAX_SIGNATURE_SIZE[0] and 0 < height <= MAX_SIGNATURE_SIZE[1]):
                raise IntakeError(
                    _("签名图像尺寸超出限制（最大 %(w)s×%(h)s 像素）。")
                    % {"w": MAX_SIGNATURE_SIZE[0], "h": MAX_SIGNATURE_SIZE[1]},
                    code=DisputeErrorCode.BAD_SIGNATURE,
                )
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise bad from None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    ink = sum(grey.histogram()[:INK_LEVEL])
    if ink < MIN_INK_PIXELS:
        raise IntakeError(_("签名为空白，请在签名框内手写签名。"), code=DisputeErrorCode.BLANK_SIGNATURE)
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_of(signature: Signature) -> bytes:
    """The stored signature's PNG bytes (decrypted by the field)."""
    return base64.b64decode(signature.image[len(DATA_URL_PREFIX) :])


def current_agreement(dispute: Dispute) -> Agreement | None:
    return dispute.agreements.order_by("-version").first()


@dataclass
class Signer:
    """Where a signature was made: the client's address and browser, kept with it."""

    ip: str = ""
    user_agent: str = ""


def sign(
    *,
    party: Party,
    data_url: str,
    agreement: Agreement | None = None,
    session: Session | None = None,
    signer: Signer | None = None,
    now: dt.datetime | None = None,
) -> Signature:
    """当事人签名: the party signs the current agreement version or a session's notes, once. When every party has
    signed the current version, the agreement counts as signed (as with an uploaded signed scan) and the mediator
    is told."""
    now = now or timezone.now()
    signer = signer or Signer()
    dispute = party.dispute
    if (agreement is None) == (session is None):
        raise IntakeError(_("请选择要签署的内容。"), code=DisputeErrorCode.NOT_SIGNABLE)
    target: Agreement | Session = agreement if agreement is not None else session  # type: ignore[assignment]
    if target.dispute_id != party.dispute_id:
        raise DomainError(_("要签署的内容不存在。"), code=CoreErrorCode.NOT_FOUND)
    png = clean_signature(data_url)
    with transaction.atomic():
        Dispute.objects.select_for_update().filter(pk=dispute.pk).first()  # one signer at a time per case
        if agreement is not None:
            latest = dispute.agreements.aggregate(v=Max("version"))["v"]
            if agreement.version != latest:
                raise WorkflowError(
                    _("该版本协议书已被新版本取代，请签署最新版本。"), code=DisputeErrorCode.NOT_SIGNABLE
                )
            done = Signature.objects.filter(agreement=agreement, party=party).exists()
        else:
            assert session is not None
            if not session.notes:
                raise WorkflowError(_("该场调解尚未形成笔录，暂不能签名。"), code=DisputeErrorCode.NOT_SIGNABLE)
            done = Signature.objects.filter(session=session, party=party).exists()
        if done:
            raise WorkflowError(_("您已签署过该内容，无需重复签名。"), code=DisputeErrorCode.ALREADY_SIGNED)
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    party=party,
                    kind=Signature.Kind.AGREEMENT if agreement is not None else Signature.Kind.STATEMENT,
                    agreement=agreement,
                    session=session,
                    image=DATA_URL_PREFIX + base64.b64encode(png).decode(),
                    sha256=hashlib.sha256(png).hexdigest(),
                    signed_at=now,
                    ip=signer.ip[:64],
                    user_agent=signer.user_agent[:300],
                )
        except IntegrityError:  # a double tap racing past the check above
            raise WorkflowError(_("您已签署过该内容，无需重复签名。"), code=DisputeErrorCode.ALREADY_SIGNED) from None
        if agreement is not None:
            what = _("调解协议书第 %(v)s 版") % {"v": agreement.version}
        else:
            assert session is not None
            what = _("调解笔录（%(t)s）") % {"t": timezone.localtime(session.held_at).strftime("%Y-%m-%d %H:%M")}
        who = {"role": party.get_role_display(), "name": party.name_masked}
        audit.record(
            actor=None,
            verb="signed",
            target=dispute,
            note=_("%(role)s%(name)s在线签署%(what)s") % {**who, "what": what},
            workflow=DISPUTE_FLOW.name,
            data={
                "party": party.pk,
                "kind": signature.kind,
                "agreement": agreement.version if agreement is not None else None,
                "session": session.pk if session is not None else None,
                "sha256": signature.sha256,
                "ip": signature.ip,
            },
        )
        if agreement is not None:
            _complete_agreement(agreement, now)
    return signature


def _complete_agreement(agreement: Agreement, now: dt.datetime) -> None:
    dispute = agreement.dispute
    parties = set(dispute.parties.values_list("pk", flat=True))
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    if not parties or not parties <= signed or agreement.signed_at is not None:
        return
    agreement.signed_at = now
    agreement.save(update_fields=["signed_at"])
    audit.record(
        actor=None,
        verb="agreement_esigned",
        target=dispute,
        note=_("全体当事人已在线签署调解协议书第 %(v)s 版") % {"v": agreement.version},
        workflow=DISPUTE_FLOW.name,
        data={"version": agreement.version},
    )
    recipients = [dispute.mediator.user] if dispute.mediator_id and dispute.mediator else []
    title = _("%(code)s 调解协议书第 %(v)s 版已由全体当事人签署") % {
        "code": dispute.tracking_code,
        "v": agreement.version,
    }
    transaction.on_commit(lambda: _notify(recipients, dispute, title))


# Rating ------------------------------------------------------------------------------------------------------


def rate_dispute(
    *,
    dispute: Dispute,
    stars: Any,
    comment: str = "",
    secret: str | None = None,
    party: Party | None = None,
    now: dt.datetime | None = None,
) -> Dispute:
    """评价: the applicant rates the mediation once it has ended, 1-5 stars and a comment, once: with the secret on
    their receipt (the public tracking page) or through their own party link."""
    now = now or timezone.now()
    if party is not None:
        if party.dispute_id != dispute.pk or party.role != Party.Role.APPLICANT:
            raise WorkflowError(_("只有申请人可以评价调解工作。"), code=DisputeErrorCode.NOT_RATABLE)
    elif not receipts.matches(dispute.applicant_secret_index, secret):
        raise WorkflowError(_("请通过提交时获得的专属链接进行评价。"), code=CoreErrorCode.SECRET_REQUIRED)
    try:
        stars_i = int(stars)
    except (TypeError, ValueError):
        stars_i = 0
    if not 1 <= stars_i <= 5:
        raise IntakeError(_("请选择 1 到 5 星。"), code=DisputeErrorCode.BAD_STARS)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise IntakeError(_("评价意见不能超过 %(n)s 字。") % {"n": MAX_COMMENT}, code=DisputeErrorCode.TOO_LONG)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.state not in RATABLE_STATES:
            raise WorkflowError(_("调解结束后才能评价。"), code=DisputeErrorCode.NOT_RATABLE)
        if locked.stars is not None:
            raise WorkflowError(_("该纠纷已评价，感谢您的反馈。"), code=DisputeErrorCode.ALREADY_RATED)
        Dispute.objects.filter(pk=dispute.pk).update(stars=stars_i, rating_comment=comment, rated_at=now)
        audit.record(
            actor=None,
            verb="rate",
            target=dispute,
            note=comment,
            workflow=DISPUTE_FLOW.name,
            data={"stars": stars_i, "by": "party_link" if party is not None else "receipt"},
        )
    dispute.refresh_from_db()
    return dispute


def may_rate(dispute: Dispute) -> bool:
    return dispute.state in RATABLE_STATES and dispute.stars is None


def rating_figures(cases: QuerySet[Dispute]) -> dict[str, Any]:
    """Satisfaction of the given (already scoped) cases: how many were rated and the average stars."""
    row = cases.filter(stars__isnull=False).aggregate(rated=Count("pk"), average=Avg("stars"))
    average = row["average"]
    return {"rated": row["rated"], "average": round(float(average), 2) if average is not None else None}


# The return visit --------------------------------------------------------------------------------------------


def awaiting_revisit(*, actor: User, now: dt.datetime | None = None) -> QuerySet[Dispute]:
    """待回访: the mediator's resolved cases whose return visit is not yet made, the earliest deadline first."""
    from fengqiao.disputes.clocks import DISPUTE_CLOCKS

    qs = Dispute.objects.filter(mediator__user=actor, state="resolved", revisited_at__isnull=True)
    return DISPUTE_CLOCKS.annotate(qs, now).select_related("type", "grid").order_by("revisit_due_at")
