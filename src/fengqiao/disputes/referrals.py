"""Referrals (诉调、警调、访调、检调对接 and the hotline): the commands and queries for cases that bodies with their own
reference numbers hand in, for probable duplicates flagged at intake, and for telling the sender the outcome (结果反馈:
a feedback letter and, when the body has a receiving system, a signed callback retried until it lands).

Same conventions as ``services``: actor first and keyword-only, ``now`` last, one transaction, audited.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.core import audit, crypto, pii, scoping
from fengqiao.core.errors import CoreErrorCode, DomainError, NotFound, WorkflowError
from fengqiao.core.scoping import ancestor_paths
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.models import (
    REFERRING_SOURCES,
    Dispute,
    DisputeType,
    Feedback,
    Party,
    Referral,
    Referrer,
    Source,
)
from fengqiao.disputes.validation import IntakeError
from fengqiao.disputes.workflow import DISPUTE_FLOW, OPEN_STATES, centre
from fengqiao.grids.models import GridNode, Level

KEY_PREFIX = "fqr_"
SIGNATURE_HEADER = "X-Fengqiao-Signature"
MAX_ATTEMPTS = 10
# The feedback each concluding step sends back (unique per case and event).
EVENTS = {
    "resolve": "resolved",
    "refer": "referred",
    "withdraw": "withdrawn",
    "close": "closed",
    "record_confirmation": "confirmed",
}
EVENT_LABELS = {
    "resolved": gettext_lazy("调解成功"),
    "referred": gettext_lazy("已移送"),
    "withdrawn": gettext_lazy("已撤回"),
    "closed": gettext_lazy("已结案"),
    "confirmed": gettext_lazy("司法确认结果"),
}

audit.register_verbs(
    {
        "referrer_key": gettext_lazy("生成移交单位接口密钥"),
        "referrer_secret": gettext_lazy("设置移交单位回传签名密钥"),
    }
)


# API keys: the same digest as events.ApiClient (core.crypto.fingerprint, purpose "api-key"), never stored plain.


def issue_api_key(*, actor: User | None, referrer: Referrer) -> str:
    """A new API key for ``referrer``, returned once; only its digest is kept, and the old key stops working."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        referrer.api_key_index = crypto.fingerprint(key)
        referrer.save(update_fields=["api_key_index"])
        audit.record(actor=actor, verb="referrer_key", target=referrer, note=referrer.name)
    return key


def referrer_for_key(key: str | None) -> Referrer | None:
    """The active referrer holding this key (its digest under either provider), else None."""
    if not key or len(key) > 200:
        return None
    digests = [crypto.fingerprint(key, name) for name in crypto.PROVIDERS]
    return Referrer.objects.select_related("node").filter(api_key_index__in=digests, active=True).first()


def referrers_for(*, actor: User) -> Any:
    """The referrers a centre may name by hand: those whose area overlaps the actor's (a county court serves every
    street below it; a police station in the actor's district is in it)."""
    qs = Referrer.objects.filter(active=True, source__in=REFERRING_SOURCES).select_related("node")
    paths = scoping.paths_of(actor)
    if paths is None:
        return qs
    inside = scoping.path_q(paths, "node_path")
    above = Q(node_path__in={a for p in paths for a in ancestor_paths(p)})
    return qs.filter(inside | above)


def check_referrer(*, referrer: Referrer | None, source: str, grid: GridNode | None) -> None:
    """A case named as handed in by ``referrer`` must come through its channel and lie in its area."""
    if referrer is None:
        return
    if not referrer.active or referrer.source != source:
        raise IntakeError(_("所选移交单位与来源渠道不一致。"), code=DisputeErrorCode.REFERRER_MISMATCH)
    if grid is not None and not grid.path.startswith(referrer.node_path):
        raise IntakeError(_("纠纷发生地不在该移交单位的辖区内。"), code=DisputeErrorCode.REFERRER_OUTSIDE)


# Hand-ins through the API.


