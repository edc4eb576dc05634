"""Deadlines in hours or working days, and colours computed from deadlines and now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fengqiao.core import sla
from fengqiao.core.sla import Colour
from tests.workflow_app.models import Ticket

TZ = timezone.get_fixed_timezone(8 * 60)


def test_working_days_skip_the_national_day_holiday():
    # 2026-09-30 is a Wednesday; 1–7 October are the National Day holidays.
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    assert sla.due(start, 1, "workdays").date() == dt.date(2026, 10, 8)
    assert sla.due(start, 1, "workdays").hour == 10


def test_working_days_skip_weekends():
    friday = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    assert sla.due(friday, 1, "workdays").date() == dt.date(2026, 11, 23)


def test_hours_are_calendar_hours():
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    assert sla.due(start, 24) == start + dt.timedelta(hours=24)


def test_colour_turns_orange_then_red_exactly_at_the_thresholds():
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    due_at = sla.due(start, 24)
    warn_at = sla.warn_time(start, due_at, 0.25)
    assert warn_at == start + dt.timedelta(hours=18)
    assert sla.colour_at(warn_at - dt.timedelta(seconds=1), due_at=due_at, warn_at=warn_at) == Colour.GREEN
    assert sla.colour_at(warn_at, due_at=due_at, warn_at=warn_at) == Colour.ORANGE
    assert sla.colour_at(due_at, due_at=due_at, warn_at=warn_at) == Colour.ORANGE
    assert sla.colour_at(due_at + dt.timedelta(seconds=1), due_at=due_at, warn_at=warn_at) == Colour.RED


@pytest.mark.django_db
def test_the_sql_colour_matches_the_python_colour(tree):
    from django.db import models

    now = timezone.now()
    # Ticket has no deadline columns; annotate them to exercise the CASE expression on a real query.
    Ticket.objects.create(grid=tree["410105001001001"], handled_at=now - dt.timedelta(hours=1))
    Ticket.objects.create(grid=tree["410105001001001"], handled_at=now + dt.timedelta(hours=1))
    rows = (
        Ticket.objects.annotate(due_at=models.F("handled_at"), warn_at=models.F("handled_at"))
        .annotate(colour=sla.colour_expression(now))
        .order_by("handled_at")
        .values_list("colour", flat=True)
    )
    assert list(rows) == ["red", "green"]
