"""The IoT webhook refuses replays: the signature covers a timestamp and a nonce, both checked."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest

from fengqiao.events.models import Category, Device, Event

URL = "/events/iot/SMK-001/"
BODY = json.dumps({"alarm": "烟雾浓度超标", "id": "A-77"}).encode()


def signed(secret: str, body: bytes, *, ts: int | None = None, nonce: str | None = None) -> dict[str, str]:
    """What a sensor sends: HMAC-SHA256 over "timestamp.nonce.body"."""
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or uuid.uuid4().hex
    message = f"{ts}.{nonce}.".encode() + body
    return {
        "X-Fengqiao-Timestamp": str(ts),
        "X-Fengqiao-Nonce": nonce,
        "X-Fengqiao-Signature": "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest(),
    }


def post(client, body: bytes, headers: dict[str, str]):
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_a_fresh_signed_alarm_raises_an_event(client, smoke_sensor):
    response = post(client, BODY, signed("s3cret", BODY))
    assert response.status_code == 201, response.content
    assert Event.objects.get().source == "iot"


def test_the_same_request_replayed_is_refused(client, smoke_sensor):
    headers = signed("s3cret", BODY)
    assert post(client, BODY, headers).status_code == 201
    again = post(client, BODY, headers)
    assert again.status_code == 409 and again.json()["code"] == "replayed"
    assert Event.objects.count() == 1


def test_a_replay_with_the_alarm_id_removed_is_still_refused(client, smoke_sensor):
    body = json.dumps({"alarm": "烟雾浓度超标"}).encode()  # no id: idempotency cannot catch it, the nonce must
    headers = signed("s3cret", body)
    assert post(client, body, headers).status_code == 201
    assert post(client, body, headers).status_code == 409
    assert Event.objects.count() == 1


def test_a_retry_with_a_new_nonce_returns_the_same_event(client, smoke_sensor):
    first = post(client, BODY, signed("s3cret", BODY))
    retry = post(client, BODY, signed("s3cret", BODY))
    assert retry.status_code == 201 and retry.json()["tracking_code"] == first.json()["tracking_code"]
    assert Event.objects.count() == 1


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_a_request_outside_five_minutes_is_refused(client, smoke_sensor, skew):
    response = post(client, BODY, signed("s3cret", BODY, ts=int(time.time()) + skew))
    assert response.status_code == 401 and response.json()["code"] == "stale_request"
    assert not Event.objects.exists()


def test_a_signature_over_the_body_alone_is_refused(client, smoke_sensor):
    old_style = "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    headers = {**signed("s3cret", BODY), "X-Fengqiao-Signature": old_style}
    assert post(client, BODY, headers).status_code == 401
    assert post(client, BODY, {"X-Fengqiao-Signature": old_style}).status_code == 401
    assert not Event.objects.exists()


def test_a_captured_signature_cannot_be_moved_to_a_new_nonce_or_time(client, smoke_sensor):
    captured = signed("s3cret", BODY)
    moved = {**captured, "X-Fengqiao-Nonce": uuid.uuid4().hex}
    assert post(client, BODY, moved).status_code == 401
    later = {**captured, "X-Fengqiao-Timestamp": str(int(captured["X-Fengqiao-Timestamp"]) + 1)}
    assert post(client, BODY, later).status_code == 401
    assert not Event.objects.exists()


@pytest.mark.parametrize("bad", ["", "abc", "1e9", " 12"])
def test_a_malformed_timestamp_is_refused(client, smoke_sensor, bad):
    headers = {**signed("s3cret", BODY), "X-Fengqiao-Timestamp": bad}
    assert post(client, BODY, headers).status_code == 401


def test_a_nonce_belongs_to_its_device(client, smoke_sensor, tree):
    Device.objects.create(
        code="SMK-002",
        name="4号楼烟感",
        grid=tree["410105001001001"],
        category=Category.objects.get(code="0301"),
        secret="other",
    )
    nonce = uuid.uuid4().hex
    assert post(client, BODY, signed("s3cret", BODY, nonce=nonce)).status_code == 201
    body = json.dumps({"alarm": "烟雾", "id": "B-1"}).encode()
    response = client.post(
        "/events/iot/SMK-002/", body, content_type="application/json", headers=signed("other", body, nonce=nonce)
    )
    assert response.status_code == 201
