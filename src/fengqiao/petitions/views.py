"""Petition pages: the scoped list, the register form, the case page with its history and actions, and the joint
meetings (list, create, detail with agenda, decisions and follow-up orders). Thin: parse, call one service or
selector, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import scoping
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import answers_429, check_lookup
from fengqiao.core.reveal import RevealForm, reveal_pii
from fengqiao.core.tracking import timeline
from fengqiao.grids.models import GridNode, Level
from fengqiao.petitions import caselinks, duty, selectors, services, workflow
from fengqiao.petitions.clocks import CASE_CLOCKS, FLAG_LABELS, ORDER_CLOCKS, max_extension_days
from fengqiao.petitions.forms import ActionForm, CompleteForm, FilterForm, MeetingForm, PetitionForm
from fengqiao.petitions.models import FollowUpOrder, LeaderCase, Meeting, Petition
from fengqiao.petitions.workflow import CASE_FLOW, ORDER_FLOW, PETITION_FLOW

STAFF_ONLY = gettext_lazy("只有综治中心、信访部门和领导可以查看信访件。")
REGISTRAR_ONLY = gettext_lazy("只有综治中心和信访部门可以登记信访件。")
MEETING_ONLY = gettext_lazy("只有领导和综治中心可以查看和召开信访联席会议。")
ITEM_ROWS = 3  # agenda items and orders offered on the create form
PII_FIELDS = ("petitioner_name", "petitioner_id_number", "petitioner_phone", "petitioner_address")


def _errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )


def _petition_or_404(request: AuthenticatedRequest, code: str) -> Petition:
    check_lookup(request)
    try:
        return selectors.petition_detail(actor=request.user, code=code)
    except Petition.DoesNotExist:
        raise Http404(code) from None


@login_required
@only_for(selectors.is_petition_staff, STAFF_ONLY)
def petition_list(request: AuthenticatedRequest) -> HttpResponse:
    """The scoped list: filters by state, colour, repeat and group; most urgent first."""
    form = FilterForm(request.GET or None)
    filters = selectors.Filters()
    if form.is_valid():
        filters = selectors.Filters(**form.cleaned_data)
    page = Paginator(selectors.petition_list(actor=request.user, filters=filters), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "petitions/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "flag_labels": FLAG_LABELS,
            "may_register": selectors.is_registrar(request.user),
            "may_meet": selectors.is_meeting_staff(request.user),
            "duty_today": duty.today_for(actor=request.user),
        },
    )


@login_required
@only_for(selectors.is_registrar, REGISTRAR_ONLY)
def petition_new(request: AuthenticatedRequest) -> HttpResponse:
    """Register a petition for a grid node in the caller's area."""
    user = request.user
    form = PetitionForm(request.POST or None)
    grids = scoping.scope(GridNode.objects.filter(level__gte=Level.STREET), user, field="path").order_by("path")[:500]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = services.register_petition(
                actor=user,
                grid=services.visible_grid(user, request.POST.get("grid", "")),
                data=services.PetitionData(
                    form=data["form"],
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    address=data["address"],
                    petitioners=data["petitioners"],
                    category=data["category"],
                    matter=data["matter"],
                    received_on=data["received_on"],
                    links=data["links"],
                ),
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已登记信访件 %(code)s。") % {"code": petition.tracking_code})
            return redirect("petitions:detail", code=petition.tracking_code)
    return render(request, "petitions/new.html", {"form": form, "grids": grids})


def _reveal(request: AuthenticatedRequest, petition: Petition) -> tuple[bool, RevealForm]:
    """A POSTed reason unmasks the petitioner's data, and is logged; a GET never unmasks."""
    if request.method != "POST":
        return False, RevealForm()
    if not workflow.office(request.user, petition):
        raise PermissionDenied(_("只有综治中心和信访部门可以查看完整个人信息。"))
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("查看完整信息须选择查看理由。") + _errors(form))
        return False, form
    reveal_pii(
        actor=request.user,
        target=petition,
        record=petition,
        fields=[f for f in PII_FIELDS if getattr(petition, f)],
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
    )
    return True, RevealForm()


@login_required
@answers_429
def petition_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """The case page: facts, the petitioner (masked), links, history and the actions this user may take."""
    petition = _petition_or_404(request, code)
    user = request.user
    revealed, reveal_form = _reveal(request, petition)
    repeat_of = petition.repeat_of
    links = [{"row": link, "url": caselinks.url_of(link.kind, link.code)} for link in petition.links.all()]
    return render(
        request,
        "petitions/detail.html",
        {
            "p": petition,
            "revealed": revealed,
            "reveal_form": reveal_form,
            "may_reveal": workflow.office(user, petition),
            "repeat_of": repeat_of if selectors.may_open_petition(actor=user, petition=repeat_of) else None,
            "links": links,
            "timeline": timeline(petition, PETITION_FLOW),
            "actions": [row.name for row in PETITION_FLOW.available(petition, user)],
            "labels": PETITION_FLOW.labels(),
            "flag_labels": FLAG_LABELS,
            "max_extension": max_extension_days(),
            "agenda": petition.agenda.select_related("meeting"),
            "leader_cases": petition.leader_cases.select_related("leader"),
            "may_assign": selectors.is_meeting_staff(user),
        },
    )


