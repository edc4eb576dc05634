"""Pages of the duty rota (坐班), supervision orders with accountability (督导督办, 追责问责, 单位考核) and social
stability risk assessments (稳评). Thin: parse, call one command of ``duty``, ``supervision`` or ``risk``, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Department, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import scoping
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import only_for
from fengqiao.core.tracking import timeline
from fengqiao.grids.models import GridNode
from fengqiao.petitions import duty, risk, supervision, workflow
from fengqiao.petitions.clocks import SUPERVISION_CLOCKS, deduction_points
from fengqiao.petitions.models import Outcome, RiskAssessment, RiskGrade, SupervisionOrder
from fengqiao.petitions.workflow import DIMENSIONS, RISK_FLOW, SUPERVISION_FLOW

KEEPER_ONLY = gettext_lazy("只有综治中心调度员可以排班。")
SUPERVISION_ONLY = gettext_lazy("只有领导、综治中心和被督导单位可以查看督导督办。")
SUPERVISOR_ONLY = gettext_lazy("只有领导和综治中心可以下达督导。")
RISK_ONLY = gettext_lazy("只有领导、综治中心和决策单位可以查看稳评。")
RISK_STAFF_ONLY = gettext_lazy("只有领导和综治中心可以登记稳评事项。")
ROTA_DAYS = 21  # the coming three weeks


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _user(value: str | None) -> User | None:
    return User.objects.filter(pk=_int(value) or 0, is_active=True).first()


# -- 坐班 -------------------------------------------------------------------------------------------------------------
@login_required
@only_for(duty.is_keeper, KEEPER_ONLY)
def duty_rota(request: AuthenticatedRequest) -> HttpResponse:
    """The centre's rota for the coming weeks: one leader per day, chosen among those who reach the centre."""
    user = request.user
    centres = list(duty.centres(actor=user)[:200])
    wanted = _int(request.POST.get("node") or request.GET.get("node"))
    node = next((c for c in centres if c.pk == wanted), None) if wanted else (centres[0] if centres else None)
    if wanted and node is None:
        raise Http404(wanted)
    today = timezone.localdate()
    if request.method == "POST" and node is not None:
        saved, refused = 0, []
        for n in range(ROTA_DAYS):
            day = today + dt.timedelta(days=n)
            value = request.POST.get(f"day_{day.isoformat()}", "")
            if not value:
                continue
            try:
                duty.set_duty(actor=user, node=node, day=day, leader=_user(value))
                saved += 1
            except DomainError as exc:
                refused.append(f"{day:%m-%d}：{exc.message}")
        if refused:
            messages.error(request, "；".join(refused))
        if saved:
            messages.success(request, _("排班已保存。"))
        return redirect(f"{request.path}?node={node.pk}")
    return render(
        request,
        "petitions/duty.html",
        {
            "centres": centres,
            "node": node,
            "rows": duty.rota(node=node, start=today, days=ROTA_DAYS) if node else [],
            "leaders": duty.leaders_for(node) if node else [],
            "duty_today": duty.today_for(actor=user),
        },
    )


# -- 督导督办 ---------------------------------------------------------------------------------------------------------
@login_required
@only_for(supervision.is_reader, SUPERVISION_ONLY)
def supervision_list(request: AuthenticatedRequest) -> HttpResponse:
    orders = supervision.order_list(actor=request.user)[:200]
    return render(
        request,
        "petitions/supervision_list.html",
        {
            "orders": orders,
            "labels": SUPERVISION_CLOCKS.labels,
            "may_issue": supervision.is_supervisor(request.user),
            "duty_today": duty.today_for(actor=request.user),
        },
    )


