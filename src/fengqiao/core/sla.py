"""Time arithmetic for deadlines, and the green / orange / red colours of supervision (绿橙红).

Deadlines may be written in hours or in working days; working days follow China's statutory holidays and make-up
workdays (``chinese-calendar``), falling back to Monday–Friday for years it does not know yet. Which clocks a case
has, and when they are orange or red, is declared in ``core.deadlines``; the colour is never stored but computed in
SQL from the stored due times and "now", so queues and counts are always true.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Colour(StrEnum):
    GREEN = "green"
    ORANGE = "orange"
    RED = "red"


COLOUR_LABELS = {Colour.GREEN: _("正常"), Colour.ORANGE: _("临期"), Colour.RED: _("超期")}


def is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (NotImplementedError, ImportError):
        return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same clock time ``days`` working days after ``start`` (in local time)."""
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    day = local.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def due(start: dt.datetime, amount: float, unit: str = "hours") -> dt.datetime:
    """When something started at ``start`` with ``amount`` hours or working days is due."""
    if unit == "workdays":
        return add_working_days(start, int(amount))
    return start + dt.timedelta(hours=float(amount))


def warn_time(start: dt.datetime, due_at: dt.datetime, share: float) -> dt.datetime:
    """When a stage turns orange: when only ``share`` of its time is left."""
    return due_at - (due_at - start) * share
