"""Dispatch pages: the phone inbox with live push, compose and tracking for senders, patrols, visits, diaries, duty."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.attachments import attachments_of, read_uploads
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.redirects import is_safe, safe_next
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.forms import DiaryForm, ReportForm, SendForm, VisitForm
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
            "visit_form": visit_form or VisitForm(prefix="visit", initial={"idempotency_key": uuid.uuid4().hex}),
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
