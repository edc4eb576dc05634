"""The API answers every refusal in one shape, {"code", "detail"}, with the stable code of the app that refused."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.errors import AccountErrorCode
from fengqiao.accounts.security import SIGNED_IN_AT
from fengqiao.core.errors import CoreErrorCode
from fengqiao.dispatch.errors import DispatchErrorCode
from fengqiao.disputes.errors import DisputeErrorCode
from fengqiao.events.errors import EventErrorCode
from tests.disputes.conftest import centre_a, dispute, mediation, types  # noqa: F401  (fixtures)
from tests.events.conftest import POINT_A


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refusal(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail"} and body["detail"]
    return body["code"]


def test_core_not_signed_in(db):
    assert refusal(Client().get("/api/v1/events"), 401) == CoreErrorCode.UNAUTHENTICATED == "unauthenticated"


def test_grids_unknown_node(worker_a):
    assert refusal(signed_in(worker_a).get("/api/v1/grids/999999"), 404) == "not_found"


def test_events_unknown_category(worker_a, catalogue):
    body = {"description": "井盖丢失", "category": "9999", "lon": POINT_A[0], "lat": POINT_A[1]}
    response = signed_in(worker_a).post("/api/v1/events", body, content_type="application/json")
    assert refusal(response, 400) == EventErrorCode.BAD_CATEGORY == "bad_category"


def test_events_workflow_refusal_keeps_the_engine_code(worker_a, catalogue):
    body = {"description": "井盖丢失", "category": "0404", "lon": POINT_A[0], "lat": POINT_A[1]}
    client = signed_in(worker_a)
    code = client.post("/api/v1/events", body, content_type="application/json").json()["tracking_code"]
    response = client.post(f"/api/v1/events/{code}/actions/close", {}, content_type="application/json")
    assert refusal(response, 409) == CoreErrorCode.NOT_ALLOWED_IN_STATE == "not_allowed_in_state"


def test_disputes_unknown_mediator(dispute, centre_a):  # noqa: F811
    response = signed_in(centre_a).post(
        f"/api/v1/disputes/{dispute.tracking_code}/assign", {"mediator_id": 999999}, content_type="application/json"
    )
    assert refusal(response, 404) == DisputeErrorCode.MEDIATOR_NOT_FOUND == "mediator_not_found"


def test_dispatch_unknown_node(dispatcher):
    response = signed_in(dispatcher).post(
        "/api/v1/dispatch/instructions", {"title": "防汛", "nodes": ["NOPE"]}, content_type="application/json"
    )
    assert refusal(response, 400) == DispatchErrorCode.UNKNOWN_NODE == "unknown_node"


@pytest.mark.parametrize("path", ["/api/v1/events", "/api/v1/dispatch/inbox"])
def test_accounts_session_past_its_limit(worker_a, path):
    client = signed_in(worker_a)
    session = client.session
    session[SIGNED_IN_AT] = 0
    session.save()
    response = client.get(path, headers={"Accept": "application/json"})
    assert refusal(response, 401) == AccountErrorCode.SESSION_EXPIRED == "session_expired"


def test_events_unknown_action(worker_a, catalogue):
    response = signed_in(worker_a).post("/api/v1/events/E000/actions/fly", {}, content_type="application/json")
    assert refusal(response, 404) == EventErrorCode.UNKNOWN_ACTION == "unknown_action"
