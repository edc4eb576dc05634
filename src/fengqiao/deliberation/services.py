"""Commands of deliberation (议事协商) and the notice board (三务公开).

Residents act through their participant (the personal code of the points scheme); a household votes and rates
through a participant the grid staff bound to it. One vote and one rating per household are unique rows, so a second
member of the same household, or two clicks at once, are refused by the database whatever the code above does.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core import attachments, audit
from fengqiao.core.actors import Caller, signed_in
from fengqiao.core.errors import CoreErrorCode, DomainError, NotFound, OutsideJurisdiction
from fengqiao.deliberation import clocks, selectors, workflow
from fengqiao.deliberation.errors import DeliberationErrorCode as Code
from fengqiao.deliberation.models import Attendance, Binding, Meeting, Notice, Option, Progress, Rating, Topic, Vote
from fengqiao.deliberation.workflow import WORKFLOW
from fengqiao.grids.models import GridNode, Level
from fengqiao.participation import selectors as points
from fengqiao.participation import services as points_services
from fengqiao.participation.models import Participant, Rule
from fengqiao.people.models import Household

ATTENDANCE_RULE_WORD = "议事"  # a points rule whose label holds this word rewards attending a meeting
MAX_AHEAD_DAYS = 366

audit.register_verbs(
    {
        "household_bind": gettext_lazy("绑定户"),
        "household_unbind": gettext_lazy("解除绑定户"),
        "notice_publish": gettext_lazy("发布三务公开"),
        "notice_withdraw": gettext_lazy("撤回三务公开"),
    }
)


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _require_centre(actor: Caller, community_path: str) -> None:
    if not (signed_in(actor) and points.is_centre(actor, community_path)):
        raise OutsideJurisdiction(_("这一步由社区综治中心办理。"), code=Code.NOT_CENTRE)


def _require_staff(actor: Caller, community_path: str) -> None:
    if not (signed_in(actor) and points.serves(actor, community_path)):
        raise OutsideJurisdiction(_("只有本社区的网格员或社区综治中心可以办理。"), code=Code.NOT_STAFF)


def _future_date(day: dt.date | None, now: dt.datetime, what: str) -> dt.date:
    today = timezone.localdate(now)
    if day is None or day < today or day > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise DomainError(
            _("%(what)s应在今天到一年之内。") % {"what": what},
            code=Code.BAD_DATE,
        )
    return day


def _new_code(now: dt.datetime) -> str:
    for _try in range(10):
        code = f"YS{timezone.localdate(now):%Y%m%d}{secrets.randbelow(10**4):04d}"
        if not Topic.objects.filter(code=code).exists():
            return code
    raise DomainError(_("议题编号生成失败，请重试。"))


# Topics.


def raise_topic(
    *,
    actor: Caller,
    community: GridNode,
    title: str,
    body: str,
    grids: Sequence[GridNode],
    participant: Participant | None = None,
    now: dt.datetime | None = None,
) -> Topic:
    """民事民提: a resident (by their participant) or the community's staff raises a topic about some of its grids."""
    now = now or timezone.now()
    if community.level != Level.COMMUNITY:
        raise DomainError(_("议题按社区（村）提出。"))
    if participant is not None:
        if participant.community_path != community.path:
            raise NotFound(_("没有找到这个社区。"))
    else:
        _require_staff(actor, community.path)
    title, body = _clean(title, 100), (body or "").strip()[:2000]
    if not title or not body:
        raise DomainError(_("请填写议题和具体内容。"), code=CoreErrorCode.INVALID)
    grids = list({g.pk: g for g in grids}.values())
    if not grids:
        raise DomainError(_("请选择议题涉及的网格。"), code=Code.GRIDS_REQUIRED)
    if any(g.pk == community.pk or not g.path.startswith(community.path) for g in grids):
        raise DomainError(_("议题涉及的网格须是本社区（村）的网格。"), code=Code.GRIDS_OUTSIDE)
    with transaction.atomic():
        topic = Topic(
            community=community,
            code=_new_code(now),
            title=title,
            body=body,
            raised_by=participant,
            raised_by_staff_id=actor.pk if participant is None and signed_in(actor) else None,
            raised_at=now,
        )
        topic.save()
        topic.grids.set(grids)
        audit.record(
            actor=actor if participant is None else None,
            verb="topic_raise",
            target=topic,
            data={"grids": [g.code for g in grids], "by_resident": participant is not None},
            workflow=workflow.NAME,
            to_state=workflow.RAISED,
        )
    return topic


