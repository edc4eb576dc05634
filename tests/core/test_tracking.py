"""A workflow table names and labels everything in a case's history; core builds the timeline and public stages."""

from __future__ import annotations

import pytest

from fengqiao.core import audit, tracking
from fengqiao.core.workflow import Transition, Workflow
from tests.workflow_app.models import Ticket

FLOW = Workflow(
    name="tracked_ticket",
    states={"new": "新建", "open": "处理中", "closed": "已关闭"},
    initial="new",
    verbs={"note": ("补充说明", None), "file": ("登记", "已登记")},
    transitions=[
        Transition("open", "new", "open", label="受理", public="已受理"),
        Transition("close", "open", "closed", label="关闭"),
    ],
)


@pytest.fixture
def ticket(tree):
    return Ticket.objects.create(grid=tree["410105001001001"])


def test_the_table_gives_staff_and_public_labels_of_transitions_and_other_verbs():
    assert FLOW.label("open") == "受理" and FLOW.public_label("open") == "已受理"
    assert FLOW.label("close") == "关闭" and FLOW.public_label("close") is None
    assert FLOW.label("file") == "登记" and FLOW.public_label("file") == "已登记"
    assert FLOW.public_label("note") is None and FLOW.public_label("unknown") is None
    assert FLOW.state_label("open") == "处理中" and FLOW.state_label("") == ""
    assert FLOW.labels() == {"open": "受理", "close": "关闭", "note": "补充说明", "file": "登记"}
    assert FLOW.public_labels() == {"open": "已受理", "file": "已登记"}


def test_the_audit_log_reads_the_same_labels():
    assert audit.verb_label("file", "tracked_ticket") == "登记"
    assert audit.verb_label("open", "tracked_ticket") == "受理"


def test_a_verb_named_like_a_transition_or_without_a_label_is_refused():
    with pytest.raises(ValueError, match="already a transition"):
        Workflow(
            name="bad1",
            states={"a": "A"},
            initial="a",
            verbs={"go": ("走", None)},
            transitions=[Transition("go", "a", "a")],
        )
    with pytest.raises(ValueError, match="needs"):
        Workflow(name="bad2", states={"a": "A"}, initial="a", verbs={"x": ("", None)}, transitions=[])


def test_public_stages_show_only_public_verbs_and_no_staff_note(ticket):
    for verb in ("file", "note", "open", "close"):
        audit.record(actor=None, verb=verb, target=ticket, note=f"内部：{verb}", data={"k": verb})
    stages = tracking.public_stages(ticket, FLOW)
    assert [s.label for s in stages] == ["已登记", "已受理"]
    assert all(s.note == "" for s in stages)


def test_a_note_hook_adds_what_may_be_shown_for_one_verb(ticket):
    audit.record(actor=None, verb="open", target=ticket, note="内部说明", data={"unit": "甲社区"})
    stages = tracking.public_stages(ticket, FLOW, notes={"open": lambda action: action.data["unit"]})
    assert [(s.label, s.note) for s in stages] == [("已受理", "甲社区")]


def test_the_timeline_labels_every_row_from_the_table(ticket):
    audit.record(actor=None, verb="file", target=ticket)
    audit.record(actor=None, verb="open", target=ticket, from_state="new", to_state="open")
    rows = tracking.timeline(ticket, FLOW, by_public=("file",))
    assert [(r.verb_label, r.to_label, r.who) for r in rows] == [("登记", "", "群众"), ("受理", "处理中", "—")]
