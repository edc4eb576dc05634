"""Dispute pages: the public poster, intake and tracking (no login); the centre's queue; the case page; the
mediator's phone workspace; documents; the case library; figures; organisations and the roster import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import audit, scoping, tracking
from fengqiao.core.attachments import attachments_of
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import answers_429, check_lookup, check_search, limit
from fengqiao.core.redirects import safe_next
from fengqiao.core.reveal import RevealForm, reveal_pii
from fengqiao.disputes import documents, importer, online, selectors, services, tiers, views_online, views_routing
from fengqiao.disputes.clocks import FLAG_LABELS
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.disputes.forms import (
    ActionForm,
    ImportForm,
    IntakeForm,
    QueueFilterForm,
    StaffIntakeForm,
    WithdrawForm,
)
from fengqiao.disputes.models import Agreement, Dispute, Mediator, Party, Source
from fengqiao.disputes.workflow import DISPUTE_FLOW, STATES, mediator_or_centre
from fengqiao.grids.models import GridNode, Level


def _dispute_or_404(request: AuthenticatedRequest, code: str) -> Dispute:
    check_lookup(request)
    try:
        return selectors.dispute_detail(actor=request.user, code=code)
    except Dispute.DoesNotExist:
        raise Http404(code) from None


def _is_centre(user: Any) -> bool:
    return bool(user.has_role(Role.DISPATCHER, Role.ADMIN, Role.LEADER))


def _form_errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )


@login_required
@answers_429
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """The centre administrator's queue: colours, labels and filters, most urgent first."""
    user: Any = request.user
    check_search(request)
    if not _is_centre(user) and user.has_role(Role.MEDIATOR):
        return redirect("disputes:mine")
    form = QueueFilterForm(request.GET or None)
    filters = selectors.QueueFilters(open_only=not request.GET)
    if form.is_valid():
        filters = selectors.QueueFilters(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
        filters.flag = request.GET.get("flag", "")
    now = timezone.now()
    page = Paginator(selectors.dispute_queue(actor=user, filters=filters, now=now), 30).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "disputes/queue.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.colour_counts(actor=user, now=now),
            "units": selectors.unit_colour_counts(actor=user, now=now),
            "flag_labels": FLAG_LABELS,
            "query": query.urlencode(),
        },
    )


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The mediator's phone workspace: my cases, most urgent first."""
    colour = request.GET.get("colour", "")
    cases = selectors.my_cases(actor=request.user, colour=colour if colour in selectors.COLOURS else "")
    if request.GET.get("todo") == "revisit":  # the home page's 待回访 count lists exactly these
        cases = online.awaiting_revisit(actor=request.user)
    return render(request, "disputes/mine.html", {"cases": cases[:100]})


