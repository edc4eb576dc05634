"""Dispatch pages: the phone inbox with live push, compose and tracking for senders, patrols, visits, diaries, duty."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import links
from fengqiao.core.attachments import attachments_of, read_uploads
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.redirects import is_safe, safe_next
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.forms import DiaryForm, ReportForm, ScreeningForm, SendForm, VisitForm
from fengqiao.dispatch.models import Instruction, Notification, Patrol
from fengqiao.dispatch.stream import Cursor, current_cursor, events, frame


def _instruction(request: AuthenticatedRequest, pk: int) -> Instruction:
    try:
        return selectors.instruction_for(actor=request.user, pk=pk)
    except Instruction.DoesNotExist:
        raise Http404(str(pk)) from None


def _back(request: AuthenticatedRequest, fallback: str) -> HttpResponse:
    return redirect(safe_next(request, fallback))


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """消息中心 (phone first): instructions addressed to my grids and my notifications, updated live."""
    pending = request.GET.get("pending") == "1"
    page = Paginator(selectors.inbox(actor=request.user, pending=pending), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "dispatch/inbox.html",
        {
            "page": page,
            "notifications": selectors.notifications(actor=request.user)[:30],
            "unread": selectors.unread_count(actor=request.user),
            "cursor": str(current_cursor(request.user)),
            "can_send": selectors.can_send(request.user),
        },
    )


@login_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    instruction = _instruction(request, pk)
    receipt = services.mark_read(actor=request.user, instruction=instruction)
    return render(
        request,
        "dispatch/detail.html",
        {
            "instruction": instruction,
            "receipt": receipt,
            "photos": attachments_of(instruction),
            "report_form": ReportForm(),
            "can_track": selectors.can_track(request.user, instruction),
        },
    )


def _act(request: AuthenticatedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    """Apply ``action``; ``done`` says what was done, naming the instruction by its title (``%(title)s``)."""
    instruction = _instruction(request, pk)
    try:
        action(instruction)
        messages.success(request, done % {"title": instruction.title})
    except DomainError as error:
        show_error(request, error)
    return _back(request, f"/dispatch/i/{pk}/")


@login_required
@require_POST
def acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda i: services.acknowledge(actor=request.user, instruction=i), _("已签收指令“%(title)s”。")
    )


@login_required
@require_POST
def complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = request.POST.get("report", "")
    return _act(
        request,
        pk,
        lambda i: services.report_completion(actor=request.user, instruction=i, report=report),
        _("已反馈指令“%(title)s”的办理情况。"),
    )


@login_required
def send(request: AuthenticatedRequest) -> HttpResponse:
    """下达指令."""
    if not selectors.can_send(request.user):
        messages.error(request, _("只有综治中心调度员、领导或管理员可以下达指令。"))
        return redirect("dispatch:inbox")
    form = SendForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            images = read_uploads(request.FILES.getlist("images"))
            instruction = services.send_instruction(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                nodes=data["targets"],
                roles=data["roles"],
                kind=data["kind"],
                priority=data["priority"],
                deadline=data["deadline"],
                requires_ack=data["requires_ack"],
                requires_report=data["requires_report"],
                images=images,
            )
        except DomainError as error:
            show_error(request, error)
        else:
            messages.success(request, _("指令已下达。"))
            return redirect("dispatch:track", pk=instruction.pk)
    return render(request, "dispatch/send.html", {"form": form})


@login_required
def sent(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.sent(actor=request.user).prefetch_related("targets"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "dispatch/sent.html", {"page": page, "can_send": selectors.can_send(request.user)})


def _may_see_duty(user: User) -> bool:
    return selectors.can_send(user) or user.has_role(Role.GRID_LEADER)


@login_required
def track(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """跟踪: live counts of read / acknowledged / completed by node, and who has not yet."""
    instruction = _instruction(request, pk)
    progress = selectors.tracking(actor=request.user, instruction=instruction)
    template = "dispatch/_tracking.html" if request.headers.get("HX-Request") else "dispatch/track.html"
    return render(request, template, {"instruction": instruction, "t": progress})


@login_required
@require_POST
def remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    instruction = _instruction(request, pk)
    try:
        count = services.remind(actor=request.user, instruction=instruction)
        messages.success(request, _("已向 %(n)s 人发送催办。") % {"n": count})
    except DomainError as error:
        show_error(request, error)
    return redirect("dispatch:track", pk=pk)


@login_required
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_notification_read(actor=request.user, notification=note)
    if is_safe(request, note.url):
        return redirect(note.url)
    return redirect("dispatch:inbox")


@login_required
@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    return redirect("dispatch:inbox")


async def stream(request: HttpRequest) -> HttpResponseBase:
    """Server-Sent Events for the signed-in user (ASGI). Under WSGI it answers once and asks the browser to retry."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    cursor = Cursor.parse(request.headers.get("Last-Event-ID")) or Cursor.parse(request.GET.get("after"))
    if not isinstance(request, ASGIRequest):
        from asgiref.sync import sync_to_async

        unread = await sync_to_async(selectors.unread_count)(actor=user)
        response: HttpResponseBase = HttpResponse(
            "retry: 5000\n\n" + frame("unread", {"unread": unread}), content_type="text/event-stream"
        )
    else:
        response = StreamingHttpResponse(events(user, cursor), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response


@login_required
def work(request: AuthenticatedRequest) -> HttpResponse:
    """巡查 · 走访 · 民情日志 on the phone."""
    visit_form = VisitForm(request.POST or None, prefix="visit") if request.POST.get("form") == "visit" else None
    diary_form = DiaryForm(request.POST or None, prefix="diary") if request.POST.get("form") == "diary" else None
    if request.method == "POST":
        try:
            if visit_form is not None and visit_form.is_valid():
                d = visit_form.cleaned_data
                services.record_visit(
                    actor=request.user,
                    address=d["address"],
                    note=d["note"],
                    person_name=d["person_name"],
                    person_ref=d["person_ref"],
                    lon=d["lon"],
                    lat=d["lat"],
                    idempotency_key=d["idempotency_key"] or None,
                )
                messages.success(request, _("走访已登记。"))
                return redirect("dispatch:work")
            if diary_form is not None and diary_form.is_valid():
                services.write_diary(actor=request.user, text=diary_form.cleaned_data["text"])
                messages.success(request, _("今日民情日志已保存。"))
                return redirect("dispatch:work")
        except DomainError as error:
            show_error(request, error)
    # 入户走访 started from a person's page in the base data: the form names them (masked) and where they live.
    person = links.resolve_person(request.GET.get("person", ""), request.user) if request.GET.get("person") else None
    if visit_form is None:
        initial = {"idempotency_key": uuid.uuid4().hex}
        if person is not None:
            initial.update(person_ref=person.ref, person_name=person.label, address=person.address)
        visit_form = VisitForm(prefix="visit", initial=initial)
    elif visit_form.data.get("visit-person_ref"):
        person = links.resolve_person(visit_form.data.get("visit-person_ref", ""), request.user)
    grid = selectors.worker_grid(request.user)
    memberships = [m for m in request.user.active_memberships if m.node_id == (grid.pk if grid else None)]
    compliance = selectors.compliance(memberships=memberships[:1]) if memberships else []
    return render(
        request,
        "dispatch/work.html",
        {
            "grid": grid,
            "patrol": selectors.open_patrol(actor=request.user),
            "patrols": selectors.my_patrols(actor=request.user)[:10],
            "visit_form": visit_form,
            "visit_person": person,
            "diary_form": diary_form or DiaryForm(prefix="diary"),
            "mine": compliance[0] if compliance else None,
            "can_send": selectors.can_send(request.user),
        },
    )


@login_required
@require_POST
def patrol_start(request: AuthenticatedRequest) -> HttpResponse:
    try:
        lon, lat = request.POST.get("lon") or None, request.POST.get("lat") or None
        services.start_patrol(actor=request.user, lon=lon, lat=lat)  # type: ignore[arg-type]
        messages.success(request, _("巡查已开始，正在记录轨迹。"))
    except DomainError as error:
        show_error(request, error)
    return redirect("dispatch:work")


@login_required
@require_POST
def patrol_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    patrol = get_object_or_404(Patrol, pk=pk, worker=request.user)
    try:
        services.end_patrol(actor=request.user, patrol=patrol, note=request.POST.get("note", ""))
        messages.success(request, _("巡查已结束。"))
    except DomainError as error:
        show_error(request, error)
    return redirect("dispatch:work")


@login_required
def duty(request: AuthenticatedRequest) -> HttpResponse:
    """履职情况: each worker in my jurisdiction against the duty rules of their role."""
    if not _may_see_duty(request.user):
        messages.error(request, _("只有网格长、调度员和领导可以查看履职情况。"))
        return redirect("dispatch:inbox")
    page = Paginator(selectors.duty_workers(actor=request.user), 50).get_page(request.GET.get("page"))
    rows = selectors.compliance(memberships=page.object_list)
    return render(
        request,
        "dispatch/duty.html",
        {"page": page, "rows": rows, "behind": sum(1 for r in rows if not r.ok)},
    )


# --- screening (矛盾纠纷排查) ----------------------------------------------------------------------------------------


def _campaign(request: AuthenticatedRequest) -> Instruction | None:
    """The campaign (专项排查) named by ``?instruction=`` or the form; one the user may not read is a 404."""
    raw = request.POST.get("instruction") or request.GET.get("instruction") or ""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404(raw)
    return _instruction(request, int(raw))


@login_required
@only_for(holds(*selectors.SCREENING_ROLES), gettext_lazy("只有网格长、专职网格员和兼职网格员可以填报矛盾排查。"))
def screening(request: AuthenticatedRequest) -> HttpResponse:
    """矛盾排查 on the phone: this period's result for one of my grids, or the answer to a campaign."""
    user = request.user
    grids = selectors.screening_grids(user)
    campaign = _campaign(request)
    start, end = selectors.screening_period(timezone.localdate(), instruction=campaign)
    initial = {
        "grid": grids[0].code if grids else "",
        "period_start": start,
        "period_end": end,
        "instruction": campaign.pk if campaign else None,
        "idempotency_key": uuid.uuid4().hex,
    }
    form = ScreeningForm(request.POST or None, grids=grids, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_screening(
                actor=user,
                grid=next((g for g in grids if g.code == d["grid"]), None),
                period_start=d["period_start"],
                period_end=d["period_end"],
                found=d["found"],
                none_found=d["none_found"],
                note=d["note"],
                instruction=campaign,
                idempotency_key=d["idempotency_key"] or None,
            )
        except DomainError as error:
            show_error(request, error, form=form)
        else:
            messages.success(request, _("排查结果已填报。"))
            if campaign is not None:
                return redirect("dispatch:detail", pk=campaign.pk)
            return redirect("dispatch:screening")
    return render(
        request,
        "dispatch/screening.html",
        {
            "form": form,
            "grids": grids,
            "campaign": campaign,
            "mine": selectors.my_screenings(actor=user)[:10],
            "can_send": selectors.can_send(user),
        },
    )


def _month(value: str) -> tuple[dt.date, dt.date]:
    try:
        day = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        day = timezone.localdate()
    return selectors.month_of(day)


@login_required
@only_for(holds(*selectors.SCREENING_READERS), gettext_lazy("只有网格长、调度员、领导和管理员可以查看排查台账。"))
def screenings(request: AuthenticatedRequest) -> HttpResponse:
    """排查台账: the records of my jurisdiction for one month, and the grids that have not reported (缺报)."""
    since, until = _month(request.GET.get("month", ""))
    page = Paginator(selectors.screenings_in_scope(actor=request.user, since=since, until=until), 50).get_page(
        request.GET.get("page")
    )
    missing = selectors.missing_grids(actor=request.user, since=since, until=until)
    previous = selectors.month_of(since - dt.timedelta(days=1))[0]
    following = until + dt.timedelta(days=1)
    return render(
        request,
        "dispatch/screenings.html",
        {
            "page": page,
            "since": since,
            "until": until,
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m") if following <= timezone.localdate() else "",
            "totals": selectors.screening_totals(actor=request.user, since=since, until=until),
            "missing": missing[:200],
            "missing_total": missing.count(),
            "can_send": selectors.can_send(request.user),
        },
    )
