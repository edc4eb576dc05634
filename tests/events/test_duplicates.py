"""Duplicate reports: suggested to the dispatcher by place and text whether or not a category was chosen, and a
report sent twice from the same browser (the back button) answered with the first event."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import Role
from fengqiao.events import services, suggest
from fengqiao.events.models import Event, Source
from tests.events.conftest import POINT_A
from tests.factories import make_user

NEAR_A = (113.6021, 34.7081)  # about 15 m from POINT_A, same grid
BORDER_A = (113.6099, 34.705)  # 甲二网格, street A, next to the street border
BORDER_B = (113.6101, 34.705)  # 乙一网格, street B, about 18 m away across it


def resident(description, *, position=POINT_A, grid=None, now=None, tree=None):
    return services.report_event(
        actor=None,
        source=Source.RESIDENT,
        description=description,
        reporter_phone="13812345678",
        lon=position[0] if position else None,
        lat=position[1] if position else None,
        grid=grid,
        now=now,
    )


def post(client, description, key, position=POINT_A):
    data = {"description": description, "reporter_phone": "13812345678", "idempotency_key": key}
    if position:
        data.update(lon=position[0], lat=position[1])
    return client.post("/events/r/410105001001001/", data)


def test_text_similarity_is_the_overlap_of_character_pairs():
    assert suggest.text_similarity("小区门口垃圾堆积", "小区门口垃圾堆积") == 1.0
    assert suggest.text_similarity("小区门口垃圾堆积没人清理", "小区门口的垃圾堆积，好几天没人清理") > 0.6
    assert suggest.text_similarity("小区门口垃圾堆积", "路灯不亮影响出行") == 0.0
    assert suggest.text_similarity("", "路灯不亮") == 0.0


def test_similar_text_nearby_without_a_category_is_suggested(tree, dispatcher):
    first = resident("小区门口垃圾堆积没人清理")
    second = resident("小区门口的垃圾堆积，好几天没人清理", position=NEAR_A)
    found = suggest.duplicates(event=second, actor=dispatcher)
    assert [d.event.pk for d in found] == [first.pk]
    assert found[0].metres is not None and found[0].metres < 50 and found[0].similarity > 0.6


def test_unrelated_text_nearby_is_not_suggested(tree, dispatcher):
    resident("小区门口垃圾堆积没人清理")
    second = resident("路灯不亮，晚上出行不安全", position=NEAR_A)
    assert suggest.duplicates(event=second, actor=dispatcher) == []


def test_similar_text_in_the_same_grid_without_any_position_is_suggested(tree, dispatcher):
    grid = tree["410105001001001"]
    first = resident("三号楼楼道堆放杂物堵塞通道", position=None, grid=grid)
    second = resident("3号楼楼道堆放杂物，堵塞消防通道", position=None, grid=grid)
    assert [d.event.pk for d in suggest.duplicates(event=second, actor=dispatcher)] == [first.pk]


def test_similar_text_far_away_is_not_suggested(tree, dispatcher):
    resident("小区门口垃圾堆积没人清理", position=BORDER_A)
    second = resident("小区门口垃圾堆积没人清理了", position=(113.613, 34.705))  # about 290 m
    assert suggest.duplicates(event=second, actor=dispatcher) == []


def test_closed_and_old_events_are_not_suggested(tree, dispatcher):
    old = resident("小区门口垃圾堆积没人清理", now=timezone.now() - dt.timedelta(days=10))
    closed = resident("小区门口垃圾堆积没人清理")
    Event.objects.filter(pk=closed.pk).update(state="closed")
    second = resident("小区门口垃圾堆积没人清理啊", position=NEAR_A)
    assert {d.event.pk for d in suggest.duplicates(event=second, actor=dispatcher)}.isdisjoint({old.pk, closed.pk})


def test_a_duplicate_outside_the_viewers_jurisdiction_is_not_shown(tree):
    street_a = make_user("street_a", role=Role.DISPATCHER, node=tree["410105001"], password=None)
    resident("路口井盖缺失有人差点摔倒", position=BORDER_B)
    second = resident("路口井盖缺失，有人差点摔倒", position=BORDER_A)
    assert suggest.duplicates(event=second, actor=street_a) == []


def test_the_dispatcher_sees_the_duplicate_on_the_event_page_and_merges_it(client, tree, dispatcher):
    first = resident("小区门口垃圾堆积没人清理")
    second = resident("小区门口的垃圾堆积，好几天没人清理", position=NEAR_A)
    client.force_login(dispatcher)
    page = client.get(f"/events/{second.tracking_code}/").content.decode()
    assert "疑似重复" in page and first.tracking_code in page and "文字相似" in page
    client.post(f"/events/{second.tracking_code}/act/merge/", {"into": first.tracking_code})
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into_id == first.pk


def test_a_resubmission_from_the_same_browser_after_the_back_button_is_answered_with_the_first_event(tree):
    browser = Client()
    one = post(browser, "小区门口垃圾堆积没人清理", "key-1")
    two = post(browser, "小区门口垃圾堆积没人清理", "key-2")  # a fresh form: a new key, the same text
    assert Event.objects.count() == 1
    code = Event.objects.get().tracking_code
    assert one["Location"].startswith(f"/events/track/{code}/") and two["Location"].startswith(f"/events/track/{code}/")


def test_the_same_text_from_another_browser_is_a_second_event_flagged_as_a_duplicate(tree, dispatcher):
    post(Client(), "小区门口垃圾堆积没人清理", "key-1")
    post(Client(), "小区门口垃圾堆积没人清理", "key-1")
    first, second = Event.objects.order_by("pk")
    assert [d.event.pk for d in suggest.duplicates(event=second, actor=dispatcher)] == [first.pk]


def test_a_different_text_from_the_same_browser_is_a_new_event(tree):
    browser = Client()
    post(browser, "小区门口垃圾堆积没人清理", "key-1")
    post(browser, "路灯不亮，晚上出行不安全", "key-2")
    assert Event.objects.count() == 2


def test_a_worker_sending_the_same_report_twice_gets_the_first_event(worker_a, tree):
    one = services.report_event(
        actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=POINT_A[0], lat=POINT_A[1]
    )
    two = services.report_event(
        actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=NEAR_A[0], lat=NEAR_A[1]
    )
    assert one.pk == two.pk and Event.objects.count() == 1


def test_a_worker_reporting_the_same_words_at_another_spot_makes_two_events(worker_a, tree):
    services.report_event(actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=POINT_A[0], lat=POINT_A[1])
    services.report_event(actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=113.602, lat=34.701)
    assert Event.objects.count() == 2


def test_the_same_text_long_after_is_a_new_event(worker_a, tree):
    earlier = timezone.now() - dt.timedelta(hours=1)
    services.report_event(
        actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=POINT_A[0], lat=POINT_A[1], now=earlier
    )
    services.report_event(actor=worker_a, source=Source.PATROL, description="路灯不亮", lon=POINT_A[0], lat=POINT_A[1])
    assert Event.objects.count() == 2