@dataclass
class HandIn:
    """What a referrer's system posts."""

    source_ref: str
    type_code: str
    summary: str
    parties: Sequence[Any]  # services.PartyData
    claim: str = ""
    amount: Any = None
    people_involved: int = 2
    grid_code: str = ""
    lon: Any = None
    lat: Any = None
    address: str = ""


def _existing(referrer: Referrer, ref: str) -> Dispute | None:
    """The case already entered under this reference for the referrer's channel. One entered by another body of the
    same channel is refused, never returned: a reference number must not open someone else's case."""
    found = Dispute.objects.filter(source=referrer.source, source_ref=ref).first()
    if found is not None and found.referrer_id != referrer.pk:
        raise RefTaken(
            _("来源编号 %(ref)s 已被其他单位使用，请核对编号。") % {"ref": ref}, code=DisputeErrorCode.REF_TAKEN
        )
    return found


def _grid_of(referrer: Referrer, data: HandIn) -> GridNode:
    """The grid named (or found at the position), which must lie in the referrer's own area."""
    from fengqiao.disputes import services

    if data.grid_code:
        grid = GridNode.objects.filter(code=data.grid_code.strip()).first()
        if grid is None or not grid.path.startswith(referrer.node_path):
            raise NotFound(
                _("网格 %(code)s 不存在或不在本单位辖区内。") % {"code": data.grid_code[:32]},
                code=DisputeErrorCode.REFERRER_OUTSIDE,
            )
        return grid
    lon, lat = services._position(data.lon, data.lat)
    node = services.locate_grid(lon, lat, grid=None)
    if not node.path.startswith(referrer.node_path):
        raise NotFound(_("纠纷发生地不在本单位辖区内。"), code=DisputeErrorCode.REFERRER_OUTSIDE)
    return node


def hand_in(*, referrer: Referrer, data: HandIn, now: dt.datetime | None = None) -> tuple[Dispute, bool]:
    """诉前委派、警情移交、信访转办、热线派单: a body's case enters through the normal intake, its channel taken
    from the referrer (never from the body) and its own reference kept. The same reference again returns the case
    already entered (False), also when two tries race: the database allows one case per channel and reference."""
    from fengqiao.disputes import services

    ref = (data.source_ref or "").strip()
    if not ref or len(ref) > 64:
        raise IntakeError(_("请填写来源编号（不超过 64 个字符）。"), code=DisputeErrorCode.REF_REQUIRED)
    found = _existing(referrer, ref)
    if found is not None:
        return found, False
    dispute_type = DisputeType.objects.filter(code=data.type_code, active=True).first()
    if dispute_type is None:
        raise IntakeError(
            _("纠纷类型 %(t)s 不存在。") % {"t": data.type_code[:20]}, code=DisputeErrorCode.TYPE_REQUIRED
        )
    grid = _grid_of(referrer, data)
    try:
        dispute = services.submit_dispute(
            actor=None,
            source=referrer.source,
            referrer=referrer,
            type=dispute_type,
            summary=data.summary,
            claim=data.claim,
            amount=data.amount,
            people_involved=data.people_involved,
            parties=data.parties,
            grid=grid,
            lon=data.lon,
            lat=data.lat,
            address=data.address,
            source_ref=ref,
            now=now,
        )
    except (IntegrityError, RefTaken):
        found = _existing(referrer, ref)  # the other try committed first
        if found is None:
            raise
        return found, False
    return dispute, True


def referred_case(*, referrer: Referrer, source_ref: str) -> Dispute:
    """One of the referrer's own cases by its reference; any other answers exactly like a missing one."""
    found = Dispute.objects.filter(referrer=referrer, source=referrer.source, source_ref=source_ref).first()
    if found is None:
        raise NotFound(_("找不到该来源编号的案件。"), code=DisputeErrorCode.REF_NOT_FOUND)
    return found


@dataclass(frozen=True)
class CourtCaller:
    """The referring court acting through its API key: the workflow guard ``referring_court`` reads ``referrer``."""

    referrer: Referrer
    is_authenticated: bool = False
    pk: None = None


