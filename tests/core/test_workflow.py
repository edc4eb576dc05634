"""The workflow engine: declared transitions only, permission and required fields checked, one audit row each."""

from __future__ import annotations

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.core.errors import WorkflowError
from fengqiao.core.models import Action
from fengqiao.core.workflow import Transition, Workflow, transitioned
from tests.workflow_app.models import Ticket


def is_staff(actor, obj) -> bool:
    return bool(getattr(actor, "is_staff", False))


def stamp(obj, values) -> None:
    obj.handled_at = timezone.now()


FLOW = Workflow(
    name="ticket",
    states={"new": "新建", "open": "处理中", "done": "已办结", "closed": "已关闭"},
    initial="new",
    transitions=[
        Transition("open", "new", "open", label="受理"),
        Transition("handle", "open", "done", label="办理", requires=["result"], sets=["result"], effect=stamp),
        Transition("reopen", "done", "open", label="重办", note_required=True),
        Transition("close", ["done", "open"], "closed", label="关闭", allowed=is_staff),
    ],
)


@pytest.fixture
def ticket(tree):
    return Ticket.objects.create(grid=tree["410105001001001"])


def test_declaring_a_transition_to_an_undeclared_state_is_refused():
    with pytest.raises(ValueError, match="undeclared"):
        Workflow(name="bad", states={"a": "A"}, initial="a", transitions=[Transition("go", "a", "b")])


def test_a_declared_transition_moves_the_state_and_writes_one_action(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher, note="受理")
    ticket.refresh_from_db()
    assert ticket.state == "open"
    actions = list(Action.objects.for_object(ticket))
    assert len(actions) == 1
    assert (actions[0].from_state, actions[0].to_state, actions[0].verb) == ("new", "open", "open")
    assert actions[0].actor == dispatcher
    assert actions[0].grid_path == ticket.grid_path


def test_a_transition_not_allowed_from_the_current_state_is_refused_and_changes_nothing(ticket, dispatcher):
    with pytest.raises(WorkflowError) as err:
        FLOW.apply(ticket, "handle", actor=dispatcher, result="done")
    assert err.value.code == "not_allowed_in_state"
    ticket.refresh_from_db()
    assert ticket.state == "new"
    assert not Action.objects.for_object(ticket).exists()


def test_missing_required_values_are_named_in_the_error(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher)
    with pytest.raises(WorkflowError) as err:
        FLOW.apply(ticket, "handle", actor=dispatcher)
    assert err.value.code == "missing_fields"
    assert "result" in err.value.message


def test_values_are_copied_and_effects_run(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher)
    FLOW.apply(ticket, "handle", actor=dispatcher, result="已清理")
    ticket.refresh_from_db()
    assert ticket.result == "已清理"
    assert ticket.handled_at is not None


def test_a_note_is_required_where_declared(ticket, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher)
    FLOW.apply(ticket, "handle", actor=dispatcher, result="x")
    with pytest.raises(WorkflowError) as err:
        FLOW.apply(ticket, "reopen", actor=dispatcher, note="  ")
    assert err.value.code == "note_required"


def test_the_guard_decides_who_may(ticket, worker_a, dispatcher):
    FLOW.apply(ticket, "open", actor=worker_a)
    with pytest.raises(WorkflowError) as err:
        FLOW.apply(ticket, "close", actor=worker_a)
    assert err.value.code == "not_permitted"
    FLOW.apply(ticket, "close", actor=dispatcher)
    assert ticket.state == "closed"


def test_a_stale_copy_cannot_move_a_case_someone_else_already_moved(ticket, dispatcher):
    stale = Ticket.objects.get(pk=ticket.pk)
    FLOW.apply(ticket, "open", actor=dispatcher)
    with pytest.raises(WorkflowError) as err:
        FLOW.apply(stale, "open", actor=dispatcher)
    assert err.value.code == "stale"
    assert Action.objects.for_object(ticket).count() == 1


def test_available_lists_only_what_the_actor_may_do_now(ticket, worker_a, dispatcher):
    FLOW.apply(ticket, "open", actor=dispatcher)
    assert [t.name for t in FLOW.available(ticket, worker_a)] == ["handle"]
    assert [t.name for t in FLOW.available(ticket, dispatcher)] == ["handle", "close"]


@pytest.mark.django_db(transaction=True)
def test_the_signal_is_sent_after_commit(tree, dispatcher):
    ticket = Ticket.objects.create(grid=tree["410105001001001"])
    seen = []

    def listener(sender, instance, transition, **kwargs):
        seen.append((sender, instance.state, transition.name))

    transitioned.connect(listener)
    try:
        FLOW.apply(ticket, "open", actor=dispatcher)
    finally:
        transitioned.disconnect(listener)
    assert seen == [(Ticket, "open", "open")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["open", "handle", "reopen", "close", "undeclared"]),
            st.sampled_from(["", "因为需要"]),
            st.sampled_from(["", "结果"]),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_random_sequences_never_reach_an_undeclared_state_and_log_each_applied_step(tree, dispatcher, worker_a, steps):
    ticket = Ticket.objects.create(grid=tree["410105001001001"])
    applied = 0
    for name, note, result, as_staff in steps:
        before = ticket.state
        try:
            FLOW.apply(ticket, name, actor=dispatcher if as_staff else worker_a, note=note, result=result)
        except WorkflowError:
            ticket.refresh_from_db()
            assert ticket.state == before
        else:
            applied += 1
            row = FLOW.by_name[name]
            assert before in row.source and ticket.state == row.target
        assert ticket.state in FLOW.states
        assert Action.objects.for_object(ticket).count() == applied
