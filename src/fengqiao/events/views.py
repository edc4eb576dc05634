"""Event pages: the dispatcher's workbench, the event page, phone pages for grid workers and residents."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Department, Role, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import scoping, tracking
from fengqiao.core.attachments import attachments_of
from fengqiao.core.errors import CoreErrorCode, DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import answers_429, check_lookup, check_search, limit
from fengqiao.events import acceptance, selectors, services, spot, suggest, tiers
from fengqiao.events.errors import EventErrorCode
from fengqiao.events.forms import (
    ActionForm,
    HotlineForm,
    PublicReportForm,
    QueueFilterForm,
    RatingForm,
    ReportForm,
)
from fengqiao.events.models import Event, Extension, Source, SpotCheck
from fengqiao.events.whistles import may_whistle
from fengqiao.events.workflow import EVENT_FLOW, OPEN_STATES, STATES, SUMMONS_FLOW, dispatcher
from fengqiao.grids.models import GridNode
from fengqiao.grids.selectors import visible_nodes

# Who may register a hotline call (12345): the centre. Menus and buttons read the same check.
HOTLINE = holds(Role.DISPATCHER, Role.ADMIN)


def _event_or_404(request: AuthenticatedRequest, code: str) -> Event:
    check_lookup(request)
    try:
        return selectors.event_detail(actor=request.user, code=code)
    except Event.DoesNotExist:
        raise Http404(code) from None


def _form_errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )


@login_required
@answers_429
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """The workbench: the actor's subtree, filtered, most urgent first."""
    check_search(request)
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    own_centre = selectors.owned_here(request.user) is not None
    page = Paginator(selectors.event_queue(actor=request.user, filters=filters), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/queue.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.colour_counts(actor=request.user, scope=filters.scope),
            "query": query.urlencode(),
            "states": STATES,
            "scope": filters.scope,
            "own_centre": own_centre,
        },
    )


@login_required
def department_queue(request: AuthenticatedRequest) -> HttpResponse:
    """The department handler's list: events routed to their departments."""
    states = request.GET.getlist("state")
    colour = request.GET.get("colour", "")
    events = selectors.department_queue(
        actor=request.user, states=states, colour=colour if colour in ("green", "orange", "red") else ""
    )
    return render(request, "events/department.html", {"events": events[:200]})


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "events/mine.html", {"events": selectors.my_events(actor=request.user)[:100]})


@login_required
@answers_429
def detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    event = _event_or_404(request, code)
    user: Any = request.user
    actions = selectors.available_actions(actor=user, event=event)
    read_only = tiers.read_only_above(user, event)
    can_supervise = (
        event.state in OPEN_STATES and user.has_role(Role.DISPATCHER, Role.LEADER, Role.ADMIN) and not read_only
    )
    duplicates = suggest.duplicates(event=event, actor=user) if "merge" in actions else []
    pending = event.extensions.filter(state=Extension.State.PENDING).first()
    suggestion = suggest.suggest(event.description) if "register" in actions else None
    summonses = selectors.summonses_of(event=event)
    for row in summonses:  # the steps this user may take on each department's row (吹哨报到)
        row.steps = [t.name for t in SUMMONS_FLOW.available(row, user)]  # type: ignore[attr-defined]
    can_whistle = may_whistle(user, event)
    can_assign_acceptance = acceptance.may_assign(user, event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "timeline": selectors.timeline(event),
            "photos": attachments_of(event),
            "actions": actions,
            "can_supervise": can_supervise,
            "can_extend": event.state in ("signed", "in_progress") and "handle" in actions,
            "pending_extension": pending,
            "can_decide_extension": pending is not None and dispatcher(user, event),
            "read_only_above": read_only,
            "ownership": tiers.ownership(event),
            "duplicates": duplicates,
            "departments": selectors.departments_for(event=event) if "route" in actions else [],
            "suggestion": suggestion,
            "form": ActionForm(),
            "categories": selectors.leaf_categories() if "register" in actions else [],
            "states": STATES,
            "summonses": summonses,
            "whistle_answered": selectors.whistle_answered(event=event),
            "can_whistle": can_whistle,
            "whistle_departments": selectors.departments_for(event=event) if can_whistle else [],
            "can_assign_acceptance": can_assign_acceptance,
            "acceptance_workers": selectors.acceptance_workers(event=event) if can_assign_acceptance else [],
            # Only an on-the-spot event drawn for the check carries a label; every other event has none.
            "spot_check_label": SpotCheck(event.spot_check).label
            if event.spot_check and event.spot_check in SpotCheck.values
            else "",
        },
    )


def _department(pk: Any) -> Department:
    dept = Department.objects.filter(pk=pk).first()
    if dept is None:
        raise DomainError(_("请选择责任部门。"), code=EventErrorCode.DEPARTMENT_REQUIRED)
    return dept


