"""The native event API, the IoT webhook and Open311 (read back with a real Open311 client library)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from fengqiao.events.models import ApiClient, Event
from tests.events.conftest import POINT_A


@pytest.fixture
def api_key(db):
    client = ApiClient(name="郑好办")
    client.set_key("k-123456")
    client.save()
    return "k-123456"


def test_a_worker_reports_through_the_api_and_a_retry_returns_the_same_event(client, worker_a):
    client.force_login(worker_a)
    body = {"description": "井盖丢失", "category": "0404", "lon": POINT_A[0], "lat": POINT_A[1]}
    first = client.post("/api/v1/events", body, content_type="application/json", headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/events", body, content_type="application/json", headers={"Idempotency-Key": "abc"})
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert Event.objects.count() == 1
    assert first.json()["grid_code"] == "410105001001001"


def test_bad_api_input_gets_a_precise_message(client, worker_a):
    client.force_login(worker_a)
    response = client.post(
        "/api/v1/events",
        {"description": "井盖丢失", "category": "9999", "lon": POINT_A[0], "lat": POINT_A[1]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "9999" in response.json()["detail"]
    out_of_range = client.post(
        "/api/v1/events", {"description": "x" * 3, "lon": 500, "lat": 1}, content_type="application/json"
    )
    assert out_of_range.status_code == 422
    assert not Event.objects.exists()


def test_a_machine_client_reports_with_an_api_key(tree, api_key):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # machines have no CSRF cookie; the key alone must do
    response = client.post(
        "/api/v1/events",
        {"description": "路灯不亮", "lon": POINT_A[0], "lat": POINT_A[1]},
        content_type="application/json",
        headers={"X-API-Key": api_key},
    )
    assert response.status_code == 201
    wrong = client.post(
        "/api/v1/events",
        {"description": "路灯不亮", "lon": POINT_A[0], "lat": POINT_A[1]},
        content_type="application/json",
        headers={"X-API-Key": "nope"},
    )
    assert wrong.status_code == 401


def test_a_known_key_costs_no_query_and_a_deactivated_key_is_refused_at_once(tree, api_key, django_assert_num_queries):
    from django.test import Client

    client = Client()
    body = {"description": "路灯不亮", "lon": POINT_A[0], "lat": POINT_A[1]}
    assert (
        client.post("/api/v1/events", body, content_type="application/json", headers={"X-API-Key": api_key}).status_code
        == 201
    )
    assert ApiClient.for_key(api_key) is not None
    with django_assert_num_queries(0):
        assert ApiClient.for_key(api_key) is not None  # remembered
    stored = ApiClient.objects.get(name="郑好办")
    stored.active = False
    stored.save()  # any change to a client forgets the remembered keys in this process
    refused = client.post("/api/v1/events", body, content_type="application/json", headers={"X-API-Key": api_key})
    assert refused.status_code == 401
    assert Event.objects.count() == 1


def test_actions_through_the_api_follow_the_table(client, event, dispatcher, urban, handler):
    client.force_login(dispatcher)
    code = event.tracking_code
    closed = client.post(f"/api/v1/events/{code}/actions/close", {}, content_type="application/json")
    assert closed.status_code == 409 and "不能执行" in closed.json()["detail"]
    assert (
        client.post(f"/api/v1/events/{code}/actions/register", {}, content_type="application/json").json()["state"]
        == "registered"
    )
    routed = client.post(
        f"/api/v1/events/{code}/actions/route", {"department": urban.pk}, content_type="application/json"
    )
    assert routed.json()["lead_department"] == "金水区城管局"
    client.force_login(handler)
    assert (
        client.post(f"/api/v1/events/{code}/actions/sign", {}, content_type="application/json").json()["state"]
        == "signed"
    )
    timeline = client.get(f"/api/v1/events/{code}/timeline").json()
    assert [t["verb"] for t in timeline] == ["report", "register", "route", "sign"]


def test_the_api_hides_other_grids_events(client, event, worker_b):
    client.force_login(worker_b)
    assert client.get(f"/api/v1/events/{event.tracking_code}").status_code == 404  # as if it did not exist
    assert client.get("/api/v1/events").json() == []


def test_the_category_suggester_proposes_with_a_confidence(client, db):
    response = client.post(
        "/api/v1/events/suggest", {"text": "楼道里有人给电动车充电，还拉了电线"}, content_type="application/json"
    )
    best = response.json()[0]
    assert best["code"] == "0303"
    assert 0 < best["confidence"] <= 1


def sign(secret: str, body: bytes) -> dict[str, str]:
    """A sensor's headers: the signature covers a timestamp and a fresh nonce (tests/events/test_iot_replay.py)."""
    stamp, nonce = str(int(time.time())), uuid.uuid4().hex
    digest = hmac.new(secret.encode(), f"{stamp}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Fengqiao-Timestamp": stamp, "X-Fengqiao-Nonce": nonce, "X-Fengqiao-Signature": f"sha256={digest}"}