Handler = Callable[[User, Petition, dict[str, Any]], Any]
ACTIONS: dict[str, Handler] = {
    "accept": lambda u, p, f: services.accept(actor=u, petition=p, note=f["note"]),
    "not_accept": lambda u, p, f: services.not_accept(actor=u, petition=p, reason=f["note"]),
    "request_extension": lambda u, p, f: services.request_extension(
        actor=u, petition=p, days=f["days"] or 0, reason=f["note"]
    ),
    "approve_extension": lambda u, p, f: services.approve_extension(actor=u, petition=p, note=f["note"]),
    "handle": lambda u, p, f: services.handle(actor=u, petition=p, opinion=f["opinion"]),
    "close": lambda u, p, f: services.close(actor=u, petition=p, note=f["note"]),
    "review": lambda u, p, f: services.review(actor=u, petition=p, reason=f["note"]),
}


@login_required
@require_POST
@answers_429
def petition_act(request: AuthenticatedRequest, code: str, name: str) -> HttpResponse:
    """Apply one action from the case page; every outcome is a clear message."""
    petition = _petition_or_404(request, code)
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404(name)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容有误：%(e)s") % {"e": _errors(form)})
    else:
        try:
            handler(request.user, petition, form.values())
        except DomainError as exc:
            show_error(request, exc)
        else:
            done = {"action": PETITION_FLOW.label(name), "code": petition.tracking_code}
            messages.success(request, _("已完成“%(action)s”：信访件 %(code)s。") % done)
    return redirect("petitions:detail", code=petition.tracking_code)


