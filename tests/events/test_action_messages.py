"""After an action on an event or a dispute, the page says what was done and to which case, in the workflow's words."""

from __future__ import annotations

import pytest

from fengqiao.disputes.views import ACTIONS as DISPUTE_ACTIONS
from fengqiao.disputes.workflow import DISPUTE_FLOW
from fengqiao.events.views import ACTIONS, VERBS
from fengqiao.events.workflow import EVENT_FLOW


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_event_action_has_a_chinese_label_in_the_workflow_table(name):
    label = EVENT_FLOW.label(VERBS.get(name, name))
    assert label and not label.isascii(), f"{name} has no label: {label!r}"


@pytest.mark.parametrize("name", sorted(DISPUTE_ACTIONS))
def test_every_dispute_action_has_a_chinese_label_in_the_workflow_table(name):
    label = DISPUTE_FLOW.label(name)
    assert label and not label.isascii(), f"{name} has no label: {label!r}"


def test_rejecting_an_event_says_what_was_done_to_which_event(client, event, dispatcher):
    client.force_login(dispatcher)
    page = client.post(f"/events/{event.tracking_code}/act/reject/", {"note": "重复"}, follow=True).content.decode()
    assert f"已完成“不予立案”：事件 {event.tracking_code}。" in page
    assert "操作成功" not in page


def test_supervising_an_event_says_what_was_done_to_which_event(client, event, dispatcher):
    client.force_login(dispatcher)
    page = client.post(f"/events/{event.tracking_code}/act/supervise/", {"note": "请加快"}, follow=True)
    assert f"已完成“督办”：事件 {event.tracking_code}。" in page.content.decode()