def test_an_iot_alarm_with_a_valid_signature_raises_one_event(client, smoke_sensor):
    body = json.dumps({"alarm": "烟雾浓度超标", "id": "A-77"}).encode()
    response = client.post(
        "/events/iot/SMK-001/",
        body,
        content_type="application/json",
        headers=sign("s3cret", body),
    )
    assert response.status_code == 201
    client.post(
        "/events/iot/SMK-001/",
        body,
        content_type="application/json",
        headers=sign("s3cret", body),
    )
    event = Event.objects.get()
    assert event.source == "iot" and event.category.code == "0301" and "烟雾" in event.description


def test_an_iot_alarm_with_a_bad_signature_is_refused(client, smoke_sensor):
    body = b'{"alarm": "x"}'
    response = client.post(
        "/events/iot/SMK-001/",
        body,
        content_type="application/json",
        headers=sign("wrong", body),
    )
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_open311_round_trip_with_real_client_libraries(live_server, tree, api_key):
    base = f"{live_server.url}/open311/v2"
    reader = GeoReport(base)  # the `georeport` package
    codes = {s["service_code"] for s in reader.get_service_list()}
    assert "0403" in codes and "0101" not in codes  # disputes stay private
    endpoint = Endpoint(id="fengqiao", name="fengqiao", base_url=base, write=True)
    client = Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)))  # `civicbot`
    sent = client.create_request(
        "0403",
        dry_run=False,
        confirm="SEND",
        api_key=api_key,
        lat=POINT_A[1],
        lng=POINT_A[0],
        description="垃圾桶满了没人清运",
        address_string="文化路 1 号",
        validate_remote=True,
    )
    request_id = sent.response[0]["service_request_id"]
    event = Event.objects.get(public_id=request_id)  # Open311's own id, never the resident's tracking code
    assert event.source == "open311" and event.address == "文化路 1 号"
    by_id = client.get_request(request_id)
    assert by_id["status"] == "open" and by_id["service_code"] == "0403" and by_id["address"] == "甲街道甲社区"
    by_filter = client.list_requests(service_code="0403", status="open")
    assert [r["service_request_id"] for r in by_filter] == [request_id]
    assert reader.get_service_request(request_id)["description"] == "垃圾桶满了没人清运"
    assert reader.get_service_requests(status="closed") == []


def test_open311_errors_are_a_list_with_code_and_description(client, tree):
    response = client.post(
        "/open311/v2/requests.json", {"service_code": "0403", "lat": 34.7, "long": 113.6, "description": "x"}
    )
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403 and response.json()[0]["description"]
    xml = client.get("/open311/v2/requests/NOPE.xml")
    assert xml.status_code == 404 and b"<errors>" in xml.content


def test_open311_xml_lists_services(client, db):
    response = client.get("/open311/v2/services.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert "<service_code>0403</service_code>" in response.content.decode()
