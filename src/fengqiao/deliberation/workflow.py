"""The life of a deliberation topic (议题) as a state table on the core engine.

raised → accepted (受理, with the promised answer date) or declined (不予受理, with its reason); accepted → meeting
(议事会议) → voting (表决: one household, one vote) → decided (形成决定: the winning option and its text) →
in_progress (落实) → done (落实完成) → rated (the first household's rating; others may still rate). A topic may go
to the vote without a meeting. The engine writes each step's audit row and starts or stops the clocks declared in
``deliberation.clocks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.actors import signed_in
from fengqiao.core.workflow import Transition, Workflow
from fengqiao.participation.selectors import is_centre

NAME = "deliberation"
RAISED, ACCEPTED, DECLINED = "raised", "accepted", "declined"
MEETING, VOTING, DECIDED = "meeting", "voting", "decided"
IN_PROGRESS, DONE, RATED = "in_progress", "done", "rated"
STATES = {
    RAISED: _("已提出"),
    ACCEPTED: _("已受理"),
    DECLINED: _("不予受理"),
    MEETING: _("议事中"),
    VOTING: _("表决中"),
    DECIDED: _("已形成决定"),
    IN_PROGRESS: _("落实中"),
    DONE: _("已落实"),
    RATED: _("已评价"),
}
OPEN_STATES = (RAISED, ACCEPTED, MEETING, VOTING, DECIDED, IN_PROGRESS)
RATING_STATES = (DONE, RATED)


def centre(actor: Any, topic: Any) -> bool:
    """The community's centre (a dispatcher whose area holds it); an administrator anywhere."""
    return signed_in(actor) and is_centre(actor, topic.community_path)


def resident(actor: Any, topic: Any) -> bool:
    """A household of the topic's grids, through its bound participant (the service checks the household)."""
    return True


def _now(values: Mapping[str, Any]) -> Any:
    return values.get("now") or timezone.now()


def _accepted(t: Any, values: Mapping[str, Any]) -> None:
    t.accepted_at = _now(values)


def _declined(t: Any, values: Mapping[str, Any]) -> None:
    t.declined_reason = str(values["note"])[:500]


def _voting(t: Any, values: Mapping[str, Any]) -> None:
    t.voting_opened_at = _now(values)


def _decided(t: Any, values: Mapping[str, Any]) -> None:
    t.decided_at = _now(values)


def _started(t: Any, values: Mapping[str, Any]) -> None:
    t.carry_started_at = _now(values)


def _done(t: Any, values: Mapping[str, Any]) -> None:
    t.done_at = _now(values)


WORKFLOW = Workflow(
    name=NAME,
    states=STATES,
    initial=RAISED,
    transitions=[
        Transition(
            "accept",
            RAISED,
            ACCEPTED,
            label=_("受理议题"),
            public=_("社区已受理，承诺答复"),
            allowed=centre,
            requires=("answer_on",),
            sets=("answer_on",),
            effect=_accepted,
        ),
        Transition(
            "decline",
            RAISED,
            DECLINED,
            label=_("不予受理"),
            public=_("不予受理"),
            allowed=centre,
            note_required=True,
            effect=_declined,
        ),
        Transition("convene", ACCEPTED, MEETING, label=_("召开议事会议"), public=_("召开议事会议"), allowed=centre),
        Transition(
            "open_vote",
            (ACCEPTED, MEETING),
            VOTING,
            label=_("开始表决"),
            public=_("开始表决（一户一票）"),
            allowed=centre,
            effect=_voting,
        ),
        Transition(
            "decide",
            VOTING,
            DECIDED,
            label=_("结束表决并形成决定"),
            public=_("表决结束，公布决定"),
            allowed=centre,
            requires=("decision", "decision_text"),
            sets=("decision", "decision_text"),
            effect=_decided,
        ),
        Transition(
            "start",
            DECIDED,
            IN_PROGRESS,
            label=_("开始落实"),
            public=_("开始落实"),
            allowed=centre,
            requires=("carry_on",),
            sets=("carry_on",),
            effect=_started,
        ),
        Transition(
            "finish", IN_PROGRESS, DONE, label=_("落实完成"), public=_("落实完成"), allowed=centre, effect=_done
        ),
        Transition("rate", DONE, RATED, label=_("居民评价"), public=_("居民评价"), allowed=resident),
    ],
    verbs={
        "topic_raise": (_("提出议题"), _("提出议题")),
        "meeting_add": (_("安排议事会议"), _("安排议事会议")),
        "attendance": (_("登记到会"), None),
        "vote": (_("一户一票"), None),
        "progress": (_("落实进展"), _("落实进展")),
        "rating": (_("评价落实"), None),
    },
)
