"""即报即办 (小事网格办): a grid worker reports a small matter already solved, with photos before and after; it is
entered and closed at once, every step by the worker; a share is drawn for the centre to check (抽查)."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from django.urls import reverse

from fengqiao.accounts.models import Role
from fengqiao.core.errors import DomainError, WorkflowError
from fengqiao.core.models import Action, Attachment
from fengqiao.events import selectors, spot
from fengqiao.events.models import Event, Tier
from tests.events.conftest import POINT_A
from tests.events.test_services import photo
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def solve(actor, **extra):
    values = {
        "actor": actor,
        "description": "单元门口堆放杂物",
        "result": "已联系住户清理完毕",
        "before": [photo("before.jpg")],
        "after": [photo("after.jpg")],
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "now": T0,
    }
    values.update(extra)
    return spot.solve_on_the_spot(**values)


def history(event):
    return list(Action.objects.for_object(event).order_by("at", "id"))


def test_a_small_matter_is_entered_and_closed_at_once_every_step_by_the_worker(worker_a, litter, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 0.0
    event = solve(worker_a, category=litter)
    assert event.state == "closed" and event.on_the_spot and event.tier == Tier.GRID
    assert event.result == "已联系住户清理完毕" and event.closed_at == T0
    steps = history(event)
    assert [a.verb for a in steps] == ["report", "spot_register", "handle_in_grid", "spot_close"]
    assert {a.actor_id for a in steps} == {worker_a.pk}
    assert event.due_at is None  # no clock runs on a closed event
    purposes = sorted(Attachment.objects.filter(object_id=str(event.pk)).values_list("purpose", flat=True))
    assert purposes == ["after", "before"]
    assert event.spot_check == ""


def test_both_photos_are_required(worker_a):
    for missing in ({"before": []}, {"after": []}):
        with pytest.raises(DomainError) as err:
            solve(worker_a, **missing)
        assert err.value.code == "spot_photos_required"
    assert not Event.objects.exists()


def test_an_informant_or_a_dispatcher_cannot_solve_on_the_spot(tree, dispatcher):
    informant = make_user("informant", role=Role.INFORMANT, node=tree["410105001001001"], password=None)
    for actor in (informant, dispatcher):
        with pytest.raises(WorkflowError):
            solve(actor)
    assert not Event.objects.exists()


def test_a_part_time_worker_and_a_grid_leader_may(tree):
    part = make_user("part", role=Role.PART_TIME_WORKER, node=tree["410105001001001"], password=None)
    leader = make_user("gl", role=Role.GRID_LEADER, node=tree["410105001001"], password=None)
    assert solve(part).state == "closed"
    assert solve(leader, description="楼道灯不亮").state == "closed"


def test_a_retry_with_the_same_key_is_one_event(worker_a):
    first = solve(worker_a, idempotency_key="k-1")
    again = solve(worker_a, idempotency_key="k-1", before=[photo()], after=[photo()])
    assert again.pk == first.pk and Event.objects.count() == 1


def test_the_draw_is_fixed_per_event_and_holds_the_share():
    codes = [f"E2026{a}{b}{c}" for a in string.digits for b in string.digits for c in string.ascii_uppercase[:20]]
    assert [spot.drawn(c, 0.1) for c in codes[:50]] == [spot.drawn(c, 0.1) for c in codes[:50]]
    share = sum(spot.drawn(c, 0.1) for c in codes) / len(codes)
    assert 0.08 < share < 0.12
    assert not any(spot.drawn(c, 0.0) for c in codes) and all(spot.drawn(c, 1.0) for c in codes)


def test_a_sampled_event_waits_for_the_centre_which_confirms_it(worker_a, dispatcher, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0
    event = solve(worker_a)
    assert event.spot_check == "pending"
    assert list(selectors.spot_checks(actor=dispatcher)) == [event]
    assert not selectors.spot_checks(actor=worker_a).exists()
    with pytest.raises(WorkflowError):
        spot.confirm_spot_check(actor=worker_a, event=event)
    spot.confirm_spot_check(actor=dispatcher, event=event, note="现场照片属实")
    event.refresh_from_db()
    assert event.spot_check == "confirmed" and event.state == "closed"
    assert not selectors.spot_checks(actor=dispatcher).exists()
    with pytest.raises(WorkflowError):  # checked once
        spot.reopen_spot_check(actor=dispatcher, event=event, note="再看看")


def test_the_centre_reopens_a_sampled_event_with_a_reason(worker_a, dispatcher, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0
    event = solve(worker_a)
    with pytest.raises(WorkflowError):
        spot.reopen_spot_check(actor=dispatcher, event=event, note="")
    spot.reopen_spot_check(actor=dispatcher, event=event, note="照片与描述不符", now=T0 + dt.timedelta(hours=1))
    event.refresh_from_db()
    assert event.state == "registered" and event.reason == "照片与描述不符" and event.spot_check == "reopened"
    assert event.closed_at is None and event.due_at is not None  # the ordinary handling clock runs again
    # Sent back, the worker cannot close it alone again: it goes the ordinary way (核查 by the centre).
    from fengqiao.events import services

    services.handle_in_grid(actor=worker_a, event=event, result="重新清理")
    with pytest.raises(WorkflowError):
        spot.EVENT_FLOW.apply(event, "spot_close", actor=worker_a)


def test_a_centre_of_another_street_cannot_check_it(worker_a, tree, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0
    event = solve(worker_a)
    other = make_user("disp_b", role=Role.DISPATCHER, node=tree["410105002"], password=None)
    with pytest.raises(WorkflowError):
        spot.confirm_spot_check(actor=other, event=event)
    assert not selectors.spot_checks(actor=other).exists()


def test_the_phone_form_closes_the_event(client, worker_a, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 0.0
    client.force_login(worker_a)
    assert client.get(reverse("events:spot")).status_code == 200
    answer = client.post(
        reverse("events:spot"),
        {
            "description": "井盖松动",
            "result": "已临时固定并报修",
            "lon": POINT_A[0],
            "lat": POINT_A[1],
            "before": photo("b.jpg"),
            "after": photo("a.jpg"),
            "idempotency_key": "form-1",
        },
    )
    event = Event.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("events:detail", args=[event.tracking_code])
    assert event.state == "closed" and event.on_the_spot


def test_the_centre_sees_the_sampled_event_and_its_buttons(client, worker_a, dispatcher, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 1.0
    event = solve(worker_a)
    client.force_login(dispatcher)
    assert event.tracking_code in client.get(reverse("events:spot_checks")).content.decode()
    page = client.get(reverse("events:detail", args=[event.tracking_code])).content.decode()
    assert "待抽查" in page and reverse("events:act", args=[event.tracking_code, "spot_reopen"]) in page
    client.post(reverse("events:act", args=[event.tracking_code, "spot_reopen"]), {"note": "复核不合格"})
    event.refresh_from_db()
    assert event.state == "registered"


def test_an_event_not_drawn_or_not_solved_on_the_spot_carries_no_check_badge(client, worker_a, dispatcher, settings):
    settings.FENGQIAO_SPOT_CHECK_SHARE = 0.0
    event = solve(worker_a)
    client.force_login(dispatcher)
    page = client.get(reverse("events:detail", args=[event.tracking_code])).content.decode()
    assert 'id="spot-check"' not in page and "不抽查" not in page
