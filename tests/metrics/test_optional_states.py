"""Metrics count a dispute as resolved by the disputes workflow's own list, and keep working without disputes."""

from __future__ import annotations

import sys

from fengqiao.disputes.workflow import RESOLVED_STATES
from fengqiao.metrics import counters, optional


def test_the_resolved_states_come_from_the_disputes_workflow():
    assert optional.dispute_resolved_states() == tuple(RESOLVED_STATES)
    assert not hasattr(optional, "DISPUTE_RESOLVED_STATES")


def test_without_the_disputes_workflow_no_state_counts_as_resolved(monkeypatch):
    monkeypatch.setitem(sys.modules, "fengqiao.disputes.workflow", None)
    assert optional.dispute_resolved_states() == ()


def test_a_confirming_case_counts_as_resolved_the_day_it_concluded():
    import datetime as dt

    day = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    out = counters.dispute_contribution(grid_path="410105", entered_at=day, concluded_at=day, state="confirming")
    assert next(iter(out.values()))["disputes_resolved"] == 1
