"""Deadlines in hours or working days, and colours computed from deadlines and now."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengqiao.core import sla

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


def test_orange_starts_when_a_quarter_of_the_time_is_left():
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    due_at = sla.due(start, 24)
    assert sla.warn_time(start, due_at, 0.25) == start + dt.timedelta(hours=18)