@login_required
@only_for(supervision.is_supervisor, SUPERVISOR_ONLY)
def supervision_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    paths = scoping.paths_of(user)
    departments = Department.objects.filter(active=True).select_related("node")
    if paths is not None:
        departments = departments.filter(scoping.path_q(paths, "node_path"))
    if request.method == "POST":
        post = request.POST
        unit = post.get("unit", "")
        department = node = None
        if unit.startswith("d"):
            department = departments.filter(pk=_int(unit[1:]) or 0).first()
        elif unit.startswith("n"):
            node = (
                duty.centres(actor=user).filter(pk=_int(unit[1:]) or 0).first()
                or scoping.scope(
                    GridNode.objects.filter(pk=_int(unit[1:]) or 0, level__in=duty.CENTRE_LEVELS), user, field="path"
                ).first()
            )
        try:
            order = supervision.issue_order(
                actor=user,
                finding=post.get("finding", ""),
                person=_user(post.get("person")),
                department=department,
                node=node,
                code=post.get("code", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("督导 %(code)s 已下达。") % {"code": order.code})
            return redirect("petitions:supervision_detail", pk=order.pk)
    centres = scoping.scope(GridNode.objects.filter(level__in=duty.CENTRE_LEVELS), user, field="path").order_by("path")
    people = User.objects.filter(is_active=True, memberships__active=True)
    if paths is not None:
        people = people.filter(scoping.path_q(paths, "memberships__node_path"))
    return render(
        request,
        "petitions/supervision_new.html",
        {
            "departments": list(departments.order_by("node_path", "name")[:300]),
            "centres": list(centres[:300]),
            "people": list(people.distinct().order_by("username")[:300]),
            "code": request.GET.get("code", ""),
        },
    )


def _order_or_404(request: AuthenticatedRequest, pk: int) -> SupervisionOrder:
    try:
        return supervision.order_detail(actor=request.user, pk=pk)
    except SupervisionOrder.DoesNotExist:
        raise Http404(pk) from None


@login_required
def supervision_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    user = request.user
    return render(
        request,
        "petitions/supervision_detail.html",
        {
            "o": order,
            "labels": SUPERVISION_CLOCKS.labels,
            "may_rectify": SUPERVISION_FLOW.allows(order, "rectify", actor=user),
            "may_decide": workflow.leader_at(user, order.node_path),
            "decisions": order.decisions.select_related("decided_by", "corrects"),
            "outcomes": Outcome.choices,
            "timeline": timeline(order, SUPERVISION_FLOW),
        },
    )


@login_required
@require_POST
def supervision_rectify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    try:
        supervision.rectify(actor=request.user, order=order, report=request.POST.get("report", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("整改情况已报送。"))
    return redirect("petitions:supervision_detail", pk=order.pk)


@login_required
@require_POST
def supervision_outcome(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    post = request.POST
    command = supervision.correct_outcome if post.get("correct") else supervision.decide_outcome
    try:
        command(actor=request.user, order=order, outcome=post.get("outcome", ""), reason=post.get("reason", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("追责决定已记录。"))
    return redirect("petitions:supervision_detail", pk=order.pk)


@login_required
@only_for(supervision.is_reader, SUPERVISION_ONLY)
def supervision_assessment(request: AuthenticatedRequest) -> HttpResponse:
    """单位考核: per unit, for a period (this month by default)."""
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or today.replace(day=1)
    end = _date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    return render(
        request,
        "petitions/supervision_assessment.html",
        {
            "rows": supervision.unit_assessment(actor=request.user, start=start, end=end),
            "start": start,
            "end": end,
            "points": deduction_points(),
        },
    )


# -- 稳评 ------------------------------------------------------------------------------------------------------------
@login_required
@only_for(risk.is_reader, RISK_ONLY)
def risk_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = risk.visible_assessments(actor=request.user).select_related("node", "department")[:200]
    return render(
        request,
        "petitions/risk_list.html",
        {"rows": rows, "may_register": risk.is_staff(request.user), "states": RISK_FLOW.states},
    )


@login_required
@only_for(risk.is_staff, RISK_STAFF_ONLY)
def risk_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    paths = scoping.paths_of(user)
    nodes = scoping.scope(GridNode.objects.filter(level__in=duty.CENTRE_LEVELS), user, field="path").order_by("path")
    departments = Department.objects.filter(active=True)
    if paths is not None:
        above = {p for path in paths for p in scoping.ancestor_paths(path)}
        departments = departments.filter(scoping.path_q(paths, "node_path") | Q(node_path__in=above))
    if request.method == "POST":
        post = request.POST
        try:
            assessment = risk.register_assessment(
                actor=user,
                node=nodes.filter(pk=_int(post.get("node")) or 0).first(),
                matter=post.get("matter", ""),
                department=departments.filter(pk=_int(post.get("department")) or 0).first(),
                description=post.get("description", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("稳评事项 %(code)s 已登记。") % {"code": assessment.code})
            return redirect("petitions:risk_detail", pk=assessment.pk)
    return render(
        request,
        "petitions/risk_new.html",
        {"nodes": list(nodes[:300]), "departments": list(departments.order_by("node_path", "name")[:300])},
    )


def _assessment_or_404(request: AuthenticatedRequest, pk: int) -> RiskAssessment:
    try:
        return risk.assessment_detail(actor=request.user, pk=pk)
    except RiskAssessment.DoesNotExist:
        raise Http404(pk) from None


@login_required
def risk_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    a = _assessment_or_404(request, pk)
    user = request.user
    staff = workflow.risk_staff(user, a)
    dimensions = [(name, risk.DIMENSION_LABELS[name], getattr(a, name)) for name in DIMENSIONS]
    return render(
        request,
        "petitions/risk_detail.html",
        {
            "a": a,
            "rule": risk.rule_of(a.grade),
            "dimensions": dimensions,
            "grades": RiskGrade.choices,
            "conditions": a.conditions.select_related("owner", "done_by"),
            "actions": RISK_FLOW.available(a, user),
            "staff": staff and a.state != workflow.RISK_DECIDED,
            "people": _people_near(a.node_path) if staff else [],
            "today": timezone.localdate(),
            "timeline": timeline(a, RISK_FLOW),
        },
    )


def _people_near(path: str) -> list[User]:
    """Who may carry a measure: the active people posted in the node's area or above it."""
    from fengqiao.accounts.models import Membership

    above = scoping.ancestor_paths(path)
    posts = Membership.objects.filter(active=True).filter(scoping.path_q([path], "node_path") | Q(node_path__in=above))
    return list(User.objects.filter(is_active=True, pk__in=posts.values("user_id")).order_by("username")[:300])


@login_required
@require_POST
def risk_act(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    a = _assessment_or_404(request, pk)
    post, user = request.POST, request.user
    try:
        if name == "assess":
            risk.assess(
                actor=user, assessment=a, grade=post.get("grade", ""), findings={d: post.get(d, "") for d in DIMENSIONS}
            )
        elif name == "decide":
            risk.decide(actor=user, assessment=a, decision=post.get("note", ""))
        elif name == "postpone":
            risk.postpone(actor=user, assessment=a, reason=post.get("note", ""))
        elif name == "reassess":
            risk.reassess(actor=user, assessment=a, reason=post.get("note", ""))
        else:
            raise Http404(name)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已%(action)s。") % {"action": RISK_FLOW.label(name)})
    return redirect("petitions:risk_detail", pk=a.pk)


@login_required
@require_POST
def risk_condition_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    a = _assessment_or_404(request, pk)
    post = request.POST
    try:
        risk.add_condition(
            actor=request.user,
            assessment=a,
            measure=post.get("measure", ""),
            owner=_user(post.get("owner")),
            due_on=_date(post.get("due_on")),
        )
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("化解措施已增加。"))
    return redirect("petitions:risk_detail", pk=a.pk)


@login_required
@require_POST
def risk_condition_done(request: AuthenticatedRequest, pk: int, condition: int) -> HttpResponse:
    a = _assessment_or_404(request, pk)
    row = a.conditions.filter(pk=condition).first()
    if row is None:
        raise Http404(condition)
    try:
        risk.complete_condition(actor=request.user, condition=row, note=request.POST.get("note", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("措施已落实。"))
    return redirect("petitions:risk_detail", pk=a.pk)
