"""Instructions: fan-out on read, the sender's jurisdiction, receipts, tracking and reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, OutsideJurisdiction
from fengqiao.core.models import Action
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.models import Instruction, InstructionTarget, Notification, Receipt

STREET_A = "410105001"
STREET_B = "410105002"


def send(actor, tree, *codes, **extra):
    return services.send_instruction(
        actor=actor, title=extra.pop("title", "防汛巡查"), nodes=[tree[c] for c in codes], **extra
    )


def inbox_ids(user):
    return list(selectors.inbox(actor=user).values_list("id", flat=True))


def test_a_worker_under_the_addressed_street_sees_the_instruction(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A)
    assert inbox_ids(worker_a) == [instruction.pk]


def test_a_worker_in_a_micro_grid_below_the_street_sees_the_instruction(tree, dispatcher, informant_a):
    instruction = send(dispatcher, tree, STREET_A)
    assert inbox_ids(informant_a) == [instruction.pk]


def test_a_worker_outside_the_addressed_street_does_not_see_the_instruction(tree, dispatcher, worker_b):
    send(dispatcher, tree, STREET_A)
    assert inbox_ids(worker_b) == []


def test_an_instruction_to_two_streets_reaches_both(tree, dispatcher, worker_a, worker_b):
    instruction = send(dispatcher, tree, STREET_A, STREET_B)
    assert inbox_ids(worker_a) == [instruction.pk]
    assert inbox_ids(worker_b) == [instruction.pk]


def test_a_role_filter_leaves_out_other_roles(tree, dispatcher, worker_a, informant_a):
    instruction = send(dispatcher, tree, STREET_A, roles=[Role.INFORMANT])
    assert inbox_ids(informant_a) == [instruction.pk]
    assert inbox_ids(worker_a) == []


def test_an_instruction_is_stored_once_however_many_are_addressed(tree, dispatcher, worker_a, worker_a2, worker_b):
    send(dispatcher, tree, "410105")
    assert Instruction.objects.count() == 1
    assert InstructionTarget.objects.count() == 1
    assert Receipt.objects.count() == 0


def test_a_node_inside_another_chosen_node_is_not_addressed_twice(tree, dispatcher):
    instruction = send(dispatcher, tree, STREET_A, "410105001001001")
    assert list(instruction.targets.values_list("path", flat=True)) == [tree[STREET_A].path]


def test_the_sender_does_not_find_their_own_instruction_in_their_inbox(tree, dispatcher):
    send(dispatcher, tree, "410105")
    assert inbox_ids(dispatcher) == []


def test_a_dispatcher_cannot_address_a_street_outside_their_jurisdiction(tree, street_a_dispatcher):
    with pytest.raises(OutsideJurisdiction) as refused:
        send(street_a_dispatcher, tree, STREET_B)
    assert "乙街道" in refused.value.message
    assert not Instruction.objects.exists()


def test_a_grid_worker_cannot_send_instructions(tree, worker_a):
    with pytest.raises(DomainError) as refused:
        send(worker_a, tree, "410105001001001")
    assert refused.value.code == "not_sender"


def test_an_instruction_needs_a_title_and_a_future_deadline(tree, dispatcher):
    with pytest.raises(DomainError):
        send(dispatcher, tree, STREET_A, title=" ")
    with pytest.raises(DomainError) as late:
        send(dispatcher, tree, STREET_A, deadline=timezone.now() - dt.timedelta(hours=1))
    assert late.value.code == "deadline_past"


def test_sending_writes_the_audit_trail(tree, dispatcher):
    instruction = send(dispatcher, tree, STREET_A)
    assert Action.objects.for_object(instruction).get().verb == "send_instruction"


def test_acknowledging_twice_keeps_one_receipt_and_the_first_time(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A)
    first = services.acknowledge(actor=worker_a, instruction=instruction)
    again = services.acknowledge(actor=worker_a, instruction=instruction)
    assert Receipt.objects.count() == 1
    assert again.acknowledged_at == first.acknowledged_at
    assert Action.objects.filter(verb="acknowledge").count() == 1


def test_someone_who_was_not_addressed_cannot_acknowledge(tree, dispatcher, worker_b):
    instruction = send(dispatcher, tree, STREET_A)
    with pytest.raises(DomainError) as refused:
        services.acknowledge(actor=worker_b, instruction=instruction)
    assert refused.value.code == "not_addressee"


def test_a_completion_report_needs_text_and_is_given_once(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A, requires_report=True)
    with pytest.raises(DomainError):
        services.report_completion(actor=worker_a, instruction=instruction, report="  ")
    receipt = services.report_completion(actor=worker_a, instruction=instruction, report="已排查完毕")
    assert receipt.acknowledged_at is not None and receipt.completed_at is not None
    with pytest.raises(DomainError) as again:
        services.report_completion(actor=worker_a, instruction=instruction, report="再报一次")
    assert again.value.code == "already_completed"


def test_tracking_counts_read_acknowledged_and_completed_by_node(tree, dispatcher, worker_a, worker_a2, worker_b):
    instruction = send(dispatcher, tree, "410105", requires_report=True)
    services.mark_read(actor=worker_b, instruction=instruction)
    services.acknowledge(actor=worker_a, instruction=instruction)
    services.report_completion(actor=worker_a2, instruction=instruction, report="完成")
    t = selectors.tracking(actor=dispatcher, instruction=instruction)
    assert (t.total, t.read, t.acknowledged, t.completed) == (3, 3, 2, 1)
    by_node = {n.name: (n.total, n.read, n.acknowledged, n.completed) for n in t.nodes}
    assert by_node == {"甲街道": (2, 2, 2, 1), "乙街道": (1, 1, 0, 0)}
    assert {m.user.username for m in t.pending} == {"worker_a", "worker_b"}


def test_tracking_of_an_instruction_to_a_street_shows_one_of_two_after_one_acknowledges(
    tree, dispatcher, worker_a, worker_a2
):
    instruction = send(dispatcher, tree, STREET_A)
    services.acknowledge(actor=worker_a, instruction=instruction)
    t = selectors.tracking(actor=dispatcher, instruction=instruction)
    assert t.done_label == "1 / 2"
    assert [m.user.username for m in t.pending] == ["worker_a2"]


def test_a_worker_may_not_see_the_tracking(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A)
    with pytest.raises(OutsideJurisdiction):
        selectors.tracking(actor=worker_a, instruction=instruction)


def test_a_reminder_reaches_only_those_who_have_not_acknowledged(
    tree, dispatcher, worker_a, worker_a2, django_capture_on_commit_callbacks
):
    instruction = send(dispatcher, tree, STREET_A)
    services.acknowledge(actor=worker_a, instruction=instruction)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind(actor=dispatcher, instruction=instruction) == 1
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("worker_a2", "reminder")]


def test_a_second_reminder_within_five_minutes_is_refused(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A)
    services.remind(actor=dispatcher, instruction=instruction)
    with pytest.raises(DomainError) as refused:
        services.remind(actor=dispatcher, instruction=instruction)
    assert refused.value.code == "remind_too_soon"


def test_unread_counts_instructions_until_opened(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree, STREET_A)
    send(dispatcher, tree, STREET_A, title="第二条")
    assert selectors.unread_count(actor=worker_a) == 2
    services.mark_read(actor=worker_a, instruction=instruction)
    assert selectors.unread_count(actor=worker_a) == 1
