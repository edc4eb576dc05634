"""Missed "13710" deadlines are announced once each, to the people who can act."""

from __future__ import annotations

import datetime as dt

from fengqiao.core.deadlines import send_warnings
from fengqiao.core.signals import notify
from tests.disputes.conftest import T0


def collect():
    got = []

    def receiver(sender, **kw):
        got.append((kw["kind"], kw["title"], {u.username for u in kw["recipients"]}))

    notify.connect(receiver, weak=False, dispatch_uid="dispute-warnings-test")
    return got


def test_an_unassigned_case_warns_the_centre_once_after_24_hours(dispute, centre_a):
    got = collect()
    try:
        assert send_warnings(now=T0 + dt.timedelta(hours=23))["dispute.late_assign"] == 0
        assert send_warnings(now=T0 + dt.timedelta(hours=25))["dispute.late_assign"] == 1
        assert send_warnings(now=T0 + dt.timedelta(hours=26))["dispute.late_assign"] == 0
    finally:
        notify.disconnect(dispatch_uid="dispute-warnings-test")
    assert [k for k, _, _ in got] == ["dispute_orange"]
    assert "未按时分配" in got[0][1] and "centre_a" in got[0][2]


def test_a_case_open_past_30_days_goes_red_to_the_leaders_once(dispute, centre_a, mediation):
    got = collect()
    try:
        send_warnings(now=T0 + dt.timedelta(days=31))
        send_warnings(now=T0 + dt.timedelta(days=32))
    finally:
        notify.disconnect(dispatch_uid="dispute-warnings-test")
    red = [g for g in got if g[0] == "dispute_red"]
    assert len(red) == 1 and "超过办结期限" in red[0][1]
    assert {"centre_a", "town_leader"} <= red[0][2]
