"""考核评价 pages: rankings, the daily efficiency list, monthly reviews, and XLSX exports of lists."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import scoping
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import answers_429, check_search
from fengqiao.events.forms import QueueFilterForm
from fengqiao.grids import selectors as grid_selectors
from fengqiao.grids.models import GridNode
from fengqiao.metrics import reports, selectors
from fengqiao.metrics.models import MonthlyReport

STAFF_ROLES = (Role.ADMIN, Role.LEADER, Role.DISPATCHER)


# One check for every 考核评价 page; menus and buttons (排名, 月度讲评) read the same one through may_open.
STAFF = holds(*STAFF_ROLES)
staff_only = only_for(STAFF, gettext_lazy("只有领导、调度员和管理员可以查看考核评价。"))


def _node(request: AuthenticatedRequest) -> GridNode:
    code = request.GET.get("node", "")
    try:
        if code:
            return grid_selectors.node_detail(actor=request.user, code=code)
    except GridNode.DoesNotExist:
        raise Http404(code) from None
    roots = grid_selectors.jurisdiction_roots(actor=request.user)
    if not roots:
        raise Http404("no jurisdiction")
    return roots[0]


def _crumbs(request: AuthenticatedRequest, node: GridNode) -> list[GridNode]:
    return [*grid_selectors.visible_ancestors(actor=request.user, node=node), node]


@login_required
@staff_only
def ranking(request: AuthenticatedRequest) -> HttpResponse:
    """排名: the node's children (and, from streets down, its grid workers) ranked by composite score."""
    node = _node(request)
    key = request.GET.get("period", "month")
    period = selectors.shown_period(key if key in selectors.PERIODS else "month")
    units = selectors.children_ranking(actor=request.user, node=node, period=period)
    sort = "village" if request.GET.get("sort") == "village" else "score"
    if sort == "village":
        units = selectors.by_village_share(units)
    return render(
        request,
        "metrics/ranking.html",
        {
            "node": node,
            "crumbs": _crumbs(request, node),
            "period": period,
            "periods": [(k, str(v)) for k, v in selectors.PERIODS.items()],
            "units": units,
            # Nothing counted anywhere below in the period: say so (本月暂无数据) above the table of zeros.
            "empty": not any(any(u.figures.counts.values()) for u in units),
            "workers": selectors.worker_ranking(actor=request.user, node=node, period=period),
            "indicators": selectors.indicators(),
            # 四事分办: the village share is a column beside the scores, sortable (the rank stays the score's).
            "sort": sort,
            "sort_query": urlencode({"node": node.code, "period": period.key}),
            "village_target": round(selectors.tier_targets()[0] * 100),
            "tier_target_text": selectors.tier_target_text(),
        },
    )


@login_required
@staff_only
def efficiency(request: AuthenticatedRequest) -> HttpResponse:
    """效能清单: generated daily (one day's figures and scores of the units below), reviewed monthly."""
    node = _node(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    period = selectors.Period("day", day, day)
    return render(
        request,
        "metrics/efficiency.html",
        {
            "node": node,
            "crumbs": _crumbs(request, node),
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
            "units": selectors.children_ranking(actor=request.user, node=node, period=period),
            "village_target": round(selectors.tier_targets()[0] * 100),
        },
    )


@login_required
@staff_only
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    node = _node(request)
    rows = scoping.scope(MonthlyReport.objects.filter(node=node), request.user).order_by("-month")
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "metrics/reports.html",
        {"node": node, "crumbs": _crumbs(request, node), "reports": rows, "last_month": last_month},
    )


@login_required
@require_POST
@staff_only
def report_generate(request: AuthenticatedRequest) -> HttpResponse:
    code = request.POST.get("node", "")
    try:
        node = grid_selectors.node_detail(actor=request.user, code=code)
        month = dt.date.fromisoformat(request.POST.get("month", "") + "-01")
    except (GridNode.DoesNotExist, ValueError):
        raise Http404(code) from None
    report = reports.generate_monthly_report(node=node, month=month)
    done = _("已生成 %(name)s %(month)s 月度讲评。") % {"name": node.name, "month": f"{month:%Y-%m}"}
    messages.success(request, done)
    return redirect(f"{reverse('metrics:reports')}?node={report.node.code}")


@login_required
@staff_only
def report_download(request: AuthenticatedRequest, pk: int, kind: str) -> FileResponse:
    report = scoping.scope(MonthlyReport.objects.select_related("node"), request.user).filter(pk=pk).first()
    if report is None or kind not in ("xlsx", "pdf"):
        raise Http404(str(pk))
    file = getattr(report, kind)
    if not file:
        raise Http404(kind)
    name = f"{report.node.name}-{report.month:%Y%m}-{_('月度讲评')}.{kind}"
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


@login_required
@only_for(STAFF, gettext_lazy("只有领导、调度员和管理员可以导出事件清单。"))
@answers_429
def export_events(request: AuthenticatedRequest) -> HttpResponse:
    """The events queue as XLSX, with the same filters (grid, colour, state, category, source, dates, open_only).

    A bulk copy of residents' reports leaves the platform: only the centre, leaders and administrators may take one,
    and only of their own area (event_queue is scoped to the actor). A search by code counts as a look-up, as on the
    workbench."""
    check_search(request)
    data = reports.export_events(actor=request.user, filters=QueueFilterForm(request.GET or None).filters())
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="events-{timezone.localdate():%Y%m%d}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