def court_confirmation(*, referrer: Referrer, source_ref: str, outcome: str, now: dt.datetime | None = None) -> Dispute:
    """司法确认结果 sent back by the court that referred the case (诉前委派): the normal workflow step."""
    from fengqiao.disputes import services

    if referrer.source != Source.COURT:
        raise NotFound(_("找不到该来源编号的案件。"), code=DisputeErrorCode.REF_NOT_FOUND)
    dispute = referred_case(referrer=referrer, source_ref=source_ref)
    return services.record_confirmation(
        actor=CourtCaller(referrer),  # type: ignore[arg-type]
        dispute=dispute,
        outcome=outcome,
        note=_("%(name)s 通过接口回传") % {"name": referrer.name},
        now=now,
    )


# Duplicates (疑似重复).


def duplicate_days() -> int:
    return int(getattr(settings, "FENGQIAO_DISPUTE_DUPLICATE_DAYS", 90))


def community_path(grid: GridNode) -> str:
    """The path of the community (村/社区) the grid lies in; the grid's own path when it is above that level."""
    if grid.level <= Level.COMMUNITY:
        return grid.path
    found = (
        GridNode.objects.filter(path__in=ancestor_paths(grid.path), level=Level.COMMUNITY)
        .values_list("path", flat=True)
        .first()
    )
    return found or grid.path


def find_duplicate(
    *, type: DisputeType, grid: GridNode, parties: Sequence[Party], now: dt.datetime | None = None
) -> Dispute | None:
    """The earliest open or recent case of the same type in the same community with a party of the same phone or
    ID number (compared by their keyed hashes), or None."""
    now = now or timezone.now()
    phones = {pii.blind_index(p.phone) for p in parties if p.phone}
    ids = {pii.blind_index(p.id_number) for p in parties if p.id_number}
    if not phones and not ids:
        return None
    same_party = Q(parties__phone_index__in=phones) if phones else Q(pk__in=[])
    if ids:
        same_party |= Q(parties__id_index__in=ids)
    since = now - dt.timedelta(days=duplicate_days())
    return (
        Dispute.objects.filter(type=type, grid_path__startswith=community_path(grid))
        .filter(Q(state__in=OPEN_STATES) | Q(entered_at__gte=since))
        .filter(same_party)
        .order_by("entered_at", "pk")
        .first()
    )


@dataclass(frozen=True)
class DuplicateFlag:
    """What a viewer is shown of a case's probable original: its code only when they may open it."""

    code: str = ""

    @property
    def visible(self) -> bool:
        return bool(self.code)


def duplicate_flag(*, actor: User, dispute: Dispute) -> DuplicateFlag | None:
    if dispute.duplicate_of_id is None:
        return None
    from fengqiao.disputes.selectors import visible_disputes

    code = (
        visible_disputes(actor=actor).filter(pk=dispute.duplicate_of_id).values_list("tracking_code", flat=True).first()
    )
    return DuplicateFlag(code=code or "")


def clear_duplicate(*, actor: User, dispute: Dispute, note: str = "", now: dt.datetime | None = None) -> Dispute:
    """解除疑似重复: the centre finds the case is not a repeat; the flag goes and the history says who decided."""
    if not centre(actor, dispute):
        raise WorkflowError(_("只有综治中心可以解除疑似重复标记。"), code=CoreErrorCode.NOT_PERMITTED)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.duplicate_of_id is None:
            raise DomainError(_("该纠纷没有疑似重复标记。"), code=DisputeErrorCode.NOT_DUPLICATE)
        was = Dispute.objects.filter(pk=locked.duplicate_of_id).values_list("tracking_code", flat=True).first()
        Dispute.objects.filter(pk=locked.pk).update(duplicate_of=None, updated_at=now or timezone.now())
        audit.record(
            actor=actor,
            verb="duplicate_cleared",
            target=locked,
            note=(note or "").strip()[:500],
            data={"was": was or ""},
            workflow=DISPUTE_FLOW.name,
        )
    dispute.duplicate_of = None
    return dispute


