"""Upgrading moves the warnings already sent into core's ledger, so the new job sends none of them again, and keeps
every running clock where it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("core", "0006_deadline_ledger"),
    ("events", "0006_public_and_secrets"),
    ("disputes", "0004_public_and_secrets"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_sent_warnings_move_to_the_ledger_and_nothing_is_sent_twice():
    from fengqiao.core import deadlines

    now = timezone.now()
    old = _migrate(BEFORE)
    node = old.get_model("grids", "GridNode").objects.create(code="419901", name="迁移测试区", level=2, path="419901")
    category = None  # a category-less event runs the default clock
    Event = old.get_model("events", "Event")
    base = {"grid": node, "grid_path": node.path, "category": category, "source": "patrol", "description": "测试"}
    overdue = Event.objects.create(
        tracking_code="E20260001",
        state="registered",
        due_at=now - dt.timedelta(hours=1),
        warn_at=now - dt.timedelta(hours=3),
        orange_sent_at=now - dt.timedelta(hours=2),
        red_sent_at=now - dt.timedelta(minutes=30),
        **base,
    )
    nearly = Event.objects.create(
        tracking_code="E20260002",
        state="registered",
        due_at=now + dt.timedelta(hours=1),
        warn_at=now - dt.timedelta(hours=1),
        **base,
    )
    DisputeType = old.get_model("disputes", "DisputeType")
    kind = DisputeType.objects.create(code="mig", name="迁移测试", assign_hours=24, close_days=45)
    Dispute = old.get_model("disputes", "Dispute")
    late = Dispute.objects.create(
        tracking_code="D20260001",
        grid=node,
        grid_path=node.path,
        type=kind,
        summary="测试纠纷",
        state="registered",
        entered_at=now - dt.timedelta(days=2),
        assign_due_at=now - dt.timedelta(days=1),
        close_due_at=now + dt.timedelta(days=40),
    )
    old.get_model("disputes", "DeadlineWarning").objects.create(dispute=late, flag="late_assign", sent_at=now)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ledger = new.get_model("core", "DeadlineWarning").objects
    assert set(ledger.values_list("object_id", "signal")) == {
        (overdue.pk, "nearly_due"),
        (overdue.pk, "overdue"),
        (late.pk, "late_assign"),
    }
    # The type's untouched built-in 24 h now follows the county; its own 45 days stays its own.
    kind_now = new.get_model("disputes", "DisputeType").objects.get(pk=kind.pk)
    assert (kind_now.assign_hours, kind_now.close_days) == (None, 45)

    sent = deadlines.send_warnings(now=now)
    assert sent["event.overdue"] == 0 and sent["dispute.late_assign"] == 0  # already sent before the upgrade
    assert sent["event.nearly_due"] == 1  # the one warning never sent goes out now, once
    assert deadlines.send_warnings(now=now)["event.nearly_due"] == 0
    assert nearly.pk in set(ledger.filter(signal="nearly_due").values_list("object_id", flat=True))
