"""Pages of 吹哨报到 (a whistle, each department's steps, the handler's list, the ranking) and of 即报即办 (the
worker's phone form, the centre's 抽查 list). Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Department, Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import answers_429, check_lookup
from fengqiao.events import selectors, spot, whistles
from fengqiao.events.forms import SpotForm, WhistleRankingForm
from fengqiao.events.models import Event, Summons
from fengqiao.events.workflow import SUMMONS_FLOW

HANDLERS = holds(Role.HANDLER)
RANKING = holds(*selectors.RANKING_ROLES)
CHECKERS = holds(Role.DISPATCHER, Role.ADMIN)


def _event_or_404(request: AuthenticatedRequest, code: str) -> Event:
    check_lookup(request)
    try:
        return selectors.event_detail(actor=request.user, code=code)
    except Event.DoesNotExist:
        raise Http404(code) from None


@login_required
@require_POST
@answers_429
def whistle(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """网格吹哨: call departments to the event."""
    event = _event_or_404(request, code)
    ids = [int(v) for v in request.POST.getlist("departments") if v.isdigit()]
    try:
        made = whistles.blow_whistle(
            actor=request.user,
            event=event,
            departments=list(Department.objects.filter(pk__in=ids)),
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已吹哨：%(names)s。") % {"names": "、".join(row.department.name for row in made)})
    return redirect("events:detail", code=event.tracking_code)


STEPS: dict[str, Callable[[AuthenticatedRequest, Summons], Any]] = {
    "sign": lambda r, s: whistles.sign_summons(actor=r.user, summons=s),
    "arrange": lambda r, s: whistles.arrange_summons(
        actor=r.user, summons=s, attendee=r.POST.get("attendee", ""), arrive_at=r.POST.get("arrive_at", "")
    ),
    "report": lambda r, s: whistles.report_summons(actor=r.user, summons=s, report=r.POST.get("report", "")),
}


@login_required
@require_POST
@answers_429
def summons_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    """One department's step on its own row. A row of an event the caller cannot see answers 404; the workflow
    table decides who may act (a handler of that department only)."""
    handler = STEPS.get(step)
    row = Summons.objects.select_related("event", "department").filter(pk=pk).first()
    if (
        handler is None
        or row is None
        or not selectors.visible_events(actor=request.user).filter(pk=row.event_id).exists()
    ):
        raise Http404(str(pk))
    try:
        handler(request, row)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(
            request,
            _("已完成“%(action)s”：%(dept)s。") % {"action": SUMMONS_FLOW.label(step), "dept": row.department.name},
        )
    return redirect("events:detail", code=row.event.tracking_code)


@login_required
@only_for(HANDLERS, gettext_lazy("只有职能部门办理人可以查看吹哨报到待办。"))
def my_whistles(request: AuthenticatedRequest) -> HttpResponse:
    """The handler's list: whistles their departments have still to sign, attend or report back on."""
    return render(request, "events/whistle_queue.html", {"rows": selectors.my_summonses(actor=request.user)[:200]})


@login_required
@only_for(RANKING, gettext_lazy("只有综治中心和领导可以查看部门报到排名。"))
def ranking(request: AuthenticatedRequest) -> HttpResponse:
    """部门报到排名: 报到率 and timeliness over a period, for departments answering whistles in the caller's area."""
    today = timezone.localdate()
    form = WhistleRankingForm(request.GET or None)
    since, until = today - dt.timedelta(days=29), today
    if form.is_valid():
        since = form.cleaned_data["since"] or since
        until = form.cleaned_data["until"] or until
    rows = selectors.whistle_ranking(actor=request.user, since=since, until=until)
    return render(request, "events/whistle_ranking.html", {"form": form, "rows": rows, "since": since, "until": until})


@login_required
@only_for(spot.may_solve_on_the_spot, gettext_lazy("只有网格员、网格长可以即报即办。"))
def solve_on_the_spot(request: AuthenticatedRequest) -> HttpResponse:
    """即报即办: the worker's phone form for a small matter already solved, with photos before and after."""
    form = SpotForm(
        request.POST or None, request.FILES or None, initial={"idempotency_key": uuid.uuid4().hex}, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = spot.solve_on_the_spot(
                actor=request.user,
                description=data["description"],
                result=data["result"],
                before=request.FILES.getlist("before"),
                after=request.FILES.getlist("after"),
                category=data["category"],
                lon=data["lon"],
                lat=data["lat"],
                grid=data["grid"],
                address=data["address"],
                idempotency_key=data["idempotency_key"] or None,
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已即报即办，事件 %(code)s 已办结。") % {"code": event.tracking_code})
            return redirect("events:detail", code=event.tracking_code)
    return render(request, "events/spot_form.html", {"form": form})


@login_required
@only_for(CHECKERS, gettext_lazy("只有综治中心可以抽查即报即办事件。"))
def spot_checks(request: AuthenticatedRequest) -> HttpResponse:
    """待抽查: events solved on the spot and drawn for the centre to confirm or send back."""
    return render(request, "events/spot_checks.html", {"events": selectors.spot_checks(actor=request.user)[:200]})