# Feedback (结果反馈).


def _outcome(dispute: Dispute, event: str) -> str:
    if event == "referred":
        return str(Referral(dispute.referral_to).label) if dispute.referral_to else ""
    if event == "closed":
        return dispute.result or dispute.revisit_note
    if event == "confirmed":
        return dispute.confirmation_outcome
    return dispute.result


def _stamp(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def feedback_payload(dispute: Dispute, event: str) -> dict[str, Any]:
    """The callback body: what the sender needs to close its own record. Names typed into the outcome are masked."""
    masks = dispute.audit_masks()
    return {
        "event": event,
        "tracking_code": dispute.tracking_code,
        "source_ref": dispute.source_ref,
        "state": dispute.state,
        "state_label": str(dispute.state_label),
        "outcome": str(audit.conceal(_outcome(dispute, event), masks)),
        "concluded_at": _stamp(dispute.concluded_at or dispute.closed_at),
        "confirmation_outcome": str(audit.conceal(dispute.confirmation_outcome, masks)) or None,
    }


def feedback_letter(dispute: Dispute, event: str) -> str:
    """结果反馈函: the text of the letter to the referring body (parties masked; the PDF prints them in full)."""
    referrer = dispute.referrer
    applicants = "、".join(p.name_masked for p in dispute.applicants()) or _("（未填写）")
    respondents = "、".join(p.name_masked for p in dispute.respondents()) or _("（未填写）")
    lines = [
        f"{referrer.name if referrer else ''}：",
        _(
            "贵单位于 %(date)s 移交的申请人%(a)s与被申请人%(r)s之间的%(type)s纠纷（贵单位编号 %(ref)s，"
            "本平台查询码 %(code)s），现将办理结果反馈如下："
        )
        % {
            "date": timezone.localtime(dispute.entered_at).strftime("%Y-%m-%d"),
            "a": applicants,
            "r": respondents,
            "type": dispute.type.name,
            "ref": dispute.source_ref,
            "code": dispute.tracking_code,
        },
        _("办理状态：%(s)s") % {"s": dispute.state_label},
        _("办理结果：%(o)s") % {"o": _outcome(dispute, event) or _("无")},
    ]
    if dispute.confirmation_outcome:
        lines.append(_("司法确认结果：%(c)s") % {"c": dispute.confirmation_outcome})
    when = dispute.concluded_at or dispute.closed_at
    if when:
        lines.append(_("办结时间：%(t)s") % {"t": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")})
    lines.append(_("特此函告。"))
    return str(audit.conceal("\n".join(lines), dispute.audit_masks()))


def queue_feedback(*, dispute: Dispute, step: str, now: dt.datetime | None = None) -> Feedback | None:
    """After a concluding step (``EVENTS``) on a referred case: the letter is written and one delivery is queued (once
    per case and event); nothing for a case nobody referred. Runs in the caller's transaction."""
    event = EVENTS.get(step)
    if event is None or dispute.referrer_id is None:
        return None
    now = now or timezone.now()
    dispute = Dispute.objects.select_related("referrer", "type").prefetch_related("parties").get(pk=dispute.pk)
    referrer = dispute.referrer
    assert referrer is not None
    letter = feedback_letter(dispute, event)
    Dispute.objects.filter(pk=dispute.pk).update(feedback_letter=letter)
    feedback, _created = Feedback.objects.get_or_create(
        dispute=dispute,
        event=event,
        defaults={
            "referrer": referrer,
            "payload": feedback_payload(dispute, event),
            "next_attempt_at": now if referrer.callback_url else None,
            "created_at": now,
        },
    )
    return feedback


def signature(body: bytes, secret: str) -> str:
    """``hmac-sm3=<hex>`` (or ``hmac-sha256=<hex>`` under the AES provider) of the exact body, keyed by the secret the
    referrer holds."""
    provider = crypto.ring().provider
    return f"hmac-{provider.hash_name}={provider.keyed_digest(secret.encode(), body).hex()}"


def body_of(feedback: Feedback) -> bytes:
    return json.dumps(feedback.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a failure: the signed body goes only where it was configured to go


def _post(url: str, body: bytes, headers: dict[str, str]) -> None:
    timeout = float(getattr(settings, "FENGQIAO_REFERRAL_CALLBACK_TIMEOUT", 5))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver(feedback: Feedback, *, now: dt.datetime | None = None) -> bool:
    """One try: POST the signed body; on failure the error and the next try are recorded."""
    now = now or timezone.now()
    referrer = feedback.referrer
    body = body_of(feedback)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Fengqiao-Delivery": str(feedback.pk),
        "X-Fengqiao-Event": feedback.event,
    }
    if referrer.callback_secret:
        headers[SIGNATURE_HEADER] = signature(body, referrer.callback_secret)
    attempts = feedback.attempts + 1
    try:
        _post(referrer.callback_url, body, headers)
    except Exception as exc:  # any failure of the far end is recorded and retried, never raised into the job
        error = f"{type(exc).__name__}: {exc}"[:300]
        later = now + backoff(attempts) if attempts < MAX_ATTEMPTS else None
        Feedback.objects.filter(pk=feedback.pk).update(attempts=attempts, last_error=error, next_attempt_at=later)
        feedback.attempts, feedback.last_error, feedback.next_attempt_at = attempts, error, later
        return False
    Feedback.objects.filter(pk=feedback.pk).update(attempts=attempts, delivered_at=now, next_attempt_at=None)
    Dispute.objects.filter(pk=feedback.dispute_id).update(feedback_sent_at=now)
    feedback.attempts, feedback.delivered_at, feedback.next_attempt_at = attempts, now, None
    return True


def deliver_due(now: dt.datetime | None = None, *, limit: int = 50) -> int:
    """The periodic job: each due delivery is claimed with a conditional UPDATE (so two workers never send it twice at
    once), then tried. Returns how many landed."""
    now = now or timezone.now()
    due = Feedback.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now, referrer__active=True).exclude(
        referrer__callback_url=""
    )
    landed = 0
    for feedback in due.select_related("referrer").order_by("next_attempt_at")[:limit]:
        lease = now + dt.timedelta(minutes=5)
        if not Feedback.objects.filter(pk=feedback.pk, next_attempt_at=feedback.next_attempt_at).update(
            next_attempt_at=lease
        ):
            continue
        landed += deliver(feedback, now=now)
    return landed


def feedback_status(dispute: Dispute) -> list[Feedback]:
    return list(dispute.feedbacks.order_by("created_at", "pk"))


def conclude(
    dispute: Dispute, step: str, *, actor: Any, note: str = "", now: dt.datetime | None = None, **values: Any
) -> Dispute:
    """Apply a concluding workflow step and, in the same transaction, queue the feedback to the case's referrer."""
    with transaction.atomic():
        DISPUTE_FLOW.apply(dispute, step, actor=actor, note=note, now=now, **values)
        queue_feedback(dispute=dispute, step=step, now=now)
    return dispute


class RefTaken(DomainError):
    status = 409


def check_intake(*, source: str, source_ref: str, referrer: Referrer | None, grid: GridNode) -> None:
    """At intake: a named referrer fits the channel and area, and the channel's reference is not yet used."""
    check_referrer(referrer=referrer, source=source, grid=grid)
    ref = (source_ref or "").strip()
    if ref and Dispute.objects.filter(source=source, source_ref=ref[:64]).exists():
        raise RefTaken(
            _("来源编号 %(ref)s 已录入过，请勿重复录入。") % {"ref": ref[:64]}, code=DisputeErrorCode.REF_TAKEN
        )


def set_callback_secret(*, actor: User | None, referrer: Referrer, secret: str) -> None:
    """The shared secret that signs callbacks (stored encrypted); the audit row says it changed, never what to."""
    with transaction.atomic():
        referrer.callback_secret = secret
        referrer.save(update_fields=["callback_secret"])
        audit.record(actor=actor, verb="referrer_secret", target=referrer, note=referrer.name)