# -- joint meetings ----------------------------------------------------------------------------------------------------
@login_required
@only_for(selectors.is_meeting_staff, MEETING_ONLY)
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    meetings = selectors.visible_meetings(actor=request.user).select_related("node", "chair")
    page = Paginator(meetings, 30).get_page(request.GET.get("page"))
    return render(request, "petitions/meetings.html", {"page": page})


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@only_for(selectors.is_meeting_staff, MEETING_ONLY)
def meeting_new(request: AuthenticatedRequest) -> HttpResponse:
    """Record a meeting: node, date, chair, attendees, agenda items with decisions, and follow-up orders."""
    user = request.user
    form = MeetingForm(request.POST or None)
    options = selectors.meeting_candidates(actor=user)
    if request.method == "POST" and form.is_valid():
        post = request.POST
        users = {u.pk: u for u in options["users"]}
        petitions = {p.pk: p for p in options["petitions"]}
        departments = {d.pk: d for d in options["departments"]}
        items = []
        for n in range(ITEM_ROWS):
            pid = _int(post.get(f"item_petition_{n}", ""))
            text = post.get(f"item_text_{n}", "").strip()
            if pid is None and not text:
                continue
            if pid is not None and pid not in petitions:
                messages.error(request, _("议题中的信访件不存在或不在您的辖区内。"))
                return render(
                    request, "petitions/meeting_new.html", {"form": form, "rows": range(ITEM_ROWS), **options}
                )
            items.append(
                services.ItemData(
                    text=text, petition=petitions.get(pid or 0), decision=post.get(f"item_decision_{n}", "")
                )
            )
        orders = []
        for n in range(ITEM_ROWS):
            task = post.get(f"order_task_{n}", "").strip()
            if not task:
                continue
            item_index = _int(post.get(f"order_item_{n}", ""))
            orders.append(
                services.OrderData(
                    department=departments.get(_int(post.get(f"order_department_{n}", "")) or 0),
                    task=task,
                    due_on=_date(post.get(f"order_due_{n}", "")),
                    item=item_index if item_index is not None and item_index < len(items) else None,
                )
            )
        chair = users.get(form.cleaned_data["chair"])
        try:
            if chair is None:
                raise DomainError(_("请选择本区域的主持人。"))
            meeting = services.hold_meeting(
                actor=user,
                node=scoping.scope(GridNode.objects.all(), user, field="path")
                .filter(code=form.cleaned_data["node"])
                .first(),
                title=form.cleaned_data["title"],
                held_on=form.cleaned_data["held_on"],
                chair=chair,
                attendees=[users[pk] for pk in map(_int, post.getlist("attendees")) if pk in users],
                items=items,
                orders=orders,
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已记录联席会议。"))
            return redirect("petitions:meeting_detail", pk=meeting.pk)
    return render(request, "petitions/meeting_new.html", {"form": form, "rows": range(ITEM_ROWS), **options})


@login_required
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_detail(actor=request.user, pk=pk)
    except Meeting.DoesNotExist:
        raise Http404(pk) from None
    orders = list(selectors.meeting_orders(meeting=meeting))
    for order in orders:
        order.may_complete = ORDER_FLOW.allows(order, "complete", actor=request.user)  # type: ignore[attr-defined]
    items = list(meeting.items.select_related("petition"))
    for item in items:
        item.may_open = selectors.may_open_petition(actor=request.user, petition=item.petition)  # type: ignore[attr-defined]
    return render(
        request,
        "petitions/meeting_detail.html",
        {
            "m": meeting,
            "items": items,
            "orders": orders,
            "attendees": meeting.attendees.order_by("username"),
            "order_labels": ORDER_CLOCKS.labels,
            "form": CompleteForm(),
        },
    )


@login_required
@require_POST
def order_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Report a follow-up order done, with what was done."""
    order = (
        FollowUpOrder.objects.filter(meeting__in=selectors.visible_meetings(actor=request.user), pk=pk)
        .select_related("meeting")
        .first()
    )
    if order is None:
        raise Http404(pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写完成情况。"))
    else:
        try:
            services.complete_order(actor=request.user, order=order, result=form.cleaned_data["result"])
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("督办事项 %(code)s 已完成。") % {"code": order.code})
    return redirect(reverse("petitions:meeting_detail", args=[order.meeting_id]))


# -- leaders' cases (领导包案) ----------------------------------------------------------------------------------------
LEADER_ONLY = gettext_lazy("“我的包案”只对领导开放。")


def _leader_choices(user: User, path: str) -> list[User]:
    """Leaders who may own a case at ``path`` (or, with no case chosen yet, at any of the caller's posts)."""
    paths = [path] if path else [m.node.path for m in user.active_memberships]
    found: dict[int, User] = {}
    for each in paths:
        for leader in selectors.leaders_covering(each):
            found.setdefault(leader.pk, leader)
    return list(found.values())


@login_required
@only_for(holds(Role.LEADER), LEADER_ONLY)
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    """我的包案: the leader's own cases with their colours."""
    cases = selectors.my_leader_cases(actor=request.user)
    return render(
        request,
        "petitions/my_cases.html",
        {"cases": cases[:200], "labels": CASE_CLOCKS.labels, "duty_today": duty.today_for(actor=request.user)},
    )


@login_required
@only_for(selectors.is_meeting_staff, MEETING_ONLY)
def case_new(request: AuthenticatedRequest) -> HttpResponse:
    """Give a petition, or a dispute or event by its tracking code, to a leader with a plan and milestones."""
    user = request.user
    code = (request.POST.get("petition") or request.GET.get("petition") or "").strip()
    petition = selectors.visible_petitions(actor=user).filter(tracking_code=code.upper()).first() if code else None
    if request.method == "POST":
        post = request.POST
        to_duty = post.get("leader", "") == "duty"  # 交值班领导
        leader = None if to_duty else User.objects.filter(pk=_int(post.get("leader", "")) or 0, is_active=True).first()
        try:
            case = services.assign_leader_case(
                actor=user,
                leader=leader,
                to_duty=to_duty,
                plan=post.get("plan", ""),
                due_on=_date(post.get("due_on", "")),
                petition=petition,
                code="" if petition else post.get("code", ""),
                milestones=[
                    services.MilestoneData(
                        title=post.get(f"milestone_{n}", ""), due_on=_date(post.get(f"milestone_due_{n}", ""))
                    )
                    for n in range(ITEM_ROWS)
                ],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已交由 %(name)s 包案。") % {"name": case.leader.display_name})
            return redirect("petitions:case_detail", pk=case.pk)
    return render(
        request,
        "petitions/case_new.html",
        {
            "petition": petition,
            "leaders": _leader_choices(user, petition.grid_path if petition else ""),
            "rows": range(ITEM_ROWS),
        },
    )


def _case_or_404(request: AuthenticatedRequest, pk: int) -> LeaderCase:
    try:
        return selectors.leader_case_detail(actor=request.user, pk=pk)
    except LeaderCase.DoesNotExist:
        raise Http404(pk) from None


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    subject_url = ""
    if case.petition is not None:
        if selectors.may_open_petition(actor=request.user, petition=case.petition):
            subject_url = reverse("petitions:detail", args=[case.petition.tracking_code])
    else:
        subject_url = caselinks.url_of(case.link_kind, case.link_code)
    return render(
        request,
        "petitions/case_detail.html",
        {
            "c": case,
            "subject_url": subject_url,
            "milestones": case.milestones.all(),
            "is_leader": workflow.the_leader(request.user, case) and case.state == workflow.CASE_OPEN,
            "labels": CASE_CLOCKS.labels,
            "timeline": timeline(case, CASE_FLOW),
        },
    )


@login_required
@require_POST
def case_milestone_done(request: AuthenticatedRequest, pk: int, milestone: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    row = case.milestones.filter(pk=milestone).first()
    if row is None:
        raise Http404(milestone)
    try:
        services.complete_milestone(actor=request.user, milestone=row)
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("节点“%(title)s”已完成。") % {"title": row.title})
    return redirect("petitions:case_detail", pk=case.pk)


@login_required
@require_POST
def case_resolve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写化解结果。"))
    else:
        try:
            services.resolve_leader_case(actor=request.user, case=case, result=form.cleaned_data["result"])
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("包案 %(code)s 已化解。") % {"code": case.code})
    return redirect("petitions:case_detail", pk=case.pk)
