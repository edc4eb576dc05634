"""Online mediation pages: the mediator issues and revokes party links and schedules online sessions (case page);
each party's private link page (no login, phone first) joins the video session, reads and signs the session notes
and the agreement, and lets the applicant rate the mediation; the applicant may also rate from the tracking page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import pages, ratelimit, receipts
from fengqiao.core.errors import CoreErrorCode, DomainError, show_error
from fengqiao.core.ratelimit import answers_429, check_lookup, limit
from fengqiao.disputes import online, selectors
from fengqiao.disputes.models import Agreement, Dispute, Party, PartyLink, Session, Signature
from fengqiao.disputes.workflow import mediator, mediator_or_centre

# The mediator's side ---------------------------------------------------------------------------------------------


def _case(request: AuthenticatedRequest, code: str) -> Dispute:
    check_lookup(request)
    try:
        return selectors.dispute_detail(actor=request.user, code=code)
    except Dispute.DoesNotExist:
        raise Http404(code) from None


def case_panel(user: Any, dispute: Dispute) -> dict[str, Any]:
    """What ``disputes/_online.html`` shows on the case page: links, online sessions and who joined, signatures of
    the current agreement and of the session notes, the rating and the return visit."""
    now = timezone.now()
    parties = list(dispute.parties.all())
    links = online.live_links(dispute, now=now)
    agreement = online.current_agreement(dispute)
    agreement_signed = {s.party_id: s for s in agreement.signatures.all()} if agreement is not None else {}
    sessions = list(dispute.sessions.prefetch_related("attendances__party", "signatures__party"))
    return {
        "can_link": mediator_or_centre(user, dispute)
        and dispute.mediator_id is not None
        and dispute.state not in online.LINK_DEAD_STATES,
        "can_schedule": mediator(user, dispute) and dispute.state in ("accepted", "mediating"),
        "parties": [{"party": p, "link": links.get(p.pk), "signed": agreement_signed.get(p.pk)} for p in parties],
        "online_sessions": [s for s in sessions if s.online],
        "signed_sessions": [s for s in sessions if s.signatures.all()],
        "agreement": agreement,
        "now": now,
    }


def _party_of(request: AuthenticatedRequest, code: str, party_id: int) -> tuple[Dispute, Party]:
    dispute = _case(request, code)
    return dispute, get_object_or_404(dispute.parties.all(), pk=party_id)


@login_required
@require_POST
@answers_429
def issue_link(request: AuthenticatedRequest, code: str, party_id: int) -> HttpResponse:
    """发送当事人链接: shown once, as an address and a QR code, for the mediator to send by SMS or WeChat."""
    dispute, party = _party_of(request, code, party_id)
    try:
        link, token = online.issue_party_link(actor=request.user, party=party)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("disputes:detail", code=dispute.tracking_code)
    url = request.build_absolute_uri(reverse("disputes:party_home", args=[token]))
    response = render(
        request,
        "disputes/party_link.html",
        {
            "d": dispute,
            "party": party,
            "link": link,
            "url": url,
            "qr_svg": segno.make(url, error="m").svg_inline(scale=6),
        },
    )
    return pages.private(response)


@login_required
@require_POST
@answers_429
def revoke_link(request: AuthenticatedRequest, code: str, party_id: int) -> HttpResponse:
    dispute, party = _party_of(request, code, party_id)
    live = PartyLink.objects.filter(party=party, revoked_at__isnull=True)
    try:
        for link in live:
            online.revoke_party_link(actor=request.user, link=link)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已作废%(who)s的专属链接。") % {"who": party})
    return redirect("disputes:detail", code=dispute.tracking_code)


class ScheduleForm(forms.Form):
    held_at = forms.DateTimeField()
    meeting_link = forms.CharField(max_length=200)
    participants = forms.CharField(required=False, max_length=500)


class WriteUpForm(forms.Form):
    participants = forms.CharField(required=False, max_length=500)
    notes = forms.CharField(max_length=4000)


@login_required
@require_POST
@answers_429
def schedule(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """安排线上调解."""
    dispute = _case(request, code)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写线上调解的时间和视频会议链接。"))
    else:
        try:
            online.schedule_online_session(actor=request.user, dispute=dispute, **form.cleaned_data)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已安排线上调解，当事人可通过专属链接进入。"))
    return redirect("disputes:detail", code=dispute.tracking_code)


@login_required
@require_POST
@answers_429
def write_up(request: AuthenticatedRequest, code: str, session_id: int) -> HttpResponse:
    """调解笔录 of a scheduled online session."""
    dispute = _case(request, code)
    session = get_object_or_404(dispute.sessions.all(), pk=session_id)
    form = WriteUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写调解情况。"))
    else:
        try:
            online.write_up_session(actor=request.user, session=session, **form.cleaned_data)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("调解笔录已保存，当事人可通过专属链接签名确认。"))
    return redirect("disputes:detail", code=dispute.tracking_code)


# The party's side (no login) ---------------------------------------------------------------------------------


def _invalid(request: HttpRequest) -> HttpResponse:
    return pages.private(render(request, "disputes/party_invalid.html", status=404))


def _party(request: HttpRequest, token: str) -> Party | None:
    """The link's party, or None; wrong tokens count against the client like wrong receipt secrets."""
    if not receipts.allowed_to_try(request):
        raise ratelimit.RateLimited(_("尝试次数过多，请稍后再试。"), code=CoreErrorCode.RATE_LIMITED)
    party = online.party_for_token(token)
    if party is None:
        receipts.count_miss(request)
    return party