@login_required
@only_for(holds(Role.DISPATCHER, Role.ADMIN), gettext_lazy("只有综治中心可以录入纠纷。"))
def new(request: AuthenticatedRequest) -> HttpResponse:
    """A centre enters a walk-in visitor or a referral from police, court or petition office."""
    user: Any = request.user
    form = StaffIntakeForm(request.POST or None, actor=user)
    grids = scoping.scope(GridNode.objects.filter(level__gte=Level.COMMUNITY), user).order_by("path")[:500]
    if request.method == "POST" and form.is_valid():
        grid = scoping.scope(GridNode.objects.all(), user).filter(code=request.POST.get("grid", "")).first()
        data = form.cleaned_data
        try:
            dispute = services.submit_dispute(
                actor=user,
                source=data["source"],
                type=data["type"],
                summary=data["summary"],
                claim=data["claim"],
                amount=data["amount"],
                people_involved=data["people_involved"],
                risk=data["risk"],
                risk_reason=data["risk_reason"],
                grid=grid,
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                parties=_parties(data),
                photos=request.FILES.getlist("photos"),
                referrer=data.get("referrer"),
                source_ref=data.get("source_ref") or "",
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已录入，查询码 %(code)s。") % {"code": dispute.tracking_code})
            return redirect("disputes:detail", code=dispute.tracking_code)
    return render(request, "disputes/new.html", {"form": form, "grids": grids})


def _parties(data: dict[str, Any]) -> list[services.PartyData]:
    return [
        services.PartyData(
            role=Party.Role.APPLICANT,
            name=data["applicant_name"],
            phone=data.get("applicant_phone") or "",
            id_number=data.get("applicant_id") or "",
        ),
        services.PartyData(
            role=Party.Role.RESPONDENT,
            kind=data["respondent_kind"],
            name=data["respondent_name"],
            phone=data.get("respondent_phone") or "",
            id_number=data.get("respondent_id") or "",
        ),
    ]


def _reveal(request: AuthenticatedRequest, dispute: Dispute, *, may: bool) -> tuple[int | None, RevealForm]:
    """A POSTed reason unmasks one party of this case, and is logged; the page never unmasks on a GET."""
    if request.method != "POST":
        return None, RevealForm()
    if not may:
        raise PermissionDenied
    party_id = request.POST.get("party", "")
    party = get_object_or_404(dispute.parties.all(), pk=int(party_id) if party_id.isdigit() else 0)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("查看完整信息须选择查看理由。") + _form_errors(form))
        return None, form
    fields = [name for name in ("phone", "id_number") if getattr(party, name)]
    reveal_pii(
        actor=request.user,
        target=dispute,
        record=party,
        fields=fields,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    return party.pk, RevealForm()


@login_required
@answers_429
def detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The case page: facts, parties (masked), timeline, sessions, agreements and the actions this user may take."""
    dispute = _dispute_or_404(request, code)
    user: Any = request.user
    actions = selectors.available_actions(actor=user, dispute=dispute)
    can_work = mediator_or_centre(user, dispute)
    revealed, reveal_form = _reveal(request, dispute, may=can_work)
    return render(
        request,
        "disputes/detail.html",
        {
            "d": dispute,
            "parties": list(dispute.parties.all()),
            "revealed": revealed,
            "reveal_form": reveal_form,
            "timeline": selectors.timeline(dispute),
            "sessions": dispute.sessions.select_related("recorded_by"),
            "updates": dispute.updates.select_related("author"),
            "agreements": dispute.agreements.select_related("created_by"),
            "evidence": attachments_of(dispute, "evidence"),
            "actions": actions,
            "can_work": can_work,
            "can_update": can_work and dispute.state in ("assigned", "accepted", "mediating", "unresolved"),
            "can_draft": can_work and dispute.state in ("mediating", "resolved"),
            "suggestions": selectors.suggest_mediators(dispute=dispute) if "assign" in actions else [],
            "mediators": selectors.assignable_mediators(dispute=dispute) if "assign" in actions else [],
            "types": selectors.active_types() if "register" in actions else [],
            "studies": selectors.similar_studies(dispute=dispute),
            "flag_labels": FLAG_LABELS,
            "tier_list": tiers.tiers(dispute.ladder),
            "online": views_online.case_panel(user, dispute),
            "routing": views_routing.case_panel(user, dispute),
            "form": ActionForm(),
        },
    )


def _mediator(pk: Any) -> Mediator:
    mediator = Mediator.objects.select_related("user", "organisation").filter(pk=pk).first()
    if mediator is None:
        raise DomainError(_("请选择调解员。"), code=DisputeErrorCode.MEDIATOR_REQUIRED)
    return mediator


Handler = Callable[[AuthenticatedRequest, Dispute, dict[str, Any]], Any]
ACTIONS: dict[str, Handler] = {
    "register": lambda r, d, f: services.register(
        actor=r.user, dispute=d, type=f["type"], risk=f["risk"], risk_reason=f["risk_reason"], note=f["note"]
    ),
    "assign": lambda r, d, f: services.assign(
        actor=r.user, dispute=d, mediator=_mediator(f["mediator"]), note=f["note"]
    ),
    "accept": lambda r, d, f: services.accept(actor=r.user, dispute=d, note=f["note"]),
    "decline": lambda r, d, f: services.decline(actor=r.user, dispute=d, reason=f["note"]),
    "recall": lambda r, d, f: services.recall(actor=r.user, dispute=d, reason=f["note"]),
    "record_session": lambda r, d, f: services.record_session(
        actor=r.user,
        dispute=d,
        held_at=f["held_at"],
        place=f["place"],
        online=f["online"],
        participants=f["participants"],
        notes=f["notes"],
    ),
    "update": lambda r, d, f: services.post_update(
        actor=r.user, dispute=d, text=f["text"], photos=r.FILES.getlist("photos")
    ),
    "agreement": lambda r, d, f: services.draft_agreement(
        actor=r.user, dispute=d, facts=f["facts"], terms=f["terms"], performance=f["performance"]
    ),
    "resolve": lambda r, d, f: services.resolve(actor=r.user, dispute=d, result=f["result"]),
    "fail": lambda r, d, f: services.fail(actor=r.user, dispute=d, reason=f["note"]),
    "escalate": lambda r, d, f: services.escalate(actor=r.user, dispute=d, note=f["note"]),
    "refer": lambda r, d, f: services.refer(actor=r.user, dispute=d, referral_to=f["referral_to"], note=f["note"]),
    "withdraw": lambda r, d, f: services.withdraw(actor=r.user, dispute=d, reason=f["note"]),
    "request_confirmation": lambda r, d, f: services.request_confirmation(actor=r.user, dispute=d, note=f["note"]),
    "record_confirmation": lambda r, d, f: services.record_confirmation(actor=r.user, dispute=d, outcome=f["outcome"]),
    "revisit": lambda r, d, f: services.record_revisit(actor=r.user, dispute=d, note=f["note"]),
    "close": lambda r, d, f: services.close(actor=r.user, dispute=d, note=f["note"]),
}


@login_required
@require_POST
@answers_429
def act(request: AuthenticatedRequest, code: str, name: str) -> HttpResponse:
    """Apply one action from the case page; every outcome is a clear message."""
    dispute = _dispute_or_404(request, code)
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404(name)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": _form_errors(form)})
        return redirect("disputes:detail", code=dispute.tracking_code)
    try:
        handler(request, dispute, dict(form.cleaned_data))
    except DomainError as exc:
        show_error(request, exc)
    else:
        done = {"action": DISPUTE_FLOW.label(name), "code": dispute.tracking_code}
        messages.success(request, _("已完成“%(action)s”：纠纷 %(code)s。") % done)
    return redirect(safe_next(request, reverse("disputes:detail", args=[dispute.tracking_code])))


def _agreement(request: AuthenticatedRequest, code: str, version: int) -> Agreement:
    dispute = _dispute_or_404(request, code)
    if not mediator_or_centre(request.user, dispute):
        raise PermissionDenied(_("只有承办调解员和综治中心可以下载协议书。"))
    return get_object_or_404(Agreement.objects.select_related("dispute"), dispute=dispute, version=version)


@login_required
@answers_429
def agreement_file(request: AuthenticatedRequest, code: str, version: int, fmt: str) -> HttpResponse:
    """The agreement as PDF or .docx; each download is logged (it carries full ID numbers)."""
    if fmt not in ("pdf", "docx"):
        raise Http404(fmt)
    agreement = _agreement(request, code, version)
    if fmt == "pdf":
        data, mime = documents.agreement_pdf(agreement), "application/pdf"
    else:
        data = documents.agreement_docx(agreement)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    audit.record(actor=request.user, verb="agreement_download", target=agreement.dispute, data={"version": version})
    response = HttpResponse(data, content_type=mime)
    name = f"tiaojie-xieyi-{agreement.dispute.tracking_code}-v{version}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
@answers_429
def agreement_signed(request: AuthenticatedRequest, code: str, version: int) -> HttpResponse:
    agreement = _agreement(request, code, version)
    try:
        services.upload_signed_agreement(actor=request.user, agreement=agreement, scans=request.FILES.getlist("scan"))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("签字协议书已上传。"))
    return redirect("disputes:detail", code=code)


@login_required
@answers_429
def referral_file(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The referral letter for the receiving court or commission: it names the parties in full, so only the case's
    mediator and the centre may print it, and each download is logged."""
    dispute = _dispute_or_404(request, code)
    if not mediator_or_centre(request.user, dispute):
        raise PermissionDenied(_("只有承办调解员和综治中心可以下载移送函。"))
    if not dispute.referral_letter:
        raise Http404(code)
    audit.record(actor=request.user, verb="referral_download", target=dispute)
    response = HttpResponse(documents.referral_pdf(dispute), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="yisong-{dispute.tracking_code}.pdf"'
    return response


def _community(code: str) -> GridNode:
    node = GridNode.objects.filter(code=code, level__gte=Level.STREET).first()
    if node is None:
        raise Http404(code)
    return node


@login_required
def poster(request: AuthenticatedRequest, grid_code: str) -> HttpResponse:
    """The community's 一码解纠纷 poster, with a printable PDF."""
    try:
        node = scoping.get_scoped(GridNode.objects.all(), request.user, code=grid_code)
    except GridNode.DoesNotExist:
        raise Http404(grid_code) from None
    url = request.build_absolute_uri(reverse("disputes:apply", args=[node.code]))
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.poster_pdf(community=node.name, url=url), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="yimajiejiufen-{node.code}.pdf"'
        return response
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=8)
    return render(request, "disputes/poster.html", {"node": node, "url": url, "qr_svg": svg})


@limit("public_report", "FENGQIAO_RATE_PUBLIC_REPORT")
def apply(request: HttpRequest, grid_code: str) -> HttpResponse:
    """The resident's phone intake reached from the poster: no login; answers with a tracking code."""
    community = _community(grid_code)
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispute = services.submit_dispute(
                actor=None,
                source=Source.QR,
                type=data["type"],
                summary=data["summary"],
                claim=data["claim"],
                amount=data["amount"],
                people_involved=data["people_involved"],
                grid=community,
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                parties=_parties(data),
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            query = urlencode({"new": 1, "k": getattr(dispute, "applicant_secret", "")})
            return redirect(f"{reverse('disputes:track', args=[dispute.tracking_code])}?{query}")
    return render(request, "disputes/apply.html", {"form": form, "community": community})


@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant's tracking page: every stage in real time, none of the other party's personal data."""
    try:
        dispute, stages = selectors.public_tracking(code=code)
    except Dispute.DoesNotExist:
        raise Http404(code) from None
    return tracking.receipt_page(
        request,
        case=dispute,
        secret_index=dispute.applicant_secret_index,
        url_name="disputes:track",
        action=WITHDRAW,
        template="disputes/track.html",
        context=lambda applicant: {
            "d": dispute,
            "stages": stages,
            "can_withdraw": applicant and DISPUTE_FLOW.allows(dispute, "withdraw", actor=None),
            "tier_name": dispute.tier_name,
        },
    )


WITHDRAW = tracking.ReceiptAction(
    form=WithdrawForm,
    act=lambda dispute, data, secret: services.withdraw(
        actor=None, dispute=dispute, reason=data["reason"], secret=secret
    ),
    refused=gettext_lazy("只有申请人可以通过提交时获得的专属链接撤回申请。"),
    done=gettext_lazy("您的申请已撤回。"),
    invalid=gettext_lazy("请填写撤回理由。"),
)


@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
def track_lookup(request: HttpRequest) -> HttpResponse:
    return tracking.lookup_page(
        request, model=Dispute, url_name="disputes:track", template="disputes/track_lookup.html"
    )


@login_required
def library(request: AuthenticatedRequest) -> HttpResponse:
    """示范调解指引: typical cases searchable by type."""
    type_code = request.GET.get("type", "")
    q = request.GET.get("q", "").strip()[:50]
    return render(
        request,
        "disputes/library.html",
        {
            "studies": selectors.case_library(type_code=type_code, q=q)[:100],
            "types": selectors.active_types(),
            "type_code": type_code,
            "q": q,
        },
    )


FIGURE_PERIODS = {"month": gettext_lazy("本月"), "year": gettext_lazy("本年"), "all": gettext_lazy("全部")}


def _figure_period(key: str) -> tuple[str, dt.date | None, dt.date | None]:
    """本月 / 本年 / 全部, up to today; anything else reads as 本年, the period the county reports."""
    today = timezone.localdate()
    if key == "all":
        return key, None, None
    if key == "month":
        return key, today.replace(day=1), today
    return "year", today.replace(month=1, day=1), today


@login_required
def figures(request: AuthenticatedRequest) -> HttpResponse:
    """化解率 and the rest, for the actor's area and the chosen period."""
    key, since, until = _figure_period(request.GET.get("period", "year"))
    return render(
        request,
        "disputes/figures.html",
        {
            "f": selectors.figures(actor=request.user, since=since, until=until),
            "units": selectors.unit_colour_counts(actor=request.user),
            "period": key,
            "periods": [(k, str(v)) for k, v in FIGURE_PERIODS.items()],
        },
    )


@login_required
def organisations(request: AuthenticatedRequest) -> HttpResponse:
    """Mediation organisations in the area, with members and caseload; admins import the roster here."""
    user: Any = request.user
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not user.has_role(Role.ADMIN, Role.DISPATCHER):
            raise PermissionDenied(_("只有管理员可以导入调解员名册。"))
        if form.is_valid():
            try:
                result = importer.import_roster(actor=user, file=form.cleaned_data["file"])
            except DomainError as exc:
                show_error(request, exc)
            else:
                messages.success(
                    request,
                    _("已导入：新建组织 %(o)s 个，新建调解员 %(m)s 名。")
                    % {"o": result.organisations, "m": result.mediators},
                )
                return redirect("disputes:organisations")
    return render(
        request,
        "disputes/organisations.html",
        {"organisations": selectors.organisations(actor=user)[:300], "form": form, "states": STATES},
    )
