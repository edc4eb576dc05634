"""The clocks of a deliberation topic, declared for ``core.deadlines``.

    answer  答复: from acceptance to the end of the promised answer date (by default
            ``FENGQIAO_DELIBERATION_ANSWER_DAYS`` days after acceptance); it stops when the decision is published.
    carry   落实: from the start of carrying out to the end of its planned date; it stops when it is done.

Orange when only ``FENGQIAO_ORANGE_SHARE`` of the time is left (the centre is told), red when missed (the centre and
the leaders above the community).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.accounts.selectors import members_above
from fengqiao.core import deadlines
from fengqiao.core.deadlines import CaseClocks, Clock, Duration, Signal
from fengqiao.core.sla import Colour
from fengqiao.deliberation import workflow
from fengqiao.deliberation.models import Topic


def answer_days() -> int:
    return int(getattr(settings, "FENGQIAO_DELIBERATION_ANSWER_DAYS", 15))


def end_of(day: dt.date) -> dt.datetime:
    """The end of ``day`` in local time (a promise "by the 15th" holds all of the 15th)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _until(day: dt.date | None, now: dt.datetime) -> Duration:
    if day is None:
        return 0.0, "hours"
    return max((end_of(day) - now).total_seconds() / 3600, 0.0), "hours"


def _answer(topic: Any) -> Duration:
    return _until(topic.answer_on, topic.accepted_at or timezone.now())


def _carry(topic: Any) -> Duration:
    return _until(topic.carry_on, topic.carry_started_at or timezone.now())


def _centre(topic: Any) -> list[User]:
    """The centre (dispatchers) above the topic's community."""
    return members_above(topic.community_path, [Role.DISPATCHER])


def _centre_and_leaders(topic: Any) -> list[User]:
    """The centre and the leaders above the topic's community."""
    return _centre(topic) + members_above(topic.community_path, [Role.LEADER])


def _url(topic: Any) -> str:
    return reverse("deliberation:topic", args=[topic.code])


TOPIC_CLOCKS = deadlines.register(
    CaseClocks(
        model=Topic,
        workflow=workflow.NAME,
        noun=_("议事议题"),
        url=_url,
        code_field="code",
        clocks=[
            Clock(
                "answer",
                due_field="answer_due_at",
                warn_field="answer_warn_at",
                starts={"accept": _answer},
                stops=frozenset({"decide"}),
                running=Q(state__in=[workflow.ACCEPTED, workflow.MEETING, workflow.VOTING]),
                signals=[
                    Signal(
                        "answer_missed", Colour.RED, _("超过承诺答复日期"), _centre_and_leaders, kind="deadline_red"
                    ),
                    Signal(
                        "answer_nearly_due",
                        Colour.ORANGE,
                        _("承诺答复日期将到"),
                        _centre,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
            Clock(
                "carry",
                due_field="carry_due_at",
                warn_field="carry_warn_at",
                starts={"start": _carry},
                stops=frozenset({"finish"}),
                running=Q(state=workflow.IN_PROGRESS),
                signals=[
                    Signal("carry_missed", Colour.RED, _("落实超期"), _centre_and_leaders, kind="deadline_red"),
                    Signal(
                        "carry_nearly_due",
                        Colour.ORANGE,
                        _("落实即将到期"),
                        _centre,
                        kind="deadline_orange",
                        nearly=True,
                    ),
                ],
            ),
        ],
    )
)
FLAG_LABELS = TOPIC_CLOCKS.labels
