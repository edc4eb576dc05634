"""Idempotency keys belong to whoever sent them: a key replayed by another caller never returns their event."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.events import services
from fengqiao.events.models import ApiClient, Event, Source
from tests.events.conftest import POINT_A, POINT_B


def api_client_key(name: str, key: str) -> str:
    client = ApiClient(name=name)
    client.set_key(key)
    client.save()
    return key


def post_api(client: Client, body: dict, key: str, **headers: str):
    return client.post(
        "/api/v1/events", body, content_type="application/json", headers={"Idempotency-Key": key, **headers}
    )


def test_another_user_replaying_a_key_gets_a_new_event(worker_a, worker_b):
    a, b = Client(), Client()
    a.force_login(worker_a)
    b.force_login(worker_b)
    first = post_api(a, {"description": "井盖丢失", "lon": POINT_A[0], "lat": POINT_A[1]}, "abc")
    second = post_api(b, {"description": "路灯不亮", "lon": POINT_B[0], "lat": POINT_B[1]}, "abc")
    assert first.status_code == second.status_code == 201
    assert second.json()["tracking_code"] != first.json()["tracking_code"]
    assert second.json()["description"] == "路灯不亮"
    assert Event.objects.count() == 2


def test_another_api_client_replaying_a_key_gets_a_new_event(tree):
    one, two = api_client_key("甲系统", "key-one-123"), api_client_key("乙系统", "key-two-456")
    body = {"description": "井盖丢失", "lon": POINT_A[0], "lat": POINT_A[1]}
    first = post_api(Client(), body, "order-1", **{"X-API-Key": one})
    again = post_api(Client(), body, "order-1", **{"X-API-Key": one})
    other = post_api(Client(), {**body, "description": "别家的事件"}, "order-1", **{"X-API-Key": two})
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert other.status_code == 201 and other.json()["tracking_code"] != first.json()["tracking_code"]
    assert Event.objects.count() == 2


def public_post(client: Client, key: str, description: str = "小区门口垃圾堆积"):
    return client.post(
        "/events/r/410105001001001/",
        {"description": description, "reporter_phone": "13812345678", "idempotency_key": key},
    )


@pytest.mark.parametrize("forged", ["api:abc", "iot:SMK-001:A-77", "open311:dev:acc", "abc"])
def test_the_qr_form_cannot_claim_another_channels_key(worker_a, forged):
    client = Client()
    client.force_login(worker_a)
    victim = post_api(client, {"description": "井盖丢失", "lon": POINT_A[0], "lat": POINT_A[1]}, "abc")
    code = victim.json()["tracking_code"]
    attacker = public_post(Client(), forged)
    assert attacker.status_code == 302
    assert code not in attacker["Location"]
    assert Event.objects.count() == 2


def test_the_same_browser_retrying_the_qr_form_gets_one_event(tree):
    browser = Client()
    browser.get("/events/r/410105001001001/")
    first = public_post(browser, "k-1")
    again = public_post(browser, "k-1")
    assert Event.objects.count() == 1
    assert first["Location"].split("?")[0] == again["Location"].split("?")[0]
    assert "k=" in again["Location"]  # the retry still gets the private link


def test_another_browser_replaying_a_qr_key_gets_its_own_event(tree):
    first = public_post(Client(), "k-1")
    other = public_post(Client(), "k-1", description="另一位居民的上报")
    assert Event.objects.count() == 2
    assert first["Location"].split("?")[0] != other["Location"].split("?")[0]


def test_the_service_scopes_a_key_to_its_caller(tree, worker_a, worker_b):
    def report(actor, key, caller=None):
        return services.report_event(
            actor=actor,
            source=Source.API,
            description="井盖丢失",
            lon=POINT_A[0],
            lat=POINT_A[1],
            idempotency_key=key,
            caller=caller,
        )

    mine = report(worker_a, "same")
    assert report(worker_a, "same").pk == mine.pk
    assert report(worker_b, "same").pk != mine.pk
    assert report(None, "same", caller="client:9").pk != mine.pk
    # An anonymous call with no caller to scope the key to cannot reach anyone's event.
    assert report(None, "same").pk != mine.pk
    assert mine.idempotency_key != "same" and "same" not in (mine.idempotency_key or "")