def _home(token: str) -> str:
    return reverse("disputes:party_home", args=[token])


@limit("party", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
@answers_429
def party_home(request: HttpRequest, token: str) -> HttpResponse:
    """The party's page: the online session to join, the notes and the agreement to sign, the rating."""
    party = _party(request, token)
    if party is None:
        return _invalid(request)
    dispute = party.dispute
    agreement = online.current_agreement(dispute)
    mine = {s.session_id or 0: s for s in party.signatures.filter(session__isnull=False)}
    sessions = list(dispute.sessions.exclude(notes="").order_by("held_at"))
    joined = set(party.attendances.values_list("session_id", flat=True))
    upcoming = list(online.upcoming_sessions(dispute))
    response = render(
        request,
        "disputes/party_home.html",
        {
            "token": token,
            "party": party,
            "d": dispute,
            "upcoming": [{"session": s, "joined": s.pk in joined} for s in upcoming],
            "statements": [{"session": s, "signed": mine.get(s.pk)} for s in sessions],
            "agreement": agreement,
            "agreement_signed": (
                party.signatures.filter(agreement=agreement).first() if agreement is not None else None
            ),
            "agreement_count": agreement.signatures.count() if agreement is not None else 0,
            "party_count": dispute.parties.count(),
            "can_rate": party.role == Party.Role.APPLICANT and online.may_rate(dispute),
        },
    )
    return pages.private(response)


@require_POST
@limit("party", "FENGQIAO_RATE_TRACK", methods=("POST",))
@answers_429
def party_join(request: HttpRequest, token: str, session_id: int) -> HttpResponse:
    """进入视频调解: record the attendance, then go to the video service. The answer is a page that follows the
    meeting link (a link, and a script that opens it): a redirect would end a form post on another site, which the
    site's CSP (form-action 'self') rightly blocks."""
    party = _party(request, token)
    if party is None:
        return _invalid(request)
    session = get_object_or_404(Session, pk=session_id, dispute=party.dispute)
    try:
        meeting = online.join_session(party=party, session=session, ip=ratelimit.client_ip(request))
    except DomainError as exc:
        show_error(request, exc)
        return pages.private(redirect(_home(token)))
    return pages.private(render(request, "disputes/party_join.html", {"meeting": meeting, "token": token}))


@require_POST
@limit("party", "FENGQIAO_RATE_TRACK", methods=("POST",))
@answers_429
def party_sign(request: HttpRequest, token: str, kind: str, pk: int) -> HttpResponse:
    """Sign the agreement version ``pk`` or the notes of session ``pk`` with the drawn image in ``image``; the
    signer is always the link's party, whatever else the body says."""
    party = _party(request, token)
    if party is None:
        return _invalid(request)
    target: dict[str, Any]
    if kind == Signature.Kind.AGREEMENT:
        target = {"agreement": get_object_or_404(Agreement, dispute=party.dispute, version=pk)}
    elif kind == Signature.Kind.STATEMENT:
        target = {"session": get_object_or_404(Session, dispute=party.dispute, pk=pk)}
    else:
        raise Http404(kind)
    signer = online.Signer(ip=ratelimit.client_ip(request), user_agent=request.headers.get("User-Agent", "")[:300])
    try:
        online.sign(party=party, data_url=request.POST.get("image", ""), signer=signer, **target)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("签名成功，感谢您的确认。"))
    return pages.private(redirect(_home(token)))


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(coerce=int, choices=[(i, str(i)) for i in range(1, 6)])
    comment = forms.CharField(required=False, max_length=online.MAX_COMMENT)


@require_POST
@limit("party", "FENGQIAO_RATE_TRACK", methods=("POST",))
@answers_429
def party_rate(request: HttpRequest, token: str) -> HttpResponse:
    party = _party(request, token)
    if party is None:
        return _invalid(request)
    _rate(request, party.dispute, party=party)
    return pages.private(redirect(_home(token)))


@require_POST
@limit("track", "FENGQIAO_RATE_TRACK", methods=("POST",))
@answers_429
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    """评价 from the public tracking page, with the secret of the applicant's receipt (as withdrawing works)."""
    dispute = Dispute.objects.filter(tracking_code=code).first()
    if dispute is None:
        raise Http404(code)
    secret = (request.POST.get("k") or "").strip()
    page = reverse("disputes:track", args=[dispute.tracking_code])
    if not receipts.verify(request, dispute.applicant_secret_index, secret):
        messages.error(request, _("只有申请人可以通过提交时获得的专属链接进行评价。"))
        return redirect(page)
    _rate(request, dispute, secret=secret)
    return redirect(f"{page}?{urlencode({'k': secret})}")


def _rate(request: HttpRequest, dispute: Dispute, **who: Any) -> None:
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择 1 到 5 星。"))
        return
    try:
        online.rate_dispute(dispute=dispute, **form.cleaned_data, **who)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("感谢您的评价！"))