def _merge_target(request: AuthenticatedRequest, code: str) -> Event:
    try:
        return selectors.event_detail(actor=request.user, code=code)
    except Event.DoesNotExist:
        raise DomainError(_("找不到要合并的事件 %(code)s。") % {"code": code}, code=CoreErrorCode.NOT_FOUND) from None


ACTIONS: dict[str, Callable[[AuthenticatedRequest, Event, dict[str, Any]], Any]] = {
    "register": lambda r, e, d: services.register_event(actor=r.user, event=e, category=d["category"], note=d["note"]),
    "reject": lambda r, e, d: services.reject_event(actor=r.user, event=e, note=d["note"]),
    "merge": lambda r, e, d: services.merge_event(
        actor=r.user, event=e, into=_merge_target(r, d["into"]), note=d["note"]
    ),
    "handle_in_grid": lambda r, e, d: services.handle_in_grid(
        actor=r.user, event=e, result=d["result"], photos=d["photos"]
    ),
    "route": lambda r, e, d: services.route_event(
        actor=r.user,
        event=e,
        department=_department(d["department"]),
        co_departments=list(Department.objects.filter(pk__in=d["co_departments"] or [])),
        note=d["note"],
    ),
    "sign": lambda r, e, d: services.sign_event(actor=r.user, event=e, note=d["note"]),
    "return": lambda r, e, d: services.return_event(actor=r.user, event=e, note=d["note"]),
    "start": lambda r, e, d: services.start_event(actor=r.user, event=e, note=d["note"]),
    "handle": lambda r, e, d: services.handle_event(actor=r.user, event=e, result=d["result"], photos=d["photos"]),
    "escalate": lambda r, e, d: services.escalate_event(actor=r.user, event=e, note=d["note"], skip=d["skip"]),
    "verify": lambda r, e, d: services.verify_event(actor=r.user, event=e, acceptance=d["acceptance"], note=d["note"]),
    "close": lambda r, e, d: services.close_event(actor=r.user, event=e, note=d["note"]),
    "reopen": lambda r, e, d: services.reopen_event(actor=r.user, event=e, note=d["note"]),
    "revisit": lambda r, e, d: services.record_revisit(actor=r.user, event=e, note=d["note"]),
    "supervise": lambda r, e, d: services.supervise_event(actor=r.user, event=e, note=d["note"]),
    "to_dispute": lambda r, e, d: services.convert_to_dispute(actor=r.user, event=e, note=d["note"]),
    "extension": lambda r, e, d: services.request_extension(actor=r.user, event=e, hours=d["hours"], reason=d["note"]),
    "spot_confirm": lambda r, e, d: spot.confirm_spot_check(actor=r.user, event=e, note=d["note"]),
    "spot_reopen": lambda r, e, d: spot.reopen_spot_check(actor=r.user, event=e, note=d["note"]),
    "assign_acceptance": lambda r, e, d: acceptance.assign_acceptance(
        actor=r.user, event=e, worker=User.objects.filter(pk=d["worker"]).first() if d["worker"] else None
    ),
    "accept_on_site": lambda r, e, d: acceptance.accept_on_site(
        actor=r.user, event=e, acceptance=d["acceptance"], photos=d["photos"], lon=d["lon"], lat=d["lat"]
    ),
}

# Page actions whose name differs from the verb the workflow table labels.
VERBS = {"extension": "extension.request", "assign_acceptance": "acceptance.assign"}


@login_required
@require_POST
@answers_429
def act(request: AuthenticatedRequest, code: str, name: str) -> HttpResponse:
    """Apply one action from the event page; every outcome is a clear message."""
    event = _event_or_404(request, code)
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404(name)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": _form_errors(form)})
        return redirect("events:detail", code=event.tracking_code)
    data = dict(form.cleaned_data)
    data["photos"] = request.FILES.getlist("photos")
    try:
        handler(request, event, data)
    except DomainError as exc:
        show_error(request, exc)
    else:
        # What was done, to which event, in the workflow table's own words.
        action = EVENT_FLOW.label(VERBS.get(name, name))
        messages.success(
            request, _("已完成“%(action)s”：事件 %(code)s。") % {"action": action, "code": event.tracking_code}
        )
    return redirect("events:detail", code=event.tracking_code)


