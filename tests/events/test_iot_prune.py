"""Old device nonces are pruned at most once a minute, never while their timestamp could still pass."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.events import webhooks
from fengqiao.events.models import DeviceNonce, Event
from tests.events.test_iot_replay import post, signed

START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fresh_prune_clock():
    webhooks._pruned.clear()
    yield
    webhooks._pruned.clear()


def alarm(client, alarm_id: str, nonce: str | None = None):
    body = json.dumps({"alarm": "烟雾浓度超标", "id": alarm_id}).encode()
    headers = signed("s3cret", body, nonce=nonce)
    return post(client, body, headers), body, headers


def nonce_deletes(queries) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "events_devicenonce"'))


def test_a_burst_of_alarms_prunes_once_not_once_per_alarm(client, smoke_sensor):
    with time_machine.travel(START, tick=False), CaptureQueriesContext(connection) as first:
        assert alarm(client, "A-1")[0].status_code == 201
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False), CaptureQueriesContext(connection) as burst:
        for n in range(2, 6):
            assert alarm(client, f"A-{n}")[0].status_code == 201
    assert nonce_deletes(first) == 1
    assert nonce_deletes(burst) == 0
    assert DeviceNonce.objects.count() == 5 and Event.objects.count() == 5


def test_a_nonce_is_pruned_once_its_window_has_passed_and_the_next_minute_begins(client, smoke_sensor):
    with time_machine.travel(START, tick=False):
        assert alarm(client, "A-1", nonce="first-nonce-0000001")[0].status_code == 201
    with time_machine.travel(START + dt.timedelta(minutes=12), tick=False):
        assert alarm(client, "A-2", nonce="second-nonce-000002")[0].status_code == 201
    assert list(DeviceNonce.objects.values_list("nonce", flat=True)) == ["second-nonce-000002"]


def test_a_nonce_still_inside_its_window_is_kept_and_its_replay_refused_after_a_prune(client, smoke_sensor):
    with time_machine.travel(START, tick=False):
        response, body, headers = alarm(client, "A-1")
        assert response.status_code == 201
    # Four minutes on: a prune runs (more than a minute since the last), the first nonce is young enough to stay.
    with time_machine.travel(START + dt.timedelta(minutes=4), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert alarm(client, "A-2")[0].status_code == 201
        assert nonce_deletes(queries) == 1
        replay = post(client, body, headers)
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert Event.objects.count() == 2


def test_a_clock_set_back_still_prunes(client, smoke_sensor):
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        assert alarm(client, "A-1")[0].status_code == 201
    with time_machine.travel(START, tick=False), CaptureQueriesContext(connection) as queries:
        assert alarm(client, "A-2")[0].status_code == 201
    assert nonce_deletes(queries) == 1
