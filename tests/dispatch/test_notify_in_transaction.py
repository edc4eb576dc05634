"""Live push is sent with the change that causes it: delivered when the writer commits, never when it rolls back,
and without a commit of its own (the NOTIFY rides in the writer's transaction on PostgreSQL)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction

from fengqiao.dispatch import pubsub

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY needs PostgreSQL"),
]


@pytest.fixture
def listener():
    params = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "host", "port")}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f"LISTEN {pubsub.CHANNEL}")
        yield conn


def heard(conn: psycopg.Connection, seconds: float = 0.5) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=seconds)]


def test_a_message_is_delivered_at_commit_and_not_before(listener):
    with transaction.atomic():
        pubsub.publish_on_commit({"t": "r", "users": [7]})
        assert not connection.run_on_commit  # no hook left to NOTIFY after the commit, in a commit of its own
        assert heard(listener) == []  # still inside the writer's transaction
    assert heard(listener, 2) == ['{"t":"r","users":[7]}']


def test_a_rolled_back_change_sends_nothing(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        pubsub.publish_on_commit({"t": "r", "users": [8]})
        raise RuntimeError("the change fails")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back drops its own message
            pubsub.publish_on_commit({"t": "r", "users": [9]})
            raise RuntimeError("the inner step fails")
        pubsub.publish_on_commit({"t": "r", "users": [10]})
    assert heard(listener, 2) == ['{"t":"r","users":[10]}']


def test_outside_a_transaction_the_message_goes_at_once(listener):
    pubsub.publish_on_commit({"t": "r", "users": [11]})
    assert heard(listener, 2) == ['{"t":"r","users":[11]}']
