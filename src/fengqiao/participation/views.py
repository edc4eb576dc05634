"""Pages of residents' participation: the resident's registration by the community's QR code, their own page by
the personal code, the public ranking (no login); the confirmers' rules and awards page, the shopkeeper's phone
page and the centre's rules and items page.

The personal code is a bearer secret: it travels in the page address only to the platform's own origin
(Referrer-Policy same-origin), wrong codes are rate limited like receipt secrets, and a code of another community
at the shop answers like a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.accounts.models import Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import pages, ratelimit, receipts
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import limit
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import selectors, services
from fengqiao.participation.models import Participant, Review, Rule, Scheme, Task, Team

may_staff = holds(*selectors.FIELD_ROLES, *selectors.CENTRE_ROLES, Role.ADMIN)
may_manage = holds(*selectors.CENTRE_ROLES, Role.ADMIN)
REFUSED = gettext_lazy("只有社区的网格员和综治中心可以办理居民积分。")
REFUSED_MANAGE = gettext_lazy("积分规则和爱心超市商品由社区综治中心管理。")


def _community(request: AuthenticatedRequest, code: str, *, centre_only: bool = False) -> GridNode:
    community = selectors.community_for(actor=request.user, code=code, centre_only=centre_only)
    if community is None:
        raise Http404
    return community


def _scheme(community: GridNode) -> Scheme:
    scheme = selectors.scheme_of(community)
    if scheme is None:
        raise Http404
    return scheme


# The resident's pages (no login).


class RegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("手机号码"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("身份"), choices=Participant.Kind.choices)
    party_unit = forms.CharField(label=gettext_lazy("所在党组织（党员双报到填写）"), max_length=100, required=False)
    consent = forms.BooleanField(label=gettext_lazy("我已阅读并同意上述个人信息处理说明"), required=False)


@never_cache
@limit("points_register", "FENGQIAO_RATE_PUBLIC_REPORT")
def register(request: HttpRequest, token: str) -> HttpResponse:
    """The page the community's QR code opens: a resident joins the points scheme with their phone."""
    scheme = selectors.scheme_for_token(token)
    if scheme is None:
        raise Http404
    form = pages.styled(RegisterForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant, code = services.register_participant(
                scheme=scheme,
                data=services.ParticipantForm(
                    name=data["name"],
                    phone=data["phone"],
                    kind=data["kind"],
                    party_unit=data["party_unit"],
                    consent=data["consent"],
                ),
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            url = request.build_absolute_uri(f"{reverse('participation:me')}?{urlencode({'k': code})}")
            context = {
                "participant": participant,
                "scheme": scheme,
                "code": code,
                "url": url,
                "qr_svg": pages.qr_svg(url),
            }
            return pages.private(render(request, "participation/registered.html", context))
    context = {"form": form, "scheme": scheme, "purpose": services.PURPOSE_TEXT}
    return pages.private(render(request, "participation/register.html", context))


@never_cache
@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET",))
def me(request: HttpRequest) -> HttpResponse:
    """我的积分: the resident's balance, ledger and redemptions, opened by their personal code alone."""
    code = (request.GET.get("k") or "").strip()
    if not receipts.allowed_to_try(request):
        return pages.private(render(request, "429.html", {"message": _("尝试次数过多，请稍后再试。")}, status=429))
    participant = selectors.participant_for_code(code)
    if participant is None:
        if code:
            receipts.count_miss(request)
        return pages.private(render(request, "participation/invalid.html", status=404))
    url = request.build_absolute_uri(f"{reverse('participation:me')}?{urlencode({'k': code})}")
    now = timezone.now()
    claims = list(selectors.claims_of(participant).order_by("-task__starts_at")[:50])
    mine = {c.task_id for c in claims}
    context = {
        "p": participant,
        "code": code,
        "now": now,
        "entries": list(selectors.ledger(participant)[:100]),
        "redemptions": list(selectors.redemptions_of(participant)[:50]),
        "claims": claims,
        "open_tasks": [t for t in selectors.open_tasks(participant, now)[:50] if t.pk not in mine],
        "teams": list(participant.teams.all()),
        "reviews": list(participant.reviews.all()[:8]),
        "qr_svg": pages.qr_svg(url, 5),
    }
    return pages.private(render(request, "participation/me.html", context))


@never_cache
def ranking(request: HttpRequest, token: str) -> HttpResponse:
    """积分榜: the community's public notice page, names masked."""
    scheme = selectors.scheme_for_token(token)
    if scheme is None:
        raise Http404
    context = {"scheme": scheme, "rows": selectors.ranking(scheme)}
    return pages.private(render(request, "participation/ranking.html", context))


# The staff's pages.


@login_required
@only_for(may_staff, REFUSED)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """居民积分: the communities the user serves, with their pages."""
    rows = [
        {"c": c, "scheme": getattr(c, "points_scheme", None), "centre": selectors.is_centre(request.user, c.path)}
        for c in selectors.communities_for(actor=request.user)[:200]
    ]
    return render(request, "participation/index.html", {"rows": rows})


class AwardForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    rule = forms.IntegerField(label=gettext_lazy("积分事项"))
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


@login_required
@only_for(may_staff, REFUSED)
def community(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """积分确认: the community's rules and participants; a confirmer awards points from here."""
    node = _community(request, code)
    scheme = selectors.scheme_of(node)
    participants = list(selectors.participants_for(actor=request.user).filter(scheme=scheme)[:200]) if scheme else []
    rules = [r for r in selectors.rules_of(scheme)] if scheme else []
    context = {
        "community": node,
        "scheme": scheme,
        "participants": participants,
        "rules": [r for r in rules if services.may_confirm(request.user, r)],
        "all_rules": rules,
        "centre": selectors.is_centre(request.user, node.path),
    }
    return render(request, "participation/community.html", context)


@login_required
@only_for(may_staff, REFUSED)
@require_POST
def award(request: AuthenticatedRequest, code: str) -> HttpResponse:
    node = _community(request, code)
    scheme = _scheme(node)
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择参与者和积分事项。"))
        return redirect("participation:community", code=code)
    participant = (
        selectors.participants_for(actor=request.user)
        .filter(scheme=scheme, pk=form.cleaned_data["participant"])
        .first()
    )
    rule = selectors.rules_of(scheme).filter(pk=form.cleaned_data["rule"]).first()
    if participant is None or rule is None:  # another community's participant or rule: as if missing
        raise Http404
    try:
        services.award(actor=request.user, participant=participant, rule=rule, note=form.cleaned_data["note"])
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(
            request, _("已为 %(name)s 记 %(n)s 分。") % {"name": participant.name_masked, "n": rule.points}
        )
    return redirect("participation:participant", code=code, pk=participant.pk)


@login_required
@only_for(may_staff, REFUSED)
def participant(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    """One participant's ledger, with the awards a confirmer may reverse."""
    node = _community(request, code)
    p = selectors.participant_for(actor=request.user, pk=pk)
    if p is None or p.community_path != node.path:
        raise Http404
    entries = list(selectors.ledger(p)[:200])
    rules = [r for r in selectors.rules_of(p.scheme) if services.may_confirm(request.user, r)]
    centre = selectors.is_centre(request.user, node.path)
    context = {"community": node, "p": p, "entries": entries, "rules": rules, "centre": centre}
    return render(request, "participation/participant.html", context)


@login_required
@only_for(may_manage, REFUSED_MANAGE)
@require_POST
def reissue(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    """补办积分码: the centre hands the resident a new personal code, shown once on this answer."""
    node = _community(request, code, centre_only=True)
    p = selectors.participant_for(actor=request.user, pk=pk)
    if p is None or p.community_path != node.path:
        raise Http404
    try:
        secret = services.reissue_code(actor=request.user, participant=p)
    except DomainError as exc:
        show_error(request, exc)
        return redirect("participation:participant", code=code, pk=pk)
    url = request.build_absolute_uri(f"{reverse('participation:me')}?{urlencode({'k': secret})}")
    context = {"participant": p, "scheme": p.scheme, "code": secret, "url": url, "qr_svg": pages.qr_svg(url)}
    return pages.private(render(request, "participation/registered.html", context))


@login_required
@only_for(may_staff, REFUSED)
@require_POST
def reverse_entry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = selectors.entries_for(actor=request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404
    try:
        services.reverse_entry(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        show_error(request, exc)
    else:
        messages.success(request, _("已冲正。"))
    node = entry.participant.scheme.community
    return redirect("participation:participant", code=node.code, pk=entry.participant_id)


class ShopForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("居民积分码"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    item = forms.IntegerField(label=gettext_lazy("商品"))
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=99, initial=1)


@login_required
@only_for(may_staff, REFUSED)
@ratelimit.answers_429
def shop(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """爱心超市: the shopkeeper enters or scans the resident's code, picks the item and quantity, redeems."""
    node = _community(request, code)
    scheme = selectors.scheme_of(node)
    items = list(selectors.items_of(scheme)) if scheme else []
    form = pages.styled(ShopForm(request.POST or None))
    done = None
    if request.method == "POST" and scheme is not None and form.is_valid():
        ratelimit.check_lookup(request)
        data = form.cleaned_data
        p = selectors.participant_for_code(data["code"], scheme=scheme)
        item = selectors.items_of(scheme).filter(pk=data["item"]).first()
        if p is None:
            form.add_error("code", _("没有找到这个积分码，请核对后再试。"))
        elif item is None:
            form.add_error("item", _("没有找到这件商品。"))
        else:
            try:
                done = services.redeem(actor=request.user, participant=p, item=item, quantity=data["quantity"])
            except DomainError as exc:
                show_error(request, exc, form=form)
            else:
                messages.success(
                    request,
                    _("兑换成功：%(item)s × %(q)s，扣 %(cost)s 分，%(name)s 剩余 %(left)s 分。")
                    % {
                        "item": item.name,
                        "q": done.quantity,
                        "cost": done.cost,
                        "name": p.name_masked,
                        "left": p.balance,
                    },
                )
                return redirect("participation:shop", code=code)
    context = {"community": node, "scheme": scheme, "items": items, "form": form}
    return pages.private(render(request, "participation/shop.html", context))


class RuleForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("积分事项"), max_length=100)
    points = forms.IntegerField(label=gettext_lazy("积分"), min_value=1, max_value=1000)
    confirmer = forms.ChoiceField(label=gettext_lazy("确认人"), choices=Rule.Confirmer.choices)
    period = forms.ChoiceField(label=gettext_lazy("限次周期"), choices=Rule.Period.choices)
    limit = forms.IntegerField(label=gettext_lazy("每周期最多次数"), min_value=1, max_value=100, initial=1)


class ItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("商品名称"), max_length=100)
    price = forms.IntegerField(label=gettext_lazy("兑换积分"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=gettext_lazy("库存"), min_value=0, max_value=100000, initial=0)


@login_required
@only_for(may_manage, REFUSED_MANAGE)
def manage(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """积分规则和爱心超市: the centre opens the scheme, prints its QR, keeps the rules and the items."""
    node = _community(request, code, centre_only=True)
    scheme = selectors.scheme_of(node)
    rule_form = pages.styled(RuleForm(request.POST if request.POST.get("action") == "rule" else None))
    item_form = pages.styled(ItemForm(request.POST if request.POST.get("action") == "item" else None))
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _manage(request, node, scheme, action, rule_form, item_form)
        except DomainError as exc:
            show_error(request, exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("participation:manage", code=code)
    context: dict[str, Any] = {"community": node, "scheme": scheme, "rule_form": rule_form, "item_form": item_form}
    if scheme is not None:
        join = request.build_absolute_uri(reverse("participation:register", args=[scheme.token]))
        board = request.build_absolute_uri(reverse("participation:ranking", args=[scheme.token]))
        context |= {
            "rules": list(selectors.rules_of(scheme, active=False)),
            "items": list(selectors.items_of(scheme, active=False)),
            "join_url": join,
            "join_qr": pages.qr_svg(join, 6),
            "board_url": board,
        }
    return render(request, "participation/manage.html", context)


def _manage(
    request: AuthenticatedRequest,
    node: GridNode,
    scheme: Scheme | None,
    action: str,
    rule_form: forms.Form,
    item_form: forms.Form,
) -> str:
    actor = request.user
    if action == "open":
        services.open_scheme(actor=actor, community=node)
        return _("已开通社区积分，请打印二维码张贴在公示栏。")
    if scheme is None:
        raise Http404
    if action == "rule" and rule_form.is_valid():
        services.add_rule(actor=actor, scheme=scheme, **rule_form.cleaned_data)
        return _("已新增积分规则。")
    if action == "item" and item_form.is_valid():
        services.add_item(actor=actor, scheme=scheme, **item_form.cleaned_data)
        return _("已上架商品。")
    if action in ("toggle", "restock"):
        try:
            pk = int(request.POST.get("pk", ""))
        except ValueError:
            raise Http404 from None
        if action == "toggle":
            rule = selectors.rules_of(scheme, active=False).filter(pk=pk).first()
            if rule is None:
                raise Http404
            services.set_rule_active(actor=actor, rule=rule, active=not rule.active)
            return _("已更新积分规则。")
        item = selectors.items_of(scheme, active=False).filter(pk=pk).first()
        if item is None:
            raise Http404
        try:
            quantity = int(request.POST.get("quantity", ""))
        except ValueError:
            quantity = 0
        services.restock(actor=actor, item=item, quantity=quantity)
        return _("已补货。")
    return ""


# Tasks and patrol slots: the resident claims on their own page (no login, the personal code in the form).


@never_cache
@limit("track", "FENGQIAO_RATE_TRACK")
@require_POST
def me_task(request: HttpRequest) -> HttpResponse:
    """认领 / 取消认领 from the resident's page: the personal code names the resident, the task must be of their
    community (another community's answers like a missing one)."""
    code = (request.POST.get("k") or "").strip()
    if not receipts.allowed_to_try(request):
        return pages.private(render(request, "429.html", {"message": _("尝试次数过多，请稍后再试。")}, status=429))
    participant = selectors.participant_for_code(code)
    if participant is None:
        if code:
            receipts.count_miss(request)
        return pages.private(render(request, "participation/invalid.html", status=404))
    try:
        task = selectors.task_of_participant(participant, int(request.POST.get("task", "")))
    except ValueError:
        task = None
    if task is None:
        raise Http404
    try:
        if request.POST.get("action") == "cancel":
            services.cancel_claim(participant=participant, task=task)
            messages.success(request, _("已取消认领“%(title)s”。") % {"title": task.title})
        else:
            services.claim_task(participant=participant, task=task)
            messages.success(request, _("已认领“%(title)s”，请按时参加。") % {"title": task.title})
    except DomainError as exc:
        show_error(request, exc)
    return redirect(f"{reverse('participation:me')}?{urlencode({'k': code})}")


class TaskPostForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Task.Kind.choices)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    place = forms.CharField(label=gettext_lazy("地点"), max_length=100, required=False)
    grid = forms.IntegerField(label=gettext_lazy("网格"), widget=forms.Select)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    hours = forms.IntegerField(label=gettext_lazy("时长（小时）"), min_value=1, max_value=72, initial=2)
    places = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=200, initial=10)
    rule = forms.IntegerField(label=gettext_lazy("积分规则"), widget=forms.Select)
    team = forms.IntegerField(label=gettext_lazy("队伍（可选）"), required=False, widget=forms.Select)


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("队伍名称"), max_length=60)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Team.Kind.choices)


def _task_form(request: AuthenticatedRequest, node: GridNode, scheme: Scheme) -> forms.Form:
    form = pages.styled(TaskPostForm(request.POST if request.POST.get("action") == "task" else None))
    grids = GridNode.objects.filter(path__startswith=node.path, level=Level.GRID).order_by("path")
    choices = {
        "grid": [(g.pk, g.name) for g in grids],
        "rule": [(r.pk, str(r)) for r in selectors.rules_of(scheme)],
        "team": [("", "—")] + [(t.pk, t.name) for t in selectors.teams_of(scheme)],
    }
    for name, options in choices.items():
        form.fields[name].widget.choices = options
    return form


@login_required
@only_for(may_staff, REFUSED)
def tasks(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """任务和巡逻: the community's teams, tasks and patrol slots; its staff post new ones here."""
    node = _community(request, code)
    scheme = _scheme(node)
    task_form = _task_form(request, node, scheme)
    team_form = pages.styled(TeamForm(request.POST if request.POST.get("action") == "team" else None))
    if request.method == "POST":
        try:
            done = _post_task_or_team(request, node, scheme, task_form, team_form)
        except DomainError as exc:
            show_error(request, exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("participation:tasks", code=code)
    now = timezone.now()
    rows = selectors.tasks_for(actor=request.user).filter(scheme=scheme)
    context = {
        "community": node,
        "scheme": scheme,
        "upcoming": list(rows.filter(ends_at__gte=now - dt.timedelta(days=1)).order_by("starts_at")[:100]),
        "past": list(rows.filter(ends_at__lt=now - dt.timedelta(days=1)).order_by("-starts_at")[:50]),
        "teams": list(selectors.teams_of(scheme)),
        "task_form": task_form,
        "team_form": team_form,
        "now": now,
    }
    return render(request, "participation/tasks.html", context)


def _post_task_or_team(
    request: AuthenticatedRequest, node: GridNode, scheme: Scheme, task_form: forms.Form, team_form: forms.Form
) -> str:
    action = request.POST.get("action", "")
    if action == "team" and team_form.is_valid():
        services.add_team(actor=request.user, scheme=scheme, **team_form.cleaned_data)
        return _("已组建队伍。")
    if action == "task" and task_form.is_valid():
        data = task_form.cleaned_data
        grid = GridNode.objects.filter(pk=data["grid"]).first()
        rule = selectors.rules_of(scheme).filter(pk=data["rule"]).first()
        team = selectors.teams_of(scheme).filter(pk=data["team"]).first() if data["team"] else None
        if grid is None or rule is None or (data["team"] and team is None):
            raise Http404
        starts = data["starts_at"]
        services.post_task(
            actor=request.user,
            scheme=scheme,
            data=services.TaskForm(
                kind=data["kind"],
                title=data["title"],
                place=data["place"],
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=data["hours"]),
                places=data["places"],
                grid=grid,
                rule=rule,
                team=team,
            ),
        )
        return _("已发布。居民可在“我的积分”页面认领。")
    if action in ("team", "task"):
        raise DomainError(_("请检查填写的内容。"))
    return ""


@login_required
@only_for(may_staff, REFUSED)
def team(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    """队员: the team's members and leader, picked from the community's participants."""
    node = _community(request, code)
    scheme = _scheme(node)
    t = selectors.teams_of(scheme).filter(pk=pk).first()
    if t is None:
        raise Http404
    if request.method == "POST":
        try:
            members = [int(v) for v in request.POST.getlist("members")]
            leader = int(request.POST["leader"]) if request.POST.get("leader") else None
        except ValueError:
            raise Http404 from None
        try:
            services.set_team_members(actor=request.user, team=t, members=members, leader=leader)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已更新队员。"))
            return redirect("participation:tasks", code=code)
    context = {
        "community": node,
        "team": t,
        "participants": list(selectors.participants_for(actor=request.user).filter(scheme=scheme)[:300]),
        "members": {m.pk for m in t.members.all()},
    }
    return render(request, "participation/team.html", context)


@login_required
@only_for(may_staff, REFUSED)
def task(request: AuthenticatedRequest, code: str, pk: int) -> HttpResponse:
    """记录群防巡逻 / 确认志愿任务: the task's claimants; the grid worker of its grid (or the centre) records who came
    and what was seen. A worker of another grid gets a 404, as for a missing task."""
    node = _community(request, code)
    t = selectors.task_to_record(actor=request.user, pk=pk)
    if t is None or t.community_path != node.path:
        raise Http404
    if request.method == "POST":
        try:
            present = [int(v) for v in request.POST.getlist("present")]
        except ValueError:
            present = [-1]  # not an id: refused as a name outside the claimants
        try:
            done = services.record_task(
                actor=request.user,
                task=t,
                present=present,
                seen=request.POST.get("seen", ""),
                photos=request.FILES.getlist("photo"),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            text = _("已记录：到场 %(n)s 人，%(a)s 人获得积分。") % {"n": done.present, "a": done.awarded}
            if done.over_limit:
                text += _("%(names)s 本周期已达该规则上限，未再记分。") % {"names": "、".join(done.over_limit)}
            messages.success(request, text)
        return redirect("participation:task", code=code, pk=pk)
    from fengqiao.core.attachments import attachments_of

    context = {
        "community": node,
        "task": t,
        "claims": list(selectors.live_claims(t)),
        "photos": list(attachments_of(t, "record")),
        "started": t.starts_at <= timezone.now(),
    }
    return render(request, "participation/task.html", context)


# Party members (党员双报到): the centre's quarterly review and the year-end view.


@login_required
@only_for(may_manage, REFUSED_MANAGE)
def party(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """季度议 / 年底评: the community's party members who reported to it, with the tasks they did per quarter; the
    centre grades each quarter; the year's view sums the four."""
    node = _community(request, code, centre_only=True)
    scheme = _scheme(node)
    year, quarter = selectors.quarter_of(timezone.now())
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100 or not 1 <= quarter <= 4:
        raise Http404
    if request.method == "POST":
        p = selectors.party_members(scheme).filter(pk=request.POST.get("participant") or 0).first()
        if p is None:
            raise Http404
        try:
            services.review_party_member(
                actor=request.user,
                participant=p,
                year=year,
                quarter=quarter,
                grade=request.POST.get("grade", ""),
                comment=request.POST.get("comment", ""),
            )
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, _("已保存 %(name)s 的季度评议。") % {"name": p.name_masked})
        return redirect(
            f"{reverse('participation:party', args=[code])}?{urlencode({'year': year, 'quarter': quarter})}"
        )
    rows = selectors.party_year(scheme, year)
    context = {
        "community": node,
        "year": year,
        "quarter": quarter,
        "quarters": [1, 2, 3, 4],
        "rows": [(row, row.quarters[quarter - 1], row.done[quarter - 1]) for row in rows],
        "grades": Review.Grade.choices,
    }
    return render(request, "participation/party.html", context)
