"""签收 under a storm: the receipt is written with one insert-or-nothing and one locking read, and still only once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.core.errors import DomainError
from fengqiao.core.models import Action
from fengqiao.dispatch import services
from fengqiao.dispatch.models import Receipt

STREET_A = "410105001"


def send(actor, tree, code=STREET_A):
    return services.send_instruction(actor=actor, title="防汛巡查", nodes=[tree[code]])


def test_acknowledging_reads_no_receipt_before_writing_it_and_opens_no_savepoint_of_its_own(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree)
    with CaptureQueriesContext(connection) as queries:
        services.acknowledge(actor=worker_a, instruction=instruction)
    receipt_sql = [q["sql"] for q in queries.captured_queries if "dispatch_receipt" in q["sql"]]
    assert receipt_sql[0].startswith("INSERT"), receipt_sql[0]
    assert "ON CONFLICT" in receipt_sql[0] or "OR IGNORE" in receipt_sql[0]
    savepoints = [q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the command's own transaction (a savepoint inside the test's), nothing more
    receipt = Receipt.objects.get(instruction=instruction, user=worker_a)
    assert receipt.acknowledged_at is not None and receipt.read_at == receipt.acknowledged_at
    assert receipt.node_path == worker_a.active_memberships[0].node_path


def test_acknowledging_an_instruction_read_earlier_keeps_the_time_it_was_read(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree)
    start = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.mark_read(actor=worker_a, instruction=instruction)
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        receipt = services.acknowledge(actor=worker_a, instruction=instruction)
    assert receipt.read_at == start
    assert receipt.acknowledged_at == start + dt.timedelta(minutes=30)
    assert Receipt.objects.filter(instruction=instruction, user=worker_a).count() == 1


def test_acknowledging_again_after_the_receipt_exists_adds_no_row_and_no_audit(tree, dispatcher, worker_a):
    instruction = send(dispatcher, tree)
    first = services.acknowledge(actor=worker_a, instruction=instruction)
    again = services.acknowledge(actor=worker_a, instruction=instruction)
    assert again.pk == first.pk and again.acknowledged_at == first.acknowledged_at
    assert Receipt.objects.filter(instruction=instruction).count() == 1
    assert Action.objects.filter(verb="acknowledge").count() == 1


def test_someone_not_addressed_leaves_no_receipt_behind(tree, dispatcher, worker_b):
    instruction = send(dispatcher, tree)  # street A only; worker_b serves street B
    with pytest.raises(DomainError):
        services.acknowledge(actor=worker_b, instruction=instruction)
    assert not Receipt.objects.filter(instruction=instruction).exists()
    assert not Action.objects.filter(verb="acknowledge").exists()


def test_the_sender_cannot_acknowledge_their_own_instruction(tree, dispatcher):
    instruction = send(dispatcher, tree, "410105")
    with pytest.raises(DomainError):
        services.acknowledge(actor=dispatcher, instruction=instruction)
    assert not Receipt.objects.filter(instruction=instruction).exists()
