"""Pages of deliberation and the notice board: the public community page, topic page and 三务公开 board opened by
the community's QR token; the resident's page opened by their personal code (raise, vote, rate); the staff's
community list, topic page (every step), household bindings and the centre's notice board.

Public pages show no personal data: residents' names are masked, votes are counts per option, never who.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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

from fengqiao.accounts.models import Role
from fengqiao.accounts.requests import AuthenticatedRequest
from fengqiao.core import media, pages, receipts
from fengqiao.core.attachments import attachments_of
from fengqiao.core.errors import DomainError, show_error
from fengqiao.core.permissions import holds, only_for
from fengqiao.core.ratelimit import limit
from fengqiao.deliberation import clocks, selectors, services, workflow
from fengqiao.deliberation.models import Meeting, Notice, Topic
from fengqiao.deliberation.workflow import WORKFLOW
from fengqiao.grids.models import GridNode
from fengqiao.participation import selectors as points
from fengqiao.participation.models import Participant, Scheme

may_staff = holds(*points.FIELD_ROLES, *points.CENTRE_ROLES, Role.ADMIN)
may_manage = holds(*points.CENTRE_ROLES, Role.ADMIN)
REFUSED = gettext_lazy("只有社区的网格员和综治中心可以办理议事协商。")
REFUSED_MANAGE = gettext_lazy("三务公开由社区综治中心发布。")
TALLY_STATES = (workflow.DECIDED, workflow.IN_PROGRESS, workflow.DONE, workflow.RATED)


def _scheme(token: str) -> Scheme:
    scheme = points.scheme_for_token(token)
    if scheme is None:
        raise Http404
    return scheme


def _topic_context(topic: Topic) -> dict[str, Any]:
    """What every page of a topic shows: the public facts, never a resident's name or vote."""
    shown = topic.state in TALLY_STATES
    count, average = selectors.rating_summary(topic)
    return {
        "t": topic,
        "state_label": WORKFLOW.state_label(topic.state),
        "grids": list(topic.grids.order_by("path")),
        "meetings": list(selectors.meetings_of(topic)),
        "options": list(selectors.options_of(topic)),
        "tally": selectors.tally(topic) if shown else None,
        "voted": selectors.tally(topic).households if topic.state == workflow.VOTING else None,
        "progress": list(selectors.progress_of(topic)),
        "ratings": count,
        "average": average,
        "raised_by": topic.raised_by.name_masked if topic.raised_by is not None else _("社区工作人员"),
    }


# Public pages (no login).


@never_cache
def public(request: HttpRequest, token: str) -> HttpResponse:
    """议事协商公开页: every topic of the community and where it stands."""
    scheme = _scheme(token)
    topics = list(selectors.public_topics(scheme.community)[:100])
    rows = [{"t": t, "state": WORKFLOW.state_label(t.state)} for t in topics]
    return pages.private(render(request, "deliberation/public.html", {"scheme": scheme, "rows": rows}))


@never_cache
def public_topic(request: HttpRequest, token: str, code: str) -> HttpResponse:
    scheme = _scheme(token)
    topic = selectors.public_topics(scheme.community).filter(code=code).first()
    if topic is None:
        raise Http404
    context = {"scheme": scheme, **_topic_context(topic)}
    return pages.private(render(request, "deliberation/public_topic.html", context))


@never_cache
def board(request: HttpRequest, token: str) -> HttpResponse:
    """三务公开栏: the community's affairs, finances and party affairs; withdrawn notices are not shown."""
    scheme = _scheme(token)
    rows: list[tuple[Notice, list[tuple[str, str]]]] = []
    for notice in selectors.public_notices(scheme.community)[:200]:
        files = [(media.signed_url(a), media.signed_url(a, thumb=True)) for a in attachments_of(notice)]
        rows.append((notice, files))
    groups = [
        (label, [{"n": n, "files": f} for n, f in rows if n.category == value])
        for value, label in Notice.Category.choices
    ]
    return pages.private(render(request, "deliberation/board.html", {"scheme": scheme, "groups": groups}))


class RaiseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("议题"), max_length=100)
    body = forms.CharField(label=gettext_lazy("具体内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    grids = forms.ModelMultipleChoiceField(
        label=gettext_lazy("涉及网格"),
        queryset=GridNode.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, community: GridNode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any grid may be posted; the service refuses one outside the community with its own message.
        grids = self.fields["grids"]
        assert isinstance(grids, forms.ModelMultipleChoiceField)
        grids.queryset = GridNode.objects.all()
        grids.choices = [(g.pk, g.name) for g in selectors.community_grids(community)]


def _resident_code(request: HttpRequest) -> str:
    return (request.POST.get("k") or request.GET.get("k") or "").strip()


@never_cache
@limit("track", "FENGQIAO_RATE_TRACK", methods=("GET",))
def me(request: HttpRequest) -> HttpResponse:
    """我的议事: the resident raises topics, casts the household's vote and rates results, by their personal code."""
    code = _resident_code(request)
    if not receipts.allowed_to_try(request):
        return pages.private(render(request, "429.html", {"message": _("尝试次数过多，请稍后再试。")}, status=429))
    participant = points.participant_for_code(code)
    if participant is None:
        if code:
            receipts.count_miss(request)
        return pages.private(render(request, "participation/invalid.html", status=404))
    community = participant.scheme.community
    form = pages.styled(RaiseForm(request.POST if request.POST.get("action") == "raise" else None, community=community))
    if request.method == "POST":
        try:
            done = _resident_step(request, participant, form)
        except DomainError as exc:
            show_error(request, exc, form=form if request.POST.get("action") == "raise" else None)
        else:
            if done:
                messages.success(request, done)
                return redirect(f"{reverse('deliberation:me')}?k={code}")
    binding = selectors.binding_of(participant)
    topics = list(selectors.public_topics(community).exclude(state=workflow.DECLINED)[:50])
    rows = []
    for t in topics:
        eligible = binding is not None and selectors.in_grids(t, binding.household)
        rows.append(
            {
                "t": t,
                "state": WORKFLOW.state_label(t.state),
                "eligible": eligible,
                "options": list(selectors.options_of(t)) if t.state == workflow.VOTING else [],
            }
        )
    context = {"p": participant, "code": code, "binding": binding, "rows": rows, "form": form, "community": community}
    return pages.private(render(request, "deliberation/me.html", context))


def _resident_step(request: HttpRequest, participant: Participant, form: forms.Form) -> str:
    action = request.POST.get("action", "")
    community = participant.scheme.community
    if action == "raise":
        if not form.is_valid():
            return ""
        data = form.cleaned_data
        topic = services.raise_topic(
            actor=None,
            participant=participant,
            community=community,
            title=data["title"],
            body=data["body"],
            grids=list(data["grids"]),
        )
        return _("议题已提交（编号 %(code)s），社区综治中心受理后会在公开页答复。") % {"code": topic.code}
    found = selectors.public_topics(community).filter(code=request.POST.get("topic", "")).first()
    if found is None:
        raise Http404
    topic = found
    if action == "vote":
        option = topic.options.filter(pk=_int(request.POST.get("option"))).first()
        if option is None:
            # an option of another topic, or none: as if missing
            raise DomainError(_("请选择一个表决选项。"))
        services.vote(participant=participant, topic=topic, option=option)
        return _("您家的一票已记录。")
    if action == "rate":
        services.rate(participant=participant, topic=topic, score=_int(request.POST.get("score")))
        return _("感谢您的评价。")
    return ""


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# Staff pages.


def _community(request: AuthenticatedRequest, code: str, *, centre_only: bool = False) -> GridNode:
    community = points.community_for(actor=request.user, code=code, centre_only=centre_only)
    if community is None:
        raise Http404
    return community


@login_required
@only_for(may_staff, REFUSED)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """议事协商: the communities the user serves, with their open topics."""
    rows = [
        {
            "c": c,
            "open": selectors.open_topics_count(c),
            "scheme": getattr(c, "points_scheme", None),
            "centre": points.is_centre(request.user, c.path),
        }
        for c in points.communities_for(actor=request.user)[:200]
    ]
    return render(request, "deliberation/index.html", {"rows": rows})


@login_required
@only_for(may_staff, REFUSED)
def community(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """A community's topics with their clocks' colours; the staff raise a topic here."""
    node = _community(request, code)
    form = pages.styled(RaiseForm(request.POST or None, community=node))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.raise_topic(
                actor=request.user, community=node, title=data["title"], body=data["body"], grids=list(data["grids"])
            )
        except DomainError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("已提出议题 %(code)s。") % {"code": topic.code})
            return redirect("deliberation:topic", code=topic.code)
    topics = clocks.TOPIC_CLOCKS.annotate(selectors.topics_for(actor=request.user).filter(community=node))
    rows = [
        {"t": t, "state": WORKFLOW.state_label(t.state), "flag": clocks.FLAG_LABELS.get(getattr(t, "flag", ""), "")}
        for t in topics[:200]
    ]
    context = {
        "community": node,
        "rows": rows,
        "form": form,
        "scheme": points.scheme_of(node),
        "centre": points.is_centre(request.user, node.path),
    }
    return render(request, "deliberation/community.html", context)


@login_required
@only_for(may_staff, REFUSED)
def topic(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """One topic: every step, and the actions the user may take now."""
    found = selectors.topic_for(actor=request.user, code=code)
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            done = _staff_step(request, found)
        except DomainError as exc:
            show_error(request, exc)
        else:
            if done:
                messages.success(request, done)
        return redirect("deliberation:topic", code=code)
    annotated = clocks.TOPIC_CLOCKS.annotate(Topic.objects.filter(pk=found.pk)).first()
    centre = points.is_centre(request.user, found.community_path)
    participants = list(selectors.participants_of(actor=request.user, community=found.community)[:300])
    context = {
        **_topic_context(found),
        "centre": centre,
        "colour": getattr(annotated, "colour", ""),
        "flag": clocks.FLAG_LABELS.get(getattr(annotated, "flag", ""), ""),
        "participants": participants,
        "kinds": Meeting.Kind.choices,
        "default_answer": timezone.localdate() + dt.timedelta(days=clocks.answer_days()),
        "scheme": points.scheme_of(found.community),
    }
    return render(request, "deliberation/topic.html", context)


def _staff_step(request: AuthenticatedRequest, topic: Topic) -> str:
    actor, post = request.user, request.POST
    action = post.get("action", "")
    if action == "accept":
        services.accept(actor=actor, topic=topic, answer_on=_date(post.get("answer_on")))
        return _("已受理，承诺 %(day)s 前答复。") % {"day": topic.answer_on}
    if action == "decline":
        services.decline(actor=actor, topic=topic, reason=post.get("reason", ""))
        return _("已不予受理。")
    if action == "meeting":
        at = _datetime(post.get("at"))
        if at is None:
            raise DomainError(_("请填写会议时间。"))
        services.add_meeting(
            actor=actor,
            topic=topic,
            kind=post.get("kind", ""),
            at=at,
            place=post.get("place", ""),
            note=post.get("note", ""),
        )
        return _("已安排议事会议。")
    if action == "attend":
        meeting = topic.meetings.filter(pk=_int(post.get("meeting"))).first()
        participant = points.participants_for(actor=actor).filter(pk=_int(post.get("participant"))).first()
        if meeting is None or participant is None:
            raise Http404
        row = services.record_attendance(actor=actor, meeting=meeting, participant=participant)
        if row.points:
            return _("已登记到会，记 %(n)s 分。") % {"n": row.points}
        return _("已登记到会。")
    if action == "options":
        services.set_options(actor=actor, topic=topic, labels=post.get("options", "").splitlines())
        return _("已保存表决选项。")
    if action == "open_vote":
        services.open_vote(actor=actor, topic=topic)
        return _("已开始表决。")
    if action == "decide":
        option = topic.options.filter(pk=_int(post.get("option"))).first() if post.get("option") else None
        services.decide(actor=actor, topic=topic, text=post.get("text", ""), option=option)
        return _("表决已结束，决定已公布。")
    if action == "start":
        services.start(actor=actor, topic=topic, carry_on=_date(post.get("carry_on")))
        return _("已开始落实。")
    if action == "progress":
        services.add_progress(actor=actor, topic=topic, note=post.get("note", ""), on=_date(post.get("on")))
        return _("已填报进展。")
    if action == "finish":
        services.finish(actor=actor, topic=topic, note=post.get("note", ""))
        return _("已落实完成，住户可以评价。")
    return ""


def _datetime(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@only_for(may_staff, REFUSED)
def households(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """绑定户: the grid staff binds a participant to the household they verified."""
    node = _community(request, code)
    if request.method == "POST":
        try:
            done = _binding_step(request, node)
        except DomainError as exc:
            show_error(request, exc)
        else:
            messages.success(request, done)
        return redirect("deliberation:households", code=code)
    bindings = {b.participant_id: b for b in selectors.bindings_for(actor=request.user).filter(ended_at__isnull=True)}
    participants = list(selectors.participants_of(actor=request.user, community=node)[:300])
    rows = [{"p": p, "b": bindings.get(p.pk)} for p in participants]
    homes = list(selectors.households_for(actor=request.user, community=node)[:500])
    return render(request, "deliberation/households.html", {"community": node, "rows": rows, "homes": homes})


def _binding_step(request: AuthenticatedRequest, node: GridNode) -> str:
    actor, post = request.user, request.POST
    if post.get("action") == "unbind":
        binding = (
            selectors.bindings_for(actor=actor).filter(pk=_int(post.get("binding")), community_path=node.path).first()
        )
        if binding is None:
            raise Http404
        services.unbind(actor=actor, binding=binding)
        return _("已解除绑定。")
    participant = (
        selectors.participants_of(actor=actor, community=node).filter(pk=_int(post.get("participant"))).first()
    )
    if participant is None:
        raise Http404
    # Any household id may be posted: the service refuses one outside the staff's grids with its own message.
    from fengqiao.people.models import Household

    household = Household.objects.filter(pk=_int(post.get("household"))).first()
    if household is None:
        raise Http404
    services.bind(actor=actor, participant=participant, household=household)
    return _("已绑定住户。")


class NoticeForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("类别"), choices=Notice.Category.choices)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    body = forms.CharField(label=gettext_lazy("公开内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    photo = forms.FileField(label=gettext_lazy("附件图片（可选）"), required=False)


@login_required
@only_for(may_manage, REFUSED_MANAGE)
def notices(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """三务公开: the centre publishes and withdraws notices; withdrawn ones stay listed here."""
    node = _community(request, code, centre_only=True)
    form = pages.styled(
        NoticeForm(request.POST if request.POST.get("action") == "publish" else None, request.FILES or None)
    )
    if request.method == "POST":
        try:
            done = _notice_step(request, node, form)
        except DomainError as exc:
            show_error(request, exc, form=form if request.POST.get("action") == "publish" else None)
        else:
            if done:
                messages.success(request, done)
                return redirect("deliberation:notices", code=code)
    rows = list(selectors.notices_for(actor=request.user).filter(community=node)[:200])
    context = {"community": node, "rows": rows, "form": form, "scheme": points.scheme_of(node)}
    return render(request, "deliberation/notices.html", context)


def _notice_step(request: AuthenticatedRequest, node: GridNode, form: forms.Form) -> str:
    actor, post = request.user, request.POST
    if post.get("action") == "withdraw":
        notice = selectors.notices_for(actor=actor).filter(pk=_int(post.get("notice")), community=node).first()
        if notice is None:
            raise Http404
        services.withdraw_notice(actor=actor, notice=notice, reason=post.get("reason", ""))
        return _("已撤回，公开栏不再显示，记录保留。")
    if post.get("action") == "publish" and form.is_valid():
        data = form.cleaned_data
        services.publish_notice(
            actor=actor,
            community=node,
            category=data["category"],
            title=data["title"],
            body=data["body"],
            files=[data["photo"]] if data["photo"] else [],
        )
        return _("已发布。")
    return ""