def accept(*, actor: Caller, topic: Topic, answer_on: dt.date | None = None, now: dt.datetime | None = None) -> Topic:
    """受理: the centre accepts the topic and promises an answer by a date (default: the configured days)."""
    now = now or timezone.now()
    _require_centre(actor, topic.community_path)
    if answer_on is None:
        answer_on = timezone.localdate(now) + dt.timedelta(days=clocks.answer_days())
    _future_date(answer_on, now, _("承诺答复日期"))
    return WORKFLOW.apply(topic, "accept", actor=actor, now=now, answer_on=answer_on)


def decline(*, actor: Caller, topic: Topic, reason: str, now: dt.datetime | None = None) -> Topic:
    """不予受理: with the reason, shown on the public page."""
    _require_centre(actor, topic.community_path)
    return WORKFLOW.apply(topic, "decline", actor=actor, now=now, note=_clean(reason, 500))


def add_meeting(
    *,
    actor: Caller,
    topic: Topic,
    kind: str,
    at: dt.datetime,
    place: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Meeting:
    """议事会议: the centre holds a meeting (online, offline or both); the first one moves the topic to 议事中."""
    now = now or timezone.now()
    _require_centre(actor, topic.community_path)
    if kind not in Meeting.Kind.values:
        raise DomainError(_("请选择会议形式。"))
    place = _clean(place, 200)
    if not place:
        raise DomainError(_("请填写会议地点或线上会议方式。"))
    if topic.state not in (workflow.ACCEPTED, workflow.MEETING, workflow.VOTING):
        raise DomainError(
            _("当前状态“%(state)s”下不能安排议事会议。") % {"state": WORKFLOW.state_label(topic.state)},
            code=CoreErrorCode.NOT_ALLOWED_IN_STATE,
        )
    assert signed_in(actor)
    with transaction.atomic():
        if topic.state == workflow.ACCEPTED:
            WORKFLOW.apply(topic, "convene", actor=actor, now=now)
        meeting = Meeting(topic=topic, kind=kind, at=at, place=place, note=(note or "").strip()[:2000])
        meeting.convened_by_id = actor.pk
        meeting.save()
        audit.record(
            actor=actor,
            verb="meeting_add",
            target=topic,
            data={"meeting": meeting.pk, "kind": kind, "at": at.isoformat(), "place": place},
            workflow=workflow.NAME,
        )
    return meeting


def attendance_rule(participant: Participant) -> Rule | None:
    """The community's active points rule for attending deliberation, if it has one."""
    return points.rules_of(participant.scheme).filter(label__contains=ATTENDANCE_RULE_WORD).order_by("-points").first()


def record_attendance(
    *, actor: Caller, meeting: Meeting, participant: Participant, now: dt.datetime | None = None
) -> Attendance:
    """登记到会: the staff records a participant present; attending earns the community's points for it, when it
    has such a rule and the rule's limit allows (the attendance stands either way)."""
    now = now or timezone.now()
    _require_staff(actor, meeting.community_path)
    if participant.community_path != meeting.community_path:
        raise NotFound(_("没有找到这位参与者。"))
    assert signed_in(actor)
    try:
        with transaction.atomic():
            row = Attendance.objects.create(
                meeting=meeting,
                participant=participant,
                community_path=meeting.community_path,
                recorded_by_id=actor.pk,
                recorded_at=now,
            )
            rule = attendance_rule(participant)
            if rule is not None and points_services.may_confirm(actor, rule):
                try:
                    points_services.award(
                        actor=actor, participant=participant, rule=rule, note=meeting.topic.title[:200], now=now
                    )
                except DomainError:  # the rule's limit is reached: present, without points this time
                    pass
                else:
                    row.points = rule.points
                    row.save(update_fields=["points"])
            audit.record(
                actor=actor,
                verb="attendance",
                target=meeting.topic,
                data={"meeting": meeting.pk, "participant": participant.pk, "points": row.points},
                workflow=workflow.NAME,
            )
    except IntegrityError:
        raise DomainError(_("这位参与者的到会已经登记过。"), code=Code.ALREADY_ATTENDED) from None
    return row


def set_options(*, actor: Caller, topic: Topic, labels: Sequence[str]) -> list[Option]:
    """表决选项: the centre sets the options before the vote opens (two or more, all different)."""
    _require_centre(actor, topic.community_path)
    if topic.state not in (workflow.ACCEPTED, workflow.MEETING):
        raise DomainError(_("表决开始后不能再修改选项。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
    cleaned = list(dict.fromkeys(x for x in (_clean(label, 100) for label in labels) if x))
    if len(cleaned) < 2:
        raise DomainError(_("表决至少需要两个不同的选项。"), code=Code.TOO_FEW_OPTIONS)
    with transaction.atomic():
        topic.options.all().delete()
        rows = [Option.objects.create(topic=topic, label=label, position=i) for i, label in enumerate(cleaned)]
    return rows


def open_vote(*, actor: Caller, topic: Topic, now: dt.datetime | None = None) -> Topic:
    """开始表决: one household, one vote, within the topic's grids."""
    _require_centre(actor, topic.community_path)
    if topic.options.count() < 2:
        raise DomainError(_("表决至少需要两个不同的选项。"), code=Code.TOO_FEW_OPTIONS)
    return WORKFLOW.apply(topic, "open_vote", actor=actor, now=now)


def _household_of(participant: Participant, topic: Topic) -> Household:
    if participant.community_path != topic.community_path:
        raise NotFound(_("没有找到这个议题。"))
    binding = selectors.binding_of(participant)
    if binding is None:
        raise DomainError(_("您还没有绑定住户：请联系本网格的网格员核实后绑定，再参加一户一票。"), code=Code.NOT_BOUND)
    if not selectors.in_grids(topic, binding.household):
        raise DomainError(_("您所在的住户不在这个议题涉及的网格内，不能参加表决或评价。"), code=Code.OUTSIDE_GRIDS)
    return binding.household


def vote(*, participant: Participant, topic: Topic, option: Option, now: dt.datetime | None = None) -> Vote:
    """一户一票: a bound member casts the household's vote; a second vote from the same household is refused."""
    now = now or timezone.now()
    if option.topic_id != topic.pk:
        raise NotFound(_("没有找到这个表决选项。"))
    household = _household_of(participant, topic)
    try:
        with transaction.atomic():
            # Read the state under a lock so a vote cannot slip in while the centre closes the vote.
            state = Topic.objects.select_for_update().values_list("state", flat=True).get(pk=topic.pk)
            if state != workflow.VOTING:
                raise DomainError(_("这个议题现在不在表决期间。"), code=Code.NOT_VOTING)
            row = Vote.objects.create(
                topic=topic,
                option=option,
                household=household,
                participant=participant,
                community_path=topic.community_path,
                at=now,
            )
            audit.record(actor=None, verb="vote", target=topic, data={"vote": row.pk}, workflow=workflow.NAME)
    except IntegrityError:
        raise DomainError(
            _("您家已经投过票了：一户只能投一票（同户其他成员已投的也算）。"), code=Code.ALREADY_VOTED
        ) from None
    return row


def decide(
    *,
    actor: Caller,
    topic: Topic,
    text: str,
    option: Option | None = None,
    now: dt.datetime | None = None,
) -> Topic:
    """结束表决并形成决定: the option with the most households wins; on a tie the centre names which of the leading
    options is carried out. The tally and the decision are then public."""
    _require_centre(actor, topic.community_path)
    text = (text or "").strip()[:2000]
    if not text:
        raise DomainError(_("请填写决定内容。"), code=CoreErrorCode.NOTE_REQUIRED)
    with transaction.atomic():
        Topic.objects.select_for_update().filter(pk=topic.pk).first()
        result = selectors.tally(topic)
        leading = result.leading
        if not leading:
            raise DomainError(_("还没有住户投票，不能按表决形成决定。"), code=Code.NO_VOTES)
        if option is not None and option.topic_id != topic.pk:
            raise NotFound(_("没有找到这个表决选项。"))
        if len(leading) > 1 and (option is None or option not in leading):
            raise DomainError(
                _("票数并列（%(names)s），请在并列最多的选项中选定一项。")
                % {"names": "、".join(o.label for o in leading)},
                code=Code.TIE,
            )
        winner = leading[0] if len(leading) == 1 else option
        return WORKFLOW.apply(
            topic,
            "decide",
            actor=actor,
            now=now,
            decision=winner,
            decision_text=text,
            tally={o.label: n for o, n in result.rows},
        )


def start(*, actor: Caller, topic: Topic, carry_on: dt.date | None, now: dt.datetime | None = None) -> Topic:
    """开始落实: with the planned date the carrying out is due by."""
    now = now or timezone.now()
    _require_centre(actor, topic.community_path)
    _future_date(carry_on, now, _("计划完成日期"))
    return WORKFLOW.apply(topic, "start", actor=actor, now=now, carry_on=carry_on)


def add_progress(
    *, actor: Caller, topic: Topic, note: str, on: dt.date | None = None, now: dt.datetime | None = None
) -> Progress:
    """落实进展: a dated note, public; the community's staff write them while it is carried out."""
    now = now or timezone.now()
    _require_staff(actor, topic.community_path)
    if topic.state != workflow.IN_PROGRESS:
        raise DomainError(_("只有落实中的议题可以填报进展。"), code=CoreErrorCode.NOT_ALLOWED_IN_STATE)
    note = (note or "").strip()[:1000]
    if not note:
        raise DomainError(_("请填写落实进展。"), code=CoreErrorCode.NOTE_REQUIRED)
    on = on or timezone.localdate(now)
    if on > timezone.localdate(now):
        raise DomainError(_("进展日期不能晚于今天。"), code=Code.BAD_DATE)
    assert signed_in(actor)
    with transaction.atomic():
        row = Progress(topic=topic, community_path=topic.community_path, note=note, on=on, at=now)
        row.by_id = actor.pk
        row.save()
        audit.record(actor=actor, verb="progress", target=topic, note=note[:200], workflow=workflow.NAME)
    return row


def finish(*, actor: Caller, topic: Topic, note: str = "", now: dt.datetime | None = None) -> Topic:
    """落实完成: the residents of the topic's grids may now rate it."""
    _require_centre(actor, topic.community_path)
    return WORKFLOW.apply(topic, "finish", actor=actor, now=now, note=_clean(note, 500))


def rate(*, participant: Participant, topic: Topic, score: int, now: dt.datetime | None = None) -> Rating:
    """评价: a household of the topic's grids scores the result 1–5, once; the first rating marks it rated."""
    now = now or timezone.now()
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(_("请选择 1 到 5 分的评价。"), code=Code.BAD_SCORE)
    household = _household_of(participant, topic)
    try:
        with transaction.atomic():
            state = Topic.objects.select_for_update().values_list("state", flat=True).get(pk=topic.pk)
            if state not in workflow.RATING_STATES:
                raise DomainError(_("这个议题还没有落实完成，暂不能评价。"), code=Code.NOT_RATING)
            row = Rating.objects.create(
                topic=topic,
                household=household,
                participant=participant,
                community_path=topic.community_path,
                score=score,
                at=now,
            )
            audit.record(actor=None, verb="rating", target=topic, data={"score": score}, workflow=workflow.NAME)
            if state == workflow.DONE:
                topic.state = state
                WORKFLOW.apply(topic, "rate", actor=None, now=now)
    except IntegrityError:
        raise DomainError(_("您家已经评价过了：一户只能评价一次。"), code=Code.ALREADY_RATED) from None
    return row


# Households.


def bind(*, actor: Caller, participant: Participant, household: Household, now: dt.datetime | None = None) -> Binding:
    """绑定户: the grid staff confirms the participant lives in the household (a resident cannot claim a room)."""
    now = now or timezone.now()
    _require_staff(actor, participant.community_path)
    if not household.grid_path.startswith(participant.community_path) or not selectors.may_bind_in(actor, household):
        raise OutsideJurisdiction(_("这户不在您负责的网格内。"), code=Code.HOUSEHOLD_OUTSIDE)
    assert signed_in(actor)
    already = DomainError(_("这位参与者已绑定住户，请先解除原绑定。"), code=Code.ALREADY_BOUND)
    if selectors.binding_of(participant) is not None:
        raise already
    try:
        with transaction.atomic():
            row = Binding(
                participant=participant,
                household=household,
                community_path=participant.community_path,
                grid_path=household.grid_path,
                bound_at=now,
            )
            row.bound_by_id = actor.pk
            row.save()
            audit.record(actor=actor, verb="household_bind", target=participant, data={"household": household.pk})
    except IntegrityError:
        raise already from None
    return row


def unbind(*, actor: Caller, binding: Binding, now: dt.datetime | None = None) -> Binding:
    """解除绑定: a participant who moved out; the binding stays in the record, its votes stand."""
    now = now or timezone.now()
    _require_staff(actor, binding.community_path)
    if not selectors.may_bind_in(actor, binding.household):
        raise OutsideJurisdiction(_("这户不在您负责的网格内。"), code=Code.HOUSEHOLD_OUTSIDE)
    with transaction.atomic():
        Binding.objects.filter(pk=binding.pk, ended_at__isnull=True).update(ended_at=now)
        binding.ended_at = now
        audit.record(
            actor=actor, verb="household_unbind", target=binding.participant, data={"household": binding.household_id}
        )
    return binding


# The notice board.


def publisher_of(community: GridNode, category: str) -> str:
    """The unit a notice shows as its publisher: the committee for affairs and finances, the party organisation
    for party affairs; never the clerk's name (kept in the record)."""
    if category == Notice.Category.PARTY:
        return _("%(name)s党组织") % {"name": community.name}
    return _("%(name)s居（村）民委员会") % {"name": community.name}


def publish_notice(
    *,
    actor: Caller,
    community: GridNode,
    category: str,
    title: str,
    body: str,
    files: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> Notice:
    """三务公开: the centre publishes a notice of the community's affairs, finances or party affairs."""
    now = now or timezone.now()
    if community.level != Level.COMMUNITY:
        raise DomainError(_("三务公开按社区（村）发布。"))
    _require_centre(actor, community.path)
    if category not in Notice.Category.values:
        raise DomainError(_("请选择公开类别。"))
    title, body = _clean(title, 100), (body or "").strip()[:5000]
    if not title or not body:
        raise DomainError(_("请填写标题和公开内容。"))
    images = attachments.read_uploads(files)
    assert signed_in(actor)
    with transaction.atomic():
        notice = Notice(
            community=community,
            category=category,
            title=title,
            body=body,
            publisher=publisher_of(community, category),
            published_at=now,
        )
        notice.published_by_id = actor.pk
        notice.save()
        if images:
            attachments.attach(actor=actor, target=notice, images=images, purpose="notice")
        audit.record(actor=actor, verb="notice_publish", target=notice, data={"category": category})
    return notice


def withdraw_notice(*, actor: Caller, notice: Notice, reason: str, now: dt.datetime | None = None) -> Notice:
    """撤回: the notice leaves the public page and stays in the record, with who withdrew it and why."""
    now = now or timezone.now()
    _require_centre(actor, notice.community_path)
    reason = _clean(reason, 200)
    if not reason:
        raise DomainError(_("请填写撤回原因。"), code=CoreErrorCode.NOTE_REQUIRED)
    assert signed_in(actor)
    with transaction.atomic():
        if not Notice.objects.filter(pk=notice.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by_id=actor.pk, withdrawn_reason=reason
        ):
            raise DomainError(_("这条公开已经撤回。"), code=Code.NOT_WITHDRAWABLE)
        notice.refresh_from_db()
        audit.record(actor=actor, verb="notice_withdraw", target=notice, note=reason)
    return notice