@login_required
@require_POST
def decide_extension(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    extension = Extension.objects.select_related("event").filter(pk=pk).first()
    if extension is None or not scoping.covers(request.user, extension.event.grid_path):
        raise Http404(str(pk))
    try:
        services.decide_extension(
            actor=request.user,
            extension=extension,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已审批延期申请。"))
    return redirect("events:detail", code=extension.event.tracking_code)


@login_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    """A grid worker's report from the phone: category, text, photos from the camera, GPS."""
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"idempotency_key": uuid.uuid4().hex},
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.report_event(
                actor=request.user,
                source=Source.PATROL,
                description=data["description"],
                category=data["category"],
                lon=data["lon"],
                lat=data["lat"],
                grid=data["grid"],
                address=data["address"],
                photos=request.FILES.getlist("photos"),
                idempotency_key=data["idempotency_key"] or None,
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已上报，查询码 %(code)s。") % {"code": event.tracking_code})
            return redirect("events:detail", code=event.tracking_code)
    return render(request, "events/report.html", {"form": form, "public": False})


@limit("public_report", "FENGQIAO_RATE_PUBLIC_REPORT")
def public_report(request: HttpRequest, grid_code: str) -> HttpResponse:
    """The resident's H5 page reached by a grid's QR code (郑好拍 / 码上服务): no login."""
    grid = GridNode.objects.filter(code=grid_code).first()
    if grid is None:
        raise Http404(grid_code)
    form = PublicReportForm(request.POST or None, request.FILES or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.report_event(
                actor=None,
                source=Source.RESIDENT,
                description=data["description"],
                category=data["category"],
                lon=data["lon"],
                lat=data["lat"],
                grid=grid,
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=request.FILES.getlist("photos"),
                idempotency_key=data["idempotency_key"] or None,
                caller=_browser(request),
                recent_codes=request.session.get(RECENT_REPORTS, []),
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            recent = [c for c in request.session.get(RECENT_REPORTS, []) if c != event.tracking_code]
            request.session[RECENT_REPORTS] = [*recent, event.tracking_code][-10:]
            query = urlencode({"new": 1, "k": getattr(event, "reporter_secret", "")})
            return redirect(f"{reverse('events:track', args=[event.tracking_code])}?{query}")
    _browser(request)  # the session cookie goes out with the form, so a retried post finds the same caller
    return render(request, "events/report.html", {"form": form, "public": True, "grid": grid})


# The tracking codes a resident's browser filed lately, kept in the server-side session (never the receipt secret): a
# report sent again after the back button is answered with the first one.
RECENT_REPORTS = "events.recent_reports"


def _browser(request: HttpRequest) -> str:
    """The resident's browser (its session), to which the public form's idempotency key belongs."""
    if not request.session.session_key:
        request.session.save()
    return f"session:{request.session.session_key}"


@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The resident's tracking page: every stage, no personal data; the rating form once it is closed."""
    try:
        event, stages = selectors.public_tracking(code=code)
    except Event.DoesNotExist:
        raise Http404(code) from None
    return tracking.receipt_page(
        request,
        case=event,
        secret_index=event.reporter_secret_index,
        url_name="events:track",
        action=RATE,
        template="events/track.html",
        context=lambda reporter: {"event": event, "stages": stages, "states": STATES, "reporter": reporter},
    )


RATE = tracking.ReceiptAction(
    form=RatingForm,
    act=lambda event, data, secret: services.rate_event(
        actor=None, event=event, stars=data["stars"], comment=data["comment"], secret=secret
    ),
    refused=gettext_lazy("只有上报人可以通过提交时获得的专属链接进行评价。"),
    done=gettext_lazy("感谢您的评价！"),
    invalid=gettext_lazy("请选择 1 到 5 星。"),
)


@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET", "POST"))
def track_lookup(request: HttpRequest) -> HttpResponse:
    return tracking.lookup_page(request, model=Event, url_name="events:track", template="events/track_lookup.html")


@login_required
@only_for(HOTLINE, gettext_lazy("只有综治中心可以登记热线来电。"))
def hotline(request: AuthenticatedRequest) -> HttpResponse:
    """The 12345 operator's form."""
    user: Any = request.user
    form = HotlineForm(request.POST or None)
    form.fields["grid"].queryset = visible_nodes(actor=user)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.report_event(
                actor=user,
                source=Source.HOTLINE,
                description=data["description"],
                category=data["category"],
                lon=data["lon"],
                lat=data["lat"],
                grid=data["grid"],
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                hotline_kind=data["hotline_kind"],
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已登记，查询码 %(code)s。") % {"code": event.tracking_code})
            return redirect("events:detail", code=event.tracking_code)
    return render(request, "events/hotline.html", {"form": form})


@login_required
def poster(request: HttpRequest, grid_code: str) -> HttpResponse:
    """A printable QR poster for a grid (郑好拍 / 码上服务)."""
    try:
        node = scoping.get_scoped(GridNode.objects.all(), request.user, code=grid_code)
    except GridNode.DoesNotExist:
        raise Http404(grid_code) from None
    url = request.build_absolute_uri(reverse("events:public_report", args=[node.code]))
    qr = segno.make(url, error="m")
    return render(request, "events/poster.html", {"node": node, "url": url, "qr_svg": qr.svg_inline(scale=8)})
