"""Each index on the tables that bursts write (events, the audit trail, instruction receipts, patrol points) is there
because a query uses it, and none has a twin: every row pays for every index it touches (docs/decisions/0180,
bench/index_cost.py measures what each one costs a write)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from fengqiao.accounts.models import Role
from fengqiao.core import scoping
from fengqiao.core.models import Action
from fengqiao.dispatch.models import PatrolPoint, Receipt
from fengqiao.events import selectors
from fengqiao.events.models import Event
from tests import plans
from tests.factories import make_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)

# Table -> the indexes it may have (primary keys and unique constraints aside), each with the query that needs it.
EXPECTED = {
    "events_event": {
        "event_path_idx",  # scoping: grid_path = p OR LIKE 'p/%', with a state filter (every list, count, export)
        "event_open_path_cover_idx",  # open events of a jurisdiction with their clocks, without the heap (map, counts)
        "event_state_due_idx",  # the deadline sweep and colour counts: state IN (open) by due time
        "event_queue_idx",  # the queue's first page: open events in deadline order, newest first among equals
        "event_dept_state_idx",  # a department's queue; the department's protect check
        "event_owner_state_idx",  # a centre's own queue (四事分办)
        "event_cat_state_idx",  # category filters, the suggester's training read; the category's protect check
        "event_spot_idx",  # 即报即办 抽查 still to check
        "event_acceptance_worker_idx",  # a worker's on-site acceptances, only rows that have one
        "event_receiver_idx",  # 首接 responsibility of a user, only rows that have one
        "event_receiver_node_idx",  # the same by post
        "event_merged_idx",  # the duplicates merged into an event
        "events_event_reported_at_68d38092",  # newest first (every list's order), date ranges (exports, figures)
        "events_event_reporter_id_11d34b04",  # "my reports"; deleting a user sets their reports' reporter to empty
        "events_event_grid_id_4b6813cf",  # the grid foreign key (a grid cannot be deleted while events are in it)
    },
    "core_action": {
        "core_action_content_3997af_idx",  # one object's trail (history on every case page)
        "core_action_path_idx",  # the audit log of a jurisdiction: path equality and prefix
        "core_action_verb_idx",  # the audit log filtered by what was done
        "core_action_at_40014517",  # the audit log newest first, date ranges
        "core_action_actor_id_c140968c",  # what one person did (the auditor's question)
        "core_action_unsealed",  # the sealer's backlog only
    },
    "dispatch_patrolpoint": {
        "dispatch_point_track_idx",  # a patrol's track in order; its last point before each batch; deleting a patrol
        "dispatch_point_batch_idx",  # is a phone's batch already in (a retry after a lost answer)
    },
    "dispatch_receipt": {
        "dispatch_re_user_id_cf6c4a_idx",  # a worker's inbox: their receipts; deleting a user
        # (instruction, user) is the unique constraint dispatch_receipt_once: tracking one instruction's receipts
    },
}


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and not c["unique"] and not name.startswith("sqlite_")
    }


def _unique(table: str) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {tuple(c["columns"]) for c in constraints.values() if c["unique"] and not c["primary_key"]}


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_no_index_without_a_query_and_no_twins(table):
    expected = set(EXPECTED[table])
    if connection.vendor != "postgresql":
        # The covering index of open events is PostgreSQL's own (INCLUDE, partial on states): migration 0005.
        expected.discard("event_open_path_cover_idx")
    assert _indexes(table) == expected


def test_unique_keys_are_still_unique_without_their_like_twins():
    assert {("tracking_code",), ("public_id",), ("idempotency_key",)} <= _unique("events_event")
    assert ("instruction_id", "user_id") in _unique("dispatch_receipt")


# SQLite's LIKE is case-insensitive and cannot use an index for a prefix: scoping by path alone scans there (the
# embedded database serves one district's demo, docs/deployment.md); PostgreSQL must use the pattern index.
LIKE_PREFIX = {"scoped events, any state", "scoped audit log"}


def test_the_queries_use_their_indexes(tree):
    """On PostgreSQL the planner is shown it can answer each query from its index (sequential scans forbidden, as they
    would be at millions of events; the table's other indexes hidden, tests/plans.py); SQLite's plans name an index
    too."""
    dispatcher = make_user("disp", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    event_type = ContentType.objects.get_for_model(Event)
    open_states = ["reported", "registered", "routed", "signed", "in_progress", "handled", "verified"]
    queries = {
        "scoped open events": (
            selectors.visible_events(actor=dispatcher).filter(state__in=open_states),
            {"event_open_path_cover_idx", "event_path_idx"},
        ),
        "scoped events, any state": (selectors.visible_events(actor=dispatcher).order_by(), {"event_path_idx"}),
        "tracking code": (Event.objects.filter(tracking_code="E20261203000001"), {"events_event_tracking_code_key"}),
        "spot checks": (selectors.spot_checks(actor=dispatcher), {"event_spot_idx", "event_path_idx"}),
        "overdue": (
            Event.objects.filter(state="signed", due_at__lte=NOW),
            {"event_state_due_idx", "event_queue_idx"},  # either serves it; the planner takes one by its statistics
        ),
        "one object's trail": (
            Action.objects.filter(content_type=event_type, object_id="1").order_by("at"),
            {"core_action_content_3997af_idx"},
        ),
        "scoped audit log": (
            Action.objects.filter(scoping.path_q([tree["410105001"].path], "grid_path")).order_by(),
            {"core_action_path_idx"},
        ),
        "a worker's receipts": (Receipt.objects.filter(user_id=1), {"dispatch_re_user_id_cf6c4a_idx"}),
        "a patrol's last point": (
            PatrolPoint.objects.filter(patrol_id=1).order_by("-recorded_at", "-id")[:1],
            {"dispatch_point_track_idx"},
        ),
        "a batch already in": (
            PatrolPoint.objects.filter(patrol_id=1, batch="k" * 64).values("pk")[:1],
            {"dispatch_point_batch_idx"},
        ),
        "an instruction's receipts": (Receipt.objects.filter(instruction_id=1), {"dispatch_receipt_once"}),
    }
    for label, (queryset, indexes) in queries.items():
        plan = plans.plan(queryset, keep=indexes)
        if connection.vendor == "postgresql":
            assert any(index in plan for index in indexes) and "Index Cond" in plan, (label, plan)
            assert "Seq Scan" not in plan, (label, plan)
        elif label not in LIKE_PREFIX:
            # SQLite's planner has no statistics on a test database and picks among usable indexes freely; what must
            # hold is that it searches an index rather than scanning the table.
            assert "USING" in plan and "INDEX" in plan and "SCAN " not in plan.replace("SCAN CONSTANT", ""), (
                label,
                plan,
            )


def test_the_queue_index_covers_exactly_the_open_states():
    from fengqiao.events.models import QUEUE_STATES
    from fengqiao.events.workflow import OPEN_STATES

    assert QUEUE_STATES == OPEN_STATES  # else the planner cannot use the index for the queue's state filter
